// Template expansion (executor/lang/templating.h): the load-time check and
// expansion against variables of every type.
#include "executor/lang/templating.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mqttest;
  std::string text = fuzz::input_text(data, size);
  if (fuzz::skip_non_utf8(text)) return 0;
  bool checked = true;
  try {
    check_template(text);
  } catch (const template_error&) {
    checked = false;
  }
  try {
    nlohmann::json value = expand(text, fuzz::sample_vars());
    (void)expand_text(text, fuzz::sample_vars());
    // Whatever passes expansion must also pass the load-time check, which
    // knows less (no variables).
    if (!checked) fuzz::fail("expand accepted what check_template rejected", text);
    (void)value;
  } catch (const template_error&) {
  }
  return 0;
}
