#pragma once

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace mqttest {

/// A template that cannot be expanded (undefined variable, unbalanced `{{`,
/// unknown helper, wrong argument). The message names the culprit; callers
/// add the position.
class template_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Expands Go-template actions in `text` against `vars`: fields `{{.a.b}}`,
/// literals, pipelines with helpers (`{{.x | default "y" | upper}}`), `( )`,
/// `{{-`/`-}}` trimming and `{{/* comments */}}`. A string that is exactly one
/// action yields the value with its type (a number stays a number); otherwise
/// values are spliced as text. Field lookup tries flattened keys ("a.b") and
/// Venom's flattened result paths (`.result.messagesjson.messagesjson0`).
nlohmann::json expand(const std::string& text, const nlohmann::json& vars);

/// Expands every string inside `value` (maps, lists) recursively.
nlohmann::json expand_all(const nlohmann::json& value, const nlohmann::json& vars);

/// Expands to text (non-strings are rendered as compact JSON).
std::string expand_text(const std::string& text, const nlohmann::json& vars);

/// Load-time check without variables: balanced `{{ }}`, syntax, known
/// helpers and their argument counts. Throws template_error.
void check_template(const std::string& text);

/// True when `text` contains a template.
bool has_template(const std::string& text);

}  // namespace mqttest
