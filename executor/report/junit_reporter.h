#pragma once

#include <ostream>
#include <string_view>

#include "executor/engine/report.h"

namespace mqttest {

inline constexpr std::string_view junit_file_name = "mqttest-junit.xml";

/// The JUnit document for `run` (Ant's JUnit format); `hostname` goes into
/// every testsuite.
std::string junit_xml(const run_report& run, int verbosity, const std::string& hostname);
/// `mqttest-junit.xml`: junit_xml with this machine's host name.
std::string junit_report(const run_report& run, int verbosity);

}  // namespace mqttest
