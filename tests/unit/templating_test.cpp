#include "executor/lang/templating.h"

#include <doctest/doctest.h>

using namespace mqttest;
using nlohmann::json;

namespace {

const json vars = {
    {"addrs", "tcp://localhost:1883"},
    {"topic", "sensors/1/temp"},
    {"qos", 1},
    {"ratio", 0.5},
    {"on", true},
    {"none", nullptr},
    {"nested", {{"inner", {{"x", "deep"}}}, {"n", 7}}},
    {"list", {"zero", "one"}},
    {"flat.name", "flattened"},
};

}  // namespace

TEST_CASE("a string that is exactly one template keeps the value's type") {
  CHECK(expand("{{.addrs}}", vars) == "tcp://localhost:1883");
  CHECK(expand("{{.qos}}", vars) == 1);
  CHECK(expand("{{.qos}}", vars).is_number_integer());
  CHECK(expand("{{ .ratio }}", vars) == 0.5);
  CHECK(expand("{{.on}}", vars) == true);
  CHECK(expand("{{.none}}", vars).is_null());
  CHECK(expand("{{.nested}}", vars) == vars["nested"]);
  CHECK(expand("{{.list}}", vars) == json::array({"zero", "one"}));
}

TEST_CASE("nested fields, array indices and flattened names") {
  CHECK(expand("{{.nested.inner.x}}", vars) == "deep");
  CHECK(expand("{{ .nested.n }}", vars) == 7);
  CHECK(expand("{{.list.1}}", vars) == "one");
  CHECK(expand("{{.flat.name}}", vars) == "flattened");
}

TEST_CASE("templates embedded in text are spliced") {
  CHECK(expand("topic {{.topic}} at {{ .addrs }}!", vars) ==
        "topic sensors/1/temp at tcp://localhost:1883!");
  CHECK(expand("q={{.qos}} r={{.ratio}} b={{.on}} n={{.none}}", vars) == "q=1 r=0.5 b=true n=null");
  CHECK(expand("{{.nested.inner}}!", vars) == "{\"x\":\"deep\"}!");
  CHECK(expand("{{.qos}}{{.qos}}", vars) == "11");
  CHECK(expand(" {{.qos}}", vars) == " 1");
}

TEST_CASE("text without templates is unchanged") {
  CHECK(expand("", vars) == "");
  CHECK(expand("plain", vars) == "plain");
  CHECK(expand("a }} b", vars) == "a }} b");
  CHECK(expand("{ .x }", vars) == "{ .x }");
}

TEST_CASE("expand_text renders non-strings as compact JSON") {
  CHECK(expand_text("{{.qos}}", vars) == "1");
  CHECK(expand_text("{{.nested.inner}}", vars) == "{\"x\":\"deep\"}");
  CHECK(expand_text("{{.list}}", vars) == "[\"zero\",\"one\"]");
  CHECK(expand_text("at {{.addrs}}", vars) == "at tcp://localhost:1883");
}

TEST_CASE("expand_all walks maps and lists, expanding values but not keys") {
  json in = {{"addrs", "{{.addrs}}"},
             {"{{.qos}}", "key stays"},
             {"messages", {{{"topic", "{{.topic}}"}, {"qos", "{{.qos}}"}, {"retained", false}}}},
             {"n", 3}};
  json out = expand_all(in, vars);
  CHECK(out["addrs"] == "tcp://localhost:1883");
  CHECK(out["{{.qos}}"] == "key stays");
  CHECK(out["messages"][0]["topic"] == "sensors/1/temp");
  CHECK(out["messages"][0]["qos"] == 1);
  CHECK(out["messages"][0]["retained"] == false);
  CHECK(out["n"] == 3);
  CHECK(expand_all(json("{{.qos}}"), vars) == 1);
  CHECK(expand_all(json(nullptr), vars).is_null());
}

TEST_CASE("has_template") {
  CHECK(has_template("{{.x}}"));
  CHECK(has_template("a {{ .x }} b"));
  CHECK(has_template("unclosed {{"));
  CHECK_FALSE(has_template("plain"));
  CHECK_FALSE(has_template("a }} b"));
}

TEST_CASE("template errors") {
  CHECK_THROWS_WITH_AS(expand("{{.foo.bar}}", vars), "undefined variable \".foo.bar\"",
                       template_error);
  CHECK_THROWS_WITH_AS(expand("x {{ .nested.nope }} y", vars),
                       "undefined variable \".nested.nope\"", template_error);
  CHECK_THROWS_WITH_AS(expand("{{.list.2}}", vars), "undefined variable \".list.2\"",
                       template_error);
  CHECK_THROWS_WITH_AS(expand("{{.qos.x}}", vars), "undefined variable \".qos.x\"", template_error);
  CHECK_THROWS_WITH_AS(expand("abc {{.x", vars), "unclosed \"{{\" in \"abc {{.x\"", template_error);
  CHECK_THROWS_WITH_AS(expand("{{.qos}} {{", vars), "unclosed \"{{\" in \"{{.qos}} {{\"",
                       template_error);
  CHECK_THROWS_WITH_AS(expand("{{ zzzzzz }}", vars), "unknown template helper \"zzzzzz\"",
                       template_error);
  CHECK_THROWS_WITH_AS(expand("{{.qos | printf \"%d\"}}", vars),
                       "unknown template helper \"printf\"", template_error);
  CHECK_THROWS_WITH_AS(expand("{{}}", vars), "empty template \"{{}}\"", template_error);
  CHECK_THROWS_WITH_AS(expand("{{.a..b}}", vars), "bad field name \".a..b\"", template_error);
  CHECK_THROWS_WITH_AS(expand_text("{{.missing}}", vars), "undefined variable \".missing\"",
                       template_error);
  CHECK_THROWS_WITH_AS(expand_all(json{{"a", {"{{.missing}}"}}}, vars),
                       "undefined variable \".missing\"", template_error);
}

TEST_CASE("{{.}} is the whole variable map") {
  CHECK(expand("{{.}}", json{{"a", 1}}) == json{{"a", 1}});
}

TEST_CASE("pipelines with string helpers") {
  json v = {{"name", "hello world"}, {"pad", "  x  "}, {"empty", ""}, {"n", 3}};
  CHECK(expand("{{.name | upper}}", v) == "HELLO WORLD");
  CHECK(expand("{{ upper .name }}", v) == "HELLO WORLD");
  CHECK(expand("{{\"ABC\" | lower}}", v) == "abc");
  CHECK(expand("{{.name | title}}", v) == "Hello World");
  CHECK(expand("[{{.pad | trim}}]", v) == "[x]");
  CHECK(expand("{{.name | trimPrefix \"hello \"}}", v) == "world");
  CHECK(expand("{{.name | trimSuffix \" world\"}}", v) == "hello");
  CHECK(expand("{{.name | trimSuffix \"nope\"}}", v) == "hello world");
  CHECK(expand("{{.name | replace \"o\" \"0\"}}", v) == "hell0 w0rld");
  CHECK(expand("{{.name | quote}}", v) == "\"hello world\"");
  CHECK(expand("{{.n | quote}}", v) == "\"3\"");
  CHECK(expand("{{.name | squote}}", v) == "'hello world'");
  CHECK(expand("{{.name | upper | replace \"WORLD\" \"there\"}}", v) == "HELLO there");
  CHECK(expand("{{ `raw \\n` }}", v) == "raw \\n");
}

TEST_CASE("default: undefined, null and empty values take the fallback") {
  json v = {{"empty", ""}, {"zero", 0}, {"set", "yes"}, {"none", nullptr}};
  CHECK(expand("{{.missing | default \"fallback\"}}", v) == "fallback");
  CHECK(expand("{{.nested.missing | default 5}}", v) == 5);
  CHECK(expand("{{.empty | default \"fallback\"}}", v) == "fallback");
  CHECK(expand("{{.zero | default 7}}", v) == 7);
  CHECK(expand("{{.none | default \"d\"}}", v) == "d");
  CHECK(expand("{{.set | default \"fallback\"}}", v) == "yes");
  CHECK(expand("{{default \"f\" .missing}}", v) == "f");
}

TEST_CASE("indent, JSON, base64, urlquery, len") {
  json v = {{"text", "a\nb"}, {"obj", {{"k", 1}}}, {"list", {1, 2, 3}}, {"s", "héllo"}};
  CHECK(expand("{{.text | indent 2}}", v) == "  a\n  b");
  CHECK(expand("{{.text | nindent 2}}", v) == "\n  a\n  b");
  CHECK(expand("{{.obj | toJSON}}", v) == "{\"k\":1}");
  CHECK(expand("{{.obj | toPrettyJSON}}", v) == "{\n  \"k\": 1\n}");
  CHECK(expand("{{ `{\"a\":[1,2]}` | fromJSON }}", v) == json{{"a", {1, 2}}});
  CHECK(expand("{{\"hello\" | b64enc}}", v) == "aGVsbG8=");
  CHECK(expand("{{\"hi\" | b64enc}}", v) == "aGk=");
  CHECK(expand("{{\"aGVsbG8=\" | b64dec}}", v) == "hello");
  CHECK(expand("{{.s | b64enc | b64dec}}", v) == "héllo");
  CHECK(expand("{{\"a b&c=d/é\" | urlquery}}", v) == "a+b%26c%3Dd%2F%C3%A9");
  CHECK(expand("{{.list | len}}", v) == 3);
  CHECK(expand("{{.obj | len}}", v) == 1);
  CHECK(expand("{{len \"abcd\"}}", v) == 4);
}

TEST_CASE("random helpers") {
  json a = expand("{{randAlphaNum 12}}", json::object());
  REQUIRE(a.is_string());
  CHECK(a.get<std::string>().size() == 12);
  CHECK(a.get<std::string>().find_first_not_of(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") == std::string::npos);
  std::string n = expand("{{randNumeric 8}}", json::object()).get<std::string>();
  CHECK(n.size() == 8);
  CHECK(n.find_first_not_of("0123456789") == std::string::npos);
  std::string u = expand("{{uuidv4}}", json::object()).get<std::string>();
  REQUIRE(u.size() == 36);
  CHECK(u[8] == '-');
  CHECK(u[14] == '4');
  CHECK(std::string("89ab").find(u[19]) != std::string::npos);
  CHECK(u != expand("{{uuidv4}}", json::object()).get<std::string>());
}

TEST_CASE("arithmetic") {
  json v = {{"n", 10}, {"s", "4"}, {"f", 1.5}};
  CHECK(expand("{{add 1 2}}", v) == 3);
  CHECK(expand("{{add 1 2 3}}", v) == 6);
  CHECK(expand("{{.n | add 5}}", v) == 15);
  CHECK(expand("{{sub .n 3}}", v) == 7);
  CHECK(expand("{{mul .n .s}}", v) == 40);
  CHECK(expand("{{div .n 3}}", v) == 3);
  CHECK(expand("{{mod .n 3}}", v) == 1);
  CHECK(expand("{{add .f 1}}", v) == 2.5);
  CHECK(expand("{{add (mul 2 3) 1}}", v) == 7);
  CHECK(expand("n={{add .n 1}}", v) == "n=11");
}

TEST_CASE("now and date with Go reference layouts") {
  const json v = {{"t", "2024-03-05T07:08:09.123456789Z"},
                  {"o", "2024-12-31T23:04:05+02:00"},
                  {"unix", 0}};
  CHECK(expand("{{.t | date \"2006-01-02\"}}", v) == "2024-03-05");
  CHECK(expand("{{.t | date \"02/01/06 15:04:05\"}}", v) == "05/03/24 07:08:09");
  CHECK(expand("{{.t | date \"Jan 2, 2006 at 3:04pm (MST)\"}}", v) ==
        "Mar 5, 2024 at 7:08am (UTC)");
  CHECK(expand("{{.t | date \"Monday January _2 03PM\"}}", v) == "Tuesday March  5 07AM");
  CHECK(expand("{{.t | date \"15:04:05.000\"}}", v) == "07:08:09.123");
  CHECK(expand("{{.t | date \"05.999999\"}}", v) == "09.123456");
  CHECK(expand("{{.t | date \"2006-01-02T15:04:05Z07:00\"}}", v) == "2024-03-05T07:08:09Z");
  CHECK(expand("{{.o | date \"2006-01-02T15:04:05Z07:00\"}}", v) == "2024-12-31T23:04:05+02:00");
  CHECK(expand("{{.o | date \"-0700 -07 Z0700 002 Mon\"}}", v) == "+0200 +02 +0200 366 Tue");
  CHECK(expand("{{.unix | date \"2006-01-02 15:04\"}}", v) == "1970-01-01 00:00");
  std::string today = expand("{{ now | date \"2006-01-02\" }}", v).get<std::string>();
  CHECK(today.size() == 10);
  CHECK(today.substr(0, 2) == "20");
  CHECK(expand("{{now}}", v).get<std::string>().find('T') == 10);
}

TEST_CASE("trim markers and comments") {
  json v = {{"x", "X"}};
  CHECK(expand("a   {{- .x -}}   b", v) == "aXb");
  CHECK(expand("a {{/* note */}}b", v) == "a b");
  CHECK(expand("{{- .x }}", v) == "X");
}

TEST_CASE("Venom's flattened result paths and flattened variable names") {
  json v = {{"result", {{"messagesjson", {{{"c", 1}}, {{"c", 2}}}}}},
            {"venom.testsuite", "S"},
            {"venom.testsuite.filename", "s.yml"},
            {"case one.temp", 5},
            {"caseA.temp", 21}};
  CHECK(expand("{{.result.messagesjson.messagesjson1.c}}", v) == 2);
  CHECK(expand("{{.result.messagesjson.messagesjson0}}", v) == json{{"c", 1}});
  CHECK(expand("{{.venom.testsuite}}", v) == "S");
  CHECK(expand("{{.venom.testsuite.filename}}", v) == "s.yml");
  CHECK(expand("{{.caseA.temp}}", v) == 21);
}

TEST_CASE("helper errors: wrong argument types and counts") {
  json v = {{"n", 1}, {"s", "abc"}, {"list", {1}}};
  CHECK_THROWS_WITH_AS(expand("{{.n | upper}}", v), "upper: expects a string, got a number (1)",
                       template_error);
  CHECK_THROWS_WITH_AS(expand("{{add .s 1}}", v), "add: expects a number, got a string (\"abc\")",
                       template_error);
  CHECK_THROWS_WITH_AS(expand("{{div 1 0}}", v), "div: division by zero", template_error);
  CHECK_THROWS_WITH_AS(expand("{{mod 1 0}}", v), "mod: division by zero", template_error);
  CHECK_THROWS_WITH_AS(expand("{{.n | len}}", v),
                       "len: expects a string, a list or a map, got a number (1)", template_error);
  CHECK_THROWS_WITH_AS(expand("{{.s | date \"2006\"}}", v),
                       "date: expects a time (RFC 3339 text or Unix seconds), got a string (\"abc\")",
                       template_error);
  CHECK_THROWS_WITH_AS(  // out of range: Go's time.Parse refuses it too
      expand("{{\"2024-02-30T00:00:00Z\" | date \"2006\"}}", v),
      "date: expects a time (RFC 3339 text or Unix seconds), got a string "
      "(\"2024-02-30T00:00:00Z\")",
      template_error);
  CHECK_THROWS_WITH_AS(expand("{{.s | fromJSON}}", v), "fromJSON: not valid JSON: \"abc\"",
                       template_error);
  CHECK_THROWS_WITH_AS(expand("{{\"%%\" | b64dec}}", v), "b64dec: not valid base64: \"%%\"",
                       template_error);
  CHECK_THROWS_WITH_AS(expand("{{randAlphaNum -1}}", v),
                       "randAlphaNum: expects a length from 0 to 1000000, got -1", template_error);
  CHECK_THROWS_WITH_AS(expand("{{.list | indent \"x\"}}", v),
                       "indent: expects a number, got a string (\"x\")", template_error);
  CHECK_THROWS_WITH_AS(expand("{{upper}}", v), "upper: takes 1 argument, got 0", template_error);
  CHECK_THROWS_WITH_AS(expand("{{.s | replace \"a\"}}", v), "replace: takes 3 arguments, got 2",
                       template_error);
  CHECK_THROWS_WITH_AS(expand("{{sub 1 2 3}}", v), "sub: takes 2 arguments, got 3",
                       template_error);
  CHECK_THROWS_WITH_AS(expand("{{add 1}}", v), "add: takes at least 2 arguments, got 1",
                       template_error);
  CHECK_THROWS_WITH_AS(expand("{{.missing | upper}}", v), "undefined variable \".missing\"",
                       template_error);
}

TEST_CASE("check_template finds syntax errors and unknown helpers without variables") {
  CHECK_NOTHROW(check_template("plain"));
  CHECK_NOTHROW(check_template("{{.undefined_is_fine_here | upper}}"));
  CHECK_THROWS_WITH_AS(check_template("a {{.x"), "unclosed \"{{\" in \"a {{.x\"", template_error);
  CHECK_THROWS_WITH_AS(check_template("{{.x | uper}}"),
                       "unknown template helper \"uper\" (did you mean \"upper\"?)", template_error);
  CHECK_THROWS_WITH_AS(check_template("{{.x .y}}"),
                       "\".x\" is not a helper and cannot take arguments in \"{{.x .y}}\"",
                       template_error);
  CHECK_THROWS_WITH_AS(check_template("{{.x | .y}}"),
                       "\".y\" is not a helper and cannot take arguments in \"{{.x | .y}}\"",
                       template_error);
  CHECK_THROWS_WITH_AS(check_template("{{ \"abc }}"),
                       "unclosed \"{{\" in \"{{ \"abc }}\"", template_error);
  CHECK_THROWS_WITH_AS(check_template("{{ (upper .x }}"),
                       "unclosed \"(\" in template \"{{ (upper .x }}\"", template_error);
  CHECK_THROWS_WITH_AS(check_template("{{ .x | }}"), "missing value in template \"{{ .x | }}\"",
                       template_error);
  CHECK_THROWS_WITH_AS(check_template("{{ $x }}"), "unexpected \"$\" in template \"{{ $x }}\"",
                       template_error);
}
