#pragma once

#include <string>
#include <sys/types.h>

namespace mqttest {

struct broker_options {
  std::string extra_config;  ///< appended to the generated mosquitto.conf
  bool persistence = false;  ///< mosquitto persistence in the temp data dir
};

/// A private mosquitto on a free loopback port with a temporary data dir
/// (config includes `user root` when run as root). Stopped by PID and its
/// directory removed on destruction.
class local_broker {
 public:
  /// Starts it and waits until it accepts connections. Throws
  /// std::runtime_error with a clear message when mosquitto is not installed
  /// or does not start (its log is quoted).
  explicit local_broker(broker_options options = {});
  ~local_broker();
  local_broker(const local_broker&) = delete;
  local_broker& operator=(const local_broker&) = delete;

  std::string url() const;  ///< tcp://127.0.0.1:PORT
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& directory() const { return dir_; }

  void stop();   ///< SIGTERM, wait; idempotent
  void start();  ///< (re)start on the same port and data dir

 private:
  broker_options options_;
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

/// Path of the mosquitto executable, or "" when it is not installed.
std::string find_mosquitto();

}  // namespace mqttest
