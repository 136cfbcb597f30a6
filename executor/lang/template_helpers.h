#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace mqttest {

/// A template helper (`upper`, `date`, ...): arguments in call order, the
/// piped value last (Go/sprig convention). Throws template_error for a wrong
/// argument type ("upper: expects a string, got a number (1)").
struct template_helper {
  std::string_view name;
  int min_args;
  int max_args;  ///< -1: any number
  nlohmann::json (*call)(const std::vector<nlohmann::json>& args);
};

/// nullptr for an unknown name.
const template_helper* find_template_helper(std::string_view name);
std::vector<std::string> template_helper_names();

/// Sprig's notion of empty (what `default` replaces): null, "", 0, false, [] and {}.
bool is_empty_value(const nlohmann::json& value);

}  // namespace mqttest
