#pragma once

#include <atomic>
#include <cstddef>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "executor/core/limits.h"

namespace mqttest {

/// A template that cannot be expanded (undefined variable, unbalanced `{{`,
/// unknown helper, wrong argument). The message names the culprit; callers
/// add the position.
class template_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// An expansion that hit a limit (output size, nesting) or a vars cycle:
/// the suite is wrong whatever the variables hold.
class template_limit_error : public template_error {
 public:
  using template_error::template_error;
};

/// The interrupt flag was raised during an expansion.
class template_interrupted : public template_error {
 public:
  using template_error::template_error;
};

/// Limits of one expansion and the flag that stops it (SIGINT/SIGTERM).
struct expansion_context {
  std::size_t max_bytes = limit_value(kMaxTemplateBytes);  ///< per expanded string
  std::size_t max_depth = limit_value(kMaxTemplateDepth);  ///< vars using vars, ( ) in actions
  const std::atomic<bool>* interrupted = nullptr;
};

/// Expands Go-template actions in `text` against `vars`: fields `{{.a.b}}`,
/// literals, pipelines with helpers (`{{.x | default "y" | upper}}`), `( )`,
/// `{{-`/`-}}` trimming and `{{/* comments */}}`. A string that is exactly one
/// action yields the value with its type (a number stays a number); otherwise
/// values are spliced as text. Field lookup tries flattened keys ("a.b") and
/// Venom's flattened result paths (`.result.messagesjson.messagesjson0`).
nlohmann::json expand(const std::string& text, const nlohmann::json& vars,
                      const expansion_context& context = {});

/// Expands every string inside `value` (maps, lists) recursively.
nlohmann::json expand_all(const nlohmann::json& value, const nlohmann::json& vars,
                          const expansion_context& context = {});

/// Expands, in place, the vars whose values use other vars, each after the
/// vars it uses. A var that cannot be expanded yet (an undefined variable)
/// stays as written. Throws template_limit_error for a cycle ("vars a -> b
/// -> a form a cycle"), a chain deeper than max_depth or an output beyond
/// max_bytes, template_interrupted when the flag is raised.
void expand_vars(nlohmann::json& vars, const expansion_context& context = {});

/// Expands to text (non-strings are rendered as compact JSON).
std::string expand_text(const std::string& text, const nlohmann::json& vars);

/// Load-time check without variables: balanced `{{ }}`, syntax, known
/// helpers and their argument counts. Throws template_error.
void check_template(const std::string& text);

/// True when `text` contains a template.
bool has_template(const std::string& text);

}  // namespace mqttest
