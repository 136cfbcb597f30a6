#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "executor/assert/assertions.h"
#include "executor/core/position.h"
#include "executor/core/time.h"  // utc_now() for started_at
#include "executor/lang/secrets.h"

namespace mqttest {

enum class verdict { passed, failed, skipped };

struct step_report {
  int number = 0;                 ///< 1-based within the test case
  std::string name;               ///< step name, or "<type> <clientType>"
  position where;
  nlohmann::json result;          ///< the step's result JSON
  std::vector<assertion_outcome> assertions;  ///< every evaluated assertion
  std::string error;              ///< result.error, or a template/config problem at run time
  bool error_asserted = false;    ///< an assertion examines result.error itself
  double seconds = 0;
  int tries = 1;                  ///< > 1 when `retry` re-ran the step
  std::vector<std::string> info;  ///< `info:` lines, expanded
  std::string iteration;          ///< `range`: "index 0", "key name"; empty otherwise
  bool skipped = false;           ///< `skip:` did not hold: the step did not run
  std::string skip_reason;
  /// Every assertion passed, and there is no error that no assertion examined
  /// (a step error fails the step unless the suite asserts on it on purpose).
  bool passed() const;
};

struct case_report {
  std::string name;
  position where;
  verdict status = verdict::passed;
  std::string skip_reason;
  double seconds = 0;
  std::vector<step_report> steps;
};

struct run_totals {
  int passed = 0, failed = 0, skipped = 0;
};

struct suite_report {
  std::string name;
  std::string file;
  double seconds = 0;
  std::vector<case_report> cases;
  run_totals totals() const;
};

struct run_report {
  std::string started_at;  ///< ISO 8601 UTC
  double seconds = 0;
  bool interrupted = false;
  std::vector<suite_report> suites;
  run_totals totals() const;
};

class reporter;  // executor/engine/events.h

struct reporter_options {
  int verbosity = 0;   ///< -1 -q: summary only; 1 -v: step results; 2 -vv: MQTT traffic
  bool color = false;  ///< ANSI colours (only on a TTY and without NO_COLOR)
  bool live_progress = false;  ///< console on a TTY: a live progress line
  std::string output_dir = ".";
};

/// Name -> reporter ("console", "junit"); nullptr for an unknown name.
/// Defined in executor/report/reporter_table.cpp.
std::unique_ptr<reporter> make_reporter(const std::string& name, std::ostream& out,
                                        const reporter_options& options);
std::vector<std::string> reporter_names();  ///< file formats for --format

/// Masks every string of a step or test case that a reporter will see.
void mask_report(const secret_mask& mask, step_report& step);
void mask_report(const secret_mask& mask, case_report& c);

}  // namespace mqttest
