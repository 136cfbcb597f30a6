#include "executor/core/time.h"

#include <doctest/doctest.h>

#include <ctime>

using mqttest::instant;
using mqttest::parse_rfc3339;

TEST_CASE("parse_rfc3339: instants, offsets and fractions") {
  auto utc = parse_rfc3339("2024-05-01T12:00:00Z");
  REQUIRE(utc);
  CHECK(utc->at == instant{1714564800, 0});
  CHECK(utc->offset == 0);
  CHECK(utc->zulu);

  auto east = parse_rfc3339("2024-05-01T14:00:00+02:00");
  REQUIRE(east);
  CHECK(east->at == utc->at);
  CHECK(east->offset == 7200);
  CHECK_FALSE(east->zulu);

  auto west = parse_rfc3339("2024-05-01T06:30:00-05:30");
  REQUIRE(west);
  CHECK(west->at == utc->at);
  CHECK(west->offset == -(5 * 3600 + 30 * 60));

  auto zero = parse_rfc3339("2024-05-01T12:00:00+00:00");
  REQUIRE(zero);
  CHECK_FALSE(zero->zulu);

  CHECK(parse_rfc3339("2024-05-01T12:00:00.5Z")->at == instant{1714564800, 500000000});
  CHECK(parse_rfc3339("2024-05-01T12:00:00.123456789Z")->at.nanos == 123456789);
  CHECK(parse_rfc3339("2024-05-01T12:00:00.1234567891Z")->at.nanos == 123456789);
  CHECK(parse_rfc3339("2024-05-01 12:00:00z")->at == utc->at);
  CHECK(parse_rfc3339("2024-05-01t12:00:00Z")->at == utc->at);
  CHECK(parse_rfc3339("1970-01-01T00:00:00Z")->at == instant{0, 0});
  CHECK(parse_rfc3339("1969-12-31T23:59:59Z")->at == instant{-1, 0});
  CHECK(parse_rfc3339("2024-02-29T00:00:00Z"));  // a leap year
  CHECK(parse_rfc3339("2000-02-29T00:00:00Z"));  // divisible by 400
}

TEST_CASE("parse_rfc3339: not RFC 3339, or a field out of range") {
  for (const char* text : {"",
                           "2024-05-01",
                           "2024-05-01T12:00:00",
                           "2024-05-01T12:00Z",
                           "2024-05-01X12:00:00Z",
                           "2024-5-01T12:00:00Z",
                           "2024-05-01T12:00:00.Z",
                           "2024-05-01T12:00:00+0200",
                           "2024-05-01T12:00:00+02",
                           "2024-05-01T12:00:00Z ",
                           "2024-13-01T12:00:00Z",
                           "2024-00-01T12:00:00Z",
                           "2023-02-29T00:00:00Z",
                           "1900-02-29T00:00:00Z",
                           "2024-04-31T00:00:00Z",
                           "2024-05-01T24:00:00Z",
                           "2024-05-01T12:60:00Z",
                           "2024-05-01T12:00:60Z",
                           "2024-05-01T12:00:00+24:00",
                           "abcd-05-01T12:00:00Z"}) {
    CAPTURE(text);
    CHECK_FALSE(parse_rfc3339(text));
  }
}

TEST_CASE("utc_now: the current second, as RFC 3339 UTC") {
  std::time_t before = std::time(nullptr);
  std::string now = mqttest::utc_now();
  std::time_t after = std::time(nullptr);
  CHECK(now.size() == 20);
  CHECK(now.back() == 'Z');
  auto parsed = parse_rfc3339(now);
  REQUIRE(parsed);
  CHECK(parsed->at.seconds >= before);
  CHECK(parsed->at.seconds <= after);
  CHECK(parsed->at.nanos == 0);
}

TEST_CASE("format_utc: Unix seconds as UTC text, with or without the zone") {
  CHECK(mqttest::format_utc(0) == "1970-01-01T00:00:00Z");
  CHECK(mqttest::format_utc(1714564800) == "2024-05-01T12:00:00Z");
  CHECK(mqttest::format_utc(1714564800, false) == "2024-05-01T12:00:00");
  CHECK(mqttest::format_utc(-1) == "1969-12-31T23:59:59Z");
}
