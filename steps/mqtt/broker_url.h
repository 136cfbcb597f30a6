#pragma once

#include <optional>
#include <string>

namespace mqttest {

/// A broker URL taken apart: tcp://, mqtt://, ssl://, mqtts://, ws://, wss://,
/// with optional user[:password]@ credentials.
struct broker_url {
  std::string scheme;  ///< as written, lower case
  std::string host;    ///< without IPv6 brackets
  std::string port;    ///< the scheme's default when absent (1883, 8883, 80, 443)
  std::string path;    ///< ws/wss only, "" or starting with '/'
  bool tls = false;
  bool websocket = false;
  /// From user[:password]@ before the host, percent-decoded; a step's own
  /// username/password take precedence.
  std::optional<std::string> username;
  std::optional<std::string> password;

  /// The URL Paho is given: mqtt -> tcp, mqtts -> ssl, the port always explicit,
  /// no credentials.
  std::string paho() const;
};

/// Parses url; an unknown scheme is treated as tcp (the config check rejects it earlier).
broker_url parse_broker_url(const std::string& url);

/// url with the password of user:password@ replaced by ****, for messages.
std::string without_password(const std::string& url);

/// What is wrong with url's host or port ("has a bad port \"99999\" ..."), or
/// "" when both are usable. Paho reads a port modulo 65536; this does not.
std::string broker_url_problem(const std::string& url);

}  // namespace mqttest
