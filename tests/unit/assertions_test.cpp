#include "executor/assert/assertions.h"

#include <doctest/doctest.h>

#include <set>
#include <stdexcept>

#include "executor/core/document.h"
#include "executor/core/errors.h"
#include "executor/lang/templating.h"
#include "steps/step.h"

using nlohmann::json;
using namespace mqttest;

namespace {

const json& sample_result() {
  static const json result = {
      {"error", ""},
      {"timeseconds", 0.25},
      {"topics", {"a/b", "c/d"}},
      {"messages", {"{\"c\":1}", "hello world", "42", "  padded  ", "true"}},
      {"messagesjson",
       {{{"c", 1}, {"name", "x"}, {"list", {1, 2, {5, 6}}}}, {{7, 8}}, {{"c", 2}, {"name", "y"}}}},
      {"count", 3},
      {"zero", 0},
      {"ratio", 1.5},
      {"flag", true},
      {"off", false},
      {"nothing", nullptr},
      {"empty", ""},
      {"blank", "  \t"},
      {"emptylist", json::array()},
      {"emptymap", json::object()},
      {"when", "2024-05-01T12:00:00Z"},
      {"whenoffset", "2024-05-01T14:00:00.5+02:00"},
      {"jsontext", R"([{"id":1,"kind":"a"},{"id":2,"kind":"a"}])"},
      {"objects", {{{"id", 1}, {"kind", "a"}}, {{"id", 2}, {"kind", "a"}}}},
      {"map", {{"k", 1}, {"Key", "v"}}},
      {"big", 9007199254740993LL}};
  return result;
}

std::string same(const std::string& text) { return text; }

assertion_outcome run(const std::string& text, const json& result = sample_result()) {
  return evaluate(parse_assertion_text(text, {}), json{{"result", result}}, same);
}

struct keyword_case {
  const char* text;
  bool passes;
};

// For every keyword, at least one passing and one failing case.
const keyword_case kKeywordCases[] = {
    {"result.count ShouldEqual 3", true},
    {"result.count ShouldEqual 3.0", true},
    {"result.ratio ShouldEqual 1.50", true},
    {"result.count ShouldEqual 4", false},
    {"result.count ShouldEqual \"3\"", true},
    {"result.count ShouldEqual abc", false},
    {"result.messages.messages2 ShouldEqual 42", true},
    {"result.messages.messages2 ShouldEqual 42.0", true},
    {"result.messages.messages2 ShouldEqual 42.5", false},
    {"result.messages.messages1 ShouldEqual hello world", true},
    {"result.messages.messages1 ShouldEqual \"hello world\"", true},
    {"result.messages.messages1 ShouldEqual 'hello world'", true},
    {"result.messages.messages1 ShouldEqual hello", false},
    {"result.messages.messages1 ShouldEqual hello  world", true},
    {"result.topics.topics0 ShouldEqual a/b", true},
    {"result.flag ShouldEqual true", true},
    {"result.flag ShouldEqual false", false},
    {"result.flag ShouldEqual 1", false},
    {"result.messages.messages4 ShouldEqual true", true},
    {"result.nothing ShouldEqual null", true},
    {"result.nothing ShouldEqual nil", true},
    {"result.empty ShouldEqual null", false},
    {"result.empty ShouldEqual \"\"", true},
    {"result.zero ShouldEqual false", false},
    {"result.zero ShouldEqual \"\"", false},
    {"result.big ShouldEqual 9007199254740993", true},
    {"result.big ShouldEqual 9007199254740992", false},
    {"result.topics ShouldEqual a/b", false},
    {"result.count ShouldNotEqual 4", true},
    {"result.count ShouldNotEqual 3.0", false},
    {"result.messages.messages2 ShouldNotEqual 42", false},
    {"result.ratio ShouldAlmostEqual 1.5", true},
    {"result.ratio ShouldAlmostEqual 1.4 0.2", true},
    {"result.ratio ShouldAlmostEqual 1.4", false},
    {"result.ratio ShouldAlmostEqual 1.4 0.05", false},
    {"result.messages.messages2 ShouldAlmostEqual 42.001 0.01", true},
    {"result.topics.topics0 ShouldAlmostEqual 1", false},
    {"result.ratio ShouldAlmostEqual abc", false},
    {"result.ratio ShouldAlmostEqual 1.5 abc", false},
    {"result.ratio ShouldNotAlmostEqual 1.4", true},
    {"result.ratio ShouldNotAlmostEqual 1.45 0.1", false},
    {"result.nothing ShouldBeNil", true},
    {"result.absent ShouldBeNil", true},
    {"result.empty ShouldBeNil", false},
    {"result.empty ShouldNotBeNil", true},
    {"result.nothing ShouldNotBeNil", false},
    {"result.absent ShouldNotBeNil", false},
    {"result.flag ShouldBeTrue", true},
    {"result.messages.messages4 ShouldBeTrue", true},
    {"result.off ShouldBeTrue", false},
    {"result.count ShouldBeTrue", false},
    {"result.absent ShouldBeTrue", false},
    {"result.off ShouldBeFalse", true},
    {"result.flag ShouldBeFalse", false},
    {"result.nothing ShouldBeFalse", false},
    {"result.empty ShouldBeZeroValue", true},
    {"result.nothing ShouldBeZeroValue", true},
    {"result.off ShouldBeZeroValue", true},
    {"result.zero ShouldBeZeroValue", true},
    {"result.count ShouldBeZeroValue", false},
    {"result.emptylist ShouldBeZeroValue", false},
    {"result.count ShouldBeGreaterThan 2", true},
    {"result.count ShouldBeGreaterThan 2.99", true},
    {"result.count ShouldBeGreaterThan 3", false},
    {"result.messages.messages2 ShouldBeGreaterThan 9", true},
    {"result.topics.topics1 ShouldBeGreaterThan a/b", true},
    {"result.topics.topics0 ShouldBeGreaterThan 5", false},
    {"result.count ShouldBeGreaterThanOrEqualTo 3", true},
    {"result.count ShouldBeGreaterThanOrEqualTo 3.5", false},
    {"result.count ShouldBeLessThan 3.5", true},
    {"result.count ShouldBeLessThan 3", false},
    {"result.flag ShouldBeLessThan 3", false},
    {"result.count ShouldBeLessThanOrEqualTo 3", true},
    {"result.count ShouldBeLessThanOrEqualTo 2", false},
    {"result.count ShouldBeBetween 2 4", true},
    {"result.count ShouldBeBetween 4 2", true},
    {"result.count ShouldBeBetween 3 4", false},
    {"result.count ShouldBeBetween a 4", false},
    {"result.count ShouldNotBeBetween 3 4", true},
    {"result.count ShouldNotBeBetween 2 4", false},
    {"result.count ShouldBeBetweenOrEqual 3 4", true},
    {"result.count ShouldBeBetweenOrEqual 4 5", false},
    {"result.count ShouldNotBeBetweenOrEqual 4 5", true},
    {"result.count ShouldNotBeBetweenOrEqual 3 4", false},
    {"result.topics ShouldContain a/b", true},
    {"result.topics ShouldContain x", false},
    {"result.messagesjson.messagesjson0.list ShouldContain 2", true},
    {"result.messagesjson.messagesjson0.list ShouldContain \"2\"", true},
    {"result.messages.messages1 ShouldContain world", true},
    {"result.messages.messages1 ShouldContain xyz", false},
    {"result.count ShouldContain 3", false},
    {"result.topics ShouldNotContain x", true},
    {"result.topics ShouldNotContain a/b", false},
    {"result.count ShouldNotContain 4", false},
    {R"(result.objects ShouldJSONContain {"id":1,"kind":"a"})", true},
    {R"(result.objects ShouldJSONContain {"id": 2, "kind": "a"})", true},
    {R"(result.objects ShouldJSONContain {"kind":"a","id":2.0})", true},
    {R"(result.jsontext ShouldJSONContain {"id":1,"kind":"a"})", true},
    {R"(result.objects ShouldJSONContain {"id":3})", false},
    {R"(result.objects ShouldJSONContain {"id":1})", false},
    {"result.messagesjson.messagesjson0.list ShouldJSONContain [5,6]", true},
    {"result.count ShouldJSONContain 3", false},
    {R"(result.objects ShouldNotJSONContain {"id":3})", true},
    {R"(result.objects ShouldNotJSONContain {"kind":"a","id":1.0})", false},
    {"result.objects ShouldJSONContainWithKey id 2", true},
    {"result.objects ShouldJSONContainWithKey id 3", false},
    {"result.jsontext ShouldJSONContainWithKey kind a", true},
    {"result.objects ShouldJSONContainWithKey missing a", false},
    {"result.count ShouldJSONContainWithKey id 3", false},
    {"result.objects ShouldJSONContainAllWithKey kind a", true},
    {"result.objects ShouldJSONContainAllWithKey id 1", false},
    {"result.emptylist ShouldJSONContainAllWithKey kind a", false},
    {"result.objects ShouldNotJSONContainWithKey id 3", true},
    {"result.objects ShouldNotJSONContainWithKey id 1", false},
    {"result.map ShouldContainKey Key", true},
    {"result.map ShouldContainKey key", false},
    {"result.topics ShouldContainKey a/b", false},
    {"result.map ShouldNotContainKey key", true},
    {"result.map ShouldNotContainKey k", false},
    {"result.count ShouldBeIn 1 2 3", true},
    {"result.count ShouldBeIn 3", true},
    {"result.count ShouldBeIn 1 2", false},
    {"result.topics.topics0 ShouldBeIn a/b c/d", true},
    {"result.count ShouldNotBeIn 1 2", true},
    {"result.count ShouldNotBeIn 3", false},
    {"result.empty ShouldBeEmpty", true},
    {"result.nothing ShouldBeEmpty", true},
    {"result.emptylist ShouldBeEmpty", true},
    {"result.emptymap ShouldBeEmpty", true},
    {"result.absent ShouldBeEmpty", true},
    {"result.topics ShouldBeEmpty", false},
    {"result.blank ShouldBeEmpty", false},
    {"result.zero ShouldBeEmpty", false},
    {"result.off ShouldBeEmpty", false},
    {"result.topics ShouldNotBeEmpty", true},
    {"result.zero ShouldNotBeEmpty", true},
    {"result.empty ShouldNotBeEmpty", false},
    {"result.absent ShouldNotBeEmpty", false},
    {"result.topics ShouldHaveLength 2", true},
    {"result.topics ShouldHaveLength 3", false},
    {"result.messages.messages1 ShouldHaveLength 11", true},
    {"result.map ShouldHaveLength 2", true},
    {"result.map ShouldHaveLength \"2\"", true},
    {"result.count ShouldHaveLength 1", false},
    {"result.topics ShouldHaveLength two", false},
    {"result.topics ShouldHaveLength -2", false},
    {"result.messages.messages1 ShouldStartWith hello", true},
    {"result.messages.messages1 ShouldStartWith world", false},
    {"result.topics ShouldStartWith a", false},
    {"result.messages.messages1 ShouldNotStartWith world", true},
    {"result.messages.messages1 ShouldNotStartWith hello", false},
    {"result.messages.messages1 ShouldEndWith world", true},
    {"result.count ShouldEndWith 3", true},
    {"result.messages.messages1 ShouldEndWith hello", false},
    {"result.messages.messages1 ShouldNotEndWith hello", true},
    {"result.messages.messages1 ShouldNotEndWith world", false},
    {"result.blank ShouldBeBlank", true},
    {"result.empty ShouldBeBlank", true},
    {"result.messages.messages1 ShouldBeBlank", false},
    {"result.nothing ShouldBeBlank", false},
    {"result.messages.messages1 ShouldNotBeBlank", true},
    {"result.blank ShouldNotBeBlank", false},
    {"result.count ShouldNotBeBlank", false},
    {"result.messages.messages1 ShouldContainSubstring \"o w\"", true},
    {"result.messages.messages1 ShouldContainSubstring xyz", false},
    {"result.topics ShouldContainSubstring a", false},
    {"result.messages.messages1 ShouldNotContainSubstring xyz", true},
    {"result.messages.messages1 ShouldNotContainSubstring lo", false},
    {"result.messages.messages3 ShouldEqualTrimSpace padded", true},
    {"result.messages.messages3 ShouldEqualTrimSpace pad", false},
    {"result.absent ShouldNotExist", true},
    {"result.topics.topics5 ShouldNotExist", true},
    {"result.nothing ShouldNotExist", false},
    {"result.count ShouldNotExist", false},
    {"result.when ShouldHappenBefore 2024-05-01T12:00:01Z", true},
    {"result.when ShouldHappenBefore 2024-05-01T12:00:00Z", false},
    {"result.when ShouldHappenBefore 2024-05-01T13:00:00+02:00", false},
    {"result.when ShouldHappenOnOrBefore 2024-05-01T12:00:00Z", true},
    {"result.when ShouldHappenOnOrBefore 2024-05-01T11:59:59Z", false},
    {"result.when ShouldHappenAfter 2024-05-01T11:59:59.999Z", true},
    {"result.when ShouldHappenAfter 2024-05-01T12:00:00Z", false},
    {"result.when ShouldHappenOnOrAfter 2024-05-01T14:00:00+02:00", true},
    {"result.when ShouldHappenOnOrAfter 2024-05-01T12:00:00.001Z", false},
    {"result.when ShouldHappenBetween 2024-05-01T11:00:00Z 2024-05-01T13:00:00Z", true},
    {"result.when ShouldHappenBetween 2024-05-01T12:00:00Z 2024-05-01T13:00:00Z", false},
    {"result.whenoffset ShouldTimeEqual 2024-05-01T12:00:00.5Z", true},
    {"result.whenoffset ShouldTimeEqual 2024-05-01t07:00:00.500-05:00", true},
    {"result.whenoffset ShouldTimeEqual 2024-05-01T12:00:00Z", false},
    {"result.count ShouldTimeEqual 2024-05-01T12:00:00Z", false},
    {"result.when ShouldTimeEqual yesterday", false},
    {"result.when ShouldTimeEqual 2024-02-30T12:00:00Z", false},
    {"result.topics.topics0 ShouldMatchRegex ^a/", true},
    {"result.topics.topics0 ShouldMatchRegex b$", true},
    {"result.topics.topics0 ShouldMatchRegex ^b", false},
    {"result.count ShouldMatchRegex ^3$", true},
    {"result.topics ShouldMatchRegex a", false},
    {"result.topics.topics0 ShouldMatchRegex (", false},
    {R"(result.messages.messages0 ShouldJSONEqual {"c":1})", true},
    {R"(result.messages.messages0 ShouldJSONEqual { "c" : 1.0 })", true},
    {R"(result.messagesjson.messagesjson2 ShouldJSONEqual {"name":"y","c":2})", true},
    {R"(result.messagesjson.messagesjson2 ShouldJSONEqual {"c":2})", false},
    {"result.topics ShouldJSONEqual [\"a/b\",\"c/d\"]", true},
    {"result.topics ShouldJSONEqual [\"c/d\",\"a/b\"]", false},
    {R"(result.messages.messages0 ShouldNotJSONEqual {"c":2})", true},
    {R"(result.messages.messages0 ShouldNotJSONEqual {"c":1})", false},
    {R"(result.messagesjson.messagesjson0 ShouldMatchJSONSchema {"type":"object","required":["c"]})",
     true},
    {R"(result.messagesjson.messagesjson1 ShouldMatchJSONSchema {"type": "object"})", false},
    {R"(result.objects ShouldAllMatchJSONSchema {"properties":{"id":{"type":"integer"}}})",
     true},
    {R"(result.messagesjson ShouldAllMatchJSONSchema {"type":"object"})", false},
};

}  // namespace

TEST_CASE("every keyword passes and fails where it should") {
  for (const auto& c : kKeywordCases) {
    CAPTURE(c.text);
    assertion_outcome out = run(c.text);
    CHECK(out.passed == c.passes);
    CHECK(out.must == false);
    CHECK(out.text == c.text);
    CHECK(out.message.empty() == c.passes);
    CHECK(out.message.find('\n') == std::string::npos);
  }
}

TEST_CASE("the case table covers every keyword both ways") {
  std::set<std::string> passing;
  std::set<std::string> failing;
  for (const auto& c : kKeywordCases) {
    std::string text = c.text;
    std::size_t start = text.find(' ') + 1;
    std::string keyword = text.substr(start, text.find(' ', start) - start);
    (c.passes ? passing : failing).insert(keyword);
  }
  CHECK(assertion_keywords().size() == 52);
  for (const auto& keyword : assertion_keywords()) {
    CAPTURE(keyword);
    CHECK(passing.count(keyword) == 1);
    CHECK(failing.count(keyword) == 1);
  }
}

TEST_CASE("every Must twin exists and marks the outcome") {
  for (const auto& keyword : assertion_keywords()) {
    std::string twin = "Must" + keyword.substr(6);
    CAPTURE(twin);
    CHECK(parse_assertion_text("result.count " + twin + " {{.x}}", {}).must);
  }
  assertion_outcome ok = run("result.count MustEqual 3");
  CHECK(ok.passed);
  CHECK(ok.must);
  assertion_outcome bad = run("result.count MustEqual 4");
  CHECK_FALSE(bad.passed);
  CHECK(bad.must);
  CHECK(bad.message == "expected 4 but was 3");
  CHECK(run("result.absent MustNotExist").passed);
  CHECK_FALSE(run("result.absent MustNotBeEmpty").passed);
  CHECK_FALSE(parse_assertion_text("result.count ShouldEqual 3", {}).must);
}

TEST_CASE("outcomes render expected and actual as compact JSON") {
  assertion_outcome out = run("result.topics.topics0 ShouldEqual \"x\"");
  CHECK(out.expected == R"("x")");
  CHECK(out.actual == R"("a/b")");
  CHECK(out.message == R"(expected "x" but was "a/b")");

  out = run("result.topics ShouldHaveLength 3");
  CHECK(out.expected == "3");
  CHECK(out.actual == R"(["a/b","c/d"])");
  CHECK(out.message == "expected length 3 but was 2");

  out = run("result.count ShouldBeBetween 4 5");
  CHECK(out.expected == "[4,5]");
  CHECK(out.message == "expected a value between 4 and 5 (exclusive) but was 3");

  out = run("result.count ShouldNotEqual 3");
  CHECK(out.message == "expected anything but 3 but was 3");

  out = run("result.topics ShouldContain x");
  CHECK(out.message == R"(expected an array containing "x" but was ["a/b","c/d"])");

  out = run("result.count ShouldBeGreaterThan 3");
  CHECK(out.message == "expected a value > 3 but was 3");

  out = run("result.topics.topics0 ShouldBeLessThan 5");
  CHECK(out.message == R"(cannot compare "a/b" with 5)");

  out = run("result.messages.messages1 ShouldBeEmpty");
  CHECK(out.expected == "an empty value");
  CHECK(out.message == R"(expected an empty value but was "hello world")");

  out = run("result.count ShouldNotExist");
  CHECK(out.message == "expected no value but was 3");

  out = run("result.when ShouldTimeEqual yesterday");
  CHECK(out.message == R"("yesterday" is not an RFC 3339 time)");

  out = run("result.topics ShouldHaveLength two");
  CHECK(out.message == R"(length "two" is not a non-negative integer)");

  out = run("result.count ShouldHaveLength 1");
  CHECK(out.message == "expected length 1 but was a Number without length: 3");

  out = run("result.ratio ShouldAlmostEqual 1.4");
  CHECK(out.message == "expected 1.4 ± 1e-10 but was 1.5");

  out = run("result.map ShouldContainKey key");
  CHECK(out.message == R"(expected a map with key "key" but was {"Key":"v","k":1})");
}

TEST_CASE("a missing path fails with <missing>, except for the keywords that allow it") {
  assertion_outcome out = run("result.absent ShouldEqual 1");
  CHECK_FALSE(out.passed);
  CHECK(out.actual == "<missing>");
  CHECK(out.expected == "1");
  CHECK(out.message == "expected 1 but result.absent does not exist (result has no key \"absent\")");

  out = run("result.absent ShouldNotBeNil");
  CHECK(out.message ==
        "expected a value other than null but result.absent does not exist (result has no key "
        "\"absent\")");

  for (const char* text : {"result.absent ShouldNotExist", "result.absent ShouldBeNil",
                           "result.absent ShouldBeEmpty"}) {
    CAPTURE(text);
    out = run(text);
    CHECK(out.passed);
    CHECK(out.actual == "<missing>");
  }
  for (const char* text :
       {"result.absent ShouldNotEqual 1", "result.absent ShouldNotContain x",
        "result.absent ShouldNotBeIn 1", "result.absent ShouldNotJSONContain 1",
        "result.absent ShouldNotContainKey k", "result.absent ShouldNotStartWith x",
        "result.absent ShouldNotEndWith x", "result.absent ShouldNotContainSubstring x",
        "result.absent ShouldNotBeBetween 1 2", "result.absent ShouldNotAlmostEqual 1",
        "result.absent ShouldNotJSONEqual 1", "result.absent ShouldNotJSONContainWithKey a b",
        "result.absent ShouldNotBeBlank", "result.absent ShouldBeZeroValue"}) {
    CAPTURE(text);
    CHECK_FALSE(run(text).passed);
  }
}

TEST_CASE("the Venom result key err answers to result.error and the default assertion") {
  auto default_assertion = [](const position& where) {
    return parse_assertion_text(std::string(step_kind{}.default_assertion), where);
  };
  json failed = {{"err", "connection refused"}};
  assertion_outcome out =
      evaluate(default_assertion({"suite.yml", 4, 5}), json{{"result", failed}}, same);
  CHECK_FALSE(out.passed);
  CHECK(out.text == "result.error ShouldBeEmpty");
  CHECK(out.where.line == 4);
  CHECK(out.message == R"(expected an empty value but was "connection refused")");
  CHECK(evaluate(default_assertion({}), json{{"result", {{"error", ""}}}}, same).passed);
  CHECK(run("result.Error ShouldEqual \"connection refused\"", failed).passed);
  CHECK(run("result.err ShouldBeEmpty").passed);
  CHECK(default_assertion({}).text == "result.error ShouldBeEmpty");
  CHECK(default_assertion({}).type == assertion::kind::check);
}

TEST_CASE("examines_error: result.error or result.err in any case, also inside blocks") {
  CHECK(names_error_path("result.Err ShouldBeEmpty"));
  CHECK(names_error_path("RESULT.ERROR\tShouldContainSubstring x"));
  CHECK_FALSE(names_error_path("result.errors ShouldBeEmpty"));
  CHECK(examines_error(parse_assertion_text("result.error ShouldNotBeEmpty", {})));
  assertion block;
  block.type = assertion::kind::any_of;
  block.children = {parse_assertion_text("result.received ShouldEqual 1", {}),
                    parse_assertion_text("result.err ShouldContainSubstring refused", {})};
  CHECK(examines_error(block));
  block.children.pop_back();
  CHECK_FALSE(examines_error(block));
}

TEST_CASE("parse errors name the problem exactly") {
  auto parse = [](const std::string& text) { return parse_assertion_text(text, {}); };
  CHECK_THROWS_WITH_AS(parse("result.count ShouldEqaul 1"),
                       R"(unknown assertion keyword "ShouldEqaul" (did you mean "ShouldEqual"?))",
                       config_error);
  CHECK_THROWS_WITH_AS(parse("result.count shouldequal 1"),
                       R"(unknown assertion keyword "shouldequal" (did you mean "ShouldEqual"?))",
                       config_error);
  CHECK_THROWS_WITH_AS(parse("result.count MustEqaul 1"),
                       R"(unknown assertion keyword "MustEqaul" (did you mean "MustEqual"?))",
                       config_error);
  CHECK_THROWS_WITH_AS(parse("result.count Frobnicate 1"),
                       R"(unknown assertion keyword "Frobnicate")", config_error);
  CHECK_THROWS_WITH_AS(parse("result.error"),
                       R"(assertion needs "<path> <Keyword> [args...]", got "result.error")",
                       config_error);
  CHECK_THROWS_WITH_AS(parse("  result.error  "),
                       R"(assertion needs "<path> <Keyword> [args...]", got "result.error")",
                       config_error);
  CHECK_THROWS_WITH_AS(parse(""), R"(assertion needs "<path> <Keyword> [args...]", got "")",
                       config_error);
  CHECK_THROWS_WITH_AS(parse("result.count ShouldEqual"), "ShouldEqual takes 1 argument, got 0",
                       config_error);
  CHECK_THROWS_WITH_AS(parse("result.count ShouldBeBetween 1"),
                       "ShouldBeBetween takes 2 arguments, got 1", config_error);
  CHECK_THROWS_WITH_AS(parse("result.count MustBeBetween 1 2 3"),
                       "ShouldBeBetween takes 2 arguments, got 3", config_error);
  CHECK_THROWS_WITH_AS(parse("result.error ShouldBeEmpty x"),
                       "ShouldBeEmpty takes no arguments, got 1", config_error);
  CHECK_THROWS_WITH_AS(parse("result.count ShouldAlmostEqual 1 2 3"),
                       "ShouldAlmostEqual takes 1 or 2 arguments, got 3", config_error);
  CHECK_THROWS_WITH_AS(parse("result.count ShouldBeIn"),
                       "ShouldBeIn takes at least 1 argument, got 0", config_error);
  CHECK_THROWS_WITH_AS(
      parse_assertion_text("result.x ShouldEqaul 1", {"cli", 0, 0}),
      R"(cli: unknown assertion keyword "ShouldEqaul" (did you mean "ShouldEqual"?))",
      config_error);
  try {
    parse_assertion_text("result.error", {"suite.yml", 3, 7});
    FAIL("no error");
  } catch (const config_error& e) {
    CHECK(e.where().line == 3);
    CHECK(e.where().column == 7);
  }
}

TEST_CASE("templated arguments are counted after expansion") {
  assertion a = parse_assertion_text("result.count ShouldBeBetween {{.range}}", {});
  json vars = {{"range", "2 4"}, {"short", "2"}, {"topic", "c/d"}, {"n", 3}};
  auto expander = [&](const std::string& text) { return expand_text(text, vars); };
  assertion_outcome out = evaluate(a, json{{"result", sample_result()}}, expander);
  CHECK(out.passed);
  CHECK(out.text == "result.count ShouldBeBetween 2 4");

  a = parse_assertion_text("result.count ShouldBeBetween {{.short}}", {});
  out = evaluate(a, json{{"result", sample_result()}}, expander);
  CHECK_FALSE(out.passed);
  CHECK(out.message == "ShouldBeBetween takes 2 arguments, got 1");

  a = parse_assertion_text("result.topics.topics1 ShouldEqual \"{{.topic}}\"", {});
  CHECK(evaluate(a, json{{"result", sample_result()}}, expander).passed);
  a = parse_assertion_text("result.count ShouldEqual {{.n}}", {});
  CHECK(evaluate(a, json{{"result", sample_result()}}, expander).passed);
  a = parse_assertion_text("result.count ShouldEqual {{ .n }}", {});
  CHECK(evaluate(a, json{{"result", sample_result()}}, expander).passed);

  a = parse_assertion_text("result.count ShouldEqual {{.undefined}}", {});
  out = evaluate(a, json{{"result", sample_result()}}, expander);
  CHECK_FALSE(out.passed);
  CHECK(out.message.find("undefined") != std::string::npos);
}

TEST_CASE("an expander that throws gives a failed outcome with its message") {
  assertion a = parse_assertion_text("result.count ShouldEqual {{.x}}", {"s.yml", 2, 3});
  auto boom = [](const std::string&) -> std::string {
    throw std::runtime_error("undefined variable \"x\"\nsecond line");
  };
  assertion_outcome out = evaluate(a, json{{"result", sample_result()}}, boom);
  CHECK_FALSE(out.passed);
  CHECK(out.message == R"(undefined variable "x")");
  CHECK(out.where.line == 2);

  auto garbage = [](const std::string&) { return std::string("result.count ShouldEqaul 3"); };
  out = evaluate(a, json{{"result", sample_result()}}, garbage);
  CHECK_FALSE(out.passed);
  CHECK(out.message == R"(unknown assertion keyword "ShouldEqaul" (did you mean "ShouldEqual"?))");
}

TEST_CASE("a bad regex is a failed outcome naming the error") {
  assertion_outcome out = run("result.topics.topics0 ShouldMatchRegex (");
  CHECK_FALSE(out.passed);
  CHECK(out.message == R"(invalid regex "(": missing ): ()");
}

TEST_CASE("arguments: quoting and YAML-ish types") {
  CHECK(run(R"(result.messages.messages3 ShouldEqual "  padded  ")").passed);
  CHECK_FALSE(run("result.messages.messages3 ShouldEqual padded").passed);
  CHECK(run(R"(result.count ShouldBeIn "3" 4)").passed);
  CHECK(run("result.count ShouldBeIn 4 3.0").passed);
  CHECK(run(R"(result.topics.topics0 ShouldBeIn 'a/b' "x y")").passed);
  CHECK_FALSE(run(R"(result.topics.topics0 ShouldBeIn "a/b c/d")").passed);
  CHECK(run(R"(result.messages.messages1 ShouldNotBeIn "hello" "world")").passed);
  json odd = {{"quote", "it's \"q\""}, {"t", "true"}};
  CHECK(run(R"(result.quote ShouldEqual 'it''s "q"')", odd).passed);
  CHECK(run(R"(result.quote ShouldEqual "it's \"q\"")", odd).passed);
  CHECK(run(R"(result.t ShouldEqual "true")", odd).passed);
  CHECK(run("result.t ShouldBeIn true", odd).passed);
  CHECK(run("result.t ShouldBeTrue", odd).passed);
  CHECK(run("result.timeseconds ShouldBeLessThan 1e3").passed);
  CHECK(run("result.timeseconds ShouldBeGreaterThan -1").passed);
  CHECK(run("result.timeseconds ShouldEqual .25").passed);
  CHECK(run("result.timeseconds ShouldEqual +0.25").passed);
  CHECK(run("result.big ShouldBeGreaterThan 9007199254740992").passed);
  CHECK(run("result.big ShouldBeLessThan 18446744073709551615").passed);
  CHECK_FALSE(run("result.count ShouldEqual 3abc").passed);
  CHECK_FALSE(run("result.count ShouldEqual 0x3").passed);
}

TEST_CASE("paths in assertions: flattened, plain and __Len__/__Type__") {
  CHECK(run("result.messagesjson.messagesjson0.list.list2.list20 ShouldEqual 5").passed);
  CHECK(
      run("result.messagesjson.messagesjson1.messagesjson10.messagesjson101 ShouldEqual 8").passed);
  CHECK(run("result.messagesjson[0].list[2][1] ShouldEqual 6").passed);
  CHECK(run("result.topics.__Len__ ShouldEqual 2").passed);
  CHECK(run("result.messagesjson.messagesjson0.__Type__ ShouldEqual Map").passed);
  CHECK(run("result.topics.__Type__ ShouldEqual Array").passed);
  CHECK(run("result.TOPICS.topics1 ShouldEqual c/d").passed);
  CHECK(run("result.messagesjson.messagesjson0.NAME ShouldEqual x").passed);  // Venom 1.x
}

TEST_CASE("blocks: and, or, xor, not, nested") {
  json data = {{"result", sample_result()}};
  auto block = [](assertion::kind type, std::vector<assertion> children) {
    assertion a;
    a.type = type;
    a.children = std::move(children);
    return a;
  };
  assertion yes = parse_assertion_text("result.count ShouldEqual 3", {});
  assertion no = parse_assertion_text("result.count ShouldEqual 4", {});
  assertion also_no = parse_assertion_text("result.absent ShouldNotBeNil", {});
  using k = assertion::kind;

  CHECK(evaluate(block(k::all_of, {yes, yes}), data, same).passed);
  assertion_outcome out = evaluate(block(k::all_of, {yes, no, also_no}), data, same);
  CHECK_FALSE(out.passed);
  CHECK(out.text == "and");
  CHECK(out.expected == "all of 3 pass");
  CHECK(out.actual == "1 of 3 passed");
  CHECK(out.message ==
        "failed: result.count ShouldEqual 4 (expected 4 but was 3); result.absent ShouldNotBeNil "
        "(expected a value other than null but result.absent does not exist (result has no key "
        "\"absent\"))");

  CHECK(evaluate(block(k::any_of, {no, yes}), data, same).passed);
  out = evaluate(block(k::any_of, {no, also_no}), data, same);
  CHECK_FALSE(out.passed);
  CHECK(out.text == "or");
  CHECK(
      out.message.starts_with("none passed: result.count ShouldEqual 4 (expected 4 but was 3); "));

  CHECK(evaluate(block(k::one_of, {no, yes}), data, same).passed);
  out = evaluate(block(k::one_of, {yes, no, yes}), data, same);
  CHECK_FALSE(out.passed);
  CHECK(out.text == "xor");
  CHECK(out.message ==
        "more than one passed: result.count ShouldEqual 3; result.count ShouldEqual 3");
  out = evaluate(block(k::one_of, {no}), data, same);
  CHECK_FALSE(out.passed);
  CHECK(out.message == "none passed: result.count ShouldEqual 4 (expected 4 but was 3)");

  CHECK(evaluate(block(k::none_of, {no, also_no}), data, same).passed);
  out = evaluate(block(k::none_of, {no, yes}), data, same);
  CHECK_FALSE(out.passed);
  CHECK(out.text == "not");
  CHECK(out.message == "expected to fail but passed: result.count ShouldEqual 3");

  assertion nested = block(k::all_of, {yes, block(k::any_of, {no, block(k::none_of, {no})})});
  CHECK(evaluate(nested, data, same).passed);
  nested = block(k::all_of, {yes, block(k::any_of, {no, block(k::none_of, {yes})})});
  out = evaluate(nested, data, same);
  CHECK_FALSE(out.passed);
  CHECK(out.message.starts_with("failed: or (none passed: result.count ShouldEqual 4"));
}

TEST_CASE("evaluate never throws on odd data") {
  for (const json& data : {json(nullptr), json(42), json::array(), json{{"result", "text"}},
                           json{{"result", {{"s", "\xff\xfe"}}}}}) {
    CAPTURE(data.dump(-1, ' ', false, json::error_handler_t::replace));
    CHECK_NOTHROW(evaluate(parse_assertion_text("result.s ShouldEqual x", {}), data, same));
    CHECK_FALSE(evaluate(parse_assertion_text("result.s ShouldEqual x", {}), data, same).passed);
  }
  assertion_outcome out = evaluate(parse_assertion_text("result.s ShouldEqual x", {}),
                                   json{{"result", {{"s", "\xff"}}}}, same);
  CHECK(out.actual == "\"\xEF\xBF\xBD\"");
}

// --- assertions read from a document -------------------------------------------

namespace {

const char* kSuite = R"(assertions:
- result.count ShouldEqual 3
- and:
  - result.topics.topics0 ShouldEqual a/b
  - or:
    - result.count MustBeEmpty
    - not:
      - result.absent ShouldNotBeNil
- "result.count ShouldBeBetween {{.range}}"
)";

assertion parse_at(const std::string& yaml, const std::string& pointer) {
  auto doc = parse_document(yaml, "suite.yml");
  return parse_assertion(*doc, json::json_pointer(pointer));
}

}  // namespace

TEST_CASE("parse_assertion reads checks and nested blocks with positions") {
  assertion first = parse_at(kSuite, "/assertions/0");
  CHECK(first.type == assertion::kind::check);
  CHECK(first.text == "result.count ShouldEqual 3");
  CHECK(first.where.file == "suite.yml");
  CHECK(first.where.line == 2);
  CHECK(first.where.column == 3);

  assertion block = parse_at(kSuite, "/assertions/1");
  CHECK(block.type == assertion::kind::all_of);
  CHECK(block.text == "and");
  CHECK(block.where.line == 3);
  CHECK(block.must);
  REQUIRE(block.children.size() == 2);
  CHECK(block.children[0].where.line == 4);
  CHECK_FALSE(block.children[0].must);
  const assertion& any = block.children[1];
  CHECK(any.type == assertion::kind::any_of);
  CHECK(any.must);
  REQUIRE(any.children.size() == 2);
  CHECK(any.children[0].must);
  CHECK(any.children[0].where.line == 6);
  CHECK(any.children[1].type == assertion::kind::none_of);
  REQUIRE(any.children[1].children.size() == 1);
  CHECK(any.children[1].children[0].where.line == 8);
  CHECK(any.children[1].children[0].where.column == 9);

  assertion_outcome out = evaluate(block, json{{"result", sample_result()}}, same);
  CHECK(out.passed);
  CHECK(out.must);

  assertion templated = parse_at(kSuite, "/assertions/2");
  CHECK(templated.text == "result.count ShouldBeBetween {{.range}}");
  CHECK(templated.where.line == 9);
}

TEST_CASE("parse_assertion errors carry the position, the line and a caret") {
  CHECK_THROWS_WITH_AS(parse_at("a:\n- result.count ShouldEqaul 1\n", "/a/0"),
                       "suite.yml:2:3: unknown assertion keyword \"ShouldEqaul\" (did you mean "
                       "\"ShouldEqual\"?)\n    - result.count ShouldEqaul 1\n      ^",
                       config_error);
  CHECK_THROWS_WITH_AS(parse_at("a:\n- result.error\n", "/a/0"),
                       "suite.yml:2:3: assertion needs \"<path> <Keyword> [args...]\", got "
                       "\"result.error\"\n    - result.error\n      ^",
                       config_error);
  CHECK_THROWS_WITH_AS(parse_at("a:\n- result.count ShouldEqual\n", "/a/0"),
                       "suite.yml:2:3: ShouldEqual takes 1 argument, got 0\n"
                       "    - result.count ShouldEqual\n      ^",
                       config_error);
  CHECK_THROWS_WITH_AS(parse_at("a:\n- and: result.count ShouldEqual 1\n", "/a/0"),
                       "suite.yml:2:8: \"and\" needs a list of assertions\n"
                       "    - and: result.count ShouldEqual 1\n           ^",
                       config_error);
  CHECK_THROWS_WITH_AS(parse_at("a:\n- or: []\n", "/a/0"),
                       "suite.yml:2:7: \"or\" needs a list of assertions\n    - or: []\n"
                       "          ^",
                       config_error);
  CHECK_THROWS_WITH_AS(parse_at("a:\n- an:\n  - result.x ShouldBeNil\n", "/a/0"),
                       "suite.yml:2:3: unknown assertion block \"an\" (did you mean \"and\"?)\n"
                       "    - an:\n      ^",
                       config_error);
  CHECK_THROWS_WITH_AS(
      parse_at("a:\n- and: [result.x ShouldBeNil]\n  or: [result.x ShouldBeNil]\n", "/a/0"),
      "suite.yml:2:3: an assertion block needs exactly one key (and, or, xor, "
      "not), got 2\n    - and: [result.x ShouldBeNil]\n      ^",
      config_error);
  CHECK_THROWS_WITH_AS(parse_at("a:\n- 42\n", "/a/0"),
                       "suite.yml:2:3: an assertion must be a string \"<path> <Keyword> "
                       "[args...]\" or an and/or/xor/not block, got 42\n    - 42\n      ^",
                       config_error);
  CHECK_THROWS_WITH_AS(parse_at("a:\n- xor:\n  - not:\n    - result.x ShouldBeNill\n", "/a/0"),
                       "suite.yml:4:7: unknown assertion keyword \"ShouldBeNill\" (did you mean "
                       "\"ShouldBeNil\"?)\n        - result.x ShouldBeNill\n          ^",
                       config_error);
}

TEST_CASE("string keywords see their arguments as written") {
  json data = {{"code", "007"}, {"price", "1.50 EUR"}, {"list", {7, "x"}}, {"flag", "True!"}};
  CHECK(run("result.code ShouldStartWith 007", data).passed);
  CHECK(run("result.code ShouldEndWith 07", data).passed);
  CHECK(run("result.code ShouldContainSubstring 00", data).passed);
  CHECK_FALSE(run("result.code ShouldContainSubstring 7.0", data).passed);
  CHECK(run("result.price ShouldStartWith 1.50", data).passed);
  CHECK(run("result.price ShouldMatchRegex ^1\\.50", data).passed);
  CHECK(run("result.flag ShouldStartWith True", data).passed);
  CHECK(run("result.code ShouldContain 007", data).passed);
  CHECK(run("result.list ShouldContain 7", data).passed);
  CHECK(run("result.list ShouldContain 7.0", data).passed);
  CHECK_FALSE(run("result.list ShouldContain 8", data).passed);
  CHECK(run("result.code ShouldEqualTrimSpace 007", data).passed);
  assertion_outcome out = run("result.code ShouldStartWith 7", data);
  CHECK(out.expected == R"("7")");
  CHECK(out.message == R"(expected a string starting with "7" but was "007")");
}
