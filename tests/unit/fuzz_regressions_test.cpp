// Inputs the fuzzers in tests/fuzz/ found, each minimised, with what must hold.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "executor/core/document.h"
#include "executor/core/errors.h"
#include "executor/lang/templating.h"
#include "executor/suite/loader.h"
#include "steps/mqtt/codecs.h"
#include "steps/mqtt/mqtt_config.h"
#include "steps/mqtt/mqtt_step.h"
#include "steps/registry.h"

using namespace mqttest;
using nlohmann::json;

namespace {

/// What every text mqttest reports must be: valid UTF-8, so JSON can hold it.
bool dumpable(const json& value) {
  try {
    (void)value.dump();
    return true;
  } catch (const json::exception&) {
    return false;
  }
}

/// The what() of the config_error `f` throws; "<no error>" when it throws none.
std::string config_error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const config_error& e) {
    return e.what();
  }
  return "<no error>";
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

/// The load error of a suite file holding exactly `bytes`.
std::string load_error(const std::string& bytes) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "mqttest-fuzzreg-XXXXXX").string();
  REQUIRE(::mkdtemp(pattern.data()) != nullptr);
  std::filesystem::path dir = pattern;
  std::ofstream(dir / "s.yml", std::ios::binary) << bytes;
  static const step_registry kinds{&mqtt_step_kind};
  std::string text = config_error_of([&] { (void)load_suite((dir / "s.yml").string(), kinds); });
  std::filesystem::remove_all(dir);
  std::string prefix = dir.string() + "/";
  return text.starts_with(prefix) ? text.substr(prefix.size()) : text;
}

std::string subscriber_suite(const std::string& extra) {
  return "name: s\ntestcases:\n- name: c\n  steps:\n  - type: mqtt\n"
         "    addrs: tcp://127.0.0.1:1883\n    clientType: subscriber\n    topics: [a]\n" +
         extra;
}

}  // namespace

TEST_CASE("fuzz_codec_cbor: an array claiming 0x4343434343434343 elements decodes to null") {
  // CBOR major type 4 with an 8-byte length: nlohmann's DOM parser throws
  // out_of_range.408 ("excessive array size") although exceptions are off.
  const std::string bytes("\x9b\x43\x43\x43\x43\x43\x43\x43\x43", 9);
  CHECK(decode_payload(bytes, codec::cbor).is_null());
}

TEST_CASE("fuzz_codec_cbor/msgpack: text strings that are not UTF-8 decode with U+FFFD") {
  // Before: the decoded value held the raw bytes and dump() threw type_error 316.
  const std::string cbor_text("\x62\xff\x41", 3);        // text(2) ff 'A'
  const std::string cbor_key("\xa1\x61\xfe\x01", 4);     // {text(1) fe: 1}
  const std::string msgpack_text("\xa2\xff\x41", 3);     // fixstr(2) ff 'A'
  const std::string msgpack_key("\x81\xa1\xfe\x01", 4);  // {fixstr(1) fe: 1}
  CHECK(decode_payload(cbor_text, codec::cbor) ==
        "\xEF\xBF\xBD"
        "A");
  CHECK(decode_payload(msgpack_text, codec::msgpack) ==
        "\xEF\xBF\xBD"
        "A");
  CHECK(decode_payload(cbor_key, codec::cbor) == json{{"\xEF\xBF\xBD", 1}});
  CHECK(decode_payload(msgpack_key, codec::msgpack) == json{{"\xEF\xBF\xBD", 1}});
  // Re-encoding what was decoded is stable (what fuzz_codec checks).
  json once = decode_payload(cbor_text, codec::cbor);
  CHECK(decode_payload(encode_payload(once, codec::cbor), codec::cbor) == once);
}

TEST_CASE("fuzz_suite_loader: a number beyond a double's range stays text, not an abort") {
  auto doc = parse_document(
      "a: 1e999\nb: -1e-999\nc: +000000000000000000000000000000000000000002000000000222e5000000\n"
      "d: 1.5e3\n",
      "s.yml");
  CHECK(doc->root["a"] == "1e999");
  CHECK(doc->root["b"] == "-1e-999");
  CHECK(doc->root["c"] == "+000000000000000000000000000000000000000002000000000222e5000000");
  CHECK(doc->root["d"] == 1500.0);
}

TEST_CASE("fuzz_suite_loader: a byte that is not UTF-8 inside a boolean is a load error in UTF-8") {
  std::string message =
      load_error(subscriber_suite("    retained: tr\x82"
                                  "e\n"));
  CHECK(first_line(message) == "s.yml:9:15: value is not valid UTF-8 (byte 0x82 at offset 2)");
  CHECK(dumpable(message));
}

TEST_CASE("fuzz_suite_loader: a field value that is not UTF-8 after expansion is named in UTF-8") {
  // At run time a template can put any bytes of a variable into a field.
  json fields = {{"addrs", "tcp://127.0.0.1:1883"},
                 {"clientType", "subscriber"},
                 {"topics", {"a"}},
                 {"persistSubscription",
                  "tr\x82"
                  "e"}};
  std::string message = config_error_of([&] {
    parse_mqtt_config(fields, [](const json::json_pointer&) { return position{"s.yml", 9, 5}; });
  });
  CHECK(message ==
        "s.yml:9:5: \"persistSubscription\" must be true or false, got \"tr\xEF\xBF\xBD"
        "e\"");
  CHECK(dumpable(message));
}

TEST_CASE("fuzz_template: a helper argument that is not UTF-8 is a template error in UTF-8") {
  // Before: `{{ randNumeric "\xae" }}` threw json type_error 316 out of expand.
  std::string message;
  try {
    (void)expand("{{ randNumeric \"\xae\" }}", json::object());
  } catch (const template_error& e) {
    message = e.what();
  }
  CHECK(message == "randNumeric: expects a number, got a string (\"\xEF\xBF\xBD\")");
  CHECK(dumpable(message));
  // toJSON of bytes that are not UTF-8 (b64dec makes them) is JSON text too.
  CHECK(dumpable(expand("{{ \"/w==\" | b64dec | toJSON }}", json::object())));
}

TEST_CASE("fuzz_template: an unexpected multi-byte character is quoted whole") {
  // Before: the lexer quoted its first byte alone, "\xd2".
  std::string message;
  try {
    check_template("{{\xd2\x90s}}");
  } catch (const template_error& e) {
    message = e.what();
  }
  CHECK(message == "unexpected \"\xd2\x90\" in template \"{{\xd2\x90s}}\"");
  CHECK(dumpable(message));
}

TEST_CASE("fuzz_suite_loader: a UTF-16 or UTF-32 file is refused as such, in UTF-8") {
  // Before: yaml-cpp read it as UTF-32 and its errors quoted bytes that are not UTF-8.
  std::string utf32("\x1c\0\0\0n\0\0\0", 8);
  std::string message = load_error(utf32);
  CHECK(
      first_line(message) ==
      "s.yml:1:2: NUL byte in the file: a suite is UTF-8 text (is this a UTF-16 or binary file?)");
  CHECK(dumpable(message));
  std::string utf16_bom("\xff\xfen\0a\0m\0e\0:\0 \0x\0\n\0", 18);
  message = load_error(utf16_bom);
  CHECK(first_line(message) ==
        "s.yml:1:1: the file starts with a UTF-16 or UTF-32 byte order mark: a suite is UTF-8 text "
        "(convert it, e.g. with iconv -t UTF-8)");
  CHECK(dumpable(message));
}

TEST_CASE("fuzz_suite_loader: a NUL byte in the file is a load error at its place") {
  // Before: yaml-cpp read past the NUL and quoted `ype_\x1f\xa0`.
  std::string message = load_error(subscriber_suite(std::string("    t\0pe_\x1f: x\n", 14)));
  CHECK(
      first_line(message) ==
      "s.yml:9:6: NUL byte in the file: a suite is UTF-8 text (is this a UTF-16 or binary file?)");
  // The source line is shown whole, the NUL as U+2400, the caret under it.
  CHECK(message.find("\n        t\xE2\x90\x80pe_\x1f: x\n         ^") != std::string::npos);
  CHECK(dumpable(message));
}

TEST_CASE("fuzz_assertion: a stray top-level comma ends as a syntax error, not endless documents") {
  std::string message = config_error_of([] { (void)parse_document(",", "s.yml"); });
  CHECK(first_line(message).starts_with("s.yml:1:1: YAML syntax error"));
}
