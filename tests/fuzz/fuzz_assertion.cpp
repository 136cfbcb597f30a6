// Assertions (executor/assert/assertions.h): parsing, as command-line text and
// as a YAML value (blocks), then evaluation against a typical step result.
#include "executor/assert/assertions.h"
#include "executor/core/document.h"
#include "executor/core/errors.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

/// Valid UTF-8 in, valid UTF-8 out: outcomes go into JSON and XML reports.
void evaluate_and_check(const mqttest::assertion& a, bool utf8_input) {
  auto outcome = mqttest::evaluate(a, mqttest::fuzz::sample_data(),
                                   [](const std::string& text) { return text; });
  if (!utf8_input) return;
  mqttest::fuzz::check_dumpable(outcome.expected, "an outcome's expected text");
  mqttest::fuzz::check_dumpable(outcome.actual, "an outcome's actual text");
  mqttest::fuzz::check_dumpable(outcome.message, "an outcome's message");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mqttest;
  std::string text = fuzz::input_text(data, size);
  bool utf8 = fuzz::is_utf8(text);
  try {
    evaluate_and_check(parse_assertion_text(text, position{"fuzz", 1, 1}), utf8);
  } catch (const config_error&) {
  }
  try {
    auto doc = parse_document(text, "fuzz.yml");
    evaluate_and_check(parse_assertion(*doc, nlohmann::json::json_pointer()), utf8);
  } catch (const config_error&) {
  }
  return 0;
}
