#pragma once

#include <map>
#include <string>
#include <sys/types.h>

namespace mqttest {

struct broker_options {
  std::string extra_config;  ///< appended to the generated mosquitto.conf
  bool persistence = false;  ///< mosquitto persistence in the temp data dir
  /// Also TLS, mutual-TLS, password (with an ACL) and ws/wss listeners, with a
  /// throwaway CA, certificates and password file made in the temp dir.
  bool secure_listeners = false;
};

/// Ports of the secure_listeners (all on 127.0.0.1).
struct secure_ports {
  int tls = 0;   ///< TLS, server certificate for 127.0.0.1 and localhost
  int mtls = 0;  ///< TLS that requires a client certificate from the CA
  int auth = 0;  ///< plain TCP, user name and password required, ACL
  int ws = 0;    ///< WebSockets
  int wss = 0;   ///< WebSockets over TLS
};

/// The user of the password listener; it may use `mqttest/#` only.
inline constexpr const char* local_broker_username = "mqttest";

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
  const secure_ports& secure() const { return secure_; }

  /// Suite variables for this broker: addrs, and with secure_listeners
  /// tls_addrs, mtls_addrs, auth_addrs, ws_addrs, wss_addrs, ca_file,
  /// cert_file, key_file, username and password.
  std::map<std::string, std::string> variables() const;

  void stop();   ///< SIGTERM, wait; idempotent
  void start();  ///< (re)start on the same port and data dir

 private:
  broker_options options_;
  std::string dir_;
  int port_ = 0;
  secure_ports secure_;
  std::string password_;
  pid_t pid_ = -1;
};

/// Path of the mosquitto executable, or "" when it is not installed.
std::string find_mosquitto();

}  // namespace mqttest
