#pragma once

#include <string>

/// What steps/mqtt may use of steps/mqtt/paho/: everything that knows Paho C's
/// internals stays behind this header (paho_hooks.cpp has the how and why).
///
/// Paho C 1.3.x is slow in a process that runs many short clients (measured on
/// Debian's 1.3.12 + Paho C++ 1.2.0, see DESIGN.md): a connect while another
/// client exists waits ~1.1-2 s, destroying the last client ~100-200 ms, and
/// Nagle holds small packets ~40 ms. The executables export poll, usleep,
/// socket, connect, pthread_cond_timedwait and ERR_print_errors_cb (see
/// mqttest_use_paho_tuning in CMakeLists.txt), and paho_hooks.cpp changes
/// them for Paho's own threads only. No verdict may depend on that: with the
/// tuning off, steps are slower, never different.

namespace mqttest::paho {

/// Once per process, before its first Paho client (later calls return at
/// once; thread-safe): Paho's global init without eager OpenSSL
/// initialisation (~1.5 ms of CPU; OpenSSL 3 initialises itself on first use),
/// then the tuning: off when MQTTEST_PAHO_TUNING=off, or when Paho does not
/// call this executable's hooks; otherwise on, with one never-connected
/// client kept alive for the whole process so that destroying a step's
/// client never stops Paho's threads. The first connect finishes the
/// self-test (see connect_window).
void init();

/// "" while the tuning is on; else why it is off, in a sentence.
std::string tuning_off_reason();

/// The reason the tuning is off, the first time it is asked after the
/// tuning turned off (for a one-time notice under -v); "" otherwise.
std::string take_tuning_notice();

/// Open around a connect, from before connect() until CONNACK or failure.
/// The first window whose connect started Paho's threads (started()) checks
/// at its end that those threads carry the names the tuning looks for and
/// wait through the hooked calls; if not, the tuning turns off.
class connect_window {
 public:
  connect_window();
  ~connect_window();
  connect_window(const connect_window&) = delete;
  connect_window& operator=(const connect_window&) = delete;

  /// Paho accepted the connect request: its threads are running.
  void started() { started_ = true; }

 private:
  bool started_ = false;
};

/// Around a session's lifetime: Paho's send thread waits less while any is open.
void session_opened();
void session_closed();

/// OpenSSL's text for the last failed TLS handshake of a Paho client ("" if
/// none since the last clear_tls_error(), or when Paho does not call this
/// executable's ERR_print_errors_cb).
std::string last_tls_error();
void clear_tls_error();

/// What the self-test saw of Paho's threads; verdict() explains a failure.
struct thread_observation {
  bool receive_waited = false;  ///< poll() or usleep() from a thread named MQTTAsync*
  bool send_waited = false;     ///< pthread_cond_timedwait() from a thread named MQTTAsync*
  std::string thread_names;     ///< every thread of the process, ", "-separated
};

/// "" when the observation fits the tuning's assumptions, else why not.
std::string verdict(const thread_observation& seen);

}  // namespace mqttest::paho
