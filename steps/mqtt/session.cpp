#include "steps/mqtt/session.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "steps/mqtt/broker_url.h"
#include "steps/mqtt/connect_probe.h"
#include "steps/mqtt/loopback_relay.h"
#include "steps/mqtt/mqtt_properties.h"
#include "steps/mqtt/paho/paho_runtime.h"
#include "steps/mqtt/topic_filter.h"

namespace mqtt {

/// Paho C++ 1.2.0 starts disconnect_options from the version 0 C struct, with
/// which Paho C drops the reason code and the properties (MQTTAsync_disconnect
/// reads them from struct_version 1 on), and offers no setter. The class
/// befriends this name (for its own tests, not part of the library): the one
/// place mqttest reaches into it.
class disconnect_options_test {
 public:
  static void send_v5_fields(disconnect_options& options) { options.opts_.struct_version = 1; }
};

}  // namespace mqtt

namespace mqttest {
namespace {

using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kSlice{50};
constexpr int kRefused = 0x80;
/// Received messages a session holds before Paho's thread waits for the
/// reader (about 2 MB of small messages).
constexpr std::size_t kBacklog = 10000;

std::string connack_return_code_text(int code) {
  switch (code) {
    case 1:
      return "unacceptable protocol version";
    case 2:
      return "client identifier rejected";
    case 3:
      return "server unavailable";
    case 4:
      return "bad user name or password";
    case 5:
      return "not authorized";
    default:
      return "refused";
  }
}

/// MQTT 5 reason codes >= 0x80 (the same meaning in CONNACK, PUBACK, PUBREC, ...).
std::string reason_code_text(int code) {
  switch (code) {
    case 0x80: return "unspecified error";
    case 0x81: return "malformed packet";
    case 0x82: return "protocol error";
    case 0x83: return "implementation specific error";
    case 0x84: return "unsupported protocol version";
    case 0x85: return "client identifier not valid";
    case 0x86: return "bad user name or password";
    case 0x87: return "not authorized";
    case 0x88: return "server unavailable";
    case 0x89: return "server busy";
    case 0x8A: return "banned";
    case 0x8B: return "server shutting down";
    case 0x8D: return "keep alive timeout";
    case 0x8E: return "session taken over";
    case 0x8C: return "bad authentication method";
    case 0x90: return "topic name invalid";
    case 0x91: return "packet identifier in use";
    case 0x93: return "receive maximum exceeded";
    case 0x94: return "topic alias invalid";
    case 0x95: return "packet too large";
    case 0x97: return "quota exceeded";
    case 0x99: return "payload format invalid";
    case 0x9A: return "retain not supported";
    case 0x98: return "administrative action";
    case 0x9B: return "QoS not supported";
    case 0x9C: return "use another server";
    case 0x9D: return "server moved";
    case 0x9F: return "connection rate exceeded";
    default: return "refused";
  }
}

std::string version_name(int protocol_version) {
  return protocol_version == 5 ? "5" : protocol_version == 3 ? "3.1" : "3.1.1";
}

int paho_version(int protocol_version) {
  return protocol_version == 5   ? MQTTVERSION_5
         : protocol_version == 3 ? MQTTVERSION_3_1
                                 : MQTTVERSION_3_1_1;
}

/// Paho's codes for an operation cut short because the connection closed.
bool cut_short(int code) {
  return code == MQTTASYNC_OPERATION_INCOMPLETE || code == MQTTASYNC_DISCONNECTED;
}

std::string filter_list(const std::vector<std::string>& filters) {
  return fmt::format("[{}]", fmt::join(filters, ", "));
}

std::vector<std::string> filters_of(const std::vector<subscription_spec>& subscriptions) {
  std::vector<std::string> filters;
  for (const auto& s : subscriptions) filters.push_back(s.filter);
  return filters;
}

mqtt::properties user_properties(const std::map<std::string, std::string>& map) {
  mqtt::properties props;
  for (const auto& [name, value] : map)
    props.add(mqtt::property(mqtt::property::USER_PROPERTY, name, value));
  return props;
}

mqtt::properties publish_properties(const message_properties& p) {
  mqtt::properties props = user_properties(p.user_properties);
  using code = mqtt::property::code;
  if (p.content_type) props.add(mqtt::property(code::CONTENT_TYPE, *p.content_type));
  if (p.response_topic) props.add(mqtt::property(code::RESPONSE_TOPIC, *p.response_topic));
  if (p.correlation_data) props.add(mqtt::property(code::CORRELATION_DATA, *p.correlation_data));
  if (p.message_expiry)
    props.add(mqtt::property(code::MESSAGE_EXPIRY_INTERVAL, static_cast<int32_t>(*p.message_expiry)));
  if (p.payload_format)
    props.add(mqtt::property(code::PAYLOAD_FORMAT_INDICATOR, static_cast<int32_t>(*p.payload_format)));
  if (p.topic_alias)
    props.add(mqtt::property(code::TOPIC_ALIAS, static_cast<int32_t>(*p.topic_alias)));
  return props;
}

/// Reads the v5 properties of a received message.
void read_properties(const mqtt::properties& props, received_message& into) {
  using code = mqtt::property::code;
  message_properties& p = into.properties;
  if (props.contains(code::CONTENT_TYPE)) p.content_type = mqtt::get<std::string>(props, code::CONTENT_TYPE);
  if (props.contains(code::RESPONSE_TOPIC))
    p.response_topic = mqtt::get<std::string>(props, code::RESPONSE_TOPIC);
  if (props.contains(code::CORRELATION_DATA))
    p.correlation_data = mqtt::get<std::string>(props, code::CORRELATION_DATA);
  if (props.contains(code::MESSAGE_EXPIRY_INTERVAL))
    p.message_expiry = mqtt::get<uint32_t>(props, code::MESSAGE_EXPIRY_INTERVAL);
  if (props.contains(code::PAYLOAD_FORMAT_INDICATOR))
    p.payload_format = mqtt::get<uint8_t>(props, code::PAYLOAD_FORMAT_INDICATOR);
  if (props.contains(code::TOPIC_ALIAS)) p.topic_alias = mqtt::get<uint16_t>(props, code::TOPIC_ALIAS);
  for (std::size_t i = 0; i < props.count(code::USER_PROPERTY); ++i) {
    auto [name, value] = mqtt::get<mqtt::string_pair>(props, code::USER_PROPERTY, i);
    p.user_properties[name] = value;
  }
  for (std::size_t i = 0; i < props.count(code::SUBSCRIPTION_IDENTIFIER); ++i)
    into.subscription_ids.push_back(
        static_cast<int>(mqtt::get<uint32_t>(props, code::SUBSCRIPTION_IDENTIFIER, i)));
}

void add_limits(mqtt::properties& props, const connect_limits& limits) {
  using code = mqtt::property::code;
  auto add = [&](code id, const std::optional<long long>& value) {
    if (value) props.add(mqtt::property(id, static_cast<int32_t>(static_cast<uint32_t>(*value))));
  };
  add(code::RECEIVE_MAXIMUM, limits.receive_maximum);
  add(code::TOPIC_ALIAS_MAXIMUM, limits.topic_alias_maximum);
  add(code::MAXIMUM_PACKET_SIZE, limits.maximum_packet_size);
  auto flag = [&](code id, const std::optional<bool>& value) {
    if (value) props.add(mqtt::property(id, static_cast<int32_t>(*value ? 1 : 0)));
  };
  flag(code::REQUEST_RESPONSE_INFORMATION, limits.request_response_information);
  flag(code::REQUEST_PROBLEM_INFORMATION, limits.request_problem_information);
}

std::string publish_trace(char direction, const std::string& topic, int qos, bool retained,
                          std::size_t size) {
  return fmt::format("{} PUBLISH {} qos {}{} {} bytes", direction, topic, qos,
                     retained ? " retained" : "", size);
}

/// The packet that carries a v5 broker's refusal of a QoS 1/2 PUBLISH.
std::string refusal_packet(int qos) { return qos == 2 ? "PUBREC" : "PUBACK"; }

}  // namespace

std::string connack_refusal_text(int code) {
  return code <= 5 ? connack_return_code_text(code) : reason_code_text(code);
}

struct session::wait_outcome {
  enum class kind { done, failed, timed_out, interrupted };
  wait_outcome(kind how, int return_code = 0, std::string why = {}, int reason_code = 0)
      : status(how), code(return_code), message(std::move(why)), reason(reason_code) {}

  kind status;
  int code;
  std::string message;
  int reason;  ///< v5 reason code of a failure
};

session::paho_share::paho_share() {
  paho::init();  // the process's one set-up of Paho, before its first client
  paho::session_opened();
}

session::paho_share::~paho_share() { paho::session_closed(); }

session::session(std::string url, std::string client_id, std::vector<std::string> route,
                 const std::atomic<bool>* interrupted, connection_options options)
    : url_(without_password(url)),
      given_url_(parse_broker_url(url)),
      client_id_(std::move(client_id)),
      route_(std::move(route)),
      interrupted_(interrupted),
      options_(std::move(options)),
      paho_url_(parse_broker_url(url_).paho()),
      packets_(client_id_, [this](const arrived_packet& packet) { on_packet(packet); }),
      client_(paho_url_, client_id_,
              mqtt::create_options(options_.v5() ? MQTTVERSION_5 : MQTTVERSION_DEFAULT)) {
  client_.set_message_callback([this](mqtt::const_message_ptr message) { on_message(message); });
  client_.set_connection_lost_handler(
      [this](const std::string& cause) { on_connection_lost(cause); });
}

session::~session() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  space_.notify_all();
  try {
    if (connected_) disconnect(milliseconds(1000));
  } catch (...) {  // a destructor must not throw; the connection closes anyway
  }
}

void session::on_message(const mqtt::const_message_ptr& message) {
  if (!message) return;
  const std::string& topic = message->get_topic();
  bool wanted = std::any_of(route_.begin(), route_.end(), [&](const std::string& filter) {
    return topic_matches(routed_filter(filter), topic);
  });
  trace(fmt::format("{}{}",
                    publish_trace('<', topic, message->get_qos(), message->is_retained(),
                                  message->get_payload().size()),
                    wanted ? "" : " (matches none of the step's filters)"));
  if (!wanted) {
    std::lock_guard lock(mutex_);
    unexpected_.push_back({topic, message->to_string(), message->get_qos(), message->is_retained()});
    return;
  }
  received_message entry;
  entry.topic = topic;
  entry.payload = message->to_string();
  entry.qos = message->get_qos();
  entry.retained = message->is_retained();
  entry.dup = message->is_duplicate();
  if (options_.v5()) read_properties(message->get_properties(), entry);
  bool was_empty = false;
  {
    std::unique_lock lock(mutex_);
    // Back-pressure: a broker sending a big queue faster than the step reads
    // it waits in TCP, not in this process's memory. Only once the step
    // reads (before, it may be waiting for a SUBACK or PUBACK that this
    // thread must receive); disconnect() ends it.
    while (queue_.size() >= kBacklog && reading_ && !closing_) space_.wait_for(lock, kSlice);
    was_empty = queue_.empty();
    queue_.push_back(std::move(entry));
  }
  // The reader waits only on an empty queue: a burst wakes it once.
  if (was_empty) arrived_.notify_one();
}

void session::took_one(std::unique_lock<std::mutex>& lock) {
  bool was_full = queue_.size() == kBacklog;
  queue_.pop_front();
  lock.unlock();
  if (was_full) space_.notify_one();
}

void session::on_packet(const arrived_packet& packet) {
  if (packet.name == "PUBACK" || packet.name == "PUBREC" || packet.name == "PUBCOMP") {
    std::lock_guard lock(mutex_);
    acks_[packet.message_id].push_back(packet.name);
  }
  if (packet.name == "DISCONNECT") {  // MQTT 5: "DISCONNECT (<reason code>)"
    int reason = 0;
    if (auto open = packet.text.find('('); open != std::string::npos)
      reason = std::atoi(packet.text.c_str() + open + 1);
    {
      std::lock_guard lock(mutex_);
      if (lost_.empty())
        lost_ = fmt::format("the broker sent DISCONNECT 0x{:02X} ({})", reason,
                            reason == 0 ? "normal disconnection" : reason_code_text(reason));
    }
    arrived_.notify_one();
  }
  // Received PUBLISH packets are traced with their topic by on_message.
  if (packet.name != "PUBLISH") trace("< " + packet.text);
}

std::string session::wrong_acknowledgement(int message_id, int qos) {
  std::vector<std::string> names;
  {
    std::lock_guard lock(mutex_);
    auto it = acks_.find(message_id);
    if (it != acks_.end()) {
      names = std::move(it->second);
      acks_.erase(it);
    }
  }
  std::vector<std::string> expected =
      qos == 1 ? std::vector<std::string>{"PUBACK"} : std::vector<std::string>{"PUBREC", "PUBCOMP"};
  if (names.empty() || names == expected) return "";  // nothing seen: Paho's trace is off
  return fmt::format("the broker answered with {} (QoS {} needs {})", fmt::join(names, ", "), qos,
                     fmt::join(expected, " then "));
}

void session::on_connection_lost(const std::string& cause) {
  {
    std::lock_guard lock(mutex_);
    if (lost_.empty())  // a broker's DISCONNECT says more
      lost_ = cause.empty() ? "connection lost" : "connection lost: " + cause;
  }
  arrived_.notify_one();
}

std::vector<unexpected_message> session::take_unexpected() {
  std::lock_guard lock(mutex_);
  return std::exchange(unexpected_, {});
}

std::string session::effective_client_id() const {
  if (connack_.is_object()) {
    const auto& props = connack_["properties"];
    if (auto it = props.find("assignedClientIdentifier"); it != props.end() && it->is_string())
      return it->get<std::string>();
  }
  return client_id_;
}

std::string session::closed_because() const {
  std::string why = lost();
  return why.rfind("the broker sent DISCONNECT", 0) == 0 ? ": " + why.substr(11) : "";
}

std::string session::lost() const {
  std::lock_guard lock(mutex_);
  return lost_;
}

session::wait_outcome session::await(const mqtt::token_ptr& token, steady_time deadline) {
  using kind = wait_outcome::kind;
  while (true) {
    if (is_interrupted()) return wait_outcome(kind::interrupted);
    auto now = clock_type::now();
    if (now >= deadline) return wait_outcome(kind::timed_out);
    auto slice = std::min<clock_type::duration>(deadline - now, kSlice);
    try {
      if (token->wait_for(std::chrono::duration_cast<milliseconds>(slice) + milliseconds(1)))
        return wait_outcome(kind::done);
    } catch (const mqtt::exception& e) {
      return wait_outcome(kind::failed, e.get_return_code(), e.what(), e.get_reason_code());
    }
  }
}

op_result session::connect_failure(int return_code, const std::string& message,
                                   steady_time deadline) {
  op_result result;
  if ((return_code >= 1 && return_code <= 5) || (return_code >= 0x80 && return_code <= 0xFF)) {
    std::string code = return_code <= 5 ? std::to_string(return_code)
                                        : fmt::format("0x{:02X}", return_code);
    result.why = fmt::format("refused by the broker: {} (CONNACK {})",
                             connack_refusal_text(return_code), code);
    result.error = fmt::format("connect to {} as \"{}\" {}", url_, client_id_, result.why);
    return result;
  }
  broker_url parsed = parse_broker_url(url_);
  std::string why = probe_tcp(parsed, deadline);
  if (why.empty() && parsed.tls) {
    std::string tls_error = paho::last_tls_error();
    if (!tls_error.empty())
      why = fmt::format("TLS handshake failed: {}", tls_error);
    else if (!options_.tls.value_or(tls_options{}).insecure_skip_verify)
      if (std::string name = probe_tls_host_name(parsed, deadline); !name.empty())
        why = fmt::format("TLS host name verification failed: {}", name);
  }
  // Paho's words when the socket closes between CONNECT and CONNACK, as
  // RabbitMQ 3.10 does for an MQTT 5 CONNECT it does not understand.
  if (why.empty() && message.find("connect completion failure") != std::string::npos)
    why = fmt::format(
        "the broker closed the connection after an MQTT {0} CONNECT without sending a CONNACK; "
        "it may not support MQTT {0} (`mqttest probe` shows which versions it accepts)",
        version_name(options_.protocol_version));
  result.why = why.empty() ? message : why;
  result.error = fmt::format("connect to {} failed: {}", url_, result.why);
  return result;
}

mqtt::connect_options session::connect_options(bool clean_session, milliseconds timeout) {
  mqtt::connect_options options;
  options.set_mqtt_version(paho_version(options_.protocol_version));
  if (options_.v5()) {
    options.set_clean_start(clean_session);
    mqtt::properties props = user_properties(options_.user_properties);
    long long expiry = options_.session_expiry_seconds.value_or(clean_session ? 0 : 300);
    if (expiry > 0)
      props.add(mqtt::property(mqtt::property::SESSION_EXPIRY_INTERVAL,
                               static_cast<int32_t>(static_cast<uint32_t>(expiry))));
    add_limits(props, options_.limits);
    options.set_properties(props);
  } else {
    options.set_clean_session(clean_session);
  }
  options.set_connect_timeout(std::chrono::seconds(timeout.count() / 1000 + 2));
  options.set_automatic_reconnect(false);
  options.set_keep_alive_interval(options_.keep_alive_seconds);
  if (options_.username) {
    options.set_user_name(*options_.username);
    if (options_.password) options.set_password(*options_.password);
  } else if (given_url_.username) {
    options.set_user_name(*given_url_.username);
    if (given_url_.password) options.set_password(*given_url_.password);
  }
  if (options_.will) {
    const will_spec& will = *options_.will;
    mqtt::properties props;
    if (options_.v5()) props = publish_properties(will.properties);
    if (will.delay_seconds && options_.v5())
      props.add(mqtt::property(mqtt::property::WILL_DELAY_INTERVAL,
                               static_cast<int32_t>(*will.delay_seconds)));
    options.set_will(mqtt::will_options(will.topic, will.payload.data(), will.payload.size(),
                                        will.qos, will.retained, props));
  }
  return options;
}

mqtt::ssl_options session::ssl_options() {
  tls_options tls = options_.tls.value_or(tls_options{});
  mqtt::ssl_options ssl;
  if (!tls.ca_file.empty()) ssl.set_trust_store(tls.ca_file);
  if (!tls.cert_file.empty()) ssl.set_key_store(tls.cert_file);
  if (!tls.key_file.empty()) ssl.set_private_key(tls.key_file);
  if (!tls.key_password.empty()) ssl.set_private_key_password(tls.key_password);
  ssl.set_enable_server_cert_auth(!tls.insecure_skip_verify);
  ssl.set_verify(!tls.insecure_skip_verify);
  if (!tls.alpn.empty()) ssl.set_alpn_protos(tls.alpn);
  // Only so that Paho reports handshake errors through ERR_print_errors_cb,
  // which steps/mqtt/paho/ intercepts (this handler itself is never called).
  ssl.set_error_handler([](const std::string&) {});
  return ssl;
}

op_result session::connect(bool clean_session, milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  mqtt::connect_options options = connect_options(clean_session, timeout);
  if (parse_broker_url(url_).tls) options.set_ssl(ssl_options());
  paho::clear_tls_error();
  {
    std::lock_guard lock(mutex_);
    lost_.clear();
  }
  connack_ = nullptr;
  trace(fmt::format("> CONNECT {} client {} v{} {}{}{}", url_, client_id_,
                    version_name(options_.protocol_version), clean_session ? "clean" : "persistent",
                    options_.username     ? fmt::format(" user {}", *options_.username)
                    : given_url_.username ? fmt::format(" user {}", *given_url_.username)
                                          : "",
                    options_.will ? fmt::format(" will {}", options_.will->topic) : ""));
  if (options_.abrupt_disconnect || options_.silent_disconnect || options_.hold_acks) {
    broker_url target = parse_broker_url(url_);
    if (options_.hold_acks && (target.tls || target.websocket))
      return {fmt::format("connect to {} failed: holdAcks needs a tcp:// or mqtt:// broker (it "
                          "holds acknowledgements back in the plain MQTT byte stream), not {}://",
                          url_, target.scheme)};
    std::function<void(std::string_view)> held;
    if (options_.hold_acks)
      held = [this](std::string_view packet) {
        trace(fmt::format("x {} held back: not sent to the broker", packet));
      };
    relay_.reset();
    try {
      relay_ = std::make_unique<loopback_relay>(target, timeout, std::move(held));
    } catch (const std::exception& e) {
      return {fmt::format("connect to {} failed: no relay for {}: {}", url_,
                          options_.abrupt_disconnect   ? "disconnect: abrupt"
                          : options_.silent_disconnect ? "disconnect: silent"
                                                       : "holdAcks",
                          e.what())};
    }
    options.set_http_proxy(relay_->proxy());
    options.set_https_proxy(relay_->proxy());
  }
  paho::connect_window window;
  mqtt::token_ptr token;
  try {
    token = client_.connect(options);
  } catch (const mqtt::exception& e) {
    return {fmt::format("connect to {} failed: {}", url_, e.what())};
  }
  window.started();
  auto outcome = await(token, deadline);
  switch (outcome.status) {
    case wait_outcome::kind::done: {
      connected_ = true;
      session_present_ = false;
      connack_properties_ = mqtt::properties();
      try {
        mqtt::connect_response response = token->get_connect_response();
        session_present_ = response.is_session_present();
        if (options_.v5()) connack_properties_ = response.get_properties();
        connack_ = connack_json(response.is_session_present(), token->get_reason_code(),
                                response.get_properties());
      } catch (const std::exception&) {  // no details: the defaults stand
      }
      return {};
    }
    case wait_outcome::kind::failed: {
      int code = options_.v5() && outcome.reason >= 0x80 ? outcome.reason : outcome.code;
      if ((code >= 1 && code <= 5) || (code >= 0x80 && code <= 0xFF))
        connack_ = connack_json(false, code, mqtt::properties());
      return connect_failure(code, outcome.message, deadline);
    }
    case wait_outcome::kind::timed_out: {
      op_result result(fmt::format("no CONNACK from {} within {} ms", url_, timeout.count()));
      result.why = fmt::format("no CONNACK within {} ms", timeout.count());
      return result;
    }
    case wait_outcome::kind::interrupted:
      break;
  }
  return {"interrupted"};
}

op_result session::subscribe(const std::vector<std::string>& filters, int qos,
                             milliseconds timeout) {
  std::vector<subscription_spec> subscriptions;
  for (const auto& filter : filters) subscriptions.push_back({filter, qos});
  return subscribe(subscriptions, timeout);
}

op_result session::subscribe(const std::vector<subscription_spec>& subscriptions,
                             milliseconds timeout) {
  bool with_options = options_.v5() && std::any_of(subscriptions.begin(), subscriptions.end(),
                                                   [](const subscription_spec& s) {
                                                     return s.no_local || s.retain_as_published ||
                                                            s.retain_handling != 0 ||
                                                            s.subscription_id.has_value();
                                                   });
  if (with_options && subscriptions.size() > 1) {
    // Paho C++ 1.2.0 crashes in MQTTAsync_subscribeMany when given options
    // for several filters, and a SUBSCRIBE carries one subscription
    // identifier: one SUBSCRIBE per filter then.
    op_result all;
    std::vector<std::string> errors;
    for (const auto& s : subscriptions) {
      op_result one = subscribe(std::vector<subscription_spec>{s}, timeout);
      all.granted.insert(all.granted.end(), one.granted.begin(), one.granted.end());
      if (!one.ok()) errors.push_back(one.error);
      if (one.granted.empty()) break;
    }
    all.error = fmt::format("{}", fmt::join(errors, "; "));
    return all;
  }
  auto deadline = clock_type::now() + timeout;
  std::vector<std::string> filters = filters_of(subscriptions);
  mqtt::iasync_client::qos_collection qos;
  std::vector<mqtt::subscribe_options> v5_options;
  std::vector<std::string> traced;
  for (const auto& s : subscriptions) {
    qos.push_back(s.qos);
    v5_options.emplace_back(
        s.no_local, s.retain_as_published,
        static_cast<mqtt::subscribe_options::RetainHandling>(s.retain_handling));
    traced.push_back(fmt::format("{} qos {}{}{}", s.filter, s.qos, s.no_local ? " noLocal" : "",
                                 s.subscription_id ? fmt::format(" id {}", *s.subscription_id) : ""));
  }
  if (!with_options) v5_options.clear();
  trace(fmt::format("> SUBSCRIBE {}", fmt::join(traced, ", ")));
  mqtt::token_ptr token;
  try {
    // The collection overload even for one filter: with the single-string
    // overload Paho C++ 1.2.0 reports garbage granted QoS on MQTT 3.1.1. v5
    // options reach the broker only through the single-string overload.
    if (with_options) {
      mqtt::properties props;
      if (auto id = subscriptions.front().subscription_id)
        props.add(mqtt::property(mqtt::property::SUBSCRIPTION_IDENTIFIER, static_cast<int32_t>(*id)));
      token = client_.subscribe(filters.front(), qos.front(), v5_options.front(), props);
    }
    else
      token = client_.subscribe(mqtt::string_collection::create(filters), qos);
  } catch (const mqtt::exception& e) {
    return {fmt::format("subscribe to {} failed: {}", filter_list(filters), e.what())};
  }
  auto outcome = await(token, deadline);
  op_result result;
  switch (outcome.status) {
    case wait_outcome::kind::done:
      try {
        mqtt::subscribe_response response = token->get_subscribe_response();
        for (auto code : response.get_reason_codes())
          result.granted.push_back(static_cast<int>(code));
      } catch (const std::exception& e) {
        return {
            fmt::format("subscribe to {}: no SUBACK details: {}", filter_list(filters), e.what())};
      }
      break;
    case wait_outcome::kind::failed:
      // Paho C reports a single refused filter as a failure with its code.
      if (filters.size() == 1 && (outcome.code == kRefused || outcome.reason >= kRefused)) {
        result.granted = {outcome.code == kRefused ? kRefused : outcome.reason};
        break;
      }
      if (cut_short(outcome.code))
        return {fmt::format("subscribe to {} failed: the broker closed the connection before "
                            "SUBACK{}",
                            filter_list(filters), closed_because())};
      return {fmt::format("subscribe to {} failed: {}", filter_list(filters), outcome.message)};
    case wait_outcome::kind::timed_out:
      return {fmt::format("no SUBACK from {} within {} ms", url_, timeout.count())};
    case wait_outcome::kind::interrupted:
      return {"interrupted"};
  }
  std::vector<std::string> refusals;
  for (std::size_t i = 0; i < result.granted.size() && i < filters.size(); ++i)
    if (result.granted[i] >= kRefused)
      refusals.push_back(
          fmt::format("subscription to \"{}\" refused by the broker (SUBACK 0x{:02X})", filters[i],
                      result.granted[i]));
  result.error = fmt::format("{}", fmt::join(refusals, "; "));
  return result;
}

op_result session::unsubscribe(const std::vector<std::string>& filters, milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  mqtt::token_ptr token;
  try {
    trace(fmt::format("> UNSUBSCRIBE {}", fmt::join(filters, ", ")));
    token = client_.unsubscribe(mqtt::string_collection::create(filters));
  } catch (const mqtt::exception& e) {
    return {fmt::format("unsubscribe from {} failed: {}", filter_list(filters), e.what())};
  }
  auto outcome = await(token, deadline);
  switch (outcome.status) {
    case wait_outcome::kind::done:
      return {};
    case wait_outcome::kind::failed:
      if (cut_short(outcome.code))
        return {fmt::format(
            "unsubscribe from {} failed: the broker closed the connection before UNSUBACK{}",
            filter_list(filters), closed_because())};
      return {fmt::format("unsubscribe from {} failed: {}", filter_list(filters), outcome.message)};
    case wait_outcome::kind::timed_out:
      return {fmt::format("no UNSUBACK from {} within {} ms", url_, timeout.count())};
    case wait_outcome::kind::interrupted:
      break;
  }
  return {"interrupted"};
}

op_result session::start_publish(const std::string& topic, const std::string& payload, int qos,
                                 bool retained, const message_properties& properties,
                                 mqtt::token_ptr& token) {
  try {
    trace(publish_trace('>', topic, qos, retained, payload.size()));
    auto message = mqtt::message::create(
        topic, payload.data(), payload.size(), qos, retained,
        options_.v5() ? publish_properties(properties) : mqtt::properties());
    token = client_.publish(message);
  } catch (const mqtt::exception& e) {
    return {fmt::format("publish to \"{}\" failed: {}", topic, e.what())};
  }
  return {};
}

op_result session::finish_publish(const in_flight& publish) {
  const std::string& topic = publish.topic;
  int qos = publish.qos;
  auto outcome = await(publish.token, publish.deadline);
  switch (outcome.status) {
    case wait_outcome::kind::done:
      if (qos > 0)
        if (std::string wrong = wrong_acknowledgement(publish.token->get_message_id(), qos); !wrong.empty())
          return {fmt::format("publish to \"{}\" (QoS {}): {}", topic, qos, wrong)};
      return {};
    case wait_outcome::kind::failed:
      wrong_acknowledgement(publish.token->get_message_id(), qos);  // forget what arrived
      if (options_.v5() && outcome.reason >= kRefused) {
        return {fmt::format("publish to \"{}\" refused by the broker: {} ({} 0x{:02X})", topic,
                            reason_code_text(outcome.reason), refusal_packet(qos),
                            outcome.reason)};
      }
      if (cut_short(outcome.code))
        return {fmt::format(
            "publish to \"{}\" (QoS {}) failed: the broker closed the connection before "
            "acknowledging it{}",
            topic, qos, closed_because())};
      return {fmt::format("publish to \"{}\" failed: {}", topic, outcome.message)};
    case wait_outcome::kind::timed_out:
      if (std::string wrong = wrong_acknowledgement(publish.token->get_message_id(), qos); !wrong.empty())
        return {fmt::format("publish to \"{}\" (QoS {}) not completed within {} ms: {}", topic,
                            qos, publish.timeout.count(), wrong)};
      return {fmt::format("publish to \"{}\" (QoS {}) not completed within {} ms", topic, qos,
                          publish.timeout.count())};
    case wait_outcome::kind::interrupted:
      break;
  }
  return {"interrupted"};
}

op_result session::publish(const std::string& topic, const std::string& payload, int qos,
                           bool retained, milliseconds timeout,
                           const message_properties& properties) {
  in_flight sent{nullptr, topic, qos, clock_type::now() + timeout, timeout};
  if (auto started = start_publish(topic, payload, qos, retained, properties, sent.token);
      !started.ok())
    return started;
  return finish_publish(sent);
}

op_result session::publish_pipelined(const std::string& topic, const std::string& payload,
                                     int qos, bool retained, milliseconds timeout,
                                     const message_properties& properties, std::size_t window) {
  while (!in_flight_.empty() && in_flight_.size() >= window) {
    auto done = finish_publish(in_flight_.front());
    in_flight_.pop_front();
    if (!done.ok()) return done;
    ++published_;
  }
  in_flight sent{nullptr, topic, qos, clock_type::now() + timeout, timeout};
  if (auto started = start_publish(topic, payload, qos, retained, properties, sent.token);
      !started.ok())
    return started;
  in_flight_.push_back(std::move(sent));
  return {};
}

op_result session::finish_publishes() {
  while (!in_flight_.empty()) {
    auto done = finish_publish(in_flight_.front());
    in_flight_.pop_front();
    if (!done.ok()) return done;
    ++published_;
  }
  return {};
}

int session::held_acks() const { return relay_ ? relay_->held_acks() : 0; }

op_result session::drop_connection(steady_time deadline) {
  trace("x TCP connection dropped without DISCONNECT");
  if (!relay_) return {fmt::format("abrupt disconnect from {} failed: not connected", url_)};
  relay_->cut();
  std::unique_lock lock(mutex_);
  while (lost_.empty() && clock_type::now() < deadline)
    arrived_.wait_for(lock, std::min<clock_type::duration>(deadline - clock_type::now(), kSlice));
  return {};
}

op_result session::go_silent(steady_time deadline, milliseconds timeout) {
  trace("x silent: nothing more is sent (no PINGREQ, no DISCONNECT)");
  if (!relay_) return {fmt::format("silent disconnect from {} failed: not connected", url_)};
  auto start = clock_type::now();
  relay_->go_silent();
  if (!relay_->wait_broker_closed(deadline))
    return {fmt::format("the broker kept the connection open {} ms after the client went silent "
                        "(keepAlive {} s: MQTT requires closing it after 1.5 times that)",
                        timeout.count(), options_.keep_alive_seconds)};
  broker_closed_after_ = std::chrono::duration<double>(clock_type::now() - start).count();
  trace(fmt::format("x broker closed the connection after {:.1f} s", *broker_closed_after_));
  return {};
}

op_result session::disconnect(milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  connected_ = false;
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  space_.notify_all();
  if (options_.abrupt_disconnect) return drop_connection(deadline);
  if (options_.silent_disconnect) {
    op_result silent = go_silent(deadline, timeout);
    if (relay_) relay_->cut();
    return silent;
  }
  if (std::string why = lost(); !why.empty())
    return {fmt::format("disconnect from {}: the connection was already closed: {}", url_, why)};
  mqtt::token_ptr token;
  try {
    const disconnect_spec& spec = options_.disconnect;
    mqtt::disconnect_options disconnect(0);
    if (options_.v5()) {
      mqtt::properties props = user_properties(spec.user_properties);
      if (spec.session_expiry_seconds)
        props.add(mqtt::property(mqtt::property::SESSION_EXPIRY_INTERVAL,
                                 static_cast<int32_t>(static_cast<uint32_t>(*spec.session_expiry_seconds))));
      disconnect.set_properties(props);
      disconnect.set_reason_code(static_cast<mqtt::ReasonCode>(spec.reason_code));
      mqtt::disconnect_options_test::send_v5_fields(disconnect);
    }
    trace(spec.reason_code != 0 && options_.v5()
              ? fmt::format("> DISCONNECT 0x{:02X}", spec.reason_code)
              : std::string("> DISCONNECT"));
    token = client_.disconnect(disconnect);
  } catch (const mqtt::exception& e) {
    return {fmt::format("disconnect from {} failed: {}", url_, e.what())};
  }
  auto outcome = await(token, deadline);
  switch (outcome.status) {
    case wait_outcome::kind::done:
      // holdAcks: every acknowledgement Paho wrote has passed the relay, so
      // held_acks() counts them all.
      if (options_.hold_acks && relay_) relay_->wait_finished(deadline);
      return {};
    case wait_outcome::kind::failed:
      return {fmt::format("disconnect from {} failed: {}", url_, outcome.message)};
    case wait_outcome::kind::timed_out:
      return {fmt::format("disconnect from {} not completed within {} ms", url_, timeout.count())};
    case wait_outcome::kind::interrupted:
      break;
  }
  return {"interrupted"};
}

std::optional<received_message> session::try_next() {
  std::unique_lock lock(mutex_);
  reading_ = true;
  if (queue_.empty()) return std::nullopt;
  received_message message = std::move(queue_.front());
  took_one(lock);
  return message;
}

std::optional<received_message> session::next(steady_time deadline) {
  std::unique_lock lock(mutex_);
  reading_ = true;
  while (queue_.empty()) {
    if (!lost_.empty() || is_interrupted()) return std::nullopt;
    auto now = clock_type::now();
    if (now >= deadline) return std::nullopt;
    arrived_.wait_for(lock, std::min<clock_type::duration>(deadline - now, kSlice));
  }
  received_message message = std::move(queue_.front());
  took_one(lock);
  return message;
}

}  // namespace mqttest
