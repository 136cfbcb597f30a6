#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

namespace mqttest::fuzz {

/// The fuzzer's input as text.
inline std::string input_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// A broken invariant: libFuzzer records the input as a crash.
[[noreturn]] inline void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "invariant broken: %s\n%s\n", what, detail.c_str());
  std::abort();
}

/// Every value mqttest reports ends up in dumped JSON (reporters, -v):
/// dump() must not throw (it does on invalid UTF-8).
inline void check_dumpable(const nlohmann::json& value, const char* what) {
  try {
    (void)value.dump();
  } catch (const nlohmann::json::exception& e) {
    fail(what, e.what());
  }
}

/// True when text is valid UTF-8 (what JSON strings must be).
inline bool is_utf8(const std::string& text) {
  try {
    (void)nlohmann::json(text).dump();
    return true;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

/// A step result like the MQTT kind's, for paths and assertions to read.
inline const nlohmann::json& sample_data() {
  using nlohmann::json;
  static const json data = {
      {"result",
       {{"error", ""},
        {"timeseconds", 0.25},
        {"topics", {"a/b", "c/d"}},
        {"messages", {"{\"c\":1}", "hello world", "42"}},
        {"messagesjson",
         {{{"c", 1}, {"Name", "x"}, {"list", {10, 11, {20, 21}}}},
          json::array({json{{"p", "q"}}, {7, 8}}),
          42}},
        {"details",
         {{{"topic", "a/b"}, {"qos", 1}, {"retained", false}, {"dup", false}, {"payloadSize", 7}}}},
        {"received", 3},
        {"ignored", 0},
        {"granted", {1, 128}},
        {"nothing", nullptr},
        {"flag", true},
        {"when", "2024-05-01T12:00:00Z"},
        {"jsontext", R"([{"id":1,"kind":"a"},{"id":2,"kind":"a"}])"},
        {"big", 9007199254740993LL},
        {"ratio", -1.5e300},
        {"map", {{"k", 1}, {"Key", "v"}}},
        {"emptymap", json::object()}}}};
  return data;
}

/// Variables for templates, with every JSON type.
inline const nlohmann::json& sample_vars() {
  using nlohmann::json;
  static const json vars = {{"addrs", "tcp://localhost:1883"},
                            {"topic", "sensors/1/temp"},
                            {"qos", 1},
                            {"ratio", 0.5},
                            {"on", true},
                            {"none", nullptr},
                            {"nested", {{"inner", {{"x", "deep"}}}, {"n", 7}}},
                            {"list", {"zero", "one"}},
                            {"flat.name", "flattened"},
                            {"when", "2024-05-01T12:00:00Z"},
                            {"result", sample_data()["result"]}};
  return vars;
}

}  // namespace mqttest::fuzz
