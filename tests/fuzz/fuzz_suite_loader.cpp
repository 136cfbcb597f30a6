// The suite loader (executor/suite/loader.h): YAML text -> a validated suite,
// with the MQTT step kind. load_suite reads a file, so each input is written to
// s.yml in a private directory (no lib/ beside it: no user executors).
#include <unistd.h>

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
  {
    std::ofstream out(suite_file(), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    (void)load_suite(suite_file().string(), kinds);
  } catch (const config_error& e) {
    // Error texts go into JSON and XML reports, whatever bytes the file holds.
    fuzz::check_dumpable(e.what(), "a load error");
  }
  return 0;
}
