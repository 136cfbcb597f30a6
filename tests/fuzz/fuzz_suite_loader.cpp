// The suite loader (executor/suite/loader.h): YAML text -> a validated suite,
// with the MQTT step kind. load_suite reads a file, so each input is written to
// s.yml in a private directory (no lib/ beside it: no user executors).
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "executor/core/errors.h"
#include "executor/suite/loader.h"
#include "steps/mqtt/mqtt_step.h"
#include "steps/registry.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

/// The directory lives as long as the process; removed at exit.
const std::filesystem::path& suite_file() {
  static const std::filesystem::path file = [] {
    std::string pattern = (std::filesystem::temp_directory_path() / "mqttest-fuzz-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    static const std::filesystem::path dir = pattern;
    std::atexit([] { std::filesystem::remove_all(dir); });
    return dir / "s.yml";
  }();
  return file;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mqttest;
  static const step_registry kinds{&mqtt_step_kind};
  std::string text = fuzz::input_text(data, size);
  // A NUL byte makes yaml-cpp read UTF-16/UTF-32 (among the first 4 bytes) or
  // read past it, and its errors then quote bytes that are not UTF-8
  // (`\x1c\0\0\0...`, `ype_\x1f\0_` -> "ype_\x1f\xa0"): the same open class
  // as skip_non_utf8.
  if (fuzz::yaml_cpp_loops(text) || fuzz::skip_non_utf8(text) ||
      text.find('\0') != std::string::npos)
    return 0;
  {
    std::ofstream out(suite_file(), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    (void)load_suite(suite_file().string(), kinds);
  } catch (const config_error& e) {
    // Error texts go into JSON and XML reports. Checked for ASCII input only
    // while one open bug stands: the template lexer quotes one byte of a
    // multi-byte character (`{{\xd2\x90s}}` -> unexpected "\xd2").
    bool ascii = std::all_of(text.begin(), text.end(),
                             [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (ascii) fuzz::check_dumpable(e.what(), "a load error");
  }
  return 0;
}
