// Template expansion (executor/lang/templating.h): the load-time check and
// expansion against variables of every type.
#include "executor/lang/templating.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mqttest;
  std::string text = fuzz::input_text(data, size);
  bool utf8 = fuzz::is_utf8(text);
  bool checked = true;
  try {
    check_template(text);
  } catch (const template_error& e) {
    checked = false;
    // Valid UTF-8 in, valid UTF-8 out: load errors go into reports.
    if (utf8) fuzz::check_dumpable(e.what(), "a template error");
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
