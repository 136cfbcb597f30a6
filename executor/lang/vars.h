#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mqttest {

/// Variables from outside the suite, lowest to highest precedence:
/// `--var-from-file` files (in order), environment MQTTEST_VAR_name /
/// VENOM_VAR_name (MQTTEST_ wins), `--var name=value`. Values keep their
/// YAML type. The result overrides suite and test-case `vars`.
struct var_sources {
  std::vector<std::string> files;        ///< YAML maps
  std::vector<std::string> environment;  ///< "NAME=value" entries (environ)
  std::vector<std::string> assignments;  ///< name=value
};

/// Throws config_error for a bad file (with position), usage_error for a
/// malformed assignment.
nlohmann::json external_vars(const var_sources& sources);

/// A value as YAML (`1` a number, `[a]` a list); text that is not YAML stays a string.
nlohmann::json parse_var_value(const std::string& text);

/// The process environment as "NAME=value" entries.
std::vector<std::string> environment_entries();

}  // namespace mqttest
