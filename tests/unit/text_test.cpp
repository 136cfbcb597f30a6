#include "executor/core/text.h"

#include <doctest/doctest.h>

#include <string_view>
#include <vector>

using mqttest::iequals;
using mqttest::to_lower;

TEST_CASE("to_lower: ASCII letters only, other bytes unchanged") {
  CHECK(to_lower('A') == 'a');
  CHECK(to_lower('Z') == 'z');
  CHECK(to_lower('a') == 'a');
  CHECK(to_lower('@') == '@');  // just below 'A'
  CHECK(to_lower('[') == '[');  // just above 'Z'
  CHECK(to_lower("clientID") == "clientid");
  CHECK(to_lower("Result.Error") == "result.error");
  CHECK(to_lower("") == "");
  CHECK(to_lower("\xC3\x89T\xC3\x89") == "\xC3\x89t\xC3\x89");  // "ÉTÉ": the UTF-8 bytes stay
}

TEST_CASE("iequals: equal but for ASCII case") {
  CHECK(iequals("clientId", "CLIENTID"));
  CHECK(iequals("", ""));
  CHECK(iequals("err", "Err"));
  CHECK_FALSE(iequals("err", "error"));
  CHECK_FALSE(iequals("error", "err"));
  CHECK_FALSE(iequals("qos", "qas"));
  CHECK_FALSE(iequals("a", ""));
  CHECK_FALSE(iequals("[", "{"));  // differ by 0x20 but are not letters
}

TEST_CASE("trim: white space, or the characters given, at both ends") {
  using mqttest::trim;
  CHECK(trim("  a b \t\n") == "a b");
  CHECK(trim("\v\fx\r") == "x");
  CHECK(trim("   ") == "");
  CHECK(trim("") == "");
  CHECK(trim("x") == "x");
  CHECK(trim("\vx\v", " \t\r\n") == "\vx\v");  // Go templates' white space has no \v
  CHECK(trim("--a-b--", "-") == "a-b");
}

TEST_CASE("split: every piece between separators, empty ones kept") {
  using mqttest::split;
  using parts = std::vector<std::string_view>;
  CHECK(split("result.messages.0", '.') == parts{"result", "messages", "0"});
  CHECK(split("a/b/#", '/') == parts{"a", "b", "#"});
  CHECK(split("", '/') == parts{""});
  CHECK(split("/", '/') == parts{"", ""});
  CHECK(split("a//b/", '/') == parts{"a", "", "b", ""});
  CHECK(split("abc", '.') == parts{"abc"});
}
