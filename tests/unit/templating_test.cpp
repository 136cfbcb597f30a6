#include "executor/templating.h"

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
  CHECK_THROWS_WITH_AS(
      expand("{{ foo }}", vars),
      "unsupported template expression \"foo\" (only {{.name}} and {{.a.b}} for now)",
      template_error);
  CHECK_THROWS_WITH_AS(
      expand("{{.qos | printf \"%d\"}}", vars),
      "unsupported template expression \".qos | printf \"%d\"\" (only {{.name}} and "
      "{{.a.b}} for now)",
      template_error);
  CHECK_THROWS_WITH_AS(expand("{{}}", vars),
                       "unsupported template expression \"\" (only {{.name}} and {{.a.b}} for now)",
                       template_error);
  CHECK_THROWS_WITH_AS(
      expand("{{.a..b}}", vars),
      "unsupported template expression \".a..b\" (only {{.name}} and {{.a.b}} for now)",
      template_error);
  CHECK_THROWS_WITH_AS(expand_text("{{.missing}}", vars), "undefined variable \".missing\"",
                       template_error);
  CHECK_THROWS_WITH_AS(expand_all(json{{"a", {"{{.missing}}"}}}, vars),
                       "undefined variable \".missing\"", template_error);
}

TEST_CASE("{{.}} is the whole variable map") {
  CHECK(expand("{{.}}", json{{"a", 1}}) == json{{"a", 1}});
}
