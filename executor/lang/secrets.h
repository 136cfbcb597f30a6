#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace mqttest {

/// Values that must never be printed or written: replaced by "****" in
/// every string of a report (result JSON, errors, assertions, info).
class secret_mask {
 public:
  /// Adds a value (non-strings by their text) and the forms it is printed
  /// in: JSON-escaped, upper and lower case, base64. Empty values are ignored.
  void add(const nlohmann::json& value);
  /// Adds the value of every field named password / keyPassword (any case,
  /// at any depth) in expanded step fields, and the password of a
  /// `user:password@` in `addrs`.
  void add_passwords(const nlohmann::json& fields);
  bool empty() const { return values_.empty(); }

  std::string apply(std::string text) const;
  nlohmann::json apply(const nlohmann::json& value) const;

 private:
  void add_text(const std::string& text);
  void add_url_password(const std::string& url);

  std::vector<std::string> values_;  ///< longest first
};

}  // namespace mqttest
