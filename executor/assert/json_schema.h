#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace mqttest {

/// One place where a value breaks a schema.
struct schema_violation {
  std::string pointer;    ///< JSON pointer of the offending value ("" is the whole value)
  std::string rule;       ///< what the schema wanted there, in valijson's words
  nlohmann::json value;   ///< the offending value
};

/// A compiled JSON Schema (draft-07 rules; valijson reads 2019-09 and 2020-12
/// documents with those rules, so keywords new in them are ignored).
class json_schema {
 public:
  /// Compiles `document`; `$ref`s to other files resolve against `base_dir`.
  /// Throws std::runtime_error naming the problem.
  json_schema(const nlohmann::json& document, const std::string& base_dir, std::string origin);
  ~json_schema();
  json_schema(const json_schema&) = delete;
  json_schema& operator=(const json_schema&) = delete;

  /// Every leaf violation of `value`, in document order; empty when it is valid.
  std::vector<schema_violation> validate(const nlohmann::json& value) const;

  /// Where the schema came from: its file as written, or "inline schema".
  const std::string& origin() const { return origin_; }

 private:
  struct compiled;
  std::unique_ptr<compiled> compiled_;
  std::string origin_;
};

/// Reads a schema file (JSON or YAML). Throws std::runtime_error naming the
/// file and, for syntax errors, the line and column in it.
nlohmann::json read_schema_file(const std::string& path);

/// Whether a schema argument is inline JSON/YAML text rather than a file path.
bool is_inline_schema(std::string_view argument);

/// The schema an assertion argument names: a file path (relative paths
/// against `base_dir`) or inline JSON/YAML text. Compiled once per process
/// (one run) and shared; a file is read once. Throws std::runtime_error.
std::shared_ptr<const json_schema> resolve_schema(std::string_view argument,
                                                  const std::string& base_dir);

}  // namespace mqttest
