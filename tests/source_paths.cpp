// The one test source compiled with absolute paths (tests/CMakeLists.txt).
#include "tests/source_paths.h"

namespace mqttest::testing {

const std::string& source_dir() {
  static const std::string path = MQTTEST_SOURCE_DIR;
  return path;
}

const std::string& mqttest_binary() {
  static const std::string path = MQTTEST_BINARY;
  return path;
}

}  // namespace mqttest::testing
