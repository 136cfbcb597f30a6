#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mqttest {

struct check_result {
  bool passed = false;
  std::string message;  ///< one line explaining a failure
};

/// Checks a value that exists; `args` already hold their count.
using check_fn = check_result (*)(const nlohmann::json& actual,
                                  const std::vector<nlohmann::json>& args);

constexpr int kAnyCount = -1;

/// How args reach the check: typed (`007` is the integer 7) or as written
/// (`007` stays "007"; quotes are still removed), or a JSON Schema: the rest
/// of the text as one argument (a file path or inline JSON/YAML), followed by
/// the folder relative paths start from; checked when the suite loads.
enum class arg_form { typed, text, schema };

/// What a path that does not exist means for the keyword.
enum class on_missing { fail, pass };

/// One assertion keyword (its Must twin shares the entry).
struct keyword_spec {
  std::string_view name;
  int min_args = 0;
  int max_args = 0;  ///< kAnyCount: no upper bound
  check_fn check = nullptr;
  arg_form args = arg_form::typed;
  on_missing missing = on_missing::fail;
  std::string_view wants = {};  ///< the expected side when there are no args
};

std::span<const keyword_spec> keyword_table();

/// Finds `ShouldX` or its twin `MustX` (sets `must`); nullptr when unknown.
const keyword_spec* find_keyword(std::string_view name, bool& must);

}  // namespace mqttest
