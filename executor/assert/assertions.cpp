#include "executor/assert/assertions.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <array>
#include <filesystem>
#include <optional>

#include "executor/assert/assertion_keywords.h"
#include "executor/assert/json_schema.h"
#include "executor/core/result_path.h"
#include "executor/core/value_compare.h"

namespace mqttest {

using nlohmann::json;

namespace {

struct block_name {
  std::string_view name;
  assertion::kind type;
};

constexpr std::array kBlocks = {
    block_name{"and", assertion::kind::all_of},
    block_name{"or", assertion::kind::any_of},
    block_name{"xor", assertion::kind::one_of},
    block_name{"not", assertion::kind::none_of},
};

std::string_view name_of(assertion::kind type) {
  for (const auto& block : kBlocks) {
    if (block.type == type) return block.name;
  }
  return "check";
}

/// A check split into its parts; `error` is set instead when it is malformed.
struct parsed_check {
  std::string path;
  const keyword_spec* keyword = nullptr;
  bool must = false;
  std::vector<json> args;
  std::string error;
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string trimmed(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return std::string(text);
}

std::string_view next_word(std::string_view& rest) {
  std::size_t start = 0;
  while (start < rest.size() && is_space(rest[start])) ++start;
  std::size_t end = start;
  while (end < rest.size() && !is_space(rest[end])) ++end;
  std::string_view word = rest.substr(start, end - start);
  rest.remove_prefix(end);
  return word;
}

const std::vector<std::string>& keyword_spellings() {
  static const std::vector<std::string> spellings = [] {
    std::vector<std::string> all;
    for (const auto& k : keyword_table()) {
      all.emplace_back(k.name);
      all.push_back("Must" + std::string(k.name.substr(6)));
    }
    return all;
  }();
  return spellings;
}

std::string unknown_keyword(std::string_view word) {
  std::string message = fmt::format("unknown assertion keyword \"{}\"", word);
  std::string close = did_you_mean(word, keyword_spellings());
  if (!close.empty()) message += fmt::format(" (did you mean \"{}\"?)", close);
  return message;
}

std::string count_text(int n) { return n == 1 ? "1 argument" : fmt::format("{} arguments", n); }

std::string wrong_count(const keyword_spec& k, std::size_t got) {
  std::string takes;
  if (k.max_args == kAnyCount) {
    takes = "at least " + count_text(k.min_args);
  } else if (k.min_args == k.max_args) {
    takes = k.min_args == 0 ? "no arguments" : count_text(k.min_args);
  } else {
    takes = fmt::format("{} {} {} arguments", k.min_args,
                        k.max_args == k.min_args + 1 ? "or" : "to", k.max_args);
  }
  return fmt::format("{} takes {}, got {}", k.name, takes, got);
}

/// Venom habit: `ShouldEqual hello world` compares with "hello world".
std::vector<json> join_single_argument(const std::vector<arg_token>& tokens) {
  std::string joined;
  for (const auto& token : tokens) {
    if (!joined.empty()) joined += ' ';
    joined += token.raw;
  }
  return {json(joined)};
}

bool has_template(std::string_view text) { return text.find("{{") != std::string_view::npos; }

/// A schema keyword's argument is the rest of the text (inline JSON keeps its
/// spaces and newlines) plus the folder it is relative to; at load time a
/// schema without templates is read and compiled, so a bad one stops the load.
void schema_argument(std::string_view rest, bool at_load, const std::string& base_dir,
                     parsed_check& result) {
  std::string argument = trimmed(rest);
  if (argument.empty()) {
    result.error = wrong_count(*result.keyword, 0);
    return;
  }
  if (at_load && !has_template(argument)) {
    try {
      resolve_schema(argument, base_dir);
    } catch (const std::exception& e) {
      result.error = e.what();
      return;
    }
  }
  result.args = {json(argument), json(base_dir)};
}

/// At load time, args holding a template are counted only once expanded.
parsed_check parse_check(std::string_view text, bool at_load, const std::string& base_dir) {
  parsed_check result;
  std::string_view rest = text;
  std::string_view path = next_word(rest);
  std::string_view word = next_word(rest);
  if (word.empty()) {
    result.error = fmt::format(R"(assertion needs "<path> <Keyword> [args...]", got {})",
                               render(json(trimmed(text))));
    return result;
  }
  result.path = path;
  result.keyword = find_keyword(word, result.must);
  if (result.keyword == nullptr) {
    result.error = unknown_keyword(word);
    return result;
  }
  const keyword_spec& k = *result.keyword;
  if (k.args == arg_form::schema) {
    schema_argument(rest, at_load, base_dir, result);
    return result;
  }
  auto tokens = split_args(rest);
  if (k.min_args == 1 && k.max_args == 1 && tokens.size() > 1) {
    result.args = join_single_argument(tokens);
    return result;
  }
  int count = static_cast<int>(tokens.size());
  bool check_count = !(at_load && has_template(rest));
  if (check_count && (count < k.min_args || (k.max_args != kAnyCount && count > k.max_args))) {
    result.error = wrong_count(k, tokens.size());
    return result;
  }
  for (auto& token : tokens) {
    bool as_written = k.args == arg_form::text && !token.value.is_string();
    result.args.push_back(as_written ? json(token.raw) : std::move(token.value));
  }
  return result;
}

assertion make_check(std::string text, bool must, const position& where, std::string base_dir) {
  assertion a;
  a.type = assertion::kind::check;
  a.text = std::move(text);
  a.must = must;
  a.where = where;
  a.base_dir = std::move(base_dir);
  return a;
}

/// Relative file arguments of a suite's assertions start at the suite's folder.
std::string folder_of(const std::string& file) {
  return std::filesystem::path(file).parent_path().string();
}

assertion parse_block(const document& doc, const nlohmann::json::json_pointer& ptr) {
  const json& node = doc.root.at(ptr);
  if (node.size() != 1) {
    throw doc.error(doc.value_at(ptr),
                    fmt::format("an assertion block needs exactly one key (and, or, xor, not), "
                                "got {}",
                                node.size()));
  }
  const std::string& key = node.begin().key();
  auto block = std::find_if(kBlocks.begin(), kBlocks.end(),
                            [&](const block_name& b) { return b.name == key; });
  if (block == kBlocks.end()) {
    std::string message = fmt::format("unknown assertion block \"{}\"", key);
    std::string close = did_you_mean(key, {"and", "or", "xor", "not"});
    if (!close.empty()) message += fmt::format(" (did you mean \"{}\"?)", close);
    throw doc.error(doc.key_at(ptr / key), message);
  }
  const json& list = node.begin().value();
  if (!list.is_array() || list.empty()) {
    throw doc.error(doc.value_at(ptr / key), fmt::format("\"{}\" needs a list of assertions", key));
  }
  assertion a;
  a.type = block->type;
  a.text = key;
  a.where = doc.value_at(ptr);
  for (std::size_t i = 0; i < list.size(); ++i) {
    a.children.push_back(parse_assertion(doc, ptr / key / i));
    a.must = a.must || a.children.back().must;
  }
  return a;
}

std::string first_line(std::string_view text) {
  return std::string(text.substr(0, text.find('\n')));
}

std::string expected_text(const parsed_check& check) {
  if (check.args.empty()) return std::string(check.keyword->wants);
  if (check.keyword->args == arg_form::schema) return check.args[0].get<std::string>();
  if (check.args.size() == 1) return render(check.args[0]);
  return render(json(check.args));
}

void apply_check(const parsed_check& check, const json& data, assertion_outcome& out) {
  out.must = out.must || check.must;
  out.expected = expected_text(check);
  path_lookup lookup = lookup_path(data, check.path);
  std::optional<json>& actual = lookup.value;
  if (!actual) {
    out.actual = "<missing>";
    out.passed = check.keyword->missing == on_missing::pass;
    if (!out.passed) {
      out.message = fmt::format("expected {} but {} does not exist ({})", out.expected,
                                check.path, lookup.problem);
    }
    return;
  }
  out.actual = render(*actual);
  check_result result = check.keyword->check(*actual, check.args);
  out.passed = result.passed;
  out.message = std::move(result.message);
}

assertion_outcome evaluate_check(const assertion& a, const json& data,
                                 const text_expander& expand) {
  assertion_outcome out;
  out.must = a.must;
  out.text = a.text;
  out.where = a.where;
  try {
    out.text = expand ? expand(a.text) : a.text;
  } catch (const std::exception& e) {
    out.message = first_line(e.what());
    return out;
  }
  parsed_check check = parse_check(out.text, false, a.base_dir);
  if (!check.error.empty()) {
    out.message = check.error;
    return out;
  }
  apply_check(check, data, out);
  return out;
}

std::string describe(const std::vector<assertion_outcome>& children, bool passed, bool detail) {
  std::string text;
  for (const auto& child : children) {
    if (child.passed != passed) continue;
    if (!text.empty()) text += "; ";
    text += detail && !child.message.empty() ? fmt::format("{} ({})", child.text, child.message)
                                             : child.text;
  }
  return text;
}

void judge_block(assertion::kind type, const std::vector<assertion_outcome>& children,
                 assertion_outcome& out) {
  auto passed = static_cast<std::size_t>(
      std::count_if(children.begin(), children.end(), [](const auto& c) { return c.passed; }));
  std::size_t total = children.size();
  out.actual = fmt::format("{} of {} passed", passed, total);
  switch (type) {
    case assertion::kind::all_of:
      out.expected = fmt::format("all of {} pass", total);
      out.passed = passed == total;
      if (!out.passed) out.message = "failed: " + describe(children, false, true);
      break;
    case assertion::kind::any_of:
      out.expected = fmt::format("at least one of {} passes", total);
      out.passed = passed > 0;
      if (!out.passed) out.message = "none passed: " + describe(children, false, true);
      break;
    case assertion::kind::one_of:
      out.expected = fmt::format("exactly one of {} passes", total);
      out.passed = passed == 1;
      if (passed == 0) out.message = "none passed: " + describe(children, false, true);
      if (passed > 1) out.message = "more than one passed: " + describe(children, true, false);
      break;
    default:
      out.expected = fmt::format("none of {} passes", total);
      out.passed = passed == 0;
      if (!out.passed)
        out.message = "expected to fail but passed: " + describe(children, true, false);
      break;
  }
}

assertion_outcome evaluate_block(const assertion& a, const json& data,
                                 const text_expander& expand) {
  assertion_outcome out;
  out.must = a.must;
  out.text = std::string(name_of(a.type));
  out.where = a.where;
  std::vector<assertion_outcome> children;
  for (const auto& child : a.children) children.push_back(evaluate(child, data, expand));
  judge_block(a.type, children, out);
  return out;
}

}  // namespace

assertion parse_assertion(const document& doc, const nlohmann::json::json_pointer& ptr) {
  position where = doc.value_at(ptr);
  if (!doc.root.contains(ptr)) throw doc.error(where, "no assertion here");
  const json& node = doc.root.at(ptr);
  if (node.is_object()) return parse_block(doc, ptr);
  if (!node.is_string()) {
    throw doc.error(where, fmt::format("an assertion must be a string \"<path> <Keyword> "
                                       "[args...]\" or an and/or/xor/not block, got {}",
                                       render(node)));
  }
  const std::string& text = node.get_ref<const std::string&>();
  std::string base_dir = folder_of(doc.file);
  parsed_check check = parse_check(text, true, base_dir);
  if (!check.error.empty()) throw doc.error(where, check.error);
  return make_check(text, check.must, where, std::move(base_dir));
}

assertion parse_assertion_text(const std::string& text, const position& where) {
  parsed_check check = parse_check(text, true, "");
  if (!check.error.empty()) throw config_error(where, check.error);
  return make_check(text, check.must, where, "");
}

bool names_error_path(std::string_view text) {
  std::string path(text.substr(0, text.find_first_of(" \t")));
  for (char& c : path) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return path == "result.error" || path == "result.err";
}

bool examines_error(const assertion& a) {
  if (a.type == assertion::kind::check) return names_error_path(a.text);
  for (const assertion& child : a.children)
    if (examines_error(child)) return true;
  return false;
}

assertion_outcome evaluate(const assertion& a, const json& data, const text_expander& expand) {
  try {
    if (a.type == assertion::kind::check) return evaluate_check(a, data, expand);
    return evaluate_block(a, data, expand);
  } catch (const std::exception& e) {
    assertion_outcome out;
    out.text = a.text;
    out.where = a.where;
    out.must = a.must;
    out.message = first_line(e.what());
    return out;
  }
}

const std::vector<std::string>& assertion_keywords() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> all;
    for (const auto& k : keyword_table()) all.emplace_back(k.name);
    return all;
  }();
  return names;
}

}  // namespace mqttest
