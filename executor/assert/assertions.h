#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "executor/core/document.h"
#include "executor/core/position.h"

namespace mqttest {

/// One assertion as written: a check `<path> <Keyword> [args...]` or a block
/// (`and:`, `or:`, `xor:`, `not:`) of nested assertions.
struct assertion {
  enum class kind { check, all_of, any_of, one_of, none_of };
  kind type = kind::check;
  std::string text;                 ///< check: the text as written (templates unexpanded)
  std::vector<assertion> children;  ///< blocks
  bool must = false;                ///< a Must... keyword: a failure stops the test case
  position where;
  std::string base_dir;             ///< where relative file arguments start (the suite's folder)
};

/// Parses the assertion at `ptr` in `doc` (a string, or a one-key map
/// and/or/xor/not holding a list). Checks the keyword (with "did you mean")
/// and, when the args hold no template, their count. Throws config_error.
assertion parse_assertion(const document& doc, const nlohmann::json::json_pointer& ptr);

/// Parses a check from plain text (command-line --assert); `where` for errors.
assertion parse_assertion_text(const std::string& text, const position& where);

/// Whether the text's path (its first word) is result.error / result.err, any case.
bool names_error_path(std::string_view text);

/// Whether the assertion, or one nested in its blocks, checks result.error:
/// then a step error is what the suite tests, not a failure of its own.
bool examines_error(const assertion& a);

struct assertion_outcome {
  bool passed = false;
  bool must = false;
  std::string text;      ///< the expanded text (for blocks: "and", "or", ...)
  position where;
  std::string expected;  ///< what the keyword wanted, rendered
  std::string actual;    ///< what the path held, rendered ("<missing>" when absent)
  std::string message;   ///< one line explaining a failure
};

/// Expands a leaf's text (templates) before it is evaluated.
using text_expander = std::function<std::string(const std::string&)>;

/// Evaluates against `data`, the root that paths start from (`{"result": ...}`).
/// Never throws: an expansion error or a bad argument is a failed outcome.
assertion_outcome evaluate(const assertion& a, const nlohmann::json& data,
                           const text_expander& expand);

/// Every keyword without its Must twin (ShouldEqual, ...).
const std::vector<std::string>& assertion_keywords();

}  // namespace mqttest
