#include "steps/mqtt/mqtt_step.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <future>
#include <mutex>

#include "steps/mqtt/mqtt_config.h"
#include "steps/mqtt/paho/paho_runtime.h"
#include "steps/mqtt/session.h"
#include "steps/mqtt/topic_filter.h"

namespace mqttest {
namespace {

using json = nlohmann::json;
using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

json properties_json(const received_message& message) {
  const message_properties& p = message.properties;
  json out = {{"userProperties", json::object()},
              {"subscriptionIdentifiers", message.subscription_ids}};
  for (const auto& [name, value] : p.user_properties) out["userProperties"][name] = utf8_text(value);
  if (p.content_type) out["contentType"] = utf8_text(*p.content_type);
  if (p.response_topic) out["responseTopic"] = utf8_text(*p.response_topic);
  if (p.correlation_data) out["correlationData"] = utf8_text(*p.correlation_data);
  if (p.message_expiry) out["messageExpiry"] = *p.message_expiry;
  if (p.payload_format) out["payloadFormat"] = *p.payload_format;
  if (p.topic_alias) out["topicAlias"] = *p.topic_alias;
  return out;
}

std::vector<std::string> routes(const std::vector<std::string>& filters) {
  std::vector<std::string> out;
  for (const auto& filter : filters) out.emplace_back(routed_filter(filter));
  return out;
}

/// -v: once per process, on stderr, that Paho runs untuned and why.
void tell_tuning_off() {
  std::string why = paho::take_tuning_notice();
  if (why.empty()) return;
  std::string line = fmt::format(
      "mqttest: Paho tuning off: {}. Results are the same; a connect may take 1-2 s.\n", why);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

json empty_result(client_type type) {
  json result = {{"timeseconds", 0.0},
                 {"topics", json::array()},
                 {"messages", json::array()},
                 {"messagesjson", json::array()},
                 {"details", json::array()},
                 {"received", 0},
                 {"ignored", 0},
                 {"unexpected", json::array()},
                 {"error", ""},
                 {"err", ""}};
  if (type == client_type::publisher)
    result["published"] = 0;
  else
    result["granted"] = json::array();
  return result;
}

/// Publishes in flight at once: enough that many messages do not pay a round
/// trip each, and no more than brokers take: mosquitto's default
/// max_inflight_messages (and mosquitto_pub's window) is 20; past it,
/// mosquitto drops incoming QoS 2 messages of MQTT 3.1.1 clients.
constexpr std::size_t kPublishWindow = 20;

/// The DUP flag as far as Paho C tells it: for QoS 2 it does not (1.3.12
/// builds the message it delivers from its own copy, without the flag), so
/// null there rather than a false that may be wrong.
json dup_flag(const received_message& message) {
  return message.qos == 2 ? json(nullptr) : json(message.dup);
}

/// One message as `sub --stream` prints it.
json stream_line(const received_message& message, bool v5) {
  json line = {{"topic", message.topic},
               {"payload", utf8_text(message.payload)},
               {"qos", message.qos},
               {"retained", message.retained},
               {"dup", dup_flag(message)},
               {"payloadSize", message.payload.size()}};
  if (v5) line.update(properties_json(message));
  return line;
}

void add_message(json& result, const received_message& message, codec decode, bool v5) {
  result["topics"].push_back(message.topic);
  result["messages"].push_back(utf8_text(message.payload));
  std::string undecoded;
  result["messagesjson"].push_back(decode_payload(message.payload, decode, &undecoded));
  json details = {{"topic", message.topic},
                  {"qos", message.qos},
                  {"retained", message.retained},
                  {"dup", dup_flag(message)},
                  {"payloadSize", message.payload.size()}};
  if (!undecoded.empty()) details["decodeError"] = undecoded;
  if (v5) details.update(properties_json(message));
  result["details"].push_back(std::move(details));
  result["received"] = result["received"].get<int>() + 1;
}

/// What a connect attempt learnt: the CONNACK, and for an empty client id
/// the one the broker assigned (a generated id stays out: results repeat).
void note_connect(json& result, const session& client) {
  if (!client.connack().is_null()) result["connack"] = client.connack();
  if (client.client_id().empty()) result["clientId"] = client.effective_client_id();
}

/// Moves the session's arrivals that matched none of its filters into
/// result.unexpected; returns how many there were.
std::size_t note_unexpected(json& result, session& client) {
  auto strays = client.take_unexpected();
  for (const auto& stray : strays)
    result["unexpected"].push_back({{"topic", stray.topic},
                                    {"qos", stray.qos},
                                    {"retained", stray.retained},
                                    {"payloadSize", stray.payload.size()},
                                    {"message", utf8_text(stray.payload)}});
  return strays.size();
}

/// After `disconnect: silent`: how long the broker took to close the connection.
void note_closed(json& result, const session& client) {
  if (auto after = client.broker_closed_after()) result["brokerClosedAfter"] = *after;
}

class mqtt_step final : public step {
 public:
  explicit mqtt_step(mqtt_config config) : config_(std::move(config)) {}

  json run(const step_context& context) override {
    auto start = clock_type::now();
    json result = empty_result(config_.type);
    std::string error;
    try {
      error = run_kind(context, result);
    } catch (const std::exception& e) {
      error = fmt::format("unexpected failure: {}", e.what());
    } catch (...) {
      error = "unexpected failure";
    }
    result["timeseconds"] = std::chrono::duration<double>(clock_type::now() - start).count();
    result["error"] = error;
    result["err"] = error;
    if (context.verbosity > 0) tell_tuning_off();
    return result;
  }

 private:
  milliseconds timeout() const { return milliseconds(config_.timeout_ms); }
  milliseconds connect_timeout() const { return milliseconds(config_.connect_timeout_ms); }

  connection_options options(const step_context& context) const {
    connection_options options = config_.connection;
    // The request client of a subscriber connects on another thread: one
    // trace line at a time reaches the sink.
    if (context.trace)
      options.trace = [this, sink = context.trace](std::string_view line) {
        std::lock_guard lock(trace_mutex_);
        sink(line);
      };
    return options;
  }

  std::unique_ptr<session> open(const step_context& context, std::vector<std::string> route,
                                std::string id = {}) const {
    return std::make_unique<session>(config_.addrs, id.empty() ? config_.client_id : id,
                                     routes(route), context.interrupted, options(context));
  }

  /// Sends `messages` (or, with context.next_payload, the first of them once
  /// per payload it yields) pipelined; "published" counts the completed ones.
  std::string publish_all(session& client, const std::vector<mqtt_message_spec>& messages,
                          json& result, const step_context& context) {
    auto send = [&](const mqtt_message_spec& message, const std::string& payload) {
      return client.publish_pipelined(message.topic, payload, message.qos, message.retained,
                                      timeout(), message.properties, kPublishWindow);
    };
    op_result sent;
    if (context.next_payload && !messages.empty()) {
      std::string payload;
      while (sent.ok() && context.next_payload(payload)) sent = send(messages.front(), payload);
    } else {
      for (const auto& message : messages) {
        sent = send(message, message.payload);
        if (!sent.ok()) break;
      }
    }
    if (sent.ok()) sent = client.finish_publishes();
    result["published"] = result.value("published", 0) + client.published();
    return sent.error;
  }

  std::string run_kind(const step_context& context, json& result) {
    switch (config_.type) {
      case client_type::publisher:
        return publish(context, result);
      case client_type::subscriber:
        return subscribe(context, result);
      case client_type::persistent_queue:
        return config_.persist_subscription ? keep_queue(context, result) : release_queue(context, result);
    }
    return "unknown clientType";
  }

  std::string publish(const step_context& context, json& result) {
    auto client = open(context, {});
    auto connected = client->connect(!config_.persist_subscription, connect_timeout());
    note_connect(result, *client);
    if (!connected.ok()) return connected.error;
    std::string error = publish_all(*client, config_.messages, result, context);
    note_unexpected(result, *client);
    if (!error.empty()) return error;
    auto closed = client->disconnect(timeout());
    note_closed(result, *client);
    note_unexpected(result, *client);
    return closed.error;
  }

  std::string subscribe(const step_context& context, json& result) {
    // The route exists before connect: a persistent session's queued
    // messages may arrive right after CONNACK.
    auto client = open(context, config_.topics);
    // request/response: the publishing client connects in parallel.
    std::unique_ptr<session> requester;
    std::future<op_result> requester_connected;
    if (!config_.publish.empty() && !config_.publish_from_self) {
      connection_options plain = options(context);
      plain.will.reset();
      plain.abrupt_disconnect = false;
      plain.silent_disconnect = false;
      plain.hold_acks = false;
      plain.session_expiry_seconds.reset();
      plain.disconnect = {};
      requester = std::make_unique<session>(config_.addrs, config_.client_id + "-request",
                                            std::vector<std::string>{}, context.interrupted,
                                            std::move(plain));
      requester_connected = std::async(std::launch::async, [&] {
        return requester->connect(true, connect_timeout());
      });
    }
    auto connected = client->connect(!config_.persist_subscription, connect_timeout());
    note_connect(result, *client);
    if (requester_connected.valid()) {
      auto request_connected = requester_connected.get();
      if (connected.ok() && !request_connected.ok())
        return "request client: " + request_connected.error;
    }
    if (!connected.ok()) return connected.error;
    auto subscribed = client->subscribe(config_.subscriptions, timeout());
    result["granted"] = subscribed.granted;
    if (!subscribed.ok()) return subscribed.error;
    if (!config_.unsubscribe.empty())
      if (auto gone = client->unsubscribe(config_.unsubscribe, timeout()); !gone.ok())
        return gone.error;
    if (requester) {
      result["published"] = 0;
      if (auto error = publish_all(*requester, config_.publish, result, {}); !error.empty())
        return "request: " + error;
      requester->disconnect(timeout());
    } else if (!config_.publish.empty()) {
      // publishFrom: self: the subscribing client publishes (noLocal, own echoes).
      result["published"] = 0;
      if (auto error = publish_all(*client, config_.publish, result, {}); !error.empty())
        return "publish: " + error;
    }
    std::string error = collect(*client, result, context);
    auto closed = client->disconnect(timeout());
    note_closed(result, *client);
    if (config_.connection.hold_acks) result["heldAcks"] = client->held_acks();
    return error.empty() ? closed.error : error;
  }

  void take(json& result, const received_message& message, const step_context& context) const {
    if (!context.on_message) {
      add_message(result, message, config_.decode, config_.connection.v5());
      return;
    }
    context.on_message(stream_line(message, config_.connection.v5()));
    result["received"] = result["received"].get<int>() + 1;
  }

  static std::string describe(const received_message& message) {
    return fmt::format("\"{}\" ({} bytes)", message.topic, message.payload.size());
  }

  std::string collect(session& client, json& result, const step_context& context) {
    auto deadline = clock_type::now() + timeout();
    int received = 0;
    while (received < config_.message_limit) {
      auto message = client.next(deadline);
      if (!message) break;
      take(result, *message, context);
      ++received;
    }
    int unexpected = 0;
    std::string first;
    auto count_unexpected = [&](const received_message& message) {
      if (unexpected++ == 0) first = describe(message);
      result["ignored"] = result["ignored"].get<int>() + 1;
    };
    if (config_.message_limit == 0) {
      while (auto message = client.next(deadline)) count_unexpected(*message);
    } else if (config_.expect_no_more_ms && received >= config_.message_limit) {
      auto quiet_until = clock_type::now() + milliseconds(*config_.expect_no_more_ms);
      while (auto message = client.next(quiet_until)) count_unexpected(*message);
    }
    bool checks_silence = config_.message_limit == 0 || config_.expect_no_more_ms.has_value();
    while (auto message = client.try_next()) {
      if (checks_silence && received >= config_.message_limit)
        count_unexpected(*message);
      else
        result["ignored"] = result["ignored"].get<int>() + 1;
    }
    if (context.interrupted != nullptr && context.interrupted->load()) return "interrupted";
    std::string topics = fmt::format("[{}]", fmt::join(config_.topics, ", "));
    std::size_t first_stray = result["unexpected"].size();
    std::size_t strays = note_unexpected(result, client);
    if (unexpected > 0 && config_.message_limit == 0)
      return fmt::format("expected no messages on {} within {} ms, received {} (first: {})",
                         topics, config_.timeout_ms, unexpected, first);
    if (unexpected > 0)
      return fmt::format(
          "expected no more messages on {} within {} ms after the {} expected, received {} "
          "(first: {})",
          topics, *config_.expect_no_more_ms, config_.message_limit, unexpected, first);
    if (strays > 0 && checks_silence) {
      const json& stray = result["unexpected"][first_stray];
      return fmt::format("received {} message{} matching none of the filters {} (first: \"{}\" "
                         "({} bytes)): see result.unexpected",
                         strays, strays == 1 ? "" : "s", topics, stray["topic"].get<std::string>(),
                         stray["payloadSize"].get<std::size_t>());
    }
    std::string lost = client.lost();
    if (received >= config_.message_limit)
      return lost.empty() || config_.message_limit > 0 ? "" : lost;
    std::string got = fmt::format("received {} of {} messages on {}", received,
                                  config_.message_limit, topics);
    if (!lost.empty()) return fmt::format("{}: {}", got, lost);
    return fmt::format("{} within {} ms", got, config_.timeout_ms);
  }

  /// Registers the persistent session and its subscriptions on the broker.
  std::string keep_queue(const step_context& context, json& result) {
    auto client = open(context, config_.topics);
    auto connected = client->connect(false, connect_timeout());
    note_connect(result, *client);
    if (!connected.ok()) return connected.error;
    auto subscribed = client->subscribe(config_.subscriptions, timeout());
    result["granted"] = subscribed.granted;
    if (!subscribed.ok()) return subscribed.error;
    auto closed = client->disconnect(timeout());
    note_unexpected(result, *client);
    return closed.error;
  }

  /// Removes the subscriptions and the session: the broker keeps nothing.
  std::string release_queue(const step_context& context, json& result) {
    {
      auto client = open(context, {});
      auto connected = client->connect(false, connect_timeout());
      note_connect(result, *client);
      if (!connected.ok()) return connected.error;
      if (auto gone = client->unsubscribe(config_.topics, timeout()); !gone.ok()) return gone.error;
      if (auto closed = client->disconnect(timeout()); !closed.ok()) return closed.error;
    }
    auto client = open(context, {});
    if (auto connected = client->connect(true, connect_timeout()); !connected.ok())
      return connected.error;
    return client->disconnect(timeout()).error;
  }

  mqtt_config config_;
  mutable std::mutex trace_mutex_;
};

std::vector<std::string> field_names() {
  std::vector<std::string> names;
  for (const auto& field : mqtt_step_fields()) names.emplace_back(field.name);
  return names;
}

void validate(const json& fields, const locate_fn& locate) { validate_mqtt_config(fields, locate); }

std::unique_ptr<step> make(const json& fields, const locate_fn& locate) {
  return std::make_unique<mqtt_step>(parse_mqtt_config(fields, locate));
}

}  // namespace

const step_kind mqtt_step_kind = {.type = "mqtt",
                                  .fields = field_names,
                                  .validate = validate,
                                  .make = make,
                                  .spec = mqtt_step_table};

}  // namespace mqttest
