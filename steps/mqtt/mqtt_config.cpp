#include "steps/mqtt/mqtt_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <map>
#include <optional>
#include <random>

#include "executor/errors.h"
#include "steps/mqtt/topic_filter.h"

namespace mqttest {
namespace {

using json = nlohmann::json;
using pointer = json::json_pointer;

constexpr std::string_view kQosType = "an integer 0, 1 or 2";
constexpr std::string_view kQosRange = "0, 1 or 2";
constexpr std::string_view kMilliseconds = "a positive integer (milliseconds)";

const std::vector<std::string_view>& client_type_names() {
  static const std::vector<std::string_view> names = {"publisher", "subscriber",
                                                      "persistent_queue"};
  return names;
}

bool is_template(const json& value) {
  return value.is_string() && value.get_ref<const std::string&>().find("{{") != std::string::npos;
}

bool same_key(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

/// Reads the fields of one map against a table, keeping positions reachable.
class reader {
 public:
  reader(const json& map, pointer where, const std::vector<field_spec>& table,
         std::string_view what, const locate_fn& locate, bool lenient)
      : where_(std::move(where)), locate_(locate), lenient_(lenient) {
    if (!map.is_object()) fail(where_, fmt::format("{} must be a map", what));
    for (const auto& [key, value] : map.items()) {
      const field_spec* spec = find(table, key);
      if (spec == nullptr) {
        std::vector<std::string> names;
        for (const auto& field : table) names.emplace_back(field.name);
        std::string guess = did_you_mean(key, names);
        fail(where_ / key, guess.empty()
                               ? fmt::format("unknown key \"{}\" in {}", key, what)
                               : fmt::format("unknown key \"{}\" in {} (did you mean \"{}\"?)", key,
                                             what, guess));
      }
      auto [it, fresh] = keys_.emplace(std::string(spec->name), key);
      if (!fresh)
        fail(where_ / key,
             fmt::format("duplicate key \"{}\" (already given as \"{}\")", key, it->second));
      values_[std::string(spec->name)] = &value;
      specs_[std::string(spec->name)] = spec;
    }
    for (const auto& field : table) specs_.emplace(std::string(field.name), &field);
  }

  /// nullptr when absent.
  const json* raw(std::string_view name) const {
    auto it = values_.find(std::string(name));
    return it == values_.end() ? nullptr : it->second;
  }
  pointer at(std::string_view name) const {
    auto it = keys_.find(std::string(name));
    return it == keys_.end() ? where_ : where_ / it->second;
  }
  /// Absent, or a template not to check now.
  bool skip(std::string_view name) const {
    const json* value = raw(name);
    return value == nullptr || (lenient_ && is_template(*value));
  }

  std::optional<std::string> string(std::string_view name) const {
    if (skip(name)) return std::nullopt;
    const json& value = *raw(name);
    if (!value.is_string())
      fail(at(name), fmt::format("\"{}\" must be a string, got {}", name, value.dump()));
    return value.get<std::string>();
  }

  std::optional<std::string> scalar_text(std::string_view name) const {
    if (skip(name)) return std::nullopt;
    const json& value = *raw(name);
    if (value.is_string()) return value.get<std::string>();
    if (value.is_number() || value.is_boolean()) return value.dump();
    if (value.is_null()) return std::string();
    fail(at(name), fmt::format("\"{}\" must be a string, got {}", name, value.dump()));
  }

  std::optional<bool> boolean(std::string_view name) const {
    if (skip(name)) return std::nullopt;
    const json& value = *raw(name);
    if (value.is_boolean()) return value.get<bool>();
    if (value.is_string()) {
      const auto& text = value.get_ref<const std::string&>();
      if (same_key(text, "true")) return true;
      if (same_key(text, "false")) return false;
    }
    fail(at(name), fmt::format("\"{}\" must be true or false, got {}", name, value.dump()));
  }

  std::optional<long long> integer(std::string_view name) const {
    if (skip(name)) return std::nullopt;
    const json& value = *raw(name);
    const field_spec& spec = *specs_.at(std::string(name));
    std::optional<long long> number;
    if (value.is_number_integer()) {
      if (value.is_number_unsigned() && value.get<unsigned long long>() > LLONG_MAX)
        number = LLONG_MAX;
      else
        number = value.get<long long>();
    } else if (value.is_string()) {
      const auto& text = value.get_ref<const std::string&>();
      long long parsed = 0;
      auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), parsed);
      if (error == std::errc() && end == text.data() + text.size() && !text.empty())
        number = parsed;
    }
    if (!number)
      fail(at(name),
           fmt::format("\"{}\" must be {}, got {}", name, spec.type_expect, value.dump()));
    if (*number < spec.min || *number > spec.max)
      fail(at(name),
           fmt::format("\"{}\" must be {}, got {}", name, spec.range_expect, value.dump()));
    return number;
  }

  std::optional<std::vector<std::string>> strings(std::string_view name) const {
    if (skip(name)) return std::nullopt;
    const json& value = *raw(name);
    if (!value.is_array()) fail(at(name), fmt::format("\"{}\" must be a list of strings", name));
    std::vector<std::string> list;
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (!value[i].is_string())
        fail(at(name) / std::to_string(i), fmt::format("\"{}\" must be a list of strings", name));
      list.push_back(value[i].get<std::string>());
    }
    return list;
  }

  [[noreturn]] void fail(const pointer& where, std::string message) const {
    throw config_error(locate_ ? locate_(where) : position{}, std::move(message));
  }

  bool lenient() const { return lenient_; }
  const pointer& where() const { return where_; }

 private:
  static const field_spec* find(const std::vector<field_spec>& table, std::string_view key) {
    for (const auto& field : table)
      if (same_key(field.name, key)) return &field;
    return nullptr;
  }

  pointer where_;
  const locate_fn& locate_;
  bool lenient_;
  std::map<std::string, std::string> keys_;  ///< canonical name -> key as written
  std::map<std::string, const json*> values_;
  std::map<std::string, const field_spec*> specs_;
};

std::string generated_client_id() {
  std::random_device random;
  return fmt::format("mqttest-{:08x}{:08x}", random(), random());
}

template <typename T>
T field_default(std::string_view name) {
  for (const auto& field : mqtt_step_fields())
    if (field.name == name) return field.default_value.get<T>();
  return T{};
}

void check_addrs(const reader& fields, const std::string& addrs) {
  auto sep = addrs.find("://");
  if (sep == std::string::npos || sep == 0 || sep + 3 == addrs.size())
    fields.fail(
        fields.at("addrs"),
        fmt::format("\"addrs\" must be a broker URL such as tcp://localhost:1883, got \"{}\"",
                    addrs));
  std::string scheme = addrs.substr(0, sep);
  static const std::vector<std::string> schemes = {"tcp", "ssl", "ws", "wss", "mqtt", "mqtts"};
  if (std::find(schemes.begin(), schemes.end(), scheme) == schemes.end())
    fields.fail(
        fields.at("addrs"),
        fmt::format("\"addrs\" has an unknown scheme \"{}\" (use tcp://, ssl://, ws:// or wss://)",
                    scheme));
}

std::optional<client_type> read_client_type(const reader& fields) {
  if (fields.raw("clientType") == nullptr)
    fields.fail(fields.where(),
                "step needs \"clientType\" (publisher, subscriber or persistent_queue)");
  if (fields.skip("clientType")) return std::nullopt;
  const json& value = *fields.raw("clientType");
  if (!value.is_string())
    fields.fail(
        fields.at("clientType"),
        fmt::format("\"clientType\" must be publisher, subscriber or persistent_queue, got {}",
                    value.dump()));
  const auto& text = value.get_ref<const std::string&>();
  const auto& names = client_type_names();
  for (std::size_t i = 0; i < names.size(); ++i)
    if (same_key(names[i], text)) return static_cast<client_type>(i);
  std::string guess = did_you_mean(text, std::vector<std::string>(names.begin(), names.end()));
  fields.fail(
      fields.at("clientType"),
      guess.empty()
          ? fmt::format(
                "unknown clientType \"{}\" (expected publisher, subscriber or persistent_queue)",
                text)
          : fmt::format("unknown clientType \"{}\" (did you mean \"{}\"?)", text, guess));
}

std::vector<std::string> read_topics(const reader& fields, std::optional<client_type> type) {
  auto topics = fields.strings("topics");
  bool needs = type == client_type::subscriber || type == client_type::persistent_queue;
  if (needs && fields.raw("topics") == nullptr)
    fields.fail(fields.where(), fmt::format("{} needs \"topics\" (the topic filters to subscribe)",
                                            to_string(*type)));
  if (!topics) return {};
  if (needs && topics->empty())
    fields.fail(
        fields.at("topics"),
        fmt::format("{} needs \"topics\" (the topic filters to subscribe)", to_string(*type)));
  for (std::size_t i = 0; i < topics->size(); ++i) {
    const std::string& filter = (*topics)[i];
    if (fields.lenient() && filter.find("{{") != std::string::npos) continue;
    if (auto problem = topic_filter_problem(filter); !problem.empty())
      fields.fail(fields.at("topics") / std::to_string(i),
                  fmt::format("invalid topic filter \"{}\": {}", filter, problem));
  }
  return *topics;
}

mqtt_message_spec read_message(const reader& step, std::size_t index, const json& entry,
                               int step_qos, const locate_fn& locate) {
  reader fields(entry, step.at("messages") / std::to_string(index), mqtt_message_fields(),
                "message", locate, step.lenient());
  mqtt_message_spec message;
  message.qos = step_qos;
  if (fields.raw("topic") == nullptr) fields.fail(fields.where(), "message needs \"topic\"");
  if (auto topic = fields.string("topic")) {
    if (auto problem = topic_name_problem(*topic); !problem.empty())
      fields.fail(fields.at("topic"), fmt::format("invalid topic \"{}\": {}", *topic, problem));
    message.topic = *topic;
  }
  if (auto payload = fields.scalar_text("payload")) message.payload = *payload;
  if (auto qos = fields.integer("qos")) message.qos = static_cast<int>(*qos);
  if (auto retained = fields.boolean("retained")) message.retained = *retained;
  return message;
}

std::vector<mqtt_message_spec> read_messages(const reader& fields, std::optional<client_type> type,
                                             int qos, const locate_fn& locate) {
  const json* list = fields.raw("messages");
  if (type == client_type::publisher && (list == nullptr || (list->is_array() && list->empty())))
    fields.fail(list == nullptr ? fields.where() : fields.at("messages"),
                "publisher needs \"messages\" (a non-empty list of {topic, payload})");
  if (fields.skip("messages")) return {};
  if (!list->is_array()) fields.fail(fields.at("messages"), "\"messages\" must be a list of maps");
  std::vector<mqtt_message_spec> messages;
  for (std::size_t i = 0; i < list->size(); ++i)
    messages.push_back(read_message(fields, i, (*list)[i], qos, locate));
  return messages;
}

mqtt_config read_config(const json& map, const locate_fn& locate, bool lenient) {
  reader fields(map, pointer(), mqtt_step_fields(), "step", locate, lenient);
  mqtt_config config;
  if (fields.raw("addrs") == nullptr)
    fields.fail(fields.where(), "step needs \"addrs\" (the broker URL, e.g. tcp://localhost:1883)");
  if (auto addrs = fields.string("addrs")) {
    check_addrs(fields, *addrs);
    config.addrs = *addrs;
  }
  auto type = read_client_type(fields);
  if (type) config.type = *type;
  if (auto id = fields.string("clientId")) config.client_id = *id;
  if (type == client_type::persistent_queue && fields.raw("clientId") == nullptr)
    fields.fail(fields.where(), "persistent_queue needs \"clientId\" (the session to keep)");
  config.persist_subscription =
      fields.boolean("persistSubscription").value_or(field_default<bool>("persistSubscription"));
  config.qos = static_cast<int>(fields.integer("qos").value_or(field_default<int>("qos")));
  config.message_limit =
      static_cast<int>(fields.integer("messageLimit").value_or(field_default<int>("messageLimit")));
  config.timeout_ms =
      static_cast<int>(fields.integer("timeout").value_or(field_default<int>("timeout")));
  config.connect_timeout_ms = static_cast<int>(
      fields.integer("connectTimeout").value_or(field_default<int>("connectTimeout")));
  config.topics = read_topics(fields, type);
  config.messages = read_messages(fields, type, config.qos, locate);
  if (config.client_id.empty() && !lenient) config.client_id = generated_client_id();
  return config;
}

}  // namespace

const std::vector<field_spec>& mqtt_step_fields() {
  static const std::vector<field_spec> fields = {
      {"addrs", field_type::string, nullptr, 0, 0, "a string", "",
       "broker URL: tcp://host:port (also ssl://, ws://, wss://)"},
      {"clientType", field_type::client_type, nullptr, 0, 0,
       "publisher, subscriber or persistent_queue", "",
       "publisher, subscriber or persistent_queue"},
      {"clientId", field_type::string, nullptr, 0, 0, "a string", "",
       "MQTT client id; generated (mqttest-<random hex>) when absent; required for "
       "persistent_queue"},
      {"persistSubscription", field_type::boolean, false, 0, 0, "true or false", "",
       "true: connect with clean session off (keep the session); false: clean session"},
      {"topics", field_type::string_list, nullptr, 0, 0, "a list of strings", "",
       "topic filters to subscribe, all in one SUBSCRIBE (subscriber, persistent_queue)"},
      {"qos", field_type::integer, 0, 0, 2, kQosType, kQosRange,
       "subscription QoS; also the default QoS of messages"},
      {"messageLimit", field_type::integer, 1, 0, INT_MAX, "a non-negative integer",
       "a non-negative integer",
       "how many messages the subscriber waits for; 0: wait the whole timeout, count arrivals as "
       "ignored"},
      {"timeout", field_type::integer, 5000, 1, INT_MAX, kMilliseconds, kMilliseconds,
       "milliseconds to wait for messages, and per broker operation"},
      {"connectTimeout", field_type::integer, 5000, 1, INT_MAX, kMilliseconds, kMilliseconds,
       "milliseconds to wait for CONNACK"},
      {"messages", field_type::message_list, nullptr, 0, 0, "a list of maps", "",
       "messages to publish (publisher): topic, payload, qos, retained"},
  };
  return fields;
}

const std::vector<field_spec>& mqtt_message_fields() {
  static const std::vector<field_spec> fields = {
      {"topic", field_type::string, nullptr, 0, 0, "a string", "",
       "topic to publish to (required)"},
      {"payload", field_type::string, "", 0, 0, "a string", "",
       "payload; numbers and booleans are sent as their text"},
      {"qos", field_type::integer, nullptr, 0, 2, kQosType, kQosRange,
       "QoS; default: the step's qos"},
      {"retained", field_type::boolean, false, 0, 0, "true or false", "", "retain flag"},
  };
  return fields;
}

void validate_mqtt_config(const nlohmann::json& fields, const locate_fn& locate) {
  read_config(fields, locate, true);
}

mqtt_config parse_mqtt_config(const nlohmann::json& fields, const locate_fn& locate) {
  return read_config(fields, locate, false);
}

std::string_view to_string(client_type type) {
  return client_type_names()[static_cast<std::size_t>(type)];
}

}  // namespace mqttest
