#include "executor/lang/secrets.h"

#include <doctest/doctest.h>

#include "executor/engine/report.h"

using namespace mqttest;
using nlohmann::json;

TEST_CASE("secret values are replaced everywhere in a case report") {
  secret_mask mask;
  CHECK(mask.empty());
  mask.add("hunter2");
  mask.add("");
  mask.add(nullptr);
  mask.add(123456);
  CHECK(mask.apply(std::string("pw=hunter2, again hunter2")) == "pw=****, again ****");
  CHECK(mask.apply(json{{"a", {"x hunter2", 123456, 7}}, {"hunter2", 1}}) ==
        json{{"a", {"x ****", "****", 7}}, {"****", 1}});

  case_report c;
  c.name = "case hunter2";
  step_report step;
  step.name = "s";
  step.error = "bad password hunter2";
  step.info = {"info hunter2"};
  step.result = {{"payload", "hunter2"}};
  assertion_outcome outcome;
  outcome.text = "result.payload ShouldEqual hunter2";
  outcome.expected = "\"hunter2\"";
  outcome.actual = "\"hunter2x\"";
  outcome.message = "hunter2";
  step.assertions.push_back(outcome);
  c.steps.push_back(step);
  mask_report(mask, c);
  CHECK(c.name == "case ****");
  const step_report& s = c.steps[0];
  CHECK(s.error == "bad password ****");
  CHECK(s.info[0] == "info ****");
  CHECK(s.result["payload"] == "****");
  CHECK(s.assertions[0].text == "result.payload ShouldEqual ****");
  CHECK(s.assertions[0].expected == "\"****\"");
  CHECK(s.assertions[0].actual == "\"****x\"");
  CHECK(s.assertions[0].message == "****");
}

TEST_CASE("password and keyPassword fields at any depth are secrets") {
  secret_mask mask;
  mask.add_passwords(json{{"addrs", "tcp://x"},
                          {"Password", "p1"},
                          {"tls", {{"keyPassword", "k2"}, {"ca", "file"}}},
                          {"list", {{{"password", "p3"}}}}});
  CHECK(mask.apply(std::string("p1 k2 p3 tcp://x file")) == "**** **** **** tcp://x file");
}

TEST_CASE("longer secrets are masked before shorter ones they contain") {
  secret_mask mask;
  mask.add("abc");
  mask.add("abcdef");
  CHECK(mask.apply(std::string("abcdef abc")) == "**** ****");
}

TEST_CASE("a secret is masked also JSON-escaped, in upper and lower case and in base64") {
  secret_mask mask;
  mask.add(R"(pa"ss\word)");
  // How an assertion renders it: JSON text with the quote and backslash escaped.
  CHECK(mask.apply(json(R"(x pa"ss\word y)").dump()) == R"("x **** y")");
  CHECK(mask.apply(std::string(R"(PA"SS\WORD and pa"ss\word)")) == "**** and ****");
  CHECK(mask.apply(std::string("cGEic3Ncd29yZA==")) == "****");  // b64enc
}

TEST_CASE("the password of user:password@ in addrs is a secret") {
  secret_mask mask;
  mask.add_passwords(json{{"addrs", "tcp://alice:s3cret@broker:1883"}});
  CHECK(mask.apply(std::string("connect to tcp://alice:s3cret@broker:1883 failed")) ==
        "connect to tcp://alice:****@broker:1883 failed");
  secret_mask none;
  none.add_passwords(json{{"addrs", "tcp://broker:1883/path@x"}});
  CHECK(none.empty());
}
