#pragma once

#include "steps/step.h"

namespace mqttest {

/// `type: exec` (and a step without `type`, as in Venom): runs `script` with
/// `sh -c` in the suite file's directory, stdin closed, stdout and stderr
/// captured. Result: code, systemout, systemerr, systemoutjson,
/// systemerrjson, timeseconds, error. Default assertion: result.code
/// ShouldEqual 0. On timeout or interrupt the whole process group is killed.
extern const step_kind exec_step_kind;

}  // namespace mqttest
