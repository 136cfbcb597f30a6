#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

namespace mqttest {

/// One message seen on the broker.
struct observed_message {
  std::string topic;
  std::string payload;
  int qos = 0;
  bool retained = false;
};

struct listen_options {
  std::string url;                   ///< broker URL (tcp://, mqtt://, ws://, ...)
  std::vector<std::string> filters;  ///< topic filters to subscribe to
  std::chrono::milliseconds wait{1000};  ///< how long to listen
  int count = 0;                     ///< stop after this many messages; 0: listen the whole wait
  int qos = 0;                       ///< subscription QoS
  std::chrono::milliseconds operation_timeout{5000};  ///< connect, subscribe, disconnect
  const std::atomic<bool>* interrupted = nullptr;
};

/// Connects, subscribes to the filters and collects what arrives, in
/// arrival order. Throws std::runtime_error when the broker cannot be
/// reached or refuses the subscription; an interrupt ends the wait early.
std::vector<observed_message> listen(const listen_options& options);

}  // namespace mqttest
