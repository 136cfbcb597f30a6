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


/// v5 properties of one PUBLISH (all optional).
struct message_properties {
  std::optional<std::string> content_type;
  std::optional<std::string> response_topic;
  std::optional<std::string> correlation_data;
  std::optional<long long> message_expiry;
  std::optional<int> payload_format;
  std::map<std::string, std::string> user_properties;
  std::optional<long long> topic_alias{};  ///< sent, or as received
};

struct will_spec {
  std::string topic;
  std::string payload;  ///< bytes
  int qos = 0;
  bool retained = false;
  std::optional<long long> delay_seconds;  ///< v5 will delay interval
  message_properties properties{};         ///< v5 will properties
};

/// v5 properties of CONNECT beyond session expiry and user properties.
struct connect_limits {
  std::optional<long long> receive_maximum;
  std::optional<long long> topic_alias_maximum;
  std::optional<long long> maximum_packet_size;
  std::optional<bool> request_response_information;
  std::optional<bool> request_problem_information;
};

/// v5 DISCONNECT: reason code and properties.
struct disconnect_spec {
  int reason_code = 0;
  std::optional<long long> session_expiry_seconds;
  std::map<std::string, std::string> user_properties;
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
  connect_limits limits;                               ///< v5 CONNECT
  disconnect_spec disconnect;                          ///< v5 DISCONNECT
  bool abrupt_disconnect = false;  ///< drop TCP without DISCONNECT
  /// Stop sending (no PINGREQ, no DISCONNECT) and wait for the broker to
  /// close the connection (keep-alive expiry).
  bool silent_disconnect = false;
  /// Keep PUBACK and PUBREC from the broker (tcp:// only): QoS 1 and 2
  /// messages stay in flight (Receive Maximum, redelivery on reconnect).
  bool hold_acks = false;
  /// -vv packet log; empty when nobody listens.
  std::function<void(std::string_view)> trace;

  bool v5() const { return protocol_version == 5; }
};

/// One topic filter with its subscription options (v5 options are ignored on 3.1.1).
struct subscription_spec {
  std::string filter;
  int qos = 0;
  bool no_local = false;
  bool retain_as_published = false;
  int retain_handling = 0;
  std::optional<long long> subscription_id{};  ///< v5 Subscription Identifier
};

}  // namespace mqttest
