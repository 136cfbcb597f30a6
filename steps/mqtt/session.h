#pragma once

#include <mqtt/async_client.h>

#include <nlohmann/json.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "steps/mqtt/broker_url.h"
#include <vector>

#include "steps/mqtt/connection_options.h"
#include "steps/mqtt/packet_trace.h"

namespace mqttest {

class loopback_relay;

/// The meaning of a refusing CONNACK's code: 1-5 (MQTT 3.1/3.1.1 return
/// codes) or 0x80-0xFF (MQTT 5 reason codes).
std::string connack_refusal_text(int code);

using steady_time = std::chrono::steady_clock::time_point;

struct received_message {
  std::string topic;
  std::string payload;
  int qos = 0;
  bool retained = false;
  bool dup = false;
  message_properties properties;  ///< v5
  std::vector<int> subscription_ids;  ///< v5
};

/// A message the broker delivered that matches none of the route's filters
/// (e.g. a session's queued message for a filter this step does not name).
struct unexpected_message {
  std::string topic;
  std::string payload;
  int qos = 0;
  bool retained = false;
};

/// Outcome of one broker operation: error is "" on success.
struct op_result {
  op_result() = default;
  op_result(std::string message) : error(std::move(message)) {}  // NOLINT: implicit on purpose

  std::string error;
  std::vector<int> granted;  ///< subscribe: granted QoS (or 0x80) per filter
  /// connect: the failure without the "connect to URL" prefix ("refused by
  /// the broker: ... (CONNACK 0x84)", "connection refused", ...).
  std::string why;
  bool ok() const { return error.empty(); }
};

/// One MQTT client connection. Messages matching the route's filters are
/// queued by Paho's thread and read with next(); once the step reads, a
/// queue of 10,000 makes Paho's thread wait for the reader (memory stays
/// bounded while a broker sends a big queue), until disconnect().
/// Every wait ends by its deadline or when *interrupted becomes true
/// (error "interrupted").
class session {
 public:
  /// route: topic filters whose messages are queued; set before connect()
  /// so a persistent session's messages sent right after CONNACK are kept.
  session(std::string url, std::string client_id, std::vector<std::string> route,
          const std::atomic<bool>* interrupted, connection_options options = {});
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  op_result connect(bool clean_session, std::chrono::milliseconds timeout);
  op_result subscribe(const std::vector<std::string>& filters, int qos,
                      std::chrono::milliseconds timeout);
  /// Per-filter QoS and (v5) options.
  op_result subscribe(const std::vector<subscription_spec>& subscriptions,
                      std::chrono::milliseconds timeout);
  op_result unsubscribe(const std::vector<std::string>& filters, std::chrono::milliseconds timeout);
  op_result publish(const std::string& topic, const std::string& payload, int qos, bool retained,
                    std::chrono::milliseconds timeout, const message_properties& properties = {});
  /// Sends a PUBLISH without waiting for its completion (PUBACK/PUBCOMP, or
  /// the write at QoS 0): with `window` publishes in flight, waits for the
  /// oldest first, so many messages cost no round trip each. Returns the
  /// first failure of a publish that completed meanwhile; each has `timeout`.
  op_result publish_pipelined(const std::string& topic, const std::string& payload, int qos,
                              bool retained, std::chrono::milliseconds timeout,
                              const message_properties& properties, std::size_t window);
  /// Waits for every pipelined publish still in flight; the first failure.
  op_result finish_publishes();
  /// Pipelined publishes completed so far.
  int published() const { return published_; }
  /// Sends DISCONNECT, or with options.abrupt_disconnect drops the TCP
  /// connection without it (the broker then publishes the will): such a
  /// session connects through a loopback_relay of its own and cuts it.
  /// With options.silent_disconnect it stops sending anything and waits
  /// (within timeout) until the broker closes the connection.
  op_result disconnect(std::chrono::milliseconds timeout);
  /// After a silent disconnect: seconds from going silent until the broker
  /// closed the connection (nullopt when it did not).
  std::optional<double> broker_closed_after() const { return broker_closed_after_; }
  /// With options.hold_acks: the PUBACK and PUBREC packets kept from the
  /// broker on the last connection.
  int held_acks() const;

  /// The next queued message, or nullopt at the deadline, on interrupt or
  /// when the connection is lost (see lost()).
  std::optional<received_message> next(steady_time deadline);
  /// A queued message if one is there now.
  std::optional<received_message> try_next();
  /// Why the connection was lost, "" while it is fine.
  std::string lost() const;
  /// Arrivals that matched none of the route's filters, in order, since the
  /// last call.
  std::vector<unexpected_message> take_unexpected();
  /// The last CONNACK as connack_json (steps/mqtt/mqtt_properties.h); null
  /// before one arrived.
  const nlohmann::json& connack() const { return connack_; }
  /// The id the broker knows this client by: the assigned one (v5) when the
  /// client id sent was empty.
  std::string effective_client_id() const;

  /// The CONNACK of the last successful connect(): session present and
  /// (MQTT 5) its properties.
  bool session_present() const { return session_present_; }
  const mqtt::properties& connack_properties() const { return connack_properties_; }

  const std::string& client_id() const { return client_id_; }
  const std::string& url() const { return url_; }

 private:
  void on_message(const mqtt::const_message_ptr& message);
  void on_connection_lost(const std::string& cause);
  /// Pops the queue's front (moved out already) and unlocks.
  void took_one(std::unique_lock<std::mutex>& lock);
  void on_packet(const arrived_packet& packet);
  /// ": sent DISCONNECT 0x.. (why)" when the broker said why it closed, else "".
  std::string closed_because() const;
  /// "" when the acknowledgements that arrived for a QoS qos publish with
  /// this packet id are the right ones, else what arrived instead.
  std::string wrong_acknowledgement(int message_id, int qos);
  bool is_interrupted() const { return interrupted_ != nullptr && interrupted_->load(); }

  struct wait_outcome;
  wait_outcome await(const mqtt::token_ptr& token, steady_time deadline);
  struct in_flight {
    mqtt::token_ptr token;
    std::string topic;
    int qos;
    steady_time deadline;
    std::chrono::milliseconds timeout;
  };
  op_result start_publish(const std::string& topic, const std::string& payload, int qos,
                          bool retained, const message_properties& properties,
                          mqtt::token_ptr& token);
  op_result finish_publish(const in_flight& publish);
  op_result connect_failure(int return_code, const std::string& message, steady_time deadline);
  mqtt::connect_options connect_options(bool clean_session, std::chrono::milliseconds timeout);
  mqtt::ssl_options ssl_options();
  op_result drop_connection(steady_time deadline);
  op_result go_silent(steady_time deadline, std::chrono::milliseconds timeout);
  void trace(std::string_view line) const {
    if (options_.trace) options_.trace(line);
  }

  /// First member: Paho is set up before client_ exists (see session.cpp).
  struct paho_share {
    paho_share();
    ~paho_share();
    paho_share(const paho_share&) = delete;
    paho_share& operator=(const paho_share&) = delete;
  } paho_;
  std::string url_;       ///< as given, its password (user:password@) shown as ****
  broker_url given_url_;  ///< as given: the credentials of user:password@
  std::string client_id_;
  std::vector<std::string> route_;
  const std::atomic<bool>* interrupted_;
  connection_options options_;
  std::string paho_url_;
  std::unique_ptr<loopback_relay> relay_;  ///< abrupt or silent disconnect, from connect()
  std::optional<double> broker_closed_after_;

  mutable std::mutex mutex_;
  std::condition_variable arrived_;
  std::condition_variable space_;  ///< the queue fell below its back-pressure bound
  std::deque<received_message> queue_;
  bool reading_ = false;  ///< next()/try_next() was called: back-pressure may wait
  bool closing_ = false;  ///< disconnect(): Paho's thread no longer waits for space
  std::vector<unexpected_message> unexpected_;
  nlohmann::json connack_;
  std::map<int, std::vector<std::string>> acks_;  ///< packet names by packet id

  /// Before client_: Paho's trace reaches this session until client_ is gone.
  packet_listener packets_;
  std::string lost_;
  bool connected_ = false;
  bool session_present_ = false;
  mqtt::properties connack_properties_;
  std::deque<in_flight> in_flight_;  ///< pipelined publishes, oldest first
  int published_ = 0;

  // Last member: destroyed first, so Paho callbacks never see a dead queue.
  mqtt::async_client client_;
};

}  // namespace mqttest
