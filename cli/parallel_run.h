#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "executor/engine/report.h"

namespace mqttest {

struct parallel_options {
  int jobs = 2;                         ///< suite files running at once
  std::vector<std::string> child_args;  ///< `run` options every child gets (--var, -v, ...)
  bool stop_on_failure = false;         ///< start no further suite after a failed one
  const std::atomic<bool>* interrupted = nullptr;
};

/// Runs each suite file in its own `mqttest run FILE --format json` process
/// (the same binary), at most `jobs` at once. Each child's console output is
/// buffered and printed whole when it ends (stdout and stderr separately), so
/// suites never interleave; the children's JSON reports are merged in file
/// order. A child that leaves no report becomes a failed test case saying so.
/// Every child is a run of its own, hence its own {{.mqttest.runid}}.
/// On interrupt the children get SIGTERM, and their reports are still merged.
run_report run_in_parallel(const std::vector<std::string>& files, const parallel_options& options);

/// `--shard K/N`: the files whose index in the sorted list is K-1 modulo N,
/// in their given order. Throws usage_error for a malformed K/N.
std::vector<std::string> shard_files(const std::vector<std::string>& files,
                                     const std::string& shard);

}  // namespace mqttest
