#pragma once

#include <compare>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mqttest {

/// One whitespace-separated word of an assertion's arguments.
struct arg_token {
  std::string raw;       ///< as written, quotes included
  nlohmann::json value;  ///< typed: quoted -> string, `1` -> integer, `true` -> bool, ...
};

/// Splits on whitespace; a word opening with `"` or `'` runs to its closing quote.
std::vector<arg_token> split_args(std::string_view text);

/// A YAML-ish plain scalar: integer, float, true/false, null/nil/~, else string.
nlohmann::json parse_scalar(std::string_view word);

/// Deep equality; numbers compare numerically (`1` equals `1.0`).
bool json_equal(const nlohmann::json& a, const nlohmann::json& b);

/// json_equal, plus a string equals a number or bool it spells (`"1"` and 1).
bool loose_equal(const nlohmann::json& a, const nlohmann::json& b);

/// A number, or a string that spells one.
std::optional<nlohmann::json> as_number(const nlohmann::json& value);

/// Orders two numbers (integers exactly, otherwise as doubles).
std::partial_ordering compare_numbers(const nlohmann::json& a, const nlohmann::json& b);

/// The text of a scalar (a string as is, numbers and bools spelled); nullopt otherwise.
std::optional<std::string> as_text(const nlohmann::json& value);

/// Compact JSON.
std::string render(const nlohmann::json& value);

/// Venom's type names: Array, Map, String, Number, Bool, Nil.
std::string type_name(const nlohmann::json& value);

/// For error messages: "a map", "a list", "a string", "a boolean", "null", "a number".
std::string kind_phrase(const nlohmann::json& value);

}  // namespace mqttest
