#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mqttest {

/// A guard against hostile or runaway input. Each limit is raised (or
/// lowered) by its environment variable, e.g. MQTTEST_MAX_SUITE_BYTES=33554432.
struct limit {
  const char* env;       ///< the environment variable that overrides it
  std::size_t fallback;  ///< the value without the variable
  const char* unit;      ///< "bytes", "levels", "nodes", for messages
};

inline constexpr limit kMaxSuiteBytes{"MQTTEST_MAX_SUITE_BYTES", 16u << 20, "bytes"};
inline constexpr limit kMaxYamlDepth{"MQTTEST_MAX_YAML_DEPTH", 256, "levels"};
inline constexpr limit kMaxYamlNodes{"MQTTEST_MAX_YAML_NODES", 1'000'000, "nodes"};
inline constexpr limit kMaxTemplateBytes{"MQTTEST_MAX_TEMPLATE_BYTES", 16u << 20, "bytes"};
inline constexpr limit kMaxTemplateDepth{"MQTTEST_MAX_TEMPLATE_DEPTH", 64, "levels"};
inline constexpr limit kMaxPayloadDepth{"MQTTEST_MAX_PAYLOAD_DEPTH", 512, "levels"};
/// What reports and -v show of one received message (assertions see all of it).
inline constexpr limit kMaxShownMessageBytes{"MQTTEST_MAX_SHOWN_MESSAGE_BYTES", 16u << 10, "bytes"};

/// The limit's value: its environment variable when set, else the fallback.
/// Throws usage_error when the variable is not a positive integer.
std::size_t limit_value(const limit& l);

/// "the 256-levels limit (set MQTTEST_MAX_YAML_DEPTH to raise it)"
std::string limit_text(const limit& l);
/// The same for a value already read (or given by a caller).
std::string limit_text(const limit& l, std::size_t value);

/// Checks every limit's environment variable (throws usage_error), so a bad
/// value is a usage error before anything runs.
void check_limit_environment();

}  // namespace mqttest
