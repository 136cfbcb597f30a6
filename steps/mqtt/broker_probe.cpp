#include "steps/mqtt/broker_probe.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include "steps/mqtt/session.h"

namespace mqttest {
namespace {

using json = nlohmann::json;
using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;
using code = mqtt::property::code;

/// The versions probed, best first: key in "versions", Paho protocol number.
struct version_entry {
  const char* name;
  int protocol;
};
constexpr version_entry kVersions[] = {{"5", 5}, {"3.1.1", 4}, {"3.1", 3}};

std::string random_hex() {
  std::random_device random;
  return fmt::format("{:08x}", random());
}

/// One probe: its settings, a topic prefix of its own and the client ids it uses.
class prober {
 public:
  explicit prober(const probe_settings& settings)
      : settings_(settings),
        tag_(random_hex()),
        prefix_(fmt::format("{}/{}/", settings.topic_root, tag_)) {}

  probe_outcome run();

 private:
  std::unique_ptr<session> open(int protocol, std::string client_id, bool clean,
                                std::vector<std::string> route, op_result& result) const {
    connection_options options = settings_.connection;
    options.protocol_version = protocol;
    auto client = std::make_unique<session>(settings_.url, std::move(client_id), std::move(route),
                                            settings_.interrupted, options);
    result = client->connect(clean, settings_.connect_timeout);
    return client;
  }
  std::string id(std::string_view role) const {
    return fmt::format("mqttest-{}-{}", tag_, role);  // MQTT 3.1 allows 23 characters
  }
  void say(std::string_view what) const {
    if (settings_.progress) settings_.progress(what);
  }
  bool interrupted() const {
    return settings_.interrupted != nullptr && settings_.interrupted->load();
  }
  clock_type::time_point deadline() const { return clock_type::now() + settings_.timeout; }

  /// The measuring client, connected anew when the broker dropped it.
  session* measuring(op_result& connected) {
    if (!main_ || !main_->lost().empty()) {
      main_.reset();
      auto client = open(protocol_, id("m"), true, {prefix_ + "#"}, connected);
      if (connected.ok()) main_ = std::move(client);
    }
    return main_.get();
  }

  json version(const version_entry& entry, json& capabilities);
  json assigned_client_id(int protocol);
  json qos_levels(int max_qos);
  json retained(bool available);
  json persistent_session();
  json sys_topics();
  json largest_payload(std::size_t declared_limit);
  json round_trip();

  const probe_settings& settings_;
  int protocol_ = 4;  ///< the version measured with
  std::unique_ptr<session> main_;
  std::string tag_;
  std::string prefix_;
};

json prober::version(const version_entry& entry, json& capabilities) {
  say(fmt::format("connecting with MQTT {}", entry.name));
  op_result connected;
  auto client = open(entry.protocol, id("v"), true, {}, connected);
  if (!connected.ok())
    return {{"accepted", false},
            {"reason", connected.why.empty() ? connected.error : connected.why}};
  if (entry.protocol == 5) capabilities = connack_capabilities(client->connack_properties());
  client->disconnect(settings_.timeout);
  return {{"accepted", true}};
}

json prober::assigned_client_id(int protocol) {
  op_result connected;
  auto client = open(protocol, "", true, {}, connected);
  if (!connected.ok())
    return {{"accepted", false},
            {"reason", connected.why.empty() ? connected.error : connected.why}};
  json out = {{"accepted", true}, {"assigned", nullptr}};
  const mqtt::properties& props = client->connack_properties();
  if (props.contains(code::ASSIGNED_CLIENT_IDENTIFER))
    out["assigned"] = mqtt::get<std::string>(props, code::ASSIGNED_CLIENT_IDENTIFER);
  client->disconnect(settings_.timeout);
  return out;
}

/// Subscribes at QoS q and publishes at QoS q (at most the declared
/// Maximum QoS: more is a protocol error) to a topic of its own.
json prober::qos_levels(int max_qos) {
  json out = json::object();
  for (int qos = 0; qos <= 2; ++qos) {
    std::string topic = prefix_ + fmt::format("qos{}", qos);
    int sent = std::min(qos, max_qos);
    json level = {{"granted", nullptr}, {"published", sent}, {"delivered", nullptr}};
    op_result connected;
    session* client = measuring(connected);
    if (client == nullptr) {
      level["error"] = connected.error;
      out[std::to_string(qos)] = level;
      continue;
    }
    op_result subscribed = client->subscribe({topic}, qos, settings_.timeout);
    if (!subscribed.granted.empty()) level["granted"] = subscribed.granted.front();
    if (!subscribed.ok()) {
      level["error"] = subscribed.error;
      out[std::to_string(qos)] = level;
      continue;
    }
    op_result published = client->publish(topic, "qos", sent, false, settings_.timeout);
    if (!published.ok()) level["error"] = published.error;
    if (auto message = client->next(deadline()))
      level["delivered"] = message->qos;
    else if (published.ok())
      level["error"] = client->lost().empty() ? fmt::format("nothing delivered within {} ms",
                                                            settings_.timeout.count())
                                              : client->lost();
    client->unsubscribe({topic}, settings_.timeout);
    out[std::to_string(qos)] = level;
  }
  return out;
}

/// A retained message, then a subscription on a connection of its own.
json prober::retained(bool available) {
  std::string topic = prefix_ + "retained";
  json out = {{"delivered", false}};
  if (!available) {
    out["error"] = "not tried: the CONNACK declares Retain Available 0";
    return out;
  }
  op_result connected;
  auto client = open(protocol_, id("r"), true, {topic}, connected);
  if (!connected.ok()) {
    out["error"] = connected.error;
    return out;
  }
  op_result published = client->publish(topic, "retained", 1, true, settings_.timeout);
  if (!published.ok()) {
    out["error"] = published.error;
    return out;
  }
  op_result subscribed = client->subscribe({topic}, 1, settings_.timeout);
  if (!subscribed.ok()) {
    out["error"] = subscribed.error;
  } else if (auto message = client->next(deadline())) {
    out["delivered"] = message->retained;
  } else {
    out["error"] = fmt::format("nothing delivered within {} ms", settings_.timeout.count());
  }
  client->unsubscribe({topic}, settings_.timeout);
  client->publish(topic, "", 1, true, settings_.timeout);  // clears it
  client->disconnect(settings_.timeout);
  return out;
}

/// Subscribes with a persistent session, disconnects, has a QoS 1 message
/// published, reconnects: is the session present and the message delivered?
json prober::persistent_session() {
  int protocol = protocol_;
  std::string topic = prefix_ + "session";
  json out = {{"session_present", false}, {"queued_delivered", false}};
  {
    op_result connected;
    auto first = open(protocol, id("s"), false, {topic}, connected);
    if (!connected.ok()) {
      out["error"] = connected.error;
      return out;
    }
    op_result subscribed = first->subscribe({topic}, 1, settings_.timeout);
    first->disconnect(settings_.timeout);
    if (!subscribed.ok()) {
      out["error"] = subscribed.error;
      return out;
    }
  }
  op_result connected;
  if (session* client = measuring(connected))
    client->publish(topic, "queued", 1, false, settings_.timeout);
  auto again = open(protocol, id("s"), false, {topic}, connected);
  if (!connected.ok()) {
    out["error"] = connected.error;
    return out;
  }
  out["session_present"] = again->session_present();
  out["queued_delivered"] = again->next(deadline()).has_value();
  again->disconnect(settings_.timeout);
  again.reset();
  // A clean connect (session expiry 0 on MQTT 5) ends the session on the broker.
  auto cleanup = open(protocol, id("s"), true, {}, connected);
  if (connected.ok()) cleanup->disconnect(settings_.timeout);
  return out;
}

json prober::sys_topics() {
  op_result connected;
  auto client = open(protocol_, id("sys"), true, {"$SYS/#"}, connected);
  json out = {{"available", false}, {"first_topic", nullptr}};
  if (!connected.ok()) {
    out["error"] = connected.error;
    return out;
  }
  op_result subscribed = client->subscribe({"$SYS/#"}, 0, settings_.timeout);
  if (!subscribed.ok()) {
    out["error"] = subscribed.error;
  } else if (auto message = client->next(deadline())) {
    out["available"] = true;
    out["first_topic"] = message->topic;
  }
  client->disconnect(settings_.timeout);
  return out;
}

/// Whether a payload of `size` bytes, published at QoS 1 to the client's
/// own subscription, comes back. A refusal may cost the connection: then the
/// client is made anew.
json prober::largest_payload(std::size_t declared_limit) {
  std::string topic = prefix_ + "payload";
  std::size_t cap = settings_.payload_cap;
  // The MQTT 5 limit is for the whole packet; a PUBLISH carries the topic,
  // a packet id, lengths and properties besides the payload.
  if (declared_limit > 0) cap = std::min(cap, declared_limit + 1);
  std::unique_ptr<session> client;
  std::string last_error;
  // A refusal may end the connection with a DISCONNECT, which Paho does not
  // report as a lost connection: after a failure the next try connects anew.
  auto accepted = [&](std::size_t size) {
    if (!client) {
      op_result connected;
      client = open(protocol_, id("p"), true, {topic}, connected);
      if (!connected.ok() || !client->subscribe({topic}, 1, settings_.timeout).ok()) {
        last_error = connected.ok() ? "cannot subscribe" : connected.error;
        client.reset();
        return false;
      }
    }
    std::string payload(size, 'p');
    op_result published = client->publish(topic, payload, 1, false, settings_.timeout);
    auto message = published.ok() ? client->next(deadline()) : std::nullopt;
    if (message && message->payload.size() == size) return true;
    last_error = !published.ok()           ? published.error
                 : !client->lost().empty() ? client->lost()
                                           : "not delivered";
    client.reset();
    return false;
  };
  std::size_t good = 0;
  std::optional<std::size_t> bad;
  // Grow by 4 from 1 KiB to the cap, then halve the gap to 1 %.
  for (std::size_t size = std::min<std::size_t>(1024, cap);; size = std::min(size * 4, cap)) {
    if (interrupted()) break;
    say(fmt::format("publishing {} bytes", size));
    if (!accepted(size)) {
      bad = size;
      break;
    }
    good = size;
    if (size == cap) break;
  }
  while (bad && *bad - good > std::max<std::size_t>(16, good / 100) && !interrupted()) {
    std::size_t middle = good + (*bad - good) / 2;
    say(fmt::format("publishing {} bytes", middle));
    if (accepted(middle))
      good = middle;
    else
      bad = middle;
  }
  if (client) client->disconnect(settings_.timeout);
  json out = {{"largest_accepted", good},
              {"smallest_refused", bad ? json(*bad) : json(nullptr)},
              {"cap", cap}};
  if (bad && good == 0) out["error"] = last_error;
  return out;
}

json prober::round_trip() {
  std::string topic = prefix_ + "rtt";
  json out = {{"samples", 0}, {"min_ms", nullptr}, {"median_ms", nullptr}, {"max_ms", nullptr}};
  op_result connected;
  session* measured = measuring(connected);
  if (measured == nullptr) return out;
  session& client = *measured;
  if (!client.subscribe({topic}, 0, settings_.timeout).ok()) return out;
  std::vector<double> times;
  for (int i = 0; i < 5 && !interrupted(); ++i) {
    auto start = clock_type::now();
    if (!client.publish(topic, "ping", 0, false, settings_.timeout).ok()) break;
    if (!client.next(deadline())) break;
    times.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - start).count());
  }
  client.unsubscribe({topic}, settings_.timeout);
  if (times.empty()) return out;
  std::sort(times.begin(), times.end());
  auto rounded = [](double ms) { return static_cast<double>(static_cast<long>(ms * 1000)) / 1000; };
  out["samples"] = times.size();
  out["min_ms"] = rounded(times.front());
  out["median_ms"] = rounded(times[times.size() / 2]);
  out["max_ms"] = rounded(times.back());
  return out;
}

probe_outcome prober::run() {
  probe_outcome outcome;
  json& doc = outcome.document;
  doc = {{"broker", settings_.url},
         {"versions", json::object()},
         {"capabilities", nullptr},
         {"measured", nullptr}};
  json capabilities;
  const version_entry* best = nullptr;
  json unreachable;  // a failure below MQTT: the other versions would fail alike
  for (const version_entry& entry : kVersions) {
    if (interrupted()) break;
    json result = unreachable.is_null() ? version(entry, capabilities) : unreachable;
    if (result["accepted"] == true && best == nullptr) best = &entry;
    std::string reason = result.value("reason", "");
    if (result["accepted"] == false && reason.find("CONNACK 0x") == std::string::npos &&
        reason.find("(CONNACK ") == std::string::npos &&
        reason.find("closed the connection") == std::string::npos)
      unreachable = result;
    doc["versions"][entry.name] = result;
  }
  if (best == nullptr) {
    outcome.error = interrupted() ? "interrupted" : doc["versions"]["3.1.1"].value("reason", "");
    if (interrupted()) return outcome;
    // One reason suffices when every version failed the same way (unreachable, ...).
    std::string first = doc["versions"]["5"].value("reason", "");
    if (first == outcome.error && doc["versions"]["3.1"].value("reason", "") == first)
      outcome.error = first;
    else
      outcome.error = fmt::format("no MQTT version accepted (5: {}; 3.1.1: {}; 3.1: {})", first,
                                  outcome.error, doc["versions"]["3.1"].value("reason", ""));
    return outcome;
  }
  outcome.reached = true;
  if (best->protocol == 5) {
    say("connecting with an empty client id");
    capabilities["assigned_client_identifier"] = assigned_client_id(5);
    doc["capabilities"] = capabilities;
  }
  json measured = {{"protocol", best->name}};
  protocol_ = best->protocol;
  op_result connected;
  if (measuring(connected) == nullptr) {
    measured["error"] = connected.error;
    doc["measured"] = measured;
    return outcome;
  }
  bool declared = capabilities.is_object();
  say("measuring QoS");
  measured["qos"] = qos_levels(declared ? capabilities["maximum_qos"].get<int>() : 2);
  say("measuring retained delivery");
  measured["retained"] = retained(!declared || capabilities["retain_available"] == true);
  say("measuring the round-trip time");
  measured["round_trip"] = round_trip();
  say("measuring session persistence");
  measured["session"] = persistent_session();
  if (main_) main_->disconnect(settings_.timeout);
  main_.reset();
  say("looking for $SYS topics");
  measured["sys_topics"] = sys_topics();
  std::size_t declared_limit = 0;
  if (declared && capabilities["maximum_packet_size"].is_number())
    declared_limit = capabilities["maximum_packet_size"].get<std::size_t>();
  measured["max_payload"] = largest_payload(declared_limit);
  doc["measured"] = measured;
  return outcome;
}

}  // namespace

json connack_capabilities(const mqtt::properties& connack) {
  json declared = json::array();
  auto has = [&](code c, const char* name) {
    bool present = connack.contains(c);
    if (present) declared.push_back(name);
    return present;
  };
  auto flag = [&](code c, const char* name) {
    return has(c, name) ? mqtt::get<uint8_t>(connack, c) != 0 : true;
  };
  json out;
  out["maximum_qos"] = has(code::MAXIMUM_QOS, "maximum_qos")
                           ? static_cast<int>(mqtt::get<uint8_t>(connack, code::MAXIMUM_QOS))
                           : 2;
  out["retain_available"] = flag(code::RETAIN_AVAILABLE, "retain_available");
  out["wildcard_subscription_available"] =
      flag(code::WILDCARD_SUBSCRIPTION_AVAILABLE, "wildcard_subscription_available");
  out["shared_subscription_available"] =
      flag(code::SHARED_SUBSCRIPTION_AVAILABLE, "shared_subscription_available");
  out["subscription_identifiers_available"] =
      flag(code::SUBSCRIPTION_IDENTIFIERS_AVAILABLE, "subscription_identifiers_available");
  out["topic_alias_maximum"] =
      has(code::TOPIC_ALIAS_MAXIMUM, "topic_alias_maximum")
          ? static_cast<int>(mqtt::get<uint16_t>(connack, code::TOPIC_ALIAS_MAXIMUM))
          : 0;
  out["receive_maximum"] =
      has(code::RECEIVE_MAXIMUM, "receive_maximum")
          ? static_cast<int>(mqtt::get<uint16_t>(connack, code::RECEIVE_MAXIMUM))
          : 65535;
  out["maximum_packet_size"] = has(code::MAXIMUM_PACKET_SIZE, "maximum_packet_size")
                                   ? json(mqtt::get<uint32_t>(connack, code::MAXIMUM_PACKET_SIZE))
                                   : json(nullptr);
  out["server_keep_alive"] = has(code::SERVER_KEEP_ALIVE, "server_keep_alive")
                                 ? json(mqtt::get<uint16_t>(connack, code::SERVER_KEEP_ALIVE))
                                 : json(nullptr);
  out["session_expiry_interval"] =
      has(code::SESSION_EXPIRY_INTERVAL, "session_expiry_interval")
          ? json(mqtt::get<uint32_t>(connack, code::SESSION_EXPIRY_INTERVAL))
          : json(nullptr);
  out["declared"] = declared;
  return out;
}

probe_outcome probe_broker(const probe_settings& settings) { return prober(settings).run(); }

}  // namespace mqttest
