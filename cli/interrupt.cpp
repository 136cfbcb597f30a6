#include "cli/interrupt.h"

#include <csignal>

namespace mqttest {
namespace {

std::atomic<bool> interrupted{false};

extern "C" void on_signal(int) { interrupted.store(true); }

}  // namespace

const std::atomic<bool>& install_interrupt_handler() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  return interrupted;
}

}  // namespace mqttest
