#include "steps/mqtt/mqtt_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <sstream>

#include "executor/core/errors.h"
#include "executor/core/text.h"
#include "executor/core/utf8.h"
#include "steps/mqtt/broker_url.h"
#include "steps/mqtt/topic_filter.h"

namespace mqttest {
namespace {

using json = nlohmann::json;
using pointer = json::json_pointer;
using reader = field_reader;

constexpr std::string_view kQosType = "an integer 0, 1 or 2";
constexpr std::string_view kQosRange = "0, 1 or 2";
constexpr std::string_view kMilliseconds = "a positive integer (milliseconds)";

const std::vector<std::string_view>& client_type_names() {
  static const std::vector<std::string_view> names = {"publisher", "subscriber",
                                                      "persistent_queue"};
  return names;
}

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
  auto name = fields.choice("clientType");
  if (!name) return std::nullopt;
  const auto& names = client_type_names();
  return static_cast<client_type>(std::find(names.begin(), names.end(), *name) - names.begin());
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

/// The payload's bytes from payload / json / payloadFile and encoding.
std::optional<std::string> read_payload(const reader& fields) {
  int given = (fields.raw("payload") != nullptr) + (fields.raw("json") != nullptr) +
              (fields.raw("payloadFile") != nullptr);
  if (given > 1)
    fields.fail(fields.where(), "message takes one of \"payload\", \"json\" and \"payloadFile\"");
  codec how = codec::text;
  if (fields.raw("encoding") != nullptr) {
    auto name = fields.choice("encoding");
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
    fields.fail(
        fields.at("encoding"),
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
    auto text = fields.text("payload");
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

message_properties read_message_properties(const reader& fields) {
  message_properties p;
  p.content_type = fields.string("contentType");
  p.response_topic = fields.string("responseTopic");
  if (p.response_topic)
    if (auto problem = topic_name_problem(*p.response_topic); !problem.empty())
      fields.fail(fields.at("responseTopic"),
                  fmt::format("invalid topic {}: {}", shown_topic(*p.response_topic), problem));
  p.correlation_data = fields.text("correlationData");
  p.message_expiry = fields.integer("messageExpiry");
  if (auto format = fields.integer("payloadFormat")) p.payload_format = static_cast<int>(*format);
  if (auto props = fields.string_map("userProperties")) p.user_properties = *props;
  p.topic_alias = fields.integer("topicAlias");
  return p;
}

/// protocolVersion is 5 as written (a template is not: MQTT 5 fields need a
/// literal version).
bool wants_mqtt5(const reader& fields) {
  const json* version = fields.raw("protocolVersion");
  return version != nullptr && (*version == 5 || *version == "5");
}

std::optional<tls_options> read_tls(const reader& step) {
  if (step.map("tls") == nullptr) return std::nullopt;
  reader fields = step.nested("tls");
  tls_options tls;
  tls.ca_file = fields.string("caFile").value_or("");
  tls.cert_file = fields.string("certFile").value_or("");
  tls.key_file = fields.string("keyFile").value_or("");
  tls.key_password = fields.text("keyPassword").value_or("");
  tls.insecure_skip_verify = fields.boolean("insecureSkipVerify").value_or(false);
  if (auto list = fields.strings("alpn")) tls.alpn = *list;
  if (!tls.cert_file.empty() != !tls.key_file.empty() && !fields.lenient())
    fields.fail(fields.where(),
                "tls needs both \"certFile\" and \"keyFile\" for a client certificate");
  std::filesystem::path dir = suite_directory(step, step.at("tls"));
  for (std::string* file : {&tls.ca_file, &tls.cert_file, &tls.key_file}) {
    if (file->empty() || file->find("{{") != std::string::npos) continue;
    if (std::filesystem::path(*file).is_relative() && !dir.empty()) *file = (dir / *file).string();
  }
  return tls;
}

std::optional<will_spec> read_will(const reader& step) {
  if (step.map("will") == nullptr) return std::nullopt;
  reader fields = step.nested("will");
  will_spec will;
  if (auto topic = fields.string("topic")) {
    if (auto problem = topic_name_problem(*topic); !problem.empty())
      fields.fail(fields.at("topic"),
                  fmt::format("invalid topic {}: {}", shown_topic(*topic), problem));
    will.topic = *topic;
  }
  will.payload = fields.text("payload").value_or("");
  will.qos = static_cast<int>(fields.integer("qos").value_or(0));
  will.retained = fields.boolean("retained").value_or(false);
  will.delay_seconds = fields.integer("delay");
  will.properties = read_message_properties(fields);
  return will;
}

std::vector<subscription_spec> read_subscriptions(const reader& step, int qos) {
  const json* list = step.list("topics");
  if (list == nullptr) return {};
  std::vector<subscription_spec> subscriptions;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const json& entry = (*list)[i];
    if (entry.is_string()) {
      subscriptions.push_back({entry.get<std::string>(), qos});
      continue;
    }
    reader fields = step.nested("topics", i);
    subscription_spec s;
    // A template stays as written: read_topics checks the filter once it is expanded.
    const json* filter = fields.raw("filter");
    s.filter = filter != nullptr && is_template(*filter) ? filter->get<std::string>()
                                                         : fields.string("filter").value_or("");
    s.qos = static_cast<int>(fields.integer("qos").value_or(qos));
    s.no_local = fields.boolean("noLocal").value_or(false);
    s.retain_as_published = fields.boolean("retainAsPublished").value_or(false);
    s.retain_handling = static_cast<int>(fields.integer("retainHandling").value_or(0));
    s.subscription_id = fields.integer("subscriptionIdentifier");
    subscriptions.push_back(s);
  }
  return subscriptions;
}

connection_options read_connection(const reader& fields) {
  connection_options options;
  options.protocol_version = fields.choice("protocolVersion").value_or("4") == "5" ? 5 : 4;
  options.username = fields.text("username");
  options.password = fields.text("password");
  if (options.password && !options.username && !fields.lenient())
    fields.fail(fields.at("password"), "\"password\" needs \"username\"");
  options.tls = read_tls(fields);
  if (fields.boolean("holdAcks").value_or(false) && !fields.skip("addrs")) {
    broker_url url = parse_broker_url(fields.raw("addrs")->get<std::string>());
    if (url.tls || url.websocket)
      fields.fail(fields.at("holdAcks"),
                  fmt::format("\"holdAcks\" needs a tcp:// or mqtt:// address (it holds "
                              "acknowledgements back in the plain MQTT byte stream), got {}://",
                              url.scheme));
  }
  if (fields.raw("tls") != nullptr && !fields.skip("addrs")) {
    std::string addrs = fields.raw("addrs")->get<std::string>();
    if (addrs.rfind("tcp://", 0) == 0 || addrs.rfind("mqtt://", 0) == 0 ||
        addrs.rfind("ws://", 0) == 0)
      fields.fail(
          fields.at("tls"),
          fmt::format("\"tls\" needs an ssl://, mqtts:// or wss:// address, got \"{}\"", addrs));
  }
  options.keep_alive_seconds = static_cast<int>(fields.integer("keepAlive").value_or(60));
  options.will = read_will(fields);
  options.session_expiry_seconds = fields.integer("sessionExpiry");
  if (auto props = fields.string_map("properties")) options.user_properties = *props;
  auto disconnect = fields.choice("disconnect");
  options.hold_acks = fields.boolean("holdAcks").value_or(false);
  options.abrupt_disconnect = disconnect == "abrupt";
  options.silent_disconnect = disconnect == "silent";
  options.limits.receive_maximum = fields.integer("receiveMaximum");
  options.limits.topic_alias_maximum = fields.integer("topicAliasMaximum");
  options.limits.maximum_packet_size = fields.integer("maximumPacketSize");
  options.limits.request_response_information = fields.boolean("requestResponseInformation");
  options.limits.request_problem_information = fields.boolean("requestProblemInformation");
  options.disconnect.reason_code = static_cast<int>(fields.integer("disconnectReason").value_or(0));
  options.disconnect.session_expiry_seconds = fields.integer("disconnectSessionExpiry");
  if (auto props = fields.string_map("disconnectProperties"))
    options.disconnect.user_properties = *props;
  bool shapes_disconnect = fields.raw("disconnectReason") != nullptr ||
                           fields.raw("disconnectSessionExpiry") != nullptr ||
                           fields.raw("disconnectProperties") != nullptr;
  if ((options.abrupt_disconnect || options.silent_disconnect) && shapes_disconnect)
    fields.fail(fields.at("disconnect"),
                fmt::format("\"disconnect: {}\" sends no DISCONNECT: drop disconnectReason, "
                            "disconnectSessionExpiry and disconnectProperties",
                            *disconnect));
  return options;
}

std::vector<subscription_spec> read_topics(const reader& fields, std::optional<client_type> type,
                                           int qos) {
  bool needs = type == client_type::subscriber || type == client_type::persistent_queue;
  if (needs && fields.raw("topics") == nullptr)
    fields.fail(fields.where(), fmt::format("{} needs \"topics\" (the topic filters to subscribe)",
                                            to_string(*type)));
  const json* list = fields.list("topics");
  if (list == nullptr) return {};
  if (needs && list->empty())
    fields.fail(
        fields.at("topics"),
        fmt::format("{} needs \"topics\" (the topic filters to subscribe)", to_string(*type)));
  auto subscriptions = read_subscriptions(fields, qos);
  for (std::size_t i = 0; i < subscriptions.size(); ++i) {
    const std::string& filter = subscriptions[i].filter;
    if (fields.lenient() && filter.find("{{") != std::string::npos) continue;
    pointer where = fields.at("topics") / std::to_string(i);
    if ((*list)[i].is_object()) where = where / "filter";
    if (auto problem = topic_filter_problem(filter); !problem.empty())
      fields.fail(where, fmt::format("invalid topic filter {}: {}", shown_topic(filter), problem));
  }
  return subscriptions;
}

mqtt_message_spec read_message(const reader& fields, int step_qos) {
  mqtt_message_spec message;
  message.qos = step_qos;
  bool aliased = fields.raw("topicAlias") != nullptr;
  if (auto topic = fields.string("topic")) {
    // An empty topic with a topic alias: the broker maps the alias it learnt.
    if (auto problem = topic_name_problem(*topic); !problem.empty() && !(topic->empty() && aliased))
      fields.fail(fields.at("topic"),
                  fmt::format("invalid topic {}: {}", shown_topic(*topic), problem));
    message.topic = *topic;
  }
  if (auto payload = read_payload(fields)) message.payload = *payload;
  if (auto qos = fields.integer("qos")) message.qos = static_cast<int>(*qos);
  if (auto retained = fields.boolean("retained")) message.retained = *retained;
  message.properties = read_message_properties(fields);
  return message;
}

std::vector<mqtt_message_spec> read_message_list(const reader& fields, std::string_view name,
                                                 int qos) {
  const json* list = fields.list(name);
  if (list == nullptr) return {};
  std::vector<mqtt_message_spec> messages;
  for (std::size_t i = 0; i < list->size(); ++i)
    messages.push_back(read_message(fields.nested(name, i), qos));
  return messages;
}

std::vector<mqtt_message_spec> read_messages(const reader& fields, std::optional<client_type> type,
                                             int qos) {
  const json* list = fields.raw("messages");
  if (type == client_type::publisher && (list == nullptr || (list->is_array() && list->empty())))
    fields.fail(list == nullptr ? fields.where() : fields.at("messages"),
                "publisher needs \"messages\" (a non-empty list of {topic, payload})");
  return read_message_list(fields, "messages", qos);
}

/// The spec (mqtt_step_table) checks every key and value; what it cannot say
/// (URLs, topic syntax, fields that need one another) is checked here.
mqtt_config read_config(const json& map, const locate_fn& locate, bool lenient) {
  reader fields(map, pointer(), mqtt_step_table(), locate, lenient);
  fields.check(wants_mqtt5(fields));
  mqtt_config config;
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
  config.subscriptions = read_topics(fields, type, config.qos);
  for (const auto& s : config.subscriptions) config.topics.push_back(s.filter);
  config.messages = read_messages(fields, type, config.qos);
  config.connection = read_connection(fields);
  if (auto decode = fields.choice("decode")) config.decode = *find_codec(*decode);
  if (auto quiet = fields.integer("expectNoMore"))
    config.expect_no_more_ms = static_cast<int>(*quiet);
  if (fields.raw("publish") != nullptr && type && type != client_type::subscriber)
    fields.fail(fields.at("publish"),
                "\"publish\" belongs to a subscriber step (request/response); a publisher uses "
                "\"messages\"");
  config.publish = read_message_list(fields, "publish", config.qos);
  config.publish_from_self = fields.choice("publishFrom") == "self";
  if (auto list = fields.strings("unsubscribe")) config.unsubscribe = *list;
  for (const char* name : {"publishFrom", "unsubscribe", "holdAcks"})
    if (fields.raw(name) != nullptr && type && type != client_type::subscriber)
      fields.fail(fields.at(name), fmt::format("\"{}\" belongs to a subscriber step", name));
  for (std::size_t i = 0; i < config.unsubscribe.size(); ++i) {
    const std::string& filter = config.unsubscribe[i];
    if (fields.lenient() && filter.find("{{") != std::string::npos) continue;
    if (auto problem = topic_filter_problem(filter); !problem.empty())
      fields.fail(fields.at("unsubscribe") / std::to_string(i),
                  fmt::format("invalid topic filter {}: {}", shown_topic(filter), problem));
  }
  // `clientId: ""` is sent as empty (the broker assigns one); only a missing
  // clientId is generated.
  if (fields.raw("clientId") == nullptr && !lenient) config.client_id = generated_client_id();
  return config;
}

}  // namespace

// Descriptions end up in schemas/testsuite.schema.json and the README's field
// reference (scripts/gen_schema.sh); "MQTT 5: " is added to mqtt5 fields.

const field_table& mqtt_step_table() {
  static const std::vector<json> client_types = {"publisher", "subscriber", "persistent_queue"};
  static const field_table table = {
      "step",
      "mqttStep",
      "`type: mqtt` step",
      {
          {.name = "addrs",
           .description = "broker URL: tcp://host:port or mqtt:// (port 1883), ssl:// or "
                          "mqtts:// (8883), ws:// (80), wss:// (443); WebSockets take an "
                          "optional /path; user:password@ before the host logs in (unless "
                          "username is set)",
           .required = true,
           .needs_hint = " (the broker URL, e.g. tcp://localhost:1883)"},
          {.name = "clientType",
           .type = value_type::choice,
           .description = "publisher, subscriber or persistent_queue (subscribe, then "
                          "disconnect keeping the session, or release it with "
                          "persistSubscription: false)",
           .choices = client_types,
           .any_case = true,
           .suggest = true,
           .type_expect = "publisher, subscriber or persistent_queue",
           .range_expect = "publisher, subscriber or persistent_queue",
           .required = true,
           .needs_hint = " (publisher, subscriber or persistent_queue)"},
          {.name = "clientId",
           .description = "MQTT client id; generated (mqttest-<random hex>) when absent; \"\" "
                          "is sent empty (the broker assigns one: result.clientId); required "
                          "for persistent_queue"},
          {.name = "persistSubscription",
           .type = value_type::boolean,
           .description = "true: connect with clean session off (keep the session); false: "
                          "clean session",
           .default_value = false},
          {.name = "topics",
           .type = value_type::map_list,
           .description = "topic filters (+, #) to subscribe, all in one SUBSCRIBE (subscriber, "
                          "persistent_queue): strings, or maps with a filter and its options; "
                          "with MQTT 5 options (noLocal, retainAsPublished, retainHandling) one "
                          "SUBSCRIBE per filter",
           .type_expect = "a list of topic filters",
           .table = &mqtt_subscription_table(),
           .string_items = true,
           .items_expect = "\"topics\" entries must be topic filters or {filter, qos, ...} maps"},
          {.name = "qos",
           .type = value_type::integer,
           .description = "subscription QoS; also the default QoS of messages",
           .default_value = 0,
           .max = 2,
           .type_expect = kQosType,
           .range_expect = kQosRange},
          {.name = "messageLimit",
           .type = value_type::integer,
           .description = "how many messages the subscriber waits for; 0: assert that nothing "
                          "arrives within timeout",
           .default_value = 1,
           .max = INT_MAX,
           .type_expect = "a non-negative integer",
           .range_expect = "a non-negative integer"},
          {.name = "timeout",
           .type = value_type::integer,
           .description = "milliseconds to wait for messages, and per broker operation",
           .default_value = 5000,
           .min = 1,
           .max = INT_MAX,
           .type_expect = kMilliseconds,
           .range_expect = kMilliseconds},
          {.name = "connectTimeout",
           .type = value_type::integer,
           .description = "milliseconds to wait for CONNACK",
           .default_value = 5000,
           .min = 1,
           .max = INT_MAX,
           .type_expect = kMilliseconds,
           .range_expect = kMilliseconds},
          {.name = "messages",
           .type = value_type::map_list,
           .description = "messages to publish (publisher)",
           .type_expect = "a list of maps",
           .table = &mqtt_message_table()},
          {.name = "protocolVersion",
           .type = value_type::choice,
           .description = "MQTT protocol version: 3.1.1 or 5 (also 4 or 311 for 3.1.1)",
           .default_value = "3.1.1",
           .choices = {"3.1.1", "5", 5, "4", 4, "311"},
           .range_expect = "3.1.1 or 5"},
          {.name = "username", .type = value_type::text, .description = "user name"},
          {.name = "password",
           .type = value_type::text,
           .description = "password (masked in all output); needs username"},
          {.name = "tls",
           .type = value_type::map,
           .description = "TLS for ssl://, mqtts://, wss://; the server certificate and host "
                          "name are verified (system CAs unless caFile) unless "
                          "insecureSkipVerify: true",
           .table = &mqtt_tls_table()},
          {.name = "keepAlive",
           .type = value_type::integer,
           .description = "keep-alive interval in seconds",
           .default_value = 60,
           .max = 65535,
           .type_expect = "an integer (seconds)",
           .range_expect = "0 to 65535 (seconds)"},
          {.name = "will",
           .type = value_type::map,
           .description = "last will, published by the broker when the connection drops "
                          "(disconnect: abrupt)",
           .table = &mqtt_will_table()},
          {.name = "sessionExpiry",
           .type = value_type::integer,
           .description = "session expiry in seconds; default 300 with persistSubscription "
                          "(clean start off), else 0",
           .max = 4294967295LL,
           .type_expect = "an integer (seconds)",
           .range_expect = "0 to 4294967295 (seconds)",
           .mqtt5 = true},
          {.name = "properties",
           .type = value_type::string_map,
           .description = "CONNECT user properties (name: value)",
           .mqtt5 = true},
          {.name = "receiveMaximum",
           .type = value_type::integer,
           .description = "CONNECT Receive Maximum: QoS 1/2 messages the broker may have "
                          "unacknowledged to this client",
           .min = 1,
           .max = 65535,
           .type_expect = "an integer",
           .range_expect = "1 to 65535",
           .mqtt5 = true},
          {.name = "topicAliasMaximum",
           .type = value_type::integer,
           .description = "CONNECT Topic Alias Maximum: topic aliases the broker may use "
                          "towards this client",
           .max = 65535,
           .type_expect = "an integer",
           .range_expect = "0 to 65535",
           .mqtt5 = true},
          {.name = "maximumPacketSize",
           .type = value_type::integer,
           .description = "CONNECT Maximum Packet Size (bytes): the broker must not send "
                          "larger packets to this client",
           .min = 1,
           .max = 4294967295LL,
           .type_expect = "an integer (bytes)",
           .range_expect = "1 to 4294967295 (bytes)",
           .mqtt5 = true},
          {.name = "requestResponseInformation",
           .type = value_type::boolean,
           .description = "CONNECT Request Response Information (the broker may answer with "
                          "connack.properties.responseInformation)",
           .mqtt5 = true},
          {.name = "requestProblemInformation",
           .type = value_type::boolean,
           .description = "CONNECT Request Problem Information (false: no reason strings or "
                          "user properties on failures)",
           .mqtt5 = true},
          {.name = "disconnectReason",
           .type = value_type::integer,
           .description = "DISCONNECT reason code, e.g. 4 (0x04): disconnect and publish the will",
           .default_value = 0,
           .max = 255,
           .type_expect = "an integer",
           .range_expect = "0 to 255",
           .mqtt5 = true},
          {.name = "disconnectSessionExpiry",
           .type = value_type::integer,
           .description = "DISCONNECT Session Expiry Interval in seconds (0 ends the session "
                          "now; not allowed when the CONNECT's was 0)",
           .max = 4294967295LL,
           .type_expect = "an integer (seconds)",
           .range_expect = "0 to 4294967295 (seconds)",
           .mqtt5 = true},
          {.name = "disconnectProperties",
           .type = value_type::string_map,
           .description = "DISCONNECT user properties (name: value)",
           .mqtt5 = true},
          {.name = "disconnect",
           .type = value_type::choice,
           .description = "normal: send DISCONNECT; abrupt: drop the TCP connection (the "
                          "broker fires the will); silent: send nothing more, not even "
                          "PINGREQ, and wait (timeout) until the broker closes the connection "
                          "(keep-alive expiry, 1.5 x keepAlive; result.brokerClosedAfter)",
           .default_value = "normal",
           .choices = {"normal", "abrupt", "silent"},
           .range_expect = "normal, abrupt or silent"},
          {.name = "decode",
           .type = value_type::choice,
           .description = "how received payloads become messagesjson (undecodable: null)",
           .default_value = "json",
           .choices = {"json", "text", "base64", "hex", "cbor", "msgpack"},
           .range_expect = "json, text, base64, hex, cbor or msgpack"},
          {.name = "expectNoMore",
           .type = value_type::integer,
           .description = "after messageLimit messages, listen this many ms more and fail if "
                          "anything arrives",
           .min = 1,
           .max = INT_MAX,
           .type_expect = kMilliseconds,
           .range_expect = kMilliseconds},
          {.name = "publish",
           .type = value_type::map_list,
           .description = "subscriber only: messages published after subscribing "
                          "(request/response without a race)",
           .type_expect = "a list of maps",
           .table = &mqtt_message_table()},
          {.name = "holdAcks",
           .type = value_type::boolean,
           .description = "subscriber only: never acknowledge a QoS 1 or 2 message (no PUBACK "
                          "or PUBREC reaches the broker; result.heldAcks counts them), so the "
                          "broker keeps it in flight: Receive Maximum, redelivery on reconnect; "
                          "tcp:// and mqtt:// only; on MQTT 3.1.1 a held QoS 2 message is not "
                          "reported (Paho reports it when its exchange completes)",
           .default_value = false},
          {.name = "publishFrom",
           .type = value_type::choice,
           .description = "subscriber only: who sends publish: other (a second client, "
                          "<clientId>-request) or self (the subscribing client: noLocal, "
                          "its own echoes)",
           .default_value = "other",
           .choices = {"other", "self"},
           .range_expect = "other or self"},
          {.name = "unsubscribe",
           .type = value_type::string_list,
           .description = "subscriber only: topic filters to UNSUBSCRIBE right after "
                          "subscribing (the session and the other subscriptions stay)"},
      }};
  return table;
}

const std::vector<field_spec>& mqtt_step_fields() { return mqtt_step_table().fields; }

namespace {

/// The MQTT 5 properties a message and a will carry alike, after `fields`.
std::vector<field_spec> with_message_properties(std::vector<field_spec> fields) {
  std::vector<field_spec> properties = {
      {.name = "contentType", .description = "content type", .mqtt5 = true},
      {.name = "responseTopic", .description = "response topic", .mqtt5 = true},
      {.name = "correlationData",
       .type = value_type::text,
       .description = "correlation data",
       .mqtt5 = true},
      {.name = "messageExpiry",
       .type = value_type::integer,
       .description = "message expiry interval in seconds",
       .max = 4294967295LL,
       .type_expect = "an integer (seconds)",
       .range_expect = "0 to 4294967295 (seconds)",
       .mqtt5 = true},
      {.name = "userProperties",
       .type = value_type::string_map,
       .description = "user properties (name: value)",
       .mqtt5 = true},
      {.name = "payloadFormat",
       .type = value_type::integer,
       .description = "payload format indicator: 0 bytes, 1 UTF-8",
       .max = 1,
       .type_expect = "0 or 1",
       .range_expect = "0 or 1",
       .mqtt5 = true},
  };
  fields.insert(fields.end(), properties.begin(), properties.end());
  return fields;
}

}  // namespace

const field_table& mqtt_message_table() {
  static const field_table table = {
      "message", "mqttMessage",
      "Message (entries of `messages` and `publish` of a `type: mqtt` step)",
      with_message_properties({
          {.name = "topic", .description = "topic to publish to", .required = true},
          {.name = "payload",
           .type = value_type::scalar,
           .description = "payload; numbers and booleans are sent as their text; empty: clears "
                          "a retained message",
           .default_value = "",
           .nullable = true},
          {.name = "qos",
           .type = value_type::integer,
           .description = "QoS; default: the step's qos",
           .max = 2,
           .type_expect = kQosType,
           .range_expect = kQosRange},
          {.name = "retained",
           .type = value_type::boolean,
           .description = "retain flag",
           .default_value = false},
          {.name = "json",
           .type = value_type::any,
           .description = "payload: this value serialised as JSON (or CBOR/MessagePack with "
                          "encoding); instead of payload"},
          {.name = "payloadFile",
           .description = "payload: this file's bytes (path relative to the suite file); "
                          "instead of payload"},
          {.name = "encoding",
           .type = value_type::choice,
           .description = "how the payload is written: text; base64/hex spelling of bytes; "
                          "cbor/msgpack of json (or of a JSON payloadFile)",
           .default_value = "text",
           .choices = {"text", "base64", "hex", "cbor", "msgpack"},
           .range_expect = "text, base64, hex, cbor or msgpack"},
          {.name = "topicAlias",
           .type = value_type::integer,
           .description = "topic alias (the broker's topicAliasMaximum bounds it); with an "
                          "empty topic the alias alone names the topic",
           .min = 1,
           .max = 65535,
           .type_expect = "an integer",
           .range_expect = "1 to 65535",
           .mqtt5 = true},
      })};
  return table;
}

const field_table& mqtt_tls_table() {
  static const field_table table = {
      "tls",
      "mqttTls",
      "`tls` of a `type: mqtt` step (paths relative to the suite file)",
      {
          {.name = "caFile",
           .description = "CA certificates (PEM) to verify the broker; default: the system's"},
          {.name = "certFile",
           .description = "client certificate (PEM) for mutual TLS; needs keyFile"},
          {.name = "keyFile", .description = "client private key (PEM)"},
          {.name = "keyPassword",
           .type = value_type::scalar,
           .description = "password of the private key (masked in all output)"},
          {.name = "insecureSkipVerify",
           .type = value_type::boolean,
           .description = "true: accept any server certificate and host name",
           .default_value = false},
          {.name = "alpn",
           .type = value_type::string_list,
           .description = "ALPN protocols to offer"},
      }};
  return table;
}

const field_table& mqtt_will_table() {
  static const field_table table = {
      "will", "mqttWill", "`will` of a `type: mqtt` step",
      with_message_properties({
          {.name = "topic", .description = "will topic", .required = true},
          {.name = "payload",
           .type = value_type::scalar,
           .description = "will payload",
           .default_value = ""},
          {.name = "qos",
           .type = value_type::integer,
           .description = "will QoS",
           .default_value = 0,
           .max = 2,
           .type_expect = kQosType,
           .range_expect = kQosRange},
          {.name = "retained",
           .type = value_type::boolean,
           .description = "will retain flag",
           .default_value = false},
          {.name = "delay",
           .type = value_type::integer,
           .description = "will delay interval in seconds",
           .max = 4294967295LL,
           .type_expect = "an integer (seconds)",
           .range_expect = "0 to 4294967295 (seconds)",
           .mqtt5 = true},
      })};
  return table;
}

const field_table& mqtt_subscription_table() {
  static const field_table table = {
      "topic",
      "mqttSubscription",
      "Topic subscription (map entries of `topics` of a `type: mqtt` step)",
      {
          {.name = "filter",
           .description = "topic filter; $share/group/filter for a shared subscription",
           .required = true},
          {.name = "qos",
           .type = value_type::integer,
           .description = "maximum QoS; default: the step's qos",
           .max = 2,
           .type_expect = kQosType,
           .range_expect = kQosRange},
          {.name = "noLocal",
           .type = value_type::boolean,
           .description = "do not receive this client's own publications",
           .default_value = false,
           .mqtt5 = true},
          {.name = "retainAsPublished",
           .type = value_type::boolean,
           .description = "keep the retain flag as published",
           .default_value = false,
           .mqtt5 = true},
          {.name = "retainHandling",
           .type = value_type::integer,
           .description = "0 send retained, 1 only for new subscriptions, 2 never",
           .default_value = 0,
           .max = 2,
           .type_expect = "0, 1 or 2",
           .range_expect = "0, 1 or 2",
           .mqtt5 = true},
          {.name = "subscriptionIdentifier",
           .type = value_type::integer,
           .description = "subscription identifier, reported with each message it delivers "
                          "(details[].subscriptionIdentifiers); sent in a SUBSCRIBE of its own",
           .min = 1,
           .max = 268435455,
           .type_expect = "an integer",
           .range_expect = "1 to 268435455",
           .mqtt5 = true},
      }};
  return table;
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
