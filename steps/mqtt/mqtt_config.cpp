#include "steps/mqtt/mqtt_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <map>
#include <optional>
#include <random>

#include "executor/core/errors.h"
#include "executor/core/text.h"
#include "executor/core/utf8.h"
#include "steps/mqtt/broker_url.h"
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
      if (iequals(text, "true")) return true;
      if (iequals(text, "false")) return false;
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

  /// A nested map, or nullptr when absent or a template.
  const json* map(std::string_view name) const {
    if (skip(name)) return nullptr;
    const json& value = *raw(name);
    if (!value.is_object()) fail(at(name), fmt::format("\"{}\" must be a map, got {}", name, value.dump()));
    return &value;
  }

  std::optional<std::map<std::string, std::string>> string_map(std::string_view name) const {
    const json* value = map(name);
    if (value == nullptr) return std::nullopt;
    std::map<std::string, std::string> entries;
    for (const auto& [key, item] : value->items()) {
      if (item.is_string())
        entries[key] = item.get<std::string>();
      else if (item.is_number() || item.is_boolean())
        entries[key] = item.dump();
      else
        fail(at(name) / key,
             fmt::format("\"{}\" values must be strings, got {}", name, item.dump()));
    }
    return entries;
  }

  /// One of words (exact spelling, any case).
  std::optional<std::string> word(std::string_view name,
                                  const std::vector<std::string>& words) const {
    if (skip(name)) return std::nullopt;
    const json& value = *raw(name);
    std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    for (const auto& w : words)
      if (iequals(w, text)) return w;
    fail(at(name), fmt::format("\"{}\" must be {}, got {}", name,
                               specs_.at(std::string(name))->range_expect, value.dump()));
  }

  const locate_fn& locate() const { return locate_; }

  [[noreturn]] void fail(const pointer& where, std::string message) const {
    throw config_error(locate_ ? locate_(where) : position{}, std::move(message));
  }

  bool lenient() const { return lenient_; }
  const pointer& where() const { return where_; }

 private:
  static const field_spec* find(const std::vector<field_spec>& table, std::string_view key) {
    for (const auto& field : table)
      if (iequals(field.name, key)) return &field;
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
  if (std::string problem = broker_url_problem(addrs); !problem.empty())
    fields.fail(fields.at("addrs"), fmt::format("\"addrs\" {}, got \"{}\"", problem, addrs));
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
    if (iequals(names[i], text)) return static_cast<client_type>(i);
  std::string guess = did_you_mean(text, std::vector<std::string>(names.begin(), names.end()));
  fields.fail(
      fields.at("clientType"),
      guess.empty()
          ? fmt::format(
                "unknown clientType \"{}\" (expected publisher, subscriber or persistent_queue)",
                text)
          : fmt::format("unknown clientType \"{}\" (did you mean \"{}\"?)", text, guess));
}

/// The suite file's directory as the loader reports it ("" when unknown).
std::filesystem::path suite_directory(const reader& fields, const pointer& where) {
  if (!fields.locate()) return {};
  position at = fields.locate()(where);
  return at.file.empty() ? std::filesystem::path() : std::filesystem::path(at.file).parent_path();
}

std::optional<std::string> read_file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

void check_v5(const reader& fields, std::string_view name, int version) {
  if (version != 5 && fields.raw(name) != nullptr)
    fields.fail(fields.at(name),
                fmt::format("\"{}\" is an MQTT 5 feature: set protocolVersion: 5", name));
}

/// The payload's bytes from payload / json / payloadFile and encoding.
std::optional<std::string> read_payload(const reader& fields) {
  int given = (fields.raw("payload") != nullptr) + (fields.raw("json") != nullptr) +
              (fields.raw("payloadFile") != nullptr);
  if (given > 1)
    fields.fail(fields.where(), "message takes one of \"payload\", \"json\" and \"payloadFile\"");
  codec how = codec::text;
  if (fields.raw("encoding") != nullptr) {
    auto name = fields.word("encoding", {"text", "base64", "hex", "cbor", "msgpack"});
    if (!name) return std::nullopt;  // a template: checked once expanded
    how = *find_codec(*name);
  }
  std::string_view source = fields.raw("json") != nullptr          ? "json"
                            : fields.raw("payloadFile") != nullptr ? "payloadFile"
                                                                   : "payload";
  bool structured = how == codec::cbor || how == codec::msgpack;
  if (source == "payload" && structured && fields.raw("payload") != nullptr)
    fields.fail(fields.at("encoding"),
                fmt::format("encoding {} encodes a \"json:\" value (or a payloadFile holding JSON)",
                            to_string(how)));
  if (source == "json" && (how == codec::base64 || how == codec::hex))
    fields.fail(fields.at("encoding"),
                fmt::format("encoding {} needs a \"payload\" string, not \"json\"", to_string(how)));
  json value;
  if (source == "json") {
    if (fields.lenient()) return std::nullopt;  // may hold templates
    value = *fields.raw("json");
    return encode_payload(value, structured ? how : codec::json);
  }
  if (source == "payloadFile") {
    auto name = fields.string("payloadFile");
    if (!name) return std::nullopt;
    std::filesystem::path path = *name;
    if (path.is_relative()) path = suite_directory(fields, fields.at("payloadFile")) / path;
    auto bytes = read_file_bytes(path);
    if (!bytes)
      fields.fail(fields.at("payloadFile"),
                  fmt::format("cannot read payload file \"{}\" ({})", *name, path.string()));
    if (!structured) {
      value = *bytes;
    } else {
      value = json::parse(*bytes, nullptr, false);
      if (value.is_discarded())
        fields.fail(fields.at("payloadFile"),
                    fmt::format("payload file \"{}\" is not JSON (needed for encoding {})", *name,
                                to_string(how)));
    }
  } else {
    auto text = fields.scalar_text("payload");
    if (!text) {
      if (fields.raw("payload") != nullptr) return std::nullopt;
      text = "";
    }
    value = *text;
  }
  try {
    return encode_payload(value, how);
  } catch (const std::invalid_argument& e) {
    fields.fail(fields.at(source), e.what());
  }
}

message_properties read_message_properties(const reader& fields, int version) {
  message_properties p;
  for (std::string_view name :
       {"contentType", "responseTopic", "correlationData", "messageExpiry", "userProperties",
        "payloadFormat"})
    check_v5(fields, name, version);
  p.content_type = fields.string("contentType");
  p.response_topic = fields.string("responseTopic");
  if (p.response_topic)
    if (auto problem = topic_name_problem(*p.response_topic); !problem.empty())
      fields.fail(fields.at("responseTopic"),
                  fmt::format("invalid topic {}: {}", shown_topic(*p.response_topic), problem));
  p.correlation_data = fields.scalar_text("correlationData");
  p.message_expiry = fields.integer("messageExpiry");
  if (auto format = fields.integer("payloadFormat")) p.payload_format = static_cast<int>(*format);
  if (auto props = fields.string_map("userProperties")) p.user_properties = *props;
  return p;
}

/// 4 (3.1.1) or 5; 0 while a template.
int read_protocol_version(const reader& fields) {
  if (fields.raw("protocolVersion") == nullptr) return 4;
  auto version = fields.word("protocolVersion", {"3.1.1", "5", "4", "311"});
  if (!version) return 0;
  return *version == "5" ? 5 : 4;
}

std::optional<tls_options> read_tls(const reader& step) {
  const json* map = step.map("tls");
  if (map == nullptr) return std::nullopt;
  reader fields(*map, step.at("tls"), mqtt_tls_fields(), "tls", step.locate(), step.lenient());
  tls_options tls;
  tls.ca_file = fields.string("caFile").value_or("");
  tls.cert_file = fields.string("certFile").value_or("");
  tls.key_file = fields.string("keyFile").value_or("");
  tls.key_password = fields.scalar_text("keyPassword").value_or("");
  tls.insecure_skip_verify = fields.boolean("insecureSkipVerify").value_or(false);
  if (fields.raw("alpn") != nullptr && fields.raw("alpn")->is_string())
    tls.alpn = {*fields.string("alpn")};
  else if (auto list = fields.strings("alpn"))
    tls.alpn = *list;
  if (!tls.cert_file.empty() != !tls.key_file.empty() && !fields.lenient())
    fields.fail(fields.where(), "tls needs both \"certFile\" and \"keyFile\" for a client certificate");
  std::filesystem::path dir = suite_directory(step, step.at("tls"));
  for (std::string* file : {&tls.ca_file, &tls.cert_file, &tls.key_file}) {
    if (file->empty() || file->find("{{") != std::string::npos) continue;
    if (std::filesystem::path(*file).is_relative() && !dir.empty())
      *file = (dir / *file).string();
  }
  return tls;
}

std::optional<will_spec> read_will(const reader& step, int version) {
  const json* map = step.map("will");
  if (map == nullptr) return std::nullopt;
  reader fields(*map, step.at("will"), mqtt_will_fields(), "will", step.locate(), step.lenient());
  will_spec will;
  if (fields.raw("topic") == nullptr) fields.fail(fields.where(), "will needs \"topic\"");
  if (auto topic = fields.string("topic")) {
    if (auto problem = topic_name_problem(*topic); !problem.empty())
      fields.fail(fields.at("topic"),
                  fmt::format("invalid topic {}: {}", shown_topic(*topic), problem));
    will.topic = *topic;
  }
  will.payload = fields.scalar_text("payload").value_or("");
  will.qos = static_cast<int>(fields.integer("qos").value_or(0));
  will.retained = fields.boolean("retained").value_or(false);
  check_v5(fields, "delay", version);
  will.delay_seconds = fields.integer("delay");
  return will;
}

std::vector<subscription_spec> read_subscriptions(const reader& step, int qos, int version) {
  const json* list = step.raw("topics");
  if (step.skip("topics") || !list->is_array()) return {};
  std::vector<subscription_spec> subscriptions;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const json& entry = (*list)[i];
    pointer where = step.at("topics") / std::to_string(i);
    if (entry.is_string()) {
      subscriptions.push_back({entry.get<std::string>(), qos});
      continue;
    }
    if (!entry.is_object())
      step.fail(where, "\"topics\" entries must be topic filters or {filter, qos, ...} maps");
    reader fields(entry, where, mqtt_subscription_fields(), "topic", step.locate(),
                  step.lenient());
    subscription_spec s;
    if (fields.raw("filter") == nullptr) fields.fail(where, "topic needs \"filter\"");
    // A template stays as written: read_topics checks the filter once it is expanded.
    const json* filter = fields.raw("filter");
    s.filter = filter != nullptr && is_template(*filter) ? filter->get<std::string>()
                                                         : fields.string("filter").value_or("");
    s.qos = static_cast<int>(fields.integer("qos").value_or(qos));
    for (std::string_view name : {"noLocal", "retainAsPublished", "retainHandling"})
      check_v5(fields, name, version);
    s.no_local = fields.boolean("noLocal").value_or(false);
    s.retain_as_published = fields.boolean("retainAsPublished").value_or(false);
    s.retain_handling = static_cast<int>(fields.integer("retainHandling").value_or(0));
    subscriptions.push_back(s);
  }
  return subscriptions;
}

connection_options read_connection(const reader& fields, int version) {
  connection_options options;
  options.protocol_version = version == 5 ? 5 : 4;
  options.username = fields.scalar_text("username");
  options.password = fields.scalar_text("password");
  if (options.password && !options.username && !fields.lenient())
    fields.fail(fields.at("password"), "\"password\" needs \"username\"");
  options.tls = read_tls(fields);
  if (fields.raw("tls") != nullptr && !fields.skip("addrs")) {
    std::string addrs = fields.raw("addrs")->get<std::string>();
    if (addrs.rfind("tcp://", 0) == 0 || addrs.rfind("mqtt://", 0) == 0 ||
        addrs.rfind("ws://", 0) == 0)
      fields.fail(fields.at("tls"),
                  fmt::format("\"tls\" needs an ssl://, mqtts:// or wss:// address, got \"{}\"",
                              addrs));
  }
  options.keep_alive_seconds = static_cast<int>(fields.integer("keepAlive").value_or(60));
  options.will = read_will(fields, version);
  check_v5(fields, "sessionExpiry", version);
  check_v5(fields, "properties", version);
  options.session_expiry_seconds = fields.integer("sessionExpiry");
  if (auto props = fields.string_map("properties")) options.user_properties = *props;
  options.abrupt_disconnect = fields.word("disconnect", {"normal", "abrupt"}) == "abrupt";
  return options;
}

std::vector<subscription_spec> read_topics(const reader& fields, std::optional<client_type> type,
                                           int qos, int version) {
  bool needs = type == client_type::subscriber || type == client_type::persistent_queue;
  if (needs && fields.raw("topics") == nullptr)
    fields.fail(fields.where(), fmt::format("{} needs \"topics\" (the topic filters to subscribe)",
                                            to_string(*type)));
  if (fields.skip("topics")) return {};
  const json& list = *fields.raw("topics");
  if (!list.is_array())
    fields.fail(fields.at("topics"), "\"topics\" must be a list of topic filters");
  if (needs && list.empty())
    fields.fail(
        fields.at("topics"),
        fmt::format("{} needs \"topics\" (the topic filters to subscribe)", to_string(*type)));
  auto subscriptions = read_subscriptions(fields, qos, version);
  for (std::size_t i = 0; i < subscriptions.size(); ++i) {
    const std::string& filter = subscriptions[i].filter;
    if (fields.lenient() && filter.find("{{") != std::string::npos) continue;
    pointer where = fields.at("topics") / std::to_string(i);
    if (list[i].is_object()) where = where / "filter";
    if (auto problem = topic_filter_problem(filter); !problem.empty())
      fields.fail(where, fmt::format("invalid topic filter {}: {}", shown_topic(filter), problem));
  }
  return subscriptions;
}

mqtt_message_spec read_message(const reader& step, std::string_view list, std::size_t index,
                               const json& entry, int step_qos, int version,
                               const locate_fn& locate) {
  reader fields(entry, step.at(list) / std::to_string(index), mqtt_message_fields(),
                "message", locate, step.lenient());
  mqtt_message_spec message;
  message.qos = step_qos;
  if (fields.raw("topic") == nullptr) fields.fail(fields.where(), "message needs \"topic\"");
  if (auto topic = fields.string("topic")) {
    if (auto problem = topic_name_problem(*topic); !problem.empty())
      fields.fail(fields.at("topic"),
                  fmt::format("invalid topic {}: {}", shown_topic(*topic), problem));
    message.topic = *topic;
  }
  if (auto payload = read_payload(fields)) message.payload = *payload;
  if (auto qos = fields.integer("qos")) message.qos = static_cast<int>(*qos);
  if (auto retained = fields.boolean("retained")) message.retained = *retained;
  message.properties = read_message_properties(fields, version);
  return message;
}

std::vector<mqtt_message_spec> read_message_list(const reader& fields, std::string_view name,
                                                 int qos, int version, const locate_fn& locate) {
  if (fields.skip(name)) return {};
  const json* list = fields.raw(name);
  if (!list->is_array())
    fields.fail(fields.at(name), fmt::format("\"{}\" must be a list of maps", name));
  std::vector<mqtt_message_spec> messages;
  for (std::size_t i = 0; i < list->size(); ++i)
    messages.push_back(read_message(fields, name, i, (*list)[i], qos, version, locate));
  return messages;
}

std::vector<mqtt_message_spec> read_messages(const reader& fields, std::optional<client_type> type,
                                             int qos, int version, const locate_fn& locate) {
  const json* list = fields.raw("messages");
  if (type == client_type::publisher && (list == nullptr || (list->is_array() && list->empty())))
    fields.fail(list == nullptr ? fields.where() : fields.at("messages"),
                "publisher needs \"messages\" (a non-empty list of {topic, payload})");
  return read_message_list(fields, "messages", qos, version, locate);
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
  if (invalid_utf8_at(config.client_id) != std::string::npos)
    fields.fail(fields.at("clientId"),
                "\"clientId\" is not valid UTF-8 (MQTT client ids are UTF-8)");
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
  int version = read_protocol_version(fields);
  config.subscriptions = read_topics(fields, type, config.qos, version);
  for (const auto& s : config.subscriptions) config.topics.push_back(s.filter);
  config.messages = read_messages(fields, type, config.qos, version, locate);
  config.connection = read_connection(fields, version);
  if (auto decode = fields.word("decode", codec_names())) config.decode = *find_codec(*decode);
  if (auto quiet = fields.integer("expectNoMore")) config.expect_no_more_ms = static_cast<int>(*quiet);
  if (fields.raw("publish") != nullptr && type && type != client_type::subscriber)
    fields.fail(fields.at("publish"),
                "\"publish\" belongs to a subscriber step (request/response); a publisher uses "
                "\"messages\"");
  config.publish = read_message_list(fields, "publish", config.qos, version, locate);
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
      {"topics", field_type::topic_list, nullptr, 0, 0, "a list of topic filters", "",
       "topic filters to subscribe, all in one SUBSCRIBE (subscriber, persistent_queue); "
       "strings or {filter, qos, noLocal, retainAsPublished, retainHandling}"},
      {"qos", field_type::integer, 0, 0, 2, kQosType, kQosRange,
       "subscription QoS; also the default QoS of messages"},
      {"messageLimit", field_type::integer, 1, 0, INT_MAX, "a non-negative integer",
       "a non-negative integer",
       "how many messages the subscriber waits for; 0: assert that nothing arrives within timeout"},
      {"timeout", field_type::integer, 5000, 1, INT_MAX, kMilliseconds, kMilliseconds,
       "milliseconds to wait for messages, and per broker operation"},
      {"connectTimeout", field_type::integer, 5000, 1, INT_MAX, kMilliseconds, kMilliseconds,
       "milliseconds to wait for CONNACK"},
      {"messages", field_type::message_list, nullptr, 0, 0, "a list of maps", "",
       "messages to publish (publisher): topic, payload, qos, retained"},
      {"protocolVersion", field_type::choice, "3.1.1", 0, 0, "3.1.1 or 5", "3.1.1 or 5",
       "MQTT protocol version: 3.1.1 or 5"},
      {"username", field_type::string, nullptr, 0, 0, "a string", "", "user name"},
      {"password", field_type::string, nullptr, 0, 0, "a string", "",
       "password (masked in all output)"},
      {"tls", field_type::map, nullptr, 0, 0, "a map", "",
       "TLS for ssl://, mqtts://, wss://: caFile, certFile, keyFile, keyPassword, "
       "insecureSkipVerify, alpn"},
      {"keepAlive", field_type::integer, 60, 0, 65535, "an integer (seconds)", "0 to 65535 (seconds)",
       "keep-alive interval in seconds"},
      {"will", field_type::map, nullptr, 0, 0, "a map", "",
       "last will: topic, payload, qos, retained, delay (v5)"},
      {"sessionExpiry", field_type::integer, nullptr, 0, 4294967295LL, "an integer (seconds)",
       "0 to 4294967295 (seconds)",
       "v5 session expiry in seconds; default 300 with persistSubscription, else 0"},
      {"properties", field_type::string_map, nullptr, 0, 0, "a map", "",
       "v5 CONNECT user properties (name: value)"},
      {"disconnect", field_type::choice, "normal", 0, 0, "normal or abrupt", "normal or abrupt",
       "normal: send DISCONNECT; abrupt: drop the TCP connection (the broker fires the will)"},
      {"decode", field_type::choice, "json", 0, 0,
       "json, text, base64, hex, cbor or msgpack", "json, text, base64, hex, cbor or msgpack",
       "how received payloads become messagesjson"},
      {"expectNoMore", field_type::integer, nullptr, 1, INT_MAX, kMilliseconds, kMilliseconds,
       "after messageLimit messages, listen this many ms more and fail if anything arrives"},
      {"publish", field_type::message_list, nullptr, 0, 0, "a list of maps", "",
       "subscriber: messages published after subscribing (request/response)"},
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
      {"json", field_type::any, nullptr, 0, 0, "any value", "",
       "payload: this value serialised as JSON (or CBOR/MessagePack with encoding)"},
      {"payloadFile", field_type::string, nullptr, 0, 0, "a string", "",
       "payload: this file's bytes (path relative to the suite file)"},
      {"encoding", field_type::choice, "text", 0, 0, "text, base64, hex, cbor or msgpack",
       "text, base64, hex, cbor or msgpack",
       "how the payload is written: text; base64/hex spelling of bytes; cbor/msgpack of json"},
      {"contentType", field_type::string, nullptr, 0, 0, "a string", "", "v5 content type"},
      {"responseTopic", field_type::string, nullptr, 0, 0, "a string", "", "v5 response topic"},
      {"correlationData", field_type::string, nullptr, 0, 0, "a string", "",
       "v5 correlation data"},
      {"messageExpiry", field_type::integer, nullptr, 0, 4294967295LL, "an integer (seconds)",
       "0 to 4294967295 (seconds)", "v5 message expiry interval in seconds"},
      {"userProperties", field_type::string_map, nullptr, 0, 0, "a map", "",
       "v5 user properties (name: value)"},
      {"payloadFormat", field_type::integer, nullptr, 0, 1, "0 or 1", "0 or 1",
       "v5 payload format indicator: 0 bytes, 1 UTF-8"},
  };
  return fields;
}

const std::vector<field_spec>& mqtt_tls_fields() {
  static const std::vector<field_spec> fields = {
      {"caFile", field_type::string, nullptr, 0, 0, "a string", "",
       "CA certificates (PEM) to verify the broker; default: the system's"},
      {"certFile", field_type::string, nullptr, 0, 0, "a string", "",
       "client certificate (PEM) for mutual TLS"},
      {"keyFile", field_type::string, nullptr, 0, 0, "a string", "", "client private key (PEM)"},
      {"keyPassword", field_type::string, nullptr, 0, 0, "a string", "",
       "password of the private key (masked in all output)"},
      {"insecureSkipVerify", field_type::boolean, false, 0, 0, "true or false", "",
       "true: accept any server certificate and host name"},
      {"alpn", field_type::string_list, nullptr, 0, 0, "a list of strings", "",
       "ALPN protocols to offer"},
  };
  return fields;
}

const std::vector<field_spec>& mqtt_will_fields() {
  static const std::vector<field_spec> fields = {
      {"topic", field_type::string, nullptr, 0, 0, "a string", "", "will topic (required)"},
      {"payload", field_type::string, "", 0, 0, "a string", "", "will payload"},
      {"qos", field_type::integer, 0, 0, 2, kQosType, kQosRange, "will QoS"},
      {"retained", field_type::boolean, false, 0, 0, "true or false", "", "will retain flag"},
      {"delay", field_type::integer, nullptr, 0, 4294967295LL, "an integer (seconds)",
       "0 to 4294967295 (seconds)", "v5 will delay interval in seconds"},
  };
  return fields;
}

const std::vector<field_spec>& mqtt_subscription_fields() {
  static const std::vector<field_spec> fields = {
      {"filter", field_type::string, nullptr, 0, 0, "a string", "",
       "topic filter (required); $share/group/filter for a shared subscription"},
      {"qos", field_type::integer, nullptr, 0, 2, kQosType, kQosRange,
       "maximum QoS; default: the step's qos"},
      {"noLocal", field_type::boolean, false, 0, 0, "true or false", "",
       "v5: do not receive this client's own publications"},
      {"retainAsPublished", field_type::boolean, false, 0, 0, "true or false", "",
       "v5: keep the retain flag as published"},
      {"retainHandling", field_type::integer, 0, 0, 2, "0, 1 or 2", "0, 1 or 2",
       "v5: 0 send retained, 1 only for new subscriptions, 2 never"},
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
