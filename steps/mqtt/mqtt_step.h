#pragma once

#include "steps/step.h"

namespace mqttest {

/// `type: mqtt` with clientType publisher, subscriber or persistent_queue.
extern const step_kind mqtt_step_kind;

}  // namespace mqttest
