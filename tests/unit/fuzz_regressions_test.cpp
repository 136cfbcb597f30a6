// Inputs the fuzzers in tests/fuzz/ found, each minimised, with what must hold.
#include <doctest/doctest.h>

#include <string>

#include "steps/mqtt/codecs.h"

using namespace mqttest;

TEST_CASE("fuzz_codec_cbor: an array claiming 0x4343434343434343 elements decodes to null") {
  // CBOR major type 4 with an 8-byte length: nlohmann's DOM parser throws
  // out_of_range.408 ("excessive array size") although exceptions are off.
  const std::string bytes("\x9b\x43\x43\x43\x43\x43\x43\x43\x43", 9);
  CHECK(decode_payload(bytes, codec::cbor).is_null());
}
