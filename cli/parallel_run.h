#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "executor/engine/events.h"
#include "executor/engine/report.h"

namespace mqttest {

struct parallel_options {
  int jobs = 2;                         ///< suite files running at once
  std::vector<std::string> child_args;  ///< `run` options every child gets (--var, -v, ...)
  bool stop_on_failure = false;         ///< start no further suite after a failed one
  const std::atomic<bool>* interrupted = nullptr;
};

/// Runs each suite file in its own `mqttest run FILE --event-fd 3` process
/// (the same binary), at most `jobs` at once. Each child streams its events
/// on a pipe; they reach `events` as if one process ran the suites in file
/// order: the events of the first unfinished suite file pass live, the
/// others are held back until their turn, so suites never interleave. (A
/// child's own run_started/run_finished are dropped: `events` gets one run.)
/// A child's stderr is printed after its suite's events. A child that ends
/// before its suite finished yields a failed test case saying so. Every child
/// is a run of its own, hence its own {{.mqttest.runid}}. On interrupt the
/// children get SIGTERM, and what they reported still reaches `events`.
/// Returns the whole run.
run_report run_in_parallel(const std::vector<std::string>& files, const parallel_options& options,
                           reporter& events);

/// `--shard K/N`: the files whose index in the sorted list is K-1 modulo N,
/// in their given order. Throws usage_error for a malformed K/N.
std::vector<std::string> shard_files(const std::vector<std::string>& files,
                                     const std::string& shard);

}  // namespace mqttest
