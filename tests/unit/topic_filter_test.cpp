#include "steps/mqtt/topic_filter.h"

#include <doctest/doctest.h>

using mqttest::topic_filter_problem;
using mqttest::topic_matches;
using mqttest::topic_name_problem;

TEST_CASE("topic_matches: exact filters") {
  CHECK(topic_matches("a/b", "a/b"));
  CHECK_FALSE(topic_matches("a/b", "a/b/c"));
  CHECK_FALSE(topic_matches("a/b", "a"));
  CHECK_FALSE(topic_matches("a/b", "A/b"));
  CHECK(topic_matches("/", "/"));
  CHECK_FALSE(topic_matches("", "a"));
  CHECK_FALSE(topic_matches("a", ""));
}

TEST_CASE("topic_matches: + is exactly one level, possibly empty") {
  CHECK(topic_matches("a/+", "a/b"));
  CHECK(topic_matches("a/+", "a/"));
  CHECK_FALSE(topic_matches("a/+", "a"));
  CHECK_FALSE(topic_matches("a/+", "a/b/c"));
  CHECK(topic_matches("+/+", "/x"));
  CHECK(topic_matches("+/b/+", "a/b/c"));
  CHECK(topic_matches("+", "a"));
  CHECK_FALSE(topic_matches("+", "a/b"));
}

TEST_CASE("topic_matches: # matches the parent level and everything below") {
  CHECK(topic_matches("#", "a"));
  CHECK(topic_matches("#", "a/b/c"));
  CHECK(topic_matches("#", "/"));
  CHECK(topic_matches("a/#", "a"));
  CHECK(topic_matches("a/#", "a/b"));
  CHECK(topic_matches("a/#", "a/b/c"));
  CHECK_FALSE(topic_matches("a/#", "ab"));
  CHECK_FALSE(topic_matches("a/#", "b/a"));
  CHECK(topic_matches("+/#", "a/b/c"));
}

TEST_CASE("topic_matches: $-topics are not matched by a first-level wildcard") {
  CHECK_FALSE(topic_matches("#", "$SYS/broker/uptime"));
  CHECK_FALSE(topic_matches("+/broker/uptime", "$SYS/broker/uptime"));
  CHECK(topic_matches("$SYS/#", "$SYS/broker/uptime"));
  CHECK(topic_matches("$SYS/+/uptime", "$SYS/broker/uptime"));
  CHECK(topic_matches("a/#", "a/$b"));
}

TEST_CASE("topic_filter_problem") {
  CHECK(topic_filter_problem("a/+/#") == "");
  CHECK(topic_filter_problem("#") == "");
  CHECK(topic_filter_problem("") == "a topic filter must not be empty");
  CHECK(topic_filter_problem("a/#/b") == "\"#\" must be a whole level and the last one");
  CHECK(topic_filter_problem("a#") == "\"#\" must be a whole level and the last one");
  CHECK(topic_filter_problem("a/b+") == "\"+\" must be a whole level");
}

TEST_CASE("topic_name_problem") {
  CHECK(topic_name_problem("a/b") == "");
  CHECK(topic_name_problem("") == "a topic must not be empty");
  CHECK(topic_name_problem("a/+") == "a topic to publish to must not contain wildcards (+ or #)");
  CHECK(topic_name_problem("a/#") == "a topic to publish to must not contain wildcards (+ or #)");
}
