#pragma once

namespace mqttest {

/// The exit statuses of every mqttest command, in one place.
enum exit_code : int {
  exit_passed = 0,       ///< all tests passed
  exit_failed = 1,       ///< an assertion failed or a step reported an error
  exit_usage = 2,        ///< usage, config or suite load error: nothing ran
  exit_interrupted = 130 ///< SIGINT/SIGTERM: reports still written
};

}  // namespace mqttest
