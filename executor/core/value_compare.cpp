#include "executor/core/value_compare.h"

#include <cctype>
#include <charconv>

namespace mqttest {

using nlohmann::json;

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// Reads a quoted word starting at text[i]; returns the index past the closing
/// quote, or npos when it is never closed.
std::size_t read_quoted(std::string_view text, std::size_t i, std::string& out) {
  const char quote = text[i++];
  while (i < text.size()) {
    char c = text[i];
    if (quote == '"' && c == '\\' && i + 1 < text.size()) {
      char e = text[i + 1];
      out += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
      i += 2;
    } else if (quote == '\'' && c == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
      out += '\'';
      i += 2;
    } else if (c == quote) {
      return i + 1;
    } else {
      out += c;
      ++i;
    }
  }
  return std::string_view::npos;
}

std::size_t skip_digits(std::string_view s, std::size_t i) {
  while (i < s.size() && is_digit(s[i])) ++i;
  return i;
}

/// sign? (digits (. digits*)? | . digits) ([eE] sign? digits)?
bool looks_like_float(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  std::size_t int_end = skip_digits(s, i);
  bool digits = int_end > i;
  i = int_end;
  if (i < s.size() && s[i] == '.') {
    std::size_t frac_end = skip_digits(s, i + 1);
    digits = digits || frac_end > i + 1;
    i = frac_end;
  }
  if (!digits) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    std::size_t exp_end = skip_digits(s, i);
    if (exp_end == i) return false;
    i = exp_end;
  }
  return i == s.size();
}

std::optional<json> parse_number(std::string_view word) {
  std::string_view unsigned_part = word;
  if (!word.empty() && (word[0] == '+' || word[0] == '-')) unsigned_part.remove_prefix(1);
  if (!unsigned_part.empty() && skip_digits(unsigned_part, 0) == unsigned_part.size()) {
    std::string_view digits = word[0] == '+' ? unsigned_part : word;
    std::int64_t i = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), i);
    if (ec == std::errc{} && end == digits.data() + digits.size()) return json(i);
    std::uint64_t u = 0;
    auto [uend, uec] = std::from_chars(digits.data(), digits.data() + digits.size(), u);
    if (uec == std::errc{} && uend == digits.data() + digits.size()) return json(u);
  }
  if (!looks_like_float(word)) return std::nullopt;
  std::string_view digits = word[0] == '+' ? unsigned_part : word;
  double d = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), d);
  if (ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  return json(d);
}

std::strong_ordering compare_integers(const json& a, const json& b) {
  bool a_unsigned = a.is_number_unsigned();
  bool b_unsigned = b.is_number_unsigned();
  if (a_unsigned && b_unsigned) return a.get<std::uint64_t>() <=> b.get<std::uint64_t>();
  if (!a_unsigned && !b_unsigned) return a.get<std::int64_t>() <=> b.get<std::int64_t>();
  if (a_unsigned) {
    auto sb = b.get<std::int64_t>();
    if (sb < 0) return std::strong_ordering::greater;
    return a.get<std::uint64_t>() <=> static_cast<std::uint64_t>(sb);
  }
  return 0 <=> compare_integers(b, a);
}

bool string_spells(const json& text, const json& other) {
  if (!text.is_string()) return false;
  if (other.is_number()) {
    auto number = as_number(text);
    return number && compare_numbers(*number, other) == std::partial_ordering::equivalent;
  }
  if (other.is_boolean()) return text.get_ref<const std::string&>() == render(other);
  return false;
}

}  // namespace

std::vector<arg_token> split_args(std::string_view text) {
  std::vector<arg_token> tokens;
  std::size_t i = 0;
  while (i < text.size()) {
    if (is_space(text[i])) {
      ++i;
      continue;
    }
    std::size_t start = i;
    std::string quoted;
    std::size_t after =
        (text[i] == '"' || text[i] == '\'') ? read_quoted(text, i, quoted) : std::string_view::npos;
    if (after != std::string_view::npos) {
      for (i = after; i < text.size() && !is_space(text[i]); ++i) quoted += text[i];
      tokens.push_back({std::string(text.substr(start, i - start)), json(quoted)});
      continue;
    }
    while (i < text.size() && !is_space(text[i])) ++i;
    std::string_view word = text.substr(start, i - start);
    tokens.push_back({std::string(word), parse_scalar(word)});
  }
  return tokens;
}

json parse_scalar(std::string_view word) {
  if (word == "true" || word == "True" || word == "TRUE") return true;
  if (word == "false" || word == "False" || word == "FALSE") return false;
  if (word == "null" || word == "Null" || word == "NULL" || word == "nil" || word == "~") {
    return nullptr;
  }
  if (auto number = parse_number(word)) return *number;
  return std::string(word);
}

std::partial_ordering compare_numbers(const json& a, const json& b) {
  if (a.is_number_integer() && b.is_number_integer()) return compare_integers(a, b);
  return a.get<double>() <=> b.get<double>();
}

bool json_equal(const json& a, const json& b) {
  if (a.is_number() && b.is_number()) {
    return compare_numbers(a, b) == std::partial_ordering::equivalent;
  }
  if (a.type() != b.type()) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!json_equal(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (const auto& [key, value] : a.items()) {
      auto other = b.find(key);
      if (other == b.end() || !json_equal(value, *other)) return false;
    }
    return true;
  }
  return a == b;
}

bool loose_equal(const json& a, const json& b) {
  return json_equal(a, b) || string_spells(a, b) || string_spells(b, a);
}

std::optional<json> as_number(const json& value) {
  if (value.is_number()) return value;
  if (!value.is_string()) return std::nullopt;
  return parse_number(value.get_ref<const std::string&>());
}

std::optional<std::string> as_text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number() || value.is_boolean()) return render(value);
  return std::nullopt;
}

std::string render(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string kind_phrase(const json& value) {
  switch (value.type()) {
    case json::value_t::object:
      return "a map";
    case json::value_t::array:
      return "a list";
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::null:
      return "null";
    default:
      return "a number";
  }
}

std::string type_name(const json& value) {
  switch (value.type()) {
    case json::value_t::array:
      return "Array";
    case json::value_t::object:
      return "Map";
    case json::value_t::string:
      return "String";
    case json::value_t::boolean:
      return "Bool";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return "Number";
    default:
      return "Nil";
  }
}

}  // namespace mqttest
