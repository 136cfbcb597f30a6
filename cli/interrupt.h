#pragma once

#include <atomic>

namespace mqttest {

/// Installs SIGINT/SIGTERM handlers that set the returned flag (once per
/// process); the run stops at the next step boundary or wait slice.
const std::atomic<bool>& install_interrupt_handler();

}  // namespace mqttest
