#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mqttest {

/// TLS settings for ssl://, mqtts:// and wss:// URLs.
struct tls_options {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string key_password;
  bool insecure_skip_verify = false;
  std::vector<std::string> alpn;
};

struct will_spec {
  std::string topic;
  std::string payload;  ///< bytes
  int qos = 0;
  bool retained = false;
  std::optional<long long> delay_seconds;  ///< v5 will delay interval
};

/// How a session connects and disconnects, beyond URL and client id.
struct connection_options {
  int protocol_version = 4;  ///< 3: MQTT 3.1, 4: MQTT 3.1.1, 5: MQTT 5
  std::optional<std::string> username;
  std::optional<std::string> password;
  std::optional<tls_options> tls;
  int keep_alive_seconds = 60;
  std::optional<will_spec> will;
  std::optional<long long> session_expiry_seconds;  ///< v5
  std::map<std::string, std::string> user_properties;  ///< v5 CONNECT
  bool abrupt_disconnect = false;  ///< drop TCP without DISCONNECT
  /// -vv packet log; empty when nobody listens.
  std::function<void(std::string_view)> trace;

  bool v5() const { return protocol_version == 5; }
};

/// v5 properties of one PUBLISH (all optional).
struct message_properties {
  std::optional<std::string> content_type;
  std::optional<std::string> response_topic;
  std::optional<std::string> correlation_data;
  std::optional<long long> message_expiry;
  std::optional<int> payload_format;
  std::map<std::string, std::string> user_properties;
};

/// One topic filter with its subscription options (v5 options are ignored on 3.1.1).
struct subscription_spec {
  std::string filter;
  int qos = 0;
  bool no_local = false;
  bool retain_as_published = false;
  int retain_handling = 0;
};

}  // namespace mqttest
