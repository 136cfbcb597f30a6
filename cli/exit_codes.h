#pragma once

#include <string>

namespace mqttest {

/// The exit statuses of every mqttest command, in one place.
enum exit_code : int {
  exit_passed = 0,        ///< all tests passed
  exit_failed = 1,        ///< an assertion failed, a step reported an error, or tests ran
                          ///< but a report file could not be written
  exit_usage = 2,         ///< usage, config or suite load error: nothing ran
  exit_interrupted = 130  ///< SIGINT/SIGTERM: reports still written
};

/// The exit statuses, as `mqttest --help`, `help` and `run --help` end with them.
inline std::string exit_status_footer() {
  return "Exit status: 0 all passed, 1 a test failed or a report was not written, 2 usage/config/\n"
         "load error (nothing ran), 130 interrupted (reports still written).";
}

/// The same for pub, sub and queue.
inline std::string step_exit_status_footer() {
  return "Exit status: 0 the step succeeded and every --assert passed, 1 it failed or an\n"
         "assertion failed, 2 usage error (bad flag or value, nothing ran), 130 interrupted.";
}

}  // namespace mqttest
