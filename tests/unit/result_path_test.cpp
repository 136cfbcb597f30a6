#include "executor/core/result_path.h"

#include <doctest/doctest.h>

using mqttest::lookup_path;
using mqttest::path_lookup;
using mqttest::resolve_path;
using nlohmann::json;

namespace {

const json& sample() {
  static const json data = {{"result",
                             {{"err", "connection refused"},
                              {"timeseconds", 0.25},
                              {"topics", {"a/b", "c/d"}},
                              {"messages", {"{\"c\":1}", "hello"}},
                              {"messagesjson",
                               {{{"c", 1}, {"Name", "x"}, {"list", {10, 11, {20, 21}}}},
                                json::array({json{{"p", "q"}}, {7, 8}}),
                                json::array()}},
                              {"nothing", nullptr},
                              {"flag", true},
                              {"map", json::object()}}}};
  return data;
}

std::optional<json> at(std::string_view path) { return resolve_path(sample(), path); }

}  // namespace

TEST_CASE("resolve_path: Venom's flattened array elements") {
  CHECK(at("result.topics.topics0") == json("a/b"));
  CHECK(at("result.topics.topics1") == json("c/d"));
  CHECK(at("result.messagesjson.messagesjson0.c") == json(1));
  CHECK(at("result.messagesjson.messagesjson0.Name") == json("x"));
  CHECK(at("result.messagesjson.messagesjson0.list.list2.list20") == json(20));
  CHECK(at("result.messagesjson.messagesjson0.list.list2.list21") == json(21));
  CHECK(at("result.messagesjson.messagesjson0.list.list1") == json(11));
  CHECK(at("result.messagesjson.messagesjson1.messagesjson10.p") == json("q"));
  CHECK(at("result.messagesjson.messagesjson1.messagesjson11.messagesjson111") == json(8));
  CHECK(at("result.messagesjson.messagesjson1.messagesjson11") == json({7, 8}));
}

TEST_CASE("resolve_path: the plain bracket form, alone and mixed") {
  CHECK(at("result.topics[1]") == json("c/d"));
  CHECK(at("result.messagesjson[0].c") == json(1));
  CHECK(at("result.messagesjson[0].list[2][1]") == json(21));
  CHECK(at("result.messagesjson[1][1][0]") == json(7));
  CHECK(at("result.messagesjson[0].list.list2.list20") == json(20));
  CHECK(at("result.messagesjson.messagesjson0.list[2].list21") == json(21));
}

TEST_CASE("resolve_path: __Len__ and __Type__") {
  CHECK(at("result.topics.__Len__") == json(2));
  CHECK(at("result.messagesjson.messagesjson0.__Len__") == json(3));
  CHECK(at("result.messagesjson.messagesjson2.__Len__") == json(0));
  CHECK(at("result.messages.messages1.__Len__") == json(5));
  CHECK(at("result.map.__Len__") == json(0));
  CHECK(at("result.__Len__") == json(sample()["result"].size()));
  CHECK(at("result.timeseconds.__Len__") == std::nullopt);
  CHECK(at("result.topics.__Type__") == json("Array"));
  CHECK(at("result.messagesjson.messagesjson0.__Type__") == json("Map"));
  CHECK(at("result.topics.topics0.__Type__") == json("String"));
  CHECK(at("result.timeseconds.__Type__") == json("Number"));
  CHECK(at("result.messagesjson.messagesjson0.c.__Type__") == json("Number"));
  CHECK(at("result.flag.__Type__") == json("Bool"));
  CHECK(at("result.nothing.__Type__") == json("Nil"));
  CHECK(at("result.topics.__Len__.__Type__") == json("Number"));
}

TEST_CASE("resolve_path: an exact key wins, else the one key equal ignoring case (Venom 1.x)") {
  CHECK(at("result.TimeSeconds") == json(0.25));
  CHECK(at("result.Topics.topics0") == json("a/b"));
  CHECK(at("result.Topics.Topics1") == json("c/d"));
  CHECK(at("Result.topics.topics0") == json("a/b"));
  CHECK(at("result.messagesjson.messagesjson0.name") == json("x"));
  CHECK(at("result.messagesjson.messagesjson0.NAME") == json("x"));
  CHECK(at("result.messagesjson.Messagesjson0") == json(sample()["result"]["messagesjson"][0]));
  CHECK(at("result.messagesjson.messagesjson0.list.List2") == json({20, 21}));
  CHECK(at("result.messagesjson.messagesjson0.list.list2.LIST21") == json(21));
  CHECK(at("result.topics.__len__") == json(2));
  CHECK(at("result.messagesjson.messagesjson0.__type__") == json("Map"));
  json both = {{"result", {{"m", {{"Temp", 1}, {"temp", 2}, {"TEMP", 3}}}}}};
  CHECK(resolve_path(both, "result.m.temp") == json(2));  // exact wins
  CHECK(resolve_path(both, "result.m.Temp") == json(1));
  path_lookup ambiguous = lookup_path(both, "result.m.tEMP");
  CHECK_FALSE(ambiguous.value);
  CHECK(ambiguous.problem ==
        "\"tEMP\" matches several keys ignoring case: \"TEMP\", \"Temp\", \"temp\"");
}

TEST_CASE("lookup_path: a path that resolves to nothing says which segment failed") {
  auto problem = [](std::string_view path) { return lookup_path(sample(), path).problem; };
  CHECK(problem("result.messagesjson.messagesjson0.nmae") ==
        "result.messagesjson.messagesjson0 has no key \"nmae\" (did you mean \"Name\"?)");
  CHECK(problem("result.tpoics.topics0") ==
        "result has no key \"tpoics\" (did you mean \"topics\"?)");
  CHECK(problem("result.topics.topics7") ==
        "result.topics is a list of 2 (elements topics0..topics1), not \"topics7\"");
  CHECK(problem("result.topics[5]") == "result.topics has 2 elements, no [5]");
  CHECK(problem("result.timeseconds.x") == "result.timeseconds is a number, not a map or a list");
  CHECK(problem("result..b") == "\"\" is not a key or key[index]");
  CHECK(lookup_path(sample(), "result.topics.topics1").problem.empty());
}

TEST_CASE("resolve_path: result.err and result.error are the same") {
  CHECK(at("result.err") == json("connection refused"));
  CHECK(at("result.error") == json("connection refused"));
  CHECK(at("result.Error") == json("connection refused"));
  json venom = {{"result", {{"error", ""}}}};
  CHECK(resolve_path(venom, "result.err") == json(""));
  CHECK(resolve_path(venom, "result.error") == json(""));
  json both = {{"result", {{"err", "a"}, {"error", "b"}}}};
  CHECK(resolve_path(both, "result.err") == json("a"));
  CHECK(resolve_path(both, "result.error") == json("b"));
}

TEST_CASE("resolve_path: whole values and nulls are found") {
  CHECK(at("result") == sample()["result"]);
  CHECK(at("result.topics") == json({"a/b", "c/d"}));
  CHECK(at("result.nothing") == json(nullptr));
}

TEST_CASE("resolve_path: missing paths are nullopt") {
  CHECK(at("result.absent") == std::nullopt);
  CHECK(at("other") == std::nullopt);
  CHECK(at("result.topics.topics2") == std::nullopt);
  CHECK(at("result.topics[2]") == std::nullopt);
  CHECK(at("result.topics.topic0") == std::nullopt);
  CHECK(at("result.topics.topicsx") == std::nullopt);
  CHECK(at("result.topics.topics") == std::nullopt);
  CHECK(at("result.topics.topics00") == std::nullopt);
  CHECK(at("result.topics.0") == std::nullopt);
  CHECK(at("result.messagesjson.messagesjson0.c.d") == std::nullopt);
  CHECK(at("result.timeseconds[0]") == std::nullopt);
  CHECK(at("result.topics.topics0.x") == std::nullopt);
  CHECK(at("result.messagesjson.messagesjson0.list.list2.list22") == std::nullopt);
  CHECK(at("result.topics.topics99999999999999999999999") == std::nullopt);
}

TEST_CASE("resolve_path: garbage input never throws") {
  for (std::string_view path : {"",
                                ".",
                                "..",
                                "result.",
                                ".result",
                                "result..topics",
                                "[x]",
                                "[",
                                "]",
                                "[]",
                                "result[",
                                "result.topics[x]",
                                "result.topics[-1]",
                                "result.topics[0",
                                "result.topics]0[",
                                "result.topics[0]x",
                                "result.topics[ 0 ]",
                                "result.topics[99999999999999999999999]",
                                "result.__Type__.__Type__.x",
                                "\xff\xfe",
                                "result.topics[0][0]"}) {
    CAPTURE(path);
    CHECK_NOTHROW(resolve_path(sample(), path));
    CHECK(resolve_path(sample(), path) == std::nullopt);
  }
  CHECK(resolve_path(json(nullptr), "result") == std::nullopt);
  CHECK(resolve_path(json(42), "result.x") == std::nullopt);
  CHECK(resolve_path(json::array({1}), "[0]") == json(1));
}
