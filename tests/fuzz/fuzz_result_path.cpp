// Result paths (executor/core/result_path.h) against a typical step result.
#include "executor/core/result_path.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mqttest;
  std::string path = fuzz::input_text(data, size);
  auto found = resolve_path(fuzz::sample_data(), path);
  // A path resolves to a part of the data (or its __Len__/__Type__): nothing new to dump.
  if (found) fuzz::check_dumpable(*found, "a resolved path");
  return 0;
}
