#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>


namespace mqttest {

/// Values that must never be printed or written: replaced by "****" in
/// every string of a report (result JSON, errors, assertions, info).
class secret_mask {
 public:
  /// Adds a value (non-strings by their text); empty values are ignored.
  void add(const nlohmann::json& value);
  /// Adds the value of every field named password / keyPassword (any case,
  /// at any depth) in expanded step fields.
  void add_passwords(const nlohmann::json& fields);
  bool empty() const { return values_.empty(); }

  std::string apply(std::string text) const;
  nlohmann::json apply(const nlohmann::json& value) const;

 private:
  std::vector<std::string> values_;  ///< longest first
};

}  // namespace mqttest
