#pragma once

/// Shared by paho_runtime.cpp (the switch, the self-test, the API) and
/// paho_hooks.cpp (the interposed calls); nothing outside steps/mqtt/paho/
/// includes it.

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

namespace mqttest::paho {

/// Paho C names its threads MQTTAsync_send and MQTTAsync_rcv.
inline constexpr const char* kPahoThreadPrefix = "MQTTAsync";

/// Whether the hooks act: after init() turned the tuning on, until it turns off.
bool tuning_active();

/// Called by the hooks on Paho's threads, for the self-test.
void note_receive_wait();
void note_send_wait();

/// What the hooks and the API share.
struct wake_state {
  int read_fd = -1;  ///< a connect_window writes to the pipe: Paho's waits end
  int write_fd = -1;
  std::atomic<int> connecting{0};  ///< open connect_windows
  std::atomic<int> active_sessions{0};

  std::mutex pending;
  std::vector<int> pending_connects;  ///< guarded by pending: TCP connects in progress
  std::atomic<int> pending_count{0};

  std::mutex tls;
  std::string tls_error;  ///< guarded by tls

  wake_state();
};

/// Never destroyed before Paho's threads: the pipe stays open.
wake_state& wake();

}  // namespace mqttest::paho
