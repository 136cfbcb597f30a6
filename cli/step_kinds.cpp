#include "cli/step_kinds.h"

#include "steps/exec/exec_step.h"
#include "steps/mqtt/mqtt_step.h"

namespace mqttest {

const step_registry& builtin_step_kinds() {
  // One line per step kind.
  static const step_registry kinds{&mqtt_step_kind, &exec_step_kind};
  return kinds;
}

}  // namespace mqttest
