#include "executor/templating.h"

#include <fmt/format.h>

#include <optional>
#include <string_view>
#include <vector>

namespace mqttest {

using nlohmann::json;

namespace {

/// A piece of a template string: literal text, or the inside of `{{ }}`.
struct token {
  enum class kind { text, action };
  kind type;
  std::string_view body;
};

std::vector<token> tokenize(std::string_view text) {
  std::vector<token> tokens;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      tokens.push_back({token::kind::text, text.substr(pos)});
      break;
    }
    if (open > pos) tokens.push_back({token::kind::text, text.substr(pos, open - pos)});
    std::size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos)
      throw template_error(fmt::format("unclosed \"{{{{\" in \"{}\"", text));
    tokens.push_back({token::kind::action, text.substr(open + 2, close - open - 2)});
    pos = close + 2;
  }
  return tokens;
}

std::string_view trim(std::string_view s) {
  constexpr std::string_view blanks = " \t\r\n";
  std::size_t first = s.find_first_not_of(blanks);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(blanks) - first + 1);
}

/// A field chain `.a.b.0`: the segments, or nullopt when `expr` is not one.
std::optional<std::vector<std::string>> field_chain(std::string_view expr) {
  if (expr.empty() || expr.front() != '.') return std::nullopt;
  std::vector<std::string> segments;
  if (expr == ".") return segments;
  std::size_t pos = 1;
  for (;;) {
    std::size_t dot = expr.find('.', pos);
    std::string_view segment = expr.substr(pos, dot == std::string_view::npos ? dot : dot - pos);
    if (segment.empty()) return std::nullopt;
    for (char c : segment)
      if (c == ' ' || c == '\t' || c == '|' || c == '(' || c == ')' || c == '"' || c == '{' ||
          c == '}')
        return std::nullopt;
    segments.emplace_back(segment);
    if (dot == std::string_view::npos) return segments;
    pos = dot + 1;
  }
}

const json* child(const json& value, const std::string& segment) {
  if (value.is_object()) {
    auto it = value.find(segment);
    return it == value.end() ? nullptr : &*it;
  }
  if (value.is_array() && !segment.empty() &&
      segment.find_first_not_of("0123456789") == std::string::npos) {
    std::size_t index = std::stoul(segment);
    return index < value.size() ? &value[index] : nullptr;
  }
  return nullptr;
}

const json& lookup(const std::vector<std::string>& segments, std::string_view expr,
                   const json& vars) {
  // Venom keeps flattened names ("a.b") as plain keys; try that spelling first.
  if (segments.size() > 1 && vars.is_object()) {
    if (auto it = vars.find(std::string(expr.substr(1))); it != vars.end()) return *it;
  }
  const json* value = &vars;
  for (const auto& segment : segments) {
    value = child(*value, segment);
    if (!value) throw template_error(fmt::format("undefined variable \"{}\"", expr));
  }
  return *value;
}

const json& evaluate(std::string_view action, const json& vars) {
  std::string_view expr = trim(action);
  auto segments = field_chain(expr);
  if (!segments) {
    throw template_error(fmt::format(
        "unsupported template expression \"{}\" (only {{{{.name}}}} and {{{{.a.b}}}} for now)",
        expr));
  }
  return lookup(*segments, expr, vars);
}

std::string render(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

}  // namespace

json expand(const std::string& text, const json& vars) {
  std::vector<token> tokens = tokenize(text);
  if (tokens.size() == 1 && tokens.front().type == token::kind::action)
    return evaluate(tokens.front().body, vars);
  std::string out;
  for (const token& t : tokens) {
    if (t.type == token::kind::text)
      out += t.body;
    else
      out += render(evaluate(t.body, vars));
  }
  return out;
}

json expand_all(const json& value, const json& vars) {
  if (value.is_string()) return expand(value.get<std::string>(), vars);
  if (value.is_object()) {
    json out = json::object();
    for (auto it = value.begin(); it != value.end(); ++it)
      out[it.key()] = expand_all(it.value(), vars);
    return out;
  }
  if (value.is_array()) {
    json out = json::array();
    for (const auto& element : value) out.push_back(expand_all(element, vars));
    return out;
  }
  return value;
}

std::string expand_text(const std::string& text, const json& vars) {
  return render(expand(text, vars));
}

bool has_template(const std::string& text) { return text.find("{{") != std::string::npos; }

}  // namespace mqttest
