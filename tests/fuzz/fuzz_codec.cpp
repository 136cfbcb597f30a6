// One payload codec (steps/mqtt/codecs.h), chosen at build time: fuzz_codec_<name>
// is built with MQTTEST_FUZZ_CODEC="<name>". Received bytes are decoded as a
// subscriber's `decode:` does; a publisher's `encoding:` must read back what
// was decoded.
#include <stdexcept>

#include "steps/mqtt/codecs.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using mqttest::codec;
using nlohmann::json;

const codec fuzzed = *mqttest::find_codec(MQTTEST_FUZZ_CODEC);

/// base64 / hex: the result shows bytes in a spelling that the publisher's
/// encoding turns back into the same bytes; text as the publisher writes it
/// decodes to its bytes or is rejected.
void check_spelling(const std::string& bytes) {
  json shown = mqttest::decode_payload(bytes, fuzzed);
  if (mqttest::encode_payload(shown, fuzzed) != bytes)
    mqttest::fuzz::fail("encode(decode(bytes)) != bytes", shown.dump());
  std::string sent;
  try {
    sent = mqttest::encode_payload(json(bytes), fuzzed);
  } catch (const std::invalid_argument&) {
    return;
  }
  if (mqttest::encode_payload(mqttest::decode_payload(sent, fuzzed), fuzzed) != sent)
    mqttest::fuzz::fail("the bytes of an accepted spelling do not round-trip", bytes);
}

/// cbor / msgpack / json: whatever is decoded goes into the result JSON, so
/// it must dump; encoding it must be stable (decode(encode(v)) encodes the same).
void check_structured(const std::string& bytes) {
  json value = mqttest::decode_payload(bytes, fuzzed);
  mqttest::fuzz::check_dumpable(value, "a decoded payload");
  if (fuzzed == codec::json) return;  // json is a decode-only codec
  std::string once = mqttest::encode_payload(value, fuzzed);
  std::string twice = mqttest::encode_payload(mqttest::decode_payload(once, fuzzed), fuzzed);
  if (once != twice) mqttest::fuzz::fail("encoding a decoded value is not stable", value.dump());
}

/// text: received bytes become valid UTF-8, unchanged when they were.
void check_text(const std::string& bytes) {
  json shown = mqttest::decode_payload(bytes, fuzzed);
  mqttest::fuzz::check_dumpable(shown, "a payload shown as text");
  if (mqttest::fuzz::is_utf8(bytes) && shown != bytes)
    mqttest::fuzz::fail("valid UTF-8 changed by the text codec", bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes = mqttest::fuzz::input_text(data, size);
  switch (fuzzed) {
    case codec::base64:
    case codec::hex:
      check_spelling(bytes);
      break;
    case codec::text:
      check_text(bytes);
      break;
    case codec::cbor:
    case codec::msgpack:
    case codec::json:
      check_structured(bytes);
      break;
  }
  return 0;
}
