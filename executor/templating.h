#pragma once

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace mqttest {

/// A template that cannot be expanded (undefined variable, unbalanced `{{`).
/// The message names the variable; callers add the position.
class template_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Expands `{{.name}}`, `{{ .a.b }}` in a string against `vars`.
/// A string that is exactly one template yields the variable's value with its
/// type (a number stays a number); otherwise values are spliced as text.
nlohmann::json expand(const std::string& text, const nlohmann::json& vars);

/// Expands every string inside `value` (maps, lists) recursively.
nlohmann::json expand_all(const nlohmann::json& value, const nlohmann::json& vars);

/// Expands to text (non-strings are rendered as compact JSON).
std::string expand_text(const std::string& text, const nlohmann::json& vars);

/// True when `text` contains a template.
bool has_template(const std::string& text);

}  // namespace mqttest
