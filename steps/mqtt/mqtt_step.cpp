#include "steps/mqtt/mqtt_step.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <exception>

#include "steps/mqtt/mqtt_config.h"
#include "steps/mqtt/session.h"

namespace mqttest {
namespace {

using json = nlohmann::json;
using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// Scalar JSON stays scalar; a payload that is not JSON becomes null.
json parse_payload(const std::string& payload) {
  json parsed = json::parse(payload, nullptr, false);
  return parsed.is_discarded() ? json(nullptr) : parsed;
}

json empty_result(client_type type) {
  json result = {{"timeseconds", 0.0},
                 {"topics", json::array()},
                 {"messages", json::array()},
                 {"messagesjson", json::array()},
                 {"details", json::array()},
                 {"received", 0},
                 {"ignored", 0},
                 {"error", ""},
                 {"err", ""}};
  if (type == client_type::publisher)
    result["published"] = 0;
  else
    result["granted"] = json::array();
  return result;
}

void add_message(json& result, const received_message& message) {
  result["topics"].push_back(message.topic);
  result["messages"].push_back(message.payload);
  result["messagesjson"].push_back(parse_payload(message.payload));
  result["details"].push_back({{"topic", message.topic},
                               {"qos", message.qos},
                               {"retained", message.retained},
                               {"dup", message.dup},
                               {"payloadSize", message.payload.size()}});
  result["received"] = result["received"].get<int>() + 1;
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
    return result;
  }

 private:
  milliseconds timeout() const { return milliseconds(config_.timeout_ms); }
  milliseconds connect_timeout() const { return milliseconds(config_.connect_timeout_ms); }

  std::string run_kind(const step_context& context, json& result) {
    switch (config_.type) {
      case client_type::publisher:
        return publish(context, result);
      case client_type::subscriber:
        return subscribe(context, result);
      case client_type::persistent_queue:
        return config_.persist_subscription ? keep_queue(context, result) : release_queue(context);
    }
    return "unknown clientType";
  }

  std::string publish(const step_context& context, json& result) {
    session client(config_.addrs, config_.client_id, {}, context.interrupted);
    if (auto connected = client.connect(!config_.persist_subscription, connect_timeout());
        !connected.ok())
      return connected.error;
    for (const auto& message : config_.messages) {
      auto sent =
          client.publish(message.topic, message.payload, message.qos, message.retained, timeout());
      if (!sent.ok()) return sent.error;
      result["published"] = result["published"].get<int>() + 1;
    }
    return client.disconnect(timeout()).error;
  }

  std::string subscribe(const step_context& context, json& result) {
    // The route exists before connect: a persistent session's queued
    // messages may arrive right after CONNACK.
    session client(config_.addrs, config_.client_id, config_.topics, context.interrupted);
    if (auto connected = client.connect(!config_.persist_subscription, connect_timeout());
        !connected.ok())
      return connected.error;
    auto subscribed = client.subscribe(config_.topics, config_.qos, timeout());
    result["granted"] = subscribed.granted;
    if (!subscribed.ok()) return subscribed.error;
    std::string error = collect(client, result, context);
    client.disconnect(timeout());
    return error;
  }

  std::string collect(session& client, json& result, const step_context& context) {
    auto deadline = clock_type::now() + timeout();
    int received = 0;
    while (received < config_.message_limit) {
      auto message = client.next(deadline);
      if (!message) break;
      add_message(result, *message);
      ++received;
    }
    if (config_.message_limit == 0)
      while (client.next(deadline)) result["ignored"] = result["ignored"].get<int>() + 1;
    while (client.try_next()) result["ignored"] = result["ignored"].get<int>() + 1;
    if (context.interrupted != nullptr && context.interrupted->load()) return "interrupted";
    std::string lost = client.lost();
    if (received >= config_.message_limit)
      return lost.empty() || config_.message_limit > 0 ? "" : lost;
    std::string got = fmt::format("received {} of {} messages on [{}]", received,
                                  config_.message_limit, fmt::join(config_.topics, ", "));
    if (!lost.empty()) return fmt::format("{}: {}", got, lost);
    return fmt::format("{} within {} ms", got, config_.timeout_ms);
  }

  /// Registers the persistent session and its subscriptions on the broker.
  std::string keep_queue(const step_context& context, json& result) {
    session client(config_.addrs, config_.client_id, config_.topics, context.interrupted);
    if (auto connected = client.connect(false, connect_timeout()); !connected.ok())
      return connected.error;
    auto subscribed = client.subscribe(config_.topics, config_.qos, timeout());
    result["granted"] = subscribed.granted;
    if (!subscribed.ok()) return subscribed.error;
    return client.disconnect(timeout()).error;
  }

  /// Removes the subscriptions and the session: the broker keeps nothing.
  std::string release_queue(const step_context& context) {
    {
      session client(config_.addrs, config_.client_id, {}, context.interrupted);
      if (auto connected = client.connect(false, connect_timeout()); !connected.ok())
        return connected.error;
      if (auto gone = client.unsubscribe(config_.topics, timeout()); !gone.ok()) return gone.error;
      if (auto closed = client.disconnect(timeout()); !closed.ok()) return closed.error;
    }
    session client(config_.addrs, config_.client_id, {}, context.interrupted);
    if (auto connected = client.connect(true, connect_timeout()); !connected.ok())
      return connected.error;
    return client.disconnect(timeout()).error;
  }

  mqtt_config config_;
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

const step_kind mqtt_step_kind = {"mqtt", field_names, validate, make};

}  // namespace mqttest
