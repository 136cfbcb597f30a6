#include "executor/core/document.h"
#include "tests/temp_dir.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace mqttest;
using nlohmann::json;
using ptr = nlohmann::json::json_pointer;

namespace {

std::string error_text(const std::function<void()>& f) {
  try {
    f();
  } catch (const config_error& e) {
    return e.what();
  }
  return "<no error>";
}

}  // namespace

TEST_CASE("plain scalars follow the YAML 1.2 core schema") {
  auto doc = parse_document(
      "i: 1\nn: -3\np: +7\nf: 1.5\ne: 1e3\nd: .5\nt: true\nT: True\nF: FALSE\n"
      "z: ~\nnl: null\nempty:\ns: hello\nv: 1.2.3\nyes: yes\nhex: 0x1f\nbig: "
      "18446744073709551615\n",
      "t.yml");
  const json& r = doc->root;
  CHECK(r["i"] == 1);
  CHECK(r["i"].is_number_integer());
  CHECK(r["n"] == -3);
  CHECK(r["p"] == 7);
  CHECK(r["f"].is_number_float());
  CHECK(r["f"] == 1.5);
  CHECK(r["e"] == 1000.0);
  CHECK(r["e"].is_number_float());
  CHECK(r["d"] == 0.5);
  CHECK(r["t"] == true);
  CHECK(r["T"] == true);
  CHECK(r["F"] == false);
  CHECK(r["z"].is_null());
  CHECK(r["nl"].is_null());
  CHECK(r["empty"].is_null());
  CHECK(r["s"] == "hello");
  CHECK(r["v"] == "1.2.3");
  CHECK(r["yes"] == "yes");
  CHECK(r["hex"] == "0x1f");
  CHECK(r["big"].is_number_unsigned());
}

TEST_CASE("quoted and explicitly tagged scalars are strings") {
  auto doc = parse_document("a: \"1\"\nb: 'true'\nc: \"null\"\nd: !!str 3\ne: |\n  text\nf: ''\n",
                            "t.yml");
  const json& r = doc->root;
  CHECK(r["a"] == "1");
  CHECK(r["b"] == "true");
  CHECK(r["c"] == "null");
  CHECK(r["d"] == "3");
  CHECK(r["e"] == "text\n");
  CHECK(r["f"] == "");
}

TEST_CASE("maps and lists nest, positions are recorded for values and keys") {
  auto doc = parse_document(
      "name: s\n"
      "testcases:\n"
      "- name: one\n"
      "  steps:\n"
      "  - type: mqtt\n"
      "    topics: [\"a\", b]\n",
      "suite.yml");
  CHECK(doc->root["testcases"][0]["steps"][0]["topics"] == json::array({"a", "b"}));
  position v = doc->value_at(ptr("/testcases/0/steps/0/topics/1"));
  CHECK(v.file == "suite.yml");
  CHECK(v.line == 6);
  CHECK(v.column == 19);
  position k = doc->key_at(ptr("/testcases/0/steps/0/topics"));
  CHECK(k.line == 6);
  CHECK(k.column == 5);
  position step = doc->value_at(ptr("/testcases/0/steps/0"));
  CHECK(step.line == 5);
  CHECK(step.column == 5);
  position name = doc->value_at(ptr("/name"));
  CHECK(name.line == 1);
  CHECK(name.column == 7);
  CHECK(doc->lines.size() == 6);
  CHECK(doc->lines[4] == "  - type: mqtt");
}

TEST_CASE("value_at and key_at fall back to the nearest parent with a mark") {
  auto doc = parse_document("a:\n  b: 1\n", "t.yml");
  position missing = doc->value_at(ptr("/a/nope/deeper"));
  CHECK(missing.line == 2);
  CHECK(missing.column == 3);
  position no_key = doc->key_at(ptr("/a/nope"));
  CHECK(no_key.line == 2);
  position root_key = doc->key_at(ptr(""));
  CHECK(root_key.line == 1);
}

TEST_CASE("an empty value points at its key, a written null at itself") {
  auto doc = parse_document("a:\nb: 2\nc:\n  ~\n", "t.yml");
  position a = doc->value_at(ptr("/a"));
  CHECK(a.line == 1);
  CHECK(a.column == 1);
  position c = doc->value_at(ptr("/c"));
  CHECK(c.line == 4);
  CHECK(c.column == 3);
}

TEST_CASE("keys with slashes and tildes are escaped in pointers") {
  auto doc = parse_document("\"a/b\":\n  \"c~d\": 1\n", "t.yml");
  CHECK(doc->root["a/b"]["c~d"] == 1);
  CHECK(doc->value_at(ptr("/a~1b/c~0d")).line == 2);
  CHECK(doc->key_at(ptr("/a~1b/c~0d")).column == 3);
}

TEST_CASE("duplicate keys are config errors at the second key") {
  CHECK(error_text([] { parse_document("x: 1\ny: 2\nx: 3\n", "d.yml"); }) ==
        "d.yml:3:1: duplicate key \"x\" (first at line 1)\n"
        "    x: 3\n"
        "    ^");
  CHECK(error_text([] { parse_document("a:\n  - k: 1\n    k: 2\n", "d.yml"); }) ==
        "d.yml:3:5: duplicate key \"k\" (first at line 2)\n"
        "        k: 2\n"
        "        ^");
}

TEST_CASE("document::error adds the source line and a caret") {
  auto doc = parse_document("a: 1\nbb: 2\n", "e.yml");
  config_error e = doc->error({"e.yml", 2, 5}, "bad value");
  CHECK(std::string(e.what()) == "e.yml:2:5: bad value\n    bb: 2\n        ^");
  CHECK(e.message() == "bad value");
  CHECK(e.where().line == 2);
  config_error outside = doc->error({"e.yml", 9, 1}, "past the end");
  CHECK(std::string(outside.what()) == "e.yml:9:1: past the end");
}

TEST_CASE("locator maps pointers to value positions") {
  auto doc = parse_document("a:\n  - 1\n  - 2\n", "l.yml");
  locate_fn locate = doc->locator();
  position p = locate(ptr("/a/1"));
  CHECK(p.line == 3);
  CHECK(p.column == 5);
}

TEST_CASE("parse_document of empty text is a null document") {
  auto doc = parse_document("", "--var x");
  CHECK(doc->root.is_null());
}

TEST_CASE("load_document reads a file") {
  temp_dir dir;
  std::string path = dir.write("s.yml", "name: x\nvars:\n  a: 1\n");
  auto doc = load_document(path);
  CHECK(doc->file == path);
  CHECK(doc->root["vars"]["a"] == 1);
  CHECK(doc->value_at(ptr("/vars/a")).file == path);
}

TEST_CASE("load_document errors") {
  temp_dir dir;
  SUBCASE("missing file") {
    std::string path = (dir.path / "nope.yml").string();
    CHECK(error_text([&] { load_document(path); }) ==
          path + ": cannot read file: No such file or directory");
  }
  SUBCASE("a directory") {
    std::string path = dir.path.string();
    CHECK(error_text([&] { load_document(path); }) == path + ": cannot read file: Is a directory");
  }
  SUBCASE("empty file") {
    std::string path = dir.write("empty.yml", "");
    CHECK(error_text([&] { load_document(path); }) == path + ":1:1: empty suite file");
  }
  SUBCASE("only comments and blank lines") {
    std::string path = dir.write("comments.yml", "# nothing\n\n   \n");
    CHECK(error_text([&] { load_document(path); }) ==
          path + ":1:1: empty suite file\n    # nothing\n    ^");
  }
  SUBCASE("YAML syntax error") {
    std::string path = dir.write("bad.yml", "name: x\ntestcases: b: c\n");
    CHECK(error_text([&] { load_document(path); }) ==
          path +
              ":2:13: YAML syntax error: illegal map value\n"
              "    testcases: b: c\n"
              "                ^");
  }
  SUBCASE("unclosed flow sequence") {
    std::string path = dir.write("flow.yml", "a: [1, 2\n");
    CHECK(error_text([&] { load_document(path); }) ==
          path +
              ":1:9: YAML syntax error: end of sequence flow not found\n"
              "    a: [1, 2\n"
              "            ^");
  }
  SUBCASE("two documents") {
    std::string path = dir.write("two.yml", "a: 1\n---\nb: 2\n");
    CHECK(error_text([&] { load_document(path); }) ==
          path +
              ":3:1: a suite file holds one YAML document, found a second one\n"
              "    b: 2\n"
              "    ^");
  }
  SUBCASE("non-scalar map key") {
    std::string path = dir.write("key.yml", "? [a, b]\n: 1\n");
    std::string text = error_text([&] { load_document(path); });
    CHECK(text.rfind(path + ":1:3: map keys must be scalars", 0) == 0);
  }
}

TEST_CASE("YAML merge keys fill in what the map does not set") {
  auto doc = parse_document(
      "base: &base\n"
      "  addrs: tcp://h:1\n"
      "  qos: 0\n"
      "extra: &extra\n"
      "  qos: 2\n"
      "  clientId: x\n"
      "step:\n"
      "  <<: [*base, *extra]\n"
      "  qos: 1\n",
      "m.yml");
  CHECK(doc->root["step"] == json{{"addrs", "tcp://h:1"}, {"qos", 1}, {"clientId", "x"}});
  CHECK(doc->value_at(ptr("/step/addrs")).line == 2);
  CHECK(doc->key_at(ptr("/step/clientId")).line == 6);
  CHECK(doc->value_at(ptr("/step/qos")).line == 9);
  CHECK(error_text([] { parse_document("a:\n  <<: 1\n", "m.yml"); }) ==
        "m.yml:2:3: a merge key \"<<\" needs a map or a list of maps\n"
        "      <<: 1\n"
        "      ^");
  auto quoted = parse_document("a:\n  \"<<\": 1\n", "m.yml");
  CHECK(quoted->root["a"]["<<"] == 1);
}
