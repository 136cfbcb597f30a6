// Where the tests find the source tree and this build's mqttest binary.
// Only tests/source_paths.cpp is compiled with these absolute paths, so every
// other test object is the same in any checkout and a fresh clone elsewhere
// takes it from ccache instead of compiling it again.
#pragma once

#include <string>

namespace mqttest::testing {

/// The source tree's root, e.g. source_dir() + "/testsuites/examples".
const std::string& source_dir();
/// This build's mqttest executable (integration tests only).
const std::string& mqttest_binary();

}  // namespace mqttest::testing
