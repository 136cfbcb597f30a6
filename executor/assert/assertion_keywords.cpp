#include "executor/assert/assertion_keywords.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>

#include "executor/assert/json_schema.h"
#include "executor/core/text.h"
#include "executor/core/time.h"
#include "executor/core/value_compare.h"

namespace mqttest {

using nlohmann::json;
using args_t = std::vector<json>;

namespace {

constexpr double kDefaultDelta = 0.0000000001;

check_result pass() { return {true, {}}; }

check_result fail(std::string_view wanted, const json& actual) {
  return {false, fmt::format("expected {} but was {}", wanted, render(actual))};
}

check_result verdict(bool ok, std::string_view wanted, const json& actual) {
  return ok ? pass() : fail(wanted, actual);
}

std::string_view no(bool want) { return want ? "" : "not "; }

/// An argument's text: a string as is, anything else spelled as JSON.
std::string text_of(const json& arg) { return as_text(arg).value_or(render(arg)); }

/// A string holding JSON is parsed; anything else (or bad JSON) stays as it is.
json parsed(const json& value) {
  if (!value.is_string()) return value;
  json result = json::parse(value.get_ref<const std::string&>(), nullptr, false);
  return result.is_discarded() ? value : result;
}

std::optional<std::partial_ordering> order(const json& a, const json& b) {
  auto x = as_number(a);
  auto y = as_number(b);
  if (x && y) return compare_numbers(*x, *y);
  if (a.is_string() && b.is_string()) {
    return a.get_ref<const std::string&>() <=> b.get_ref<const std::string&>();
  }
  return std::nullopt;
}

check_result cannot_compare(const json& actual, const json& expected) {
  return {false, fmt::format("cannot compare {} with {}", render(actual), render(expected))};
}

// --- equality ---------------------------------------------------------------

template <bool Want>
check_result equal(const json& actual, const args_t& args) {
  return verdict(loose_equal(actual, args[0]) == Want,
                 fmt::format("{}{}", Want ? "" : "anything but ", render(args[0])), actual);
}

template <bool Want>
check_result almost_equal(const json& actual, const args_t& args) {
  auto value = as_number(actual);
  auto target = as_number(args[0]);
  auto delta = args.size() > 1 ? as_number(args[1]) : std::optional<json>(kDefaultDelta);
  if (!target) return {false, fmt::format("{} is not a number", render(args[0]))};
  if (!delta) return {false, fmt::format("delta {} is not a number", render(args[1]))};
  std::string wanted =
      fmt::format("{}{} ± {}", Want ? "" : "anything but ", render(*target), render(*delta));
  if (!value) return fail(fmt::format("a number {}", wanted), actual);
  bool close = std::abs(value->get<double>() - target->get<double>()) <= delta->get<double>();
  return verdict(close == Want, wanted, actual);
}

template <bool Want>
check_result be_nil(const json& actual, const args_t&) {
  return verdict(actual.is_null() == Want, Want ? "null" : "a value other than null", actual);
}

template <bool Want>
check_result be_bool(const json& actual, const args_t&) {
  bool ok = actual == json(Want) || actual == json(Want ? "true" : "false");
  return verdict(ok, Want ? "true" : "false", actual);
}

check_result be_zero_value(const json& actual, const args_t&) {
  bool zero = actual.is_null() || actual == json(false) || actual == json("") ||
              (actual.is_number() && actual.get<double>() == 0);
  return verdict(zero, "a zero value (0, \"\", false or null)", actual);
}

template <bool Want>
check_result be_in(const json& actual, const args_t& args) {
  bool found = std::any_of(args.begin(), args.end(),
                           [&](const json& arg) { return loose_equal(actual, arg); });
  return verdict(found == Want, fmt::format("{}one of {}", no(Want), render(json(args))), actual);
}

// --- ordering ---------------------------------------------------------------

template <char Op, bool OrEqual>
check_result compare(const json& actual, const args_t& args) {
  auto o = order(actual, args[0]);
  if (!o) return cannot_compare(actual, args[0]);
  bool ok = Op == '>' ? (*o > 0 || (OrEqual && *o == 0)) : (*o < 0 || (OrEqual && *o == 0));
  return verdict(ok, fmt::format("a value {}{} {}", Op, OrEqual ? "=" : "", render(args[0])),
                 actual);
}

template <bool Want, bool Inclusive>
check_result between(const json& actual, const args_t& args) {
  json low = args[0];
  json high = args[1];
  auto bounds = order(low, high);
  if (bounds && *bounds > 0) std::swap(low, high);
  auto above = order(actual, low);
  auto below = order(actual, high);
  if (!above) return cannot_compare(actual, low);
  if (!below) return cannot_compare(actual, high);
  bool inside = Inclusive ? (*above >= 0 && *below <= 0) : (*above > 0 && *below < 0);
  return verdict(inside == Want,
                 fmt::format("a value {}between {} and {} ({})", no(Want), render(low),
                             render(high), Inclusive ? "inclusive" : "exclusive"),
                 actual);
}

// --- collections and strings ------------------------------------------------

template <bool Want>
check_result contain(const json& actual, const args_t& args) {
  if (actual.is_array()) {
    bool found = std::any_of(actual.begin(), actual.end(),
                             [&](const json& item) { return loose_equal(item, args[0]); });
    return verdict(found == Want,
                   fmt::format("an array {}containing {}", no(Want), render(args[0])), actual);
  }
  if (!actual.is_string()) {
    return fail(fmt::format("an array or a string {}containing {}", no(Want), render(args[0])),
                actual);
  }
  bool found = actual.get_ref<const std::string&>().find(text_of(args[0])) != std::string::npos;
  return verdict(found == Want, fmt::format("a string {}containing {}", no(Want), render(args[0])),
                 actual);
}

template <bool Want>
check_result contain_substring(const json& actual, const args_t& args) {
  auto text = as_text(actual);
  bool found = text && text->find(text_of(args[0])) != std::string::npos;
  std::string wanted = fmt::format("a string {}containing {}", no(Want), render(args[0]));
  if (!text) return fail(wanted, actual);
  return verdict(found == Want, wanted, actual);
}

template <bool Want>
check_result contain_key(const json& actual, const args_t& args) {
  std::string key = text_of(args[0]);
  std::string wanted = fmt::format("a map {} key {}", Want ? "with" : "without", render(json(key)));
  if (!actual.is_object()) return fail(wanted, actual);
  return verdict(actual.contains(key) == Want, wanted, actual);
}

bool is_empty(const json& value) {
  return value.is_null() ||
         ((value.is_string() || value.is_array() || value.is_object()) && value.empty()) ||
         value == json("");
}

template <bool Want>
check_result be_empty(const json& actual, const args_t&) {
  return verdict(is_empty(actual) == Want, Want ? "an empty value" : "a non-empty value", actual);
}

check_result have_length(const json& actual, const args_t& args) {
  auto wanted = as_number(args[0]);
  if (!wanted || !wanted->is_number_integer() || *wanted < 0) {
    return {false, fmt::format("length {} is not a non-negative integer", render(args[0]))};
  }
  std::optional<std::size_t> length;
  if (actual.is_string()) length = actual.get_ref<const std::string&>().size();
  if (actual.is_array() || actual.is_object()) length = actual.size();
  if (!length) {
    return {false, fmt::format("expected length {} but was a {} without length: {}",
                               render(*wanted), type_name(actual), render(actual))};
  }
  if (json(*length) == *wanted) return pass();
  return {false, fmt::format("expected length {} but was {}", render(*wanted), *length)};
}

template <bool Want, bool Start>
check_result affix(const json& actual, const args_t& args) {
  auto text = as_text(actual);
  std::string part = text_of(args[0]);
  std::string wanted = fmt::format("a string {}{} with {}", no(Want), Start ? "starting" : "ending",
                                   render(json(part)));
  if (!text) return fail(wanted, actual);
  bool found = Start ? text->starts_with(part) : text->ends_with(part);
  return verdict(found == Want, wanted, actual);
}

template <bool Want>
check_result be_blank(const json& actual, const args_t&) {
  std::string_view wanted = Want ? "a blank string" : "a string that is not blank";
  if (!actual.is_string()) return fail(wanted, actual);
  return verdict(trim(actual.get_ref<const std::string&>()).empty() == Want, wanted, actual);
}

check_result equal_trim_space(const json& actual, const args_t& args) {
  std::string wanted = text_of(args[0]);
  auto text = as_text(actual);
  bool ok = text && trim(*text) == trim(wanted);
  return verdict(ok, fmt::format("{} (spaces trimmed)", render(json(trim(wanted)))), actual);
}

check_result not_exist(const json& actual, const args_t&) { return fail("no value", actual); }

check_result match_regex(const json& actual, const args_t& args) {
  std::string pattern = text_of(args[0]);
  RE2 regex(pattern, RE2::Quiet);
  if (!regex.ok()) {
    return {false, fmt::format("invalid regex {}: {}", render(json(pattern)), regex.error())};
  }
  auto text = as_text(actual);
  std::string wanted = fmt::format("a match for regex {}", render(json(pattern)));
  if (!text) return fail(wanted, actual);
  return verdict(RE2::PartialMatch(*text, regex), wanted, actual);
}

// --- JSON ------------------------------------------------------------------

template <bool Want>
check_result json_equals(const json& actual, const args_t& args) {
  json expected = parsed(args[0]);
  return verdict(json_equal(parsed(actual), expected) == Want,
                 fmt::format("{}JSON {}", Want ? "" : "anything but the ", render(expected)),
                 actual);
}

template <bool Want>
check_result json_contain(const json& actual, const args_t& args) {
  json items = parsed(actual);
  json expected = parsed(args[0]);
  std::string wanted = fmt::format("a JSON array {}containing {}", no(Want), render(expected));
  if (!items.is_array()) return fail(wanted, actual);
  bool found = std::any_of(items.begin(), items.end(),
                           [&](const json& item) { return json_equal(item, expected); });
  return verdict(found == Want, wanted, actual);
}

bool has_key_value(const json& item, const std::string& key, const json& value) {
  if (!item.is_object()) return false;
  auto field = item.find(key);
  return field != item.end() && (loose_equal(*field, value) || json_equal(*field, parsed(value)));
}

enum class quantity { some, every, none };

template <quantity Q>
check_result json_contain_with_key(const json& actual, const args_t& args) {
  json items = parsed(actual);
  std::string key = text_of(args[0]);
  std::string_view which = Q == quantity::some    ? "with an object"
                           : Q == quantity::every ? "whose objects all have"
                                                  : "with no object having";
  std::string wanted =
      fmt::format("a JSON array {}{} {}: {}", which, Q == quantity::some ? " having" : "",
                  render(json(key)), render(args[1]));
  if (!items.is_array()) return fail(wanted, actual);
  auto matches = [&](const json& item) { return has_key_value(item, key, args[1]); };
  bool ok = Q == quantity::some ? std::any_of(items.begin(), items.end(), matches)
            : Q == quantity::every
                ? !items.empty() && std::all_of(items.begin(), items.end(), matches)
                : std::none_of(items.begin(), items.end(), matches);
  return verdict(ok, wanted, actual);
}

// --- JSON Schema ------------------------------------------------------------

/// The schema an argument names (args: the text, the folder it starts from).
std::shared_ptr<const json_schema> schema_of(const args_t& args) {
  return resolve_schema(args[0].get_ref<const std::string&>(),
                        args[1].get_ref<const std::string&>());
}

/// "" when `value` matches; else the first violation and how many follow.
std::string violations_of(const json_schema& schema, const json& value) {
  auto found = schema.validate(parsed(value));
  if (found.empty()) return {};
  const schema_violation& first = found.front();
  std::string text = fmt::format("{}: {} (value {})", first.pointer.empty() ? "(root)" : first.pointer,
                                 first.rule, render(first.value));
  if (found.size() > 1)
    text += fmt::format("; {} more violation{}", found.size() - 1, found.size() == 2 ? "" : "s");
  return text;
}

check_result match_schema(const json& actual, const args_t& args) {
  auto schema = schema_of(args);
  std::string problem = violations_of(*schema, actual);
  if (problem.empty()) return pass();
  return {false, fmt::format("does not match JSON Schema {}: {}", schema->origin(), problem)};
}

check_result all_match_schema(const json& actual, const args_t& args) {
  auto schema = schema_of(args);
  json items = parsed(actual);
  if (!items.is_array() || items.empty()) {
    return fail(fmt::format("a non-empty array whose every element matches JSON Schema {}",
                            schema->origin()),
                actual);
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    std::string problem = violations_of(*schema, items[i]);
    if (!problem.empty()) {
      return {false, fmt::format("message [{}] of {} does not match JSON Schema {}: {}", i,
                                 items.size(), schema->origin(), problem)};
    }
  }
  return pass();
}

// --- time -------------------------------------------------------------------

std::optional<check_result> not_a_time(const json& value, std::optional<instant>& out) {
  if (value.is_string())
    if (auto parsed = parse_rfc3339(value.get_ref<const std::string&>())) out = parsed->at;
  if (out) return std::nullopt;
  return check_result{false, fmt::format("{} is not an RFC 3339 time", render(value))};
}

template <char Op, bool OrEqual>
check_result happen(const json& actual, const args_t& args) {
  std::optional<instant> when;
  std::optional<instant> other;
  if (auto bad = not_a_time(args[0], other)) return *bad;
  std::string_view relation = Op == '<' ? "before" : Op == '>' ? "after" : "at";
  std::string wanted = fmt::format("a time {}{} {}", OrEqual && Op != '=' ? "on or " : "", relation,
                                   render(args[0]));
  if (not_a_time(actual, when)) return fail(wanted, actual);
  auto o = *when <=> *other;
  bool ok = Op == '<' ? o < 0 : Op == '>' ? o > 0 : false;
  if (OrEqual) ok = ok || o == 0;
  return verdict(ok, wanted, actual);
}

check_result happen_between(const json& actual, const args_t& args) {
  std::optional<instant> when;
  std::optional<instant> low;
  std::optional<instant> high;
  if (auto bad = not_a_time(args[0], low)) return *bad;
  if (auto bad = not_a_time(args[1], high)) return *bad;
  std::string wanted = fmt::format("a time between {} and {}", render(args[0]), render(args[1]));
  if (not_a_time(actual, when)) return fail(wanted, actual);
  return verdict(*low < *when && *when < *high, wanted, actual);
}

// --- the table ---------------------------------------------------------------

constexpr auto kTyped = arg_form::typed;
constexpr auto kText = arg_form::text;
constexpr auto kFails = on_missing::fail;
constexpr auto kPasses = on_missing::pass;

constexpr std::array kKeywords = {
    keyword_spec{"ShouldEqual", 1, 1, equal<true>},
    keyword_spec{"ShouldNotEqual", 1, 1, equal<false>},
    keyword_spec{"ShouldAlmostEqual", 1, 2, almost_equal<true>},
    keyword_spec{"ShouldNotAlmostEqual", 1, 2, almost_equal<false>},
    keyword_spec{"ShouldBeNil", 0, 0, be_nil<true>, kTyped, kPasses, "null"},
    keyword_spec{"ShouldNotBeNil", 0, 0, be_nil<false>, kTyped, kFails, "a value other than null"},
    keyword_spec{"ShouldBeTrue", 0, 0, be_bool<true>, kTyped, kFails, "true"},
    keyword_spec{"ShouldBeFalse", 0, 0, be_bool<false>, kTyped, kFails, "false"},
    keyword_spec{"ShouldBeZeroValue", 0, 0, be_zero_value, kTyped, kFails, "a zero value"},
    keyword_spec{"ShouldBeGreaterThan", 1, 1, compare<'>', false>},
    keyword_spec{"ShouldBeGreaterThanOrEqualTo", 1, 1, compare<'>', true>},
    keyword_spec{"ShouldBeLessThan", 1, 1, compare<'<', false>},
    keyword_spec{"ShouldBeLessThanOrEqualTo", 1, 1, compare<'<', true>},
    keyword_spec{"ShouldBeBetween", 2, 2, between<true, false>},
    keyword_spec{"ShouldNotBeBetween", 2, 2, between<false, false>},
    keyword_spec{"ShouldBeBetweenOrEqual", 2, 2, between<true, true>},
    keyword_spec{"ShouldNotBeBetweenOrEqual", 2, 2, between<false, true>},
    keyword_spec{"ShouldContain", 1, 1, contain<true>, kText},
    keyword_spec{"ShouldNotContain", 1, 1, contain<false>, kText},
    keyword_spec{"ShouldJSONContain", 1, 1, json_contain<true>, kText},
    keyword_spec{"ShouldNotJSONContain", 1, 1, json_contain<false>, kText},
    keyword_spec{"ShouldJSONContainWithKey", 2, 2, json_contain_with_key<quantity::some>, kText},
    keyword_spec{"ShouldJSONContainAllWithKey", 2, 2, json_contain_with_key<quantity::every>,
                 kText},
    keyword_spec{"ShouldNotJSONContainWithKey", 2, 2, json_contain_with_key<quantity::none>, kText},
    keyword_spec{"ShouldContainKey", 1, 1, contain_key<true>, kText},
    keyword_spec{"ShouldNotContainKey", 1, 1, contain_key<false>, kText},
    keyword_spec{"ShouldBeIn", 1, kAnyCount, be_in<true>},
    keyword_spec{"ShouldNotBeIn", 1, kAnyCount, be_in<false>},
    keyword_spec{"ShouldBeEmpty", 0, 0, be_empty<true>, kTyped, kPasses, "an empty value"},
    keyword_spec{"ShouldNotBeEmpty", 0, 0, be_empty<false>, kTyped, kFails, "a non-empty value"},
    keyword_spec{"ShouldHaveLength", 1, 1, have_length},
    keyword_spec{"ShouldStartWith", 1, 1, affix<true, true>, kText},
    keyword_spec{"ShouldNotStartWith", 1, 1, affix<false, true>, kText},
    keyword_spec{"ShouldEndWith", 1, 1, affix<true, false>, kText},
    keyword_spec{"ShouldNotEndWith", 1, 1, affix<false, false>, kText},
    keyword_spec{"ShouldBeBlank", 0, 0, be_blank<true>, kTyped, kFails, "a blank string"},
    keyword_spec{"ShouldNotBeBlank", 0, 0, be_blank<false>, kTyped, kFails,
                 "a string that is not blank"},
    keyword_spec{"ShouldContainSubstring", 1, 1, contain_substring<true>, kText},
    keyword_spec{"ShouldNotContainSubstring", 1, 1, contain_substring<false>, kText},
    keyword_spec{"ShouldEqualTrimSpace", 1, 1, equal_trim_space, kText},
    keyword_spec{"ShouldNotExist", 0, 0, not_exist, kTyped, kPasses, "no value"},
    keyword_spec{"ShouldHappenBefore", 1, 1, happen<'<', false>, kText},
    keyword_spec{"ShouldHappenOnOrBefore", 1, 1, happen<'<', true>, kText},
    keyword_spec{"ShouldHappenAfter", 1, 1, happen<'>', false>, kText},
    keyword_spec{"ShouldHappenOnOrAfter", 1, 1, happen<'>', true>, kText},
    keyword_spec{"ShouldHappenBetween", 2, 2, happen_between, kText},
    keyword_spec{"ShouldTimeEqual", 1, 1, happen<'=', true>, kText},
    keyword_spec{"ShouldMatchRegex", 1, 1, match_regex, kText},
    keyword_spec{"ShouldJSONEqual", 1, 1, json_equals<true>, kText},
    keyword_spec{"ShouldNotJSONEqual", 1, 1, json_equals<false>, kText},
    keyword_spec{"ShouldMatchJSONSchema", 1, 1, match_schema, arg_form::schema},
    keyword_spec{"ShouldAllMatchJSONSchema", 1, 1, all_match_schema, arg_form::schema},
};

}  // namespace

std::span<const keyword_spec> keyword_table() { return kKeywords; }

const keyword_spec* find_keyword(std::string_view name, bool& must) {
  must = name.starts_with("Must");
  std::string should = must ? "Should" + std::string(name.substr(4)) : std::string(name);
  auto found = std::find_if(kKeywords.begin(), kKeywords.end(),
                            [&](const keyword_spec& k) { return k.name == should; });
  return found == kKeywords.end() ? nullptr : &*found;
}

}  // namespace mqttest
