// Hostile or runaway input: every case here crashed, hung or grew without
// bound before; each must now end quickly with a clear message.

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>

#include "executor/core/document.h"
#include "executor/core/errors.h"
#include "executor/core/limits.h"
#include "executor/engine/step_details.h"
#include "executor/lang/templating.h"
#include "steps/mqtt/broker_url.h"
#include "steps/mqtt/codecs.h"
#include "steps/mqtt/mqtt_config.h"
#include "tests/temp_dir.h"

using namespace mqttest;
using nlohmann::json;

namespace {

/// Sets an environment variable for the scope of a test.
struct scoped_env {
  std::string name;
  scoped_env(const std::string& n, const std::string& value) : name(n) {
    ::setenv(name.c_str(), value.c_str(), 1);
  }
  ~scoped_env() { ::unsetenv(name.c_str()); }
};

std::string error_text(const std::function<void()>& f) {
  try {
    f();
  } catch (const config_error& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("other: ") + e.what();
  }
  return "<no error>";
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

std::string parse_error(const std::string& yaml) {
  return first_line(error_text([&] { parse_document(yaml, "s.yml"); }));
}

}  // namespace

TEST_CASE("document: invalid UTF-8 in a number, boolean or key is a load error at its place") {
  CHECK(parse_error("qos: \xff\n") ==
        "s.yml:1:6: value is not valid UTF-8 (byte 0xff at offset 0)");
  CHECK(parse_error("a:\n  timeout: 1\xc3\n") ==
        "s.yml:2:12: value is not valid UTF-8 (byte 0xc3 at offset 1)");
  CHECK(parse_error("a:\n  ret\xe2\x82ined: true\n") ==
        "s.yml:2:3: key is not valid UTF-8 (byte 0xe2 at offset 3)");
  CHECK(parse_error("- \"ok \xed\xa0\x80\"\n") ==
        "s.yml:1:3: value is not valid UTF-8 (byte 0xed at offset 3)");
  // YAML escapes are code points, not bytes: "\xff" is U+00FF, valid.
  CHECK(parse_document("a: \"\\xff\"\n", "s.yml")->root["a"] == "\xc3\xbf");
}

TEST_CASE("document: a billion laughs stops at the node limit, naming it") {
  std::string yaml = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c)
    yaml += fmt::format("{}: &{} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n", c,
                        c, fmt::arg("p", std::string(1, static_cast<char>(c - 1))));
  auto start = std::chrono::steady_clock::now();
  std::string message = parse_error(yaml);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  CHECK(message ==
        "s.yml:6:36: YAML document expands (aliases included) beyond the 1000000-nodes limit "
        "(set MQTTEST_MAX_YAML_NODES to raise it)");
  // Unused anchors count too: the expansion is what costs.
  scoped_env lower("MQTTEST_MAX_YAML_NODES", "50");
  CHECK(parse_error("a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb: &b [*a, *a, *a, *a, *a]\n") ==
        "s.yml:2:20: YAML document expands (aliases included) beyond the 50-nodes limit "
        "(set MQTTEST_MAX_YAML_NODES to raise it)");
}

TEST_CASE("document: aliases within the node limit still load") {
  auto doc = parse_document("a: &a {x: 1}\nb: *a\nc: {<<: *a, y: 2}\n", "s.yml");
  CHECK(doc->root == json::parse(R"({"a":{"x":1},"b":{"x":1},"c":{"x":1,"y":2}})"));
}

TEST_CASE("document: an anchor that contains its own alias is a cycle at the alias") {
  CHECK(parse_error("vars: &v {self: *v}\n") ==
        "s.yml:1:17: alias *v refers to a node that contains it: anchors must not form a cycle");
  CHECK(parse_error("a: &l\n- 1\n- [2, *l]\n") ==
        "s.yml:3:7: alias *l refers to a node that contains it: anchors must not form a cycle");
}

TEST_CASE("document: nesting deeper than the depth limit is an error naming it") {
  std::string deep = std::string(300, '[') + std::string(300, ']') + "\n";
  CHECK(parse_error(deep) ==
        "s.yml:1:257: YAML nested deeper than the 256-levels limit (set MQTTEST_MAX_YAML_DEPTH "
        "to raise it)");
  // Depth through aliases counts as well.
  scoped_env lower("MQTTEST_MAX_YAML_DEPTH", "3");
  CHECK(parse_error("a: &a [[1]]\nb: [[*a]]\n") ==
        "s.yml:2:6: YAML nested deeper than the 3-levels limit (set MQTTEST_MAX_YAML_DEPTH to "
        "raise it)");
  CHECK(parse_document("a: [[1]]\n", "s.yml")->root == json::parse(R"({"a":[[1]]})"));
}

TEST_CASE("document: a lone CR (old Mac line ends) is a line break") {
  auto doc = parse_document("name: mac\rvars:\r  a: 1\r", "s.yml");
  CHECK(doc->root == json::parse(R"({"name":"mac","vars":{"a":1}})"));
  CHECK(doc->value_at(json::json_pointer("/vars/a")).line == 3);
  CHECK(parse_error("a: 1\rb: [\r") ==
        "s.yml:2:5: YAML syntax error: end of sequence flow not found");
}

TEST_CASE("document: suite files larger than the size limit are refused while reading") {
  temp_dir dir;
  std::string path = dir.write("big.yml", "a: " + std::string(100, 'x') + "\n");
  scoped_env lower("MQTTEST_MAX_SUITE_BYTES", "100");
  CHECK(error_text([&] { load_document(path); }) ==
        path +
            ": file is larger than the 100-bytes limit (set MQTTEST_MAX_SUITE_BYTES to "
            "raise it)");
  std::string small = dir.write("small.yml", "a: " + std::string(96, 'x') + "\n");
  CHECK(load_document(small)->root["a"].get<std::string>().size() == 96);
}

TEST_CASE("document: devices and FIFOs are refused without blocking") {
  CHECK(error_text([] { load_document("/dev/zero"); }) ==
        "/dev/zero: cannot read file: a device, not a regular file");
  temp_dir dir;
  std::string fifo = (dir.path / "pipe.yml").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK(error_text([&] { load_document(fifo); }) ==
        fifo + ": cannot read file: a FIFO, not a regular file");
}

TEST_CASE("limits: a bad environment value is a usage error naming the variable") {
  scoped_env bad("MQTTEST_MAX_YAML_DEPTH", "deep");
  CHECK_THROWS_WITH_AS(check_limit_environment(),
                       "MQTTEST_MAX_YAML_DEPTH must be a positive integer, got \"deep\"",
                       usage_error);
  scoped_env zero("MQTTEST_MAX_SUITE_BYTES", "0");
  CHECK_THROWS_WITH_AS(limit_value(kMaxSuiteBytes),
                       "MQTTEST_MAX_SUITE_BYTES must be a positive integer, got \"0\"",
                       usage_error);
}

// ---- payloads from the broker ------------------------------------------

namespace {

std::string nested_json(std::size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

}  // namespace

TEST_CASE("codecs: a JSON payload 100,000 deep stays undecoded, with the reason") {
  std::string why;
  CHECK(decode_payload(nested_json(100'000), codec::json, &why).is_null());
  CHECK(why ==
        "payload nested deeper than the 512-levels limit (set MQTTEST_MAX_PAYLOAD_DEPTH to "
        "raise it); not decoded");
  why.clear();
  CHECK(decode_payload(nested_json(512), codec::json, &why).is_array());
  CHECK(why.empty());
  CHECK(decode_payload(nested_json(513), codec::json, &why).is_null());
  CHECK_FALSE(why.empty());
}

TEST_CASE("codecs: CBOR and MessagePack payloads a million deep stay undecoded") {
  // 0x81 / 0x91: an array of one element, in CBOR / MessagePack; then a 0.
  for (auto [how, byte] : {std::pair{codec::cbor, '\x81'}, std::pair{codec::msgpack, '\x91'}}) {
    std::string bytes(1'000'000, byte);
    bytes += '\0';
    std::string why;
    CHECK(decode_payload(bytes, how, &why).is_null());
    CHECK(why.starts_with("payload nested deeper than the 512-levels limit"));
  }
  scoped_env lower("MQTTEST_MAX_PAYLOAD_DEPTH", "2");
  std::string why;
  CHECK(decode_payload(std::string("\x81\x81\x00", 3), codec::cbor, &why) == json::parse("[[0]]"));
  CHECK(decode_payload(std::string("\x91\x91\x91\x00", 4), codec::msgpack, &why).is_null());
  CHECK(why.starts_with("payload nested deeper than the 2-levels limit"));
}

TEST_CASE("codecs: ordinary and broken payloads decode as before, without a reason") {
  std::string why;
  CHECK(decode_payload(R"({"a":[1,{"b":2}]})", codec::json, &why) ==
        json::parse(R"({"a":[1,{"b":2}]})"));
  CHECK(decode_payload("[1,", codec::json, &why).is_null());
  CHECK(decode_payload("\xff", codec::cbor, &why).is_null());
  CHECK(why.empty());
}

// ---- broker URLs ----------------------------------------------------------

TEST_CASE("broker_url: ports outside 1-65535 or not numbers are problems, not modulo 65536") {
  CHECK(broker_url_problem("tcp://127.0.0.1:84367") ==
        "has a bad port \"84367\" (a number from 1 to 65535)");
  for (std::string port : {"99999", "0", "-1", "18831junk", "notaport", "123456789012"})
    CHECK(broker_url_problem("tcp://127.0.0.1:" + port) ==
          "has a bad port \"" + port + "\" (a number from 1 to 65535)");
  CHECK(broker_url_problem("tcp://:1883") == "has no host");
  CHECK(broker_url_problem("tcp://127.0.0.1:65535") == "");
  CHECK(broker_url_problem("ws://[::1]:8080/mqtt") == "");
  CHECK(broker_url_problem("mqtts://broker.example") == "");
}

TEST_CASE("mqtt config: a bad port is a load error at addrs, and a run error after expansion") {
  auto locate = [](const json::json_pointer&) { return position{"s.yml", 3, 5}; };
  json step = {{"addrs", "tcp://127.0.0.1:84367"},
               {"clientType", "publisher"},
               {"messages", json::array({{{"topic", "a"}, {"payload", "x"}}})}};
  CHECK_THROWS_WITH_AS(validate_mqtt_config(step, locate),
                       "s.yml:3:5: \"addrs\" has a bad port \"84367\" (a number from 1 to 65535), "
                       "got \"tcp://127.0.0.1:84367\"",
                       config_error);
  step["addrs"] = "tcp://127.0.0.1:{{.port}}";
  CHECK_NOTHROW(validate_mqtt_config(step, locate));
  step["addrs"] = "tcp://127.0.0.1:0";
  CHECK_THROWS_WITH_AS(parse_mqtt_config(step, locate),
                       "s.yml:3:5: \"addrs\" has a bad port \"0\" (a number from 1 to 65535), "
                       "got \"tcp://127.0.0.1:0\"",
                       config_error);
}

// ---- templates ---------------------------------------------------------------

namespace {

/// 40 vars, each twice the one before: 2^40 copies when nothing stops it.
json doubling_vars() {
  json vars = {{"v00", "x"}};
  for (int i = 1; i < 40; ++i)
    vars[fmt::format("v{:02}", i)] = fmt::format("{{{{.v{0:02}}}}}{{{{.v{0:02}}}}}", i - 1);
  return vars;
}

std::string expand_vars_error(json vars, const expansion_context& context = {}) {
  try {
    expand_vars(vars, context);
  } catch (const template_error& e) {
    return e.what();
  }
  return "<no error>";
}

}  // namespace

TEST_CASE("templating: doubling vars stop at the output size limit, naming it") {
  auto start = std::chrono::steady_clock::now();
  CHECK(expand_vars_error(doubling_vars()) ==
        "vars.v25: template output is larger than the 16777216-bytes limit (set "
        "MQTTEST_MAX_TEMPLATE_BYTES to raise it)");
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  CHECK_THROWS_WITH_AS(expand("{{.a}}{{.a}}", {{"a", std::string(10, 'x')}}, {.max_bytes = 15}),
                       "template output is larger than the 15-bytes limit (set "
                       "MQTTEST_MAX_TEMPLATE_BYTES to raise it)",
                       template_limit_error);
}

TEST_CASE("templating: vars that use vars expand in order, cycles are named") {
  json vars = {{"a", "{{.b}}-a"}, {"b", "{{.c}}-b"}, {"c", "c"}, {"later", "{{.result.x}}"}};
  expand_vars(vars);
  CHECK(vars == json({{"a", "c-b-a"}, {"b", "c-b"}, {"c", "c"}, {"later", "{{.result.x}}"}}));
  CHECK(expand_vars_error({{"a", "{{.b}}"}, {"b", "{{.a}}"}}) == "vars a -> b -> a form a cycle");
  CHECK(expand_vars_error({{"x", "1"}, {"self", "{{.self | upper}}"}}) ==
        "vars self -> self form a cycle");
  CHECK(expand_vars_error({{"a", "{{.b}}"}, {"b", "{{(upper .c)}}"}, {"c", "{{.a}}"}}) ==
        "vars a -> b -> c -> a form a cycle");
}

TEST_CASE("templating: a chain of vars deeper than the depth limit is an error naming it") {
  json vars;
  for (int i = 0; i < 100; ++i)
    vars[fmt::format("v{:03}", i)] = fmt::format("{{{{.v{:03}}}}}", i + 1);
  vars["v100"] = "end";
  std::string message = expand_vars_error(vars);
  CHECK(message.starts_with("vars v000 -> v001 -> "));
  CHECK(message.ends_with(
      "v064 nest deeper than the 64-levels limit (set MQTTEST_MAX_TEMPLATE_DEPTH to raise it)"));
  scoped_env raise("MQTTEST_MAX_TEMPLATE_DEPTH", "200");
  expand_vars(vars);
  CHECK(vars["v000"] == "end");
}

TEST_CASE("templating: parentheses nested beyond the depth limit are an error, not a crash") {
  std::string deep = "{{" + std::string(100'000, '(') + "1" + std::string(100'000, ')') + "}}";
  CHECK_THROWS_WITH_AS(check_template(deep),
                       "\"(\" in a template nested deeper than the 64-levels limit (set "
                       "MQTTEST_MAX_TEMPLATE_DEPTH to raise it)",
                       template_limit_error);
  CHECK(expand("{{((1))}}", json::object()) == 1);
}

TEST_CASE("templating: a raised interrupt flag ends an expansion") {
  std::atomic<bool> interrupted{true};
  CHECK(expand_vars_error(doubling_vars(), {.interrupted = &interrupted}) ==
        "interrupted while expanding templates");
  CHECK_THROWS_AS(expand("{{.a}}", {{"a", 1}}, {.interrupted = &interrupted}),
                  template_interrupted);
  interrupted = false;
  CHECK(expand("{{.a}}", {{"a", 1}}, {.interrupted = &interrupted}) == 1);
}

// ---- topics and client ids ---------------------------------------------------

TEST_CASE("topics: NUL, size and UTF-8 problems are named, the topic shown escaped") {
  auto locate = [](const json::json_pointer&) { return position{"s.yml", 1, 1}; };
  json step = {{"addrs", "tcp://127.0.0.1:1883"},
               {"clientType", "publisher"},
               {"messages", json::array({{{"topic", std::string("a\0b", 3)}, {"payload", "x"}}})}};
  CHECK_THROWS_WITH_AS(parse_mqtt_config(step, locate),
                       "s.yml:1:1: invalid topic \"a\\u0000b\": a topic must not contain NUL",
                       config_error);
  step["messages"][0]["topic"] = std::string(65536, 't');
  CHECK_THROWS_WITH_AS(parse_mqtt_config(step, locate),
                       ("s.yml:1:1: invalid topic \"" + std::string(64, 't') +
                        "\"... (65536 bytes): a topic is at most 65535 bytes, this one has 65536")
                           .c_str(),
                       config_error);
  step["messages"][0]["topic"] = std::string(65535, 't');
  CHECK_NOTHROW(parse_mqtt_config(step, locate));
  json sub = {
      {"addrs", "tcp://127.0.0.1:1883"}, {"clientType", "subscriber"}, {"topics", {"a/\xff"}}};
  CHECK_THROWS_WITH_AS(
      parse_mqtt_config(sub, locate),
      "s.yml:1:1: invalid topic filter \"a/\xef\xbf\xbd\": a topic must be valid UTF-8",
      config_error);
}

TEST_CASE("client ids: invalid UTF-8 is a config error, not MQTT error [-5]") {
  auto locate = [](const json::json_pointer&) { return position{"s.yml", 1, 1}; };
  json sub = {{"addrs", "tcp://127.0.0.1:1883"},
              {"clientType", "subscriber"},
              {"topics", {"a"}},
              {"clientId", "id-\xff"}};
  CHECK_THROWS_WITH_AS(parse_mqtt_config(sub, locate),
                       "s.yml:1:1: \"clientId\" is not valid UTF-8 (MQTT client ids are UTF-8)",
                       config_error);
}

TEST_CASE("a stray top-level comma is a syntax error, not an endless run of documents") {
  for (const char* text : {",", ", a\n", "a: 1\n,\n"}) {
    CAPTURE(text);
    try {
      parse_document(text, "s.yml");
      FAIL("no error");
    } catch (const config_error& e) {
      CHECK(std::string(e.what()).find("YAML syntax error") != std::string::npos);
    }
  }
  CHECK_THROWS_WITH_AS(
      parse_document("a: 1\n---\nb: 2\n", "s.yml"),
      doctest::Contains("a suite file holds one YAML document, found a second one"), config_error);
}

TEST_CASE("shown_result: a message longer than the limit is cut, saying how much is left") {
  std::string payload(10'000, 'x');
  json shown = shown_result({{"messages", {payload, "short"}}, {"error", ""}}, 1'000);
  std::string cut = shown["messages"][0];
  CHECK(cut.size() <= 1'000);
  std::size_t kept = cut.find("\xE2\x80\xA6");
  REQUIRE(kept != std::string::npos);
  CHECK(cut == std::string(kept, 'x') + fmt::format("\xE2\x80\xA6 {} more bytes", 10'000 - kept));
  CHECK(shown["messages"][1] == "short");
  CHECK(shown["error"] == "");
  CHECK(shown_result(shown, 1'000) == shown);  // showing what is shown changes nothing
  // A multi-byte character is never cut in half.
  std::string accents;
  for (int i = 0; i < 600; ++i) accents += "\xC3\xA9";
  std::string cut_accents = shown_result(json{{"messages", {accents}}}, 1'000)["messages"][0];
  CHECK(json(cut_accents).dump().size() > 0);
  CHECK(cut_accents.starts_with("\xC3\xA9"));
  CHECK(cut_accents.find("\xE2\x80\xA6") % 2 == 0);
}

TEST_CASE("shown_result: a decoded payload is cut by its indented size, not its compact one") {
  // 500 levels take 1,000 bytes compact but about 500,000 indented: reports
  // would grow with the square of the depth.
  json deep = json::array();
  for (int i = 0; i < 499; ++i) deep = json::array({deep});
  CHECK(deep.dump().size() == 1'000);
  json shown = shown_result({{"messagesjson", {deep, {{"c", 1}}}}}, 4'096);
  CHECK(shown["messagesjson"][0] == deep.dump());  // the compact text fits
  CHECK(shown["messagesjson"][1] == json{{"c", 1}});
  shown = shown_result({{"messagesjson", {deep}}}, 500);
  std::string cut = shown["messagesjson"][0];
  CHECK(cut.size() <= 500);
  CHECK(cut.starts_with("[[[["));
  CHECK(cut.ends_with(" more bytes"));
  CHECK(shown_result(json{{"messagesjson", {deep}}}).dump(2).size() < 64 * 1024);
}

TEST_CASE("shown_result: the limit comes from MQTTEST_MAX_SHOWN_MESSAGE_BYTES") {
  std::string payload(40'000, 'x');
  CHECK(shown_result(json{{"messages", {payload}}})["messages"][0].get<std::string>().size() <=
        16 * 1024);
  scoped_env raised("MQTTEST_MAX_SHOWN_MESSAGE_BYTES", "100000");
  CHECK(shown_result(json{{"messages", {payload}}})["messages"][0] == payload);
}
