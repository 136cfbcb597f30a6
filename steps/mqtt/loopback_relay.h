#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "steps/mqtt/broker_url.h"

namespace mqttest {

/// A relay on 127.0.0.1 that carries one client connection to one broker,
/// for `disconnect: abrupt` (Paho has no API to drop a connection). The
/// client reaches it as an HTTP CONNECT proxy (Paho's httpProxy and
/// httpsProxy options), so the client still speaks TCP, TLS or WebSocket
/// end to end with the broker and verifies its certificate against the
/// broker's real host name; the relay only forwards bytes. cut() closes both
/// connections: the broker sees the connection end without DISCONNECT.
class loopback_relay {
 public:
  /// Listens on a free loopback port; throws std::runtime_error when it
  /// cannot. connect_timeout bounds the relay's own connect to the broker.
  /// With `held` (`holdAcks`), the client's PUBACK and PUBREC packets are
  /// dropped and the rest passes, so the broker keeps every QoS 1 and 2
  /// message it sent in flight; `held` hears of each on the relay's thread
  /// ("PUBACK 3"). Only a plain MQTT byte stream can be read that way: the
  /// broker must be tcp:// (not TLS, not WebSocket).
  loopback_relay(broker_url broker, std::chrono::milliseconds connect_timeout,
                 std::function<void(std::string_view)> held = {});
  ~loopback_relay();  ///< cuts
  loopback_relay(const loopback_relay&) = delete;
  loopback_relay& operator=(const loopback_relay&) = delete;

  /// The proxy address for Paho: "127.0.0.1:PORT".
  std::string proxy() const;
  /// Closes both connections (and stops listening) and waits until they are.
  void cut();
  /// `disconnect: silent`: from now on nothing the client sends reaches the
  /// broker (no PINGREQ either) and the client closing its side keeps the
  /// broker's side open, until the broker closes it (keep-alive expiry).
  void go_silent() { silent_ = true; }
  /// Waits until the relay has carried everything and closed (the client
  /// closed its side, the broker closed its side, or cut()); false at the
  /// deadline.
  bool wait_finished(std::chrono::steady_clock::time_point deadline);
  /// Acknowledgements dropped so far (see `held`).
  int held_acks() const { return held_.load(); }
  /// Waits until the broker closed its side; false at the deadline.
  bool wait_broker_closed(std::chrono::steady_clock::time_point deadline);

 private:
  void run();
  void relay(int client);
  /// Forwards the complete packets at the front of `pending` to `to`, but
  /// for PUBACK and PUBREC; false when `to` is gone.
  bool forward_holding_acks(std::string& pending, int to);

  broker_url broker_;
  std::chrono::milliseconds connect_timeout_;
  int listener_ = -1;
  int port_ = 0;
  int wake_read_ = -1;
  int wake_write_ = -1;
  std::atomic<bool> silent_{false};
  std::function<void(std::string_view)> on_held_;  ///< set: hold acknowledgements back
  bool unreadable_ = false;  ///< the client's bytes stopped parsing as MQTT: pass them on
  std::atomic<int> held_{0};
  std::mutex mutex_;
  std::condition_variable closed_;
  bool broker_closed_ = false;
  bool finished_ = false;
  std::thread thread_;
};

}  // namespace mqttest
