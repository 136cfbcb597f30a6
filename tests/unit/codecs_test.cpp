#include "steps/mqtt/codecs.h"

#include <doctest/doctest.h>

#include <stdexcept>

#include "steps/mqtt/broker_url.h"
#include "steps/mqtt/topic_filter.h"

namespace {
using json = nlohmann::json;
using mqttest::codec;
}  // namespace

TEST_CASE("codecs: base64 and hex both ways, with errors") {
  CHECK(mqttest::to_base64("") == "");
  CHECK(mqttest::to_base64("f") == "Zg==");
  CHECK(mqttest::to_base64("fo") == "Zm8=");
  CHECK(mqttest::to_base64("foo") == "Zm9v");
  CHECK(mqttest::from_base64("Zm9v YmFy") == "foobar");
  CHECK(mqttest::from_base64("Zg") == "f");
  CHECK(mqttest::from_base64("Z") == std::nullopt);
  CHECK(mqttest::from_base64("Zm9v!") == std::nullopt);
  CHECK(mqttest::from_base64("Zg==Zg") == std::nullopt);
  CHECK(mqttest::to_hex(std::string("\x00\x7f\xff", 3)) == "007fff");
  CHECK(mqttest::from_hex("00 7F ff") == std::string("\x00\x7f\xff", 3));
  CHECK(mqttest::from_hex("abc") == std::nullopt);
  CHECK(mqttest::from_hex("zz") == std::nullopt);
}

TEST_CASE("codecs: encode_payload per encoding") {
  json value = {{"a", 1}};
  CHECK(mqttest::encode_payload("hi", codec::text) == "hi");
  CHECK(mqttest::encode_payload("aGk=", codec::base64) == "hi");
  CHECK(mqttest::encode_payload("6869", codec::hex) == "hi");
  CHECK(mqttest::encode_payload(value, codec::json) == R"({"a":1})");
  auto cbor = json::to_cbor(value);
  CHECK(mqttest::encode_payload(value, codec::cbor) == std::string(cbor.begin(), cbor.end()));
  auto msgpack = json::to_msgpack(value);
  CHECK(mqttest::encode_payload(value, codec::msgpack) ==
        std::string(msgpack.begin(), msgpack.end()));
  CHECK_THROWS_WITH_AS(mqttest::encode_payload("%%", codec::base64), "payload is not valid base64",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(mqttest::encode_payload("123", codec::hex),
                       "payload is not valid hex (an even number of 0-9a-f digits)",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(mqttest::encode_payload(1, codec::text),
                       "encoding text needs a string payload", std::invalid_argument);
}

TEST_CASE("codecs: decode_payload per decoding, undecodable is null") {
  json value = {{"a", {1, 2}}};
  auto cbor = json::to_cbor(value);
  auto msgpack = json::to_msgpack(value);
  CHECK(mqttest::decode_payload(std::string(cbor.begin(), cbor.end()), codec::cbor) == value);
  CHECK(mqttest::decode_payload(std::string(msgpack.begin(), msgpack.end()), codec::msgpack) ==
        value);
  CHECK(mqttest::decode_payload("\xff\xff", codec::cbor).is_null());
  CHECK(mqttest::decode_payload("42", codec::json) == 42);
  CHECK(mqttest::decode_payload("not json", codec::json).is_null());
  CHECK(mqttest::decode_payload("42", codec::text) == "42");
  CHECK(mqttest::decode_payload("hi", codec::base64) == "aGk=");
  CHECK(mqttest::decode_payload("hi", codec::hex) == "6869");
  CHECK(mqttest::decode_payload("a\xff", codec::text) == "a\xEF\xBF\xBD");
}

TEST_CASE("codecs: utf8_text keeps valid text and replaces invalid bytes") {
  CHECK(mqttest::utf8_text("h\xC3\xA9llo") == "h\xC3\xA9llo");
  CHECK(mqttest::utf8_text("\xC3") == "\xEF\xBF\xBD");
  CHECK(mqttest::utf8_text("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(json(mqttest::utf8_text(std::string("\x80\x00z", 3))).dump() == "\"\xEF\xBF\xBD\\u0000z\"");
}

TEST_CASE("broker URLs: schemes, default ports, Paho's spelling") {
  using mqttest::parse_broker_url;
  CHECK(parse_broker_url("tcp://h").paho() == "tcp://h:1883");
  CHECK(parse_broker_url("mqtt://h").paho() == "tcp://h:1883");
  CHECK(parse_broker_url("ssl://h").paho() == "ssl://h:8883");
  CHECK(parse_broker_url("mqtts://h:1234").paho() == "ssl://h:1234");
  CHECK(parse_broker_url("ws://h").paho() == "ws://h:80");
  CHECK(parse_broker_url("wss://h/mqtt").paho() == "wss://h:443/mqtt");
  CHECK(parse_broker_url("ws://[::1]:9001/x").paho() == "ws://[::1]:9001/x");
  auto url = parse_broker_url("MQTTS://broker.example:8884");
  CHECK(url.host == "broker.example");
  CHECK(url.port == "8884");
  CHECK(url.tls);
  CHECK_FALSE(url.websocket);
}

TEST_CASE("broker URLs: user:password@ credentials, percent-decoded, never in Paho's URL") {
  using mqttest::parse_broker_url;
  auto url = parse_broker_url("tcp://alice:won%40der%3Aland@127.0.0.1:1884");
  CHECK(url.username == "alice");
  CHECK(url.password == "won@der:land");
  CHECK(url.host == "127.0.0.1");
  CHECK(url.paho() == "tcp://127.0.0.1:1884");
  auto user_only = parse_broker_url("ws://bob@h/mqtt");
  CHECK(user_only.username == "bob");
  CHECK_FALSE(user_only.password.has_value());
  CHECK(user_only.paho() == "ws://h:80/mqtt");
  CHECK_FALSE(parse_broker_url("tcp://h:1883").username.has_value());
  CHECK(mqttest::without_password("tcp://alice:secret@h:1883") == "tcp://alice:****@h:1883");
  CHECK(mqttest::without_password("tcp://bob@h:1883") == "tcp://bob@h:1883");
  CHECK(mqttest::without_password("ws://h:80/a:b@c") == "ws://h:80/a:b@c");
  CHECK(mqttest::broker_url_problem("tcp://alice:secret@127.0.0.1:1883") == "");
  // The last '@' ends the user info: a raw '@' in a password stays in it
  // (and out of the host), and is masked whole.
  auto raw_at = parse_broker_url("tcp://alice:p@ss@h:1883");
  CHECK(raw_at.password == "p@ss");
  CHECK(raw_at.host == "h");
  CHECK(mqttest::without_password("tcp://alice:p@ss@h:1883") == "tcp://alice:****@h:1883");
  // Found by fuzz_broker_url: a host that held an '@' named another broker in paho().
  std::string found("tc\x95\xd5\0\0@`\0@:71829", 16);
  auto fuzzed = parse_broker_url(found);
  CHECK(parse_broker_url(fuzzed.paho()).host == fuzzed.host);
}

TEST_CASE("shared subscriptions route by the filter after $share/group/") {
  CHECK(mqttest::routed_filter("$share/g/a/#") == "a/#");
  CHECK(mqttest::routed_filter("a/#") == "a/#");
  CHECK(mqttest::routed_filter("$share/g") == "$share/g");
  CHECK(mqttest::routed_filter("$SYS/#") == "$SYS/#");
}
