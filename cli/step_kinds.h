#pragma once

#include "steps/registry.h"

namespace mqttest {

/// The step kinds of the mqttest executable.
const step_registry& builtin_step_kinds();

}  // namespace mqttest
