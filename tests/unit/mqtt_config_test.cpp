#include "steps/mqtt/mqtt_config.h"

#include <doctest/doctest.h>

#include <string>

#include "executor/core/errors.h"
#include "steps/mqtt/mqtt_step.h"

namespace {

using json = nlohmann::json;
using mqttest::client_type;
using mqttest::config_error;

/// Reports the pointer as the file name so tests can check where an error points.
mqttest::position locate(const json::json_pointer& where) {
  return {"step" + where.to_string(), 1, 1};
}

json subscriber() {
  return {{"addrs", "tcp://localhost:1883"}, {"clientType", "subscriber"}, {"topics", {"a/b"}}};
}

json publisher() {
  return {{"addrs", "tcp://localhost:1883"},
          {"clientType", "publisher"},
          {"messages", json::array({{{"topic", "a/b"}, {"payload", "x"}}})}};
}

/// The message of the config_error that parsing (or, lenient, validating) throws.
std::string error_of(const json& fields, bool validate_only = false) {
  try {
    if (validate_only)
      mqttest::validate_mqtt_config(fields, locate);
    else
      mqttest::parse_mqtt_config(fields, locate);
  } catch (const config_error& e) {
    return e.message();
  }
  return "no error";
}

std::string where_of(const json& fields) {
  try {
    mqttest::parse_mqtt_config(fields, locate);
  } catch (const config_error& e) {
    return e.where().file;
  }
  return "no error";
}

json with(json fields, const std::string& key, json value) {
  fields[key] = std::move(value);
  return fields;
}

}  // namespace

TEST_CASE("mqtt config: defaults") {
  auto config = mqttest::parse_mqtt_config(subscriber(), locate);
  CHECK(config.addrs == "tcp://localhost:1883");
  CHECK(config.type == client_type::subscriber);
  CHECK(config.client_id.rfind("mqttest-", 0) == 0);
  CHECK(config.client_id.size() == 24);
  CHECK(config.client_id != mqttest::parse_mqtt_config(subscriber(), locate).client_id);
  CHECK_FALSE(config.persist_subscription);
  CHECK(config.topics == std::vector<std::string>{"a/b"});
  CHECK(config.qos == 0);
  CHECK(config.message_limit == 1);
  CHECK(config.timeout_ms == 5000);
  CHECK(config.connect_timeout_ms == 5000);
  CHECK(config.messages.empty());
}

TEST_CASE("mqtt config: every field read, keys case-insensitive") {
  json fields = {{"ADDRS", "ws://broker:80"}, {"clienttype", "Persistent_Queue"},
                 {"clientid", "reader-1"},    {"persistsubscription", true},
                 {"Topics", {"a/+", "b/#"}},  {"QOS", 2},
                 {"messagelimit", "3"},       {"TIMEOUT", 250},
                 {"connecttimeout", 100}};
  auto config = mqttest::parse_mqtt_config(fields, locate);
  CHECK(config.addrs == "ws://broker:80");
  CHECK(config.type == client_type::persistent_queue);
  CHECK(config.client_id == "reader-1");
  CHECK(config.persist_subscription);
  CHECK(config.topics == std::vector<std::string>{"a/+", "b/#"});
  CHECK(config.qos == 2);
  CHECK(config.message_limit == 3);
  CHECK(config.timeout_ms == 250);
  CHECK(config.connect_timeout_ms == 100);
}

TEST_CASE("mqtt config: messages take the step qos by default, scalars become text") {
  json fields = publisher();
  fields["qos"] = 1;
  fields["messages"] =
      json::array({{{"topic", "a"}, {"payload", 42}},
                   {{"TOPIC", "b"}, {"Payload", true}, {"QoS", 2}, {"RETAINED", true}},
                   {{"topic", "c"}, {"payload", 1.5}, {"qos", 0}, {"retained", "false"}},
                   {{"topic", "d"}}});
  auto config = mqttest::parse_mqtt_config(fields, locate);
  REQUIRE(config.messages.size() == 4);
  CHECK(config.messages[0].payload == "42");
  CHECK(config.messages[0].qos == 1);
  CHECK_FALSE(config.messages[0].retained);
  CHECK(config.messages[1].topic == "b");
  CHECK(config.messages[1].payload == "true");
  CHECK(config.messages[1].qos == 2);
  CHECK(config.messages[1].retained);
  CHECK(config.messages[2].payload == "1.5");
  CHECK(config.messages[2].qos == 0);
  CHECK(config.messages[3].payload == "");
}

TEST_CASE("mqtt config: fields() lists the canonical names") {
  auto names = mqttest::mqtt_step_kind.fields();
  CHECK(names == std::vector<std::string>{"addrs", "clientType", "clientId", "persistSubscription",
                                          "topics", "qos", "messageLimit", "timeout",
                                          "connectTimeout", "messages", "protocolVersion",
                                          "username", "password", "tls", "keepAlive", "will",
                                          "sessionExpiry", "properties", "receiveMaximum",
                                          "topicAliasMaximum", "maximumPacketSize",
                                          "requestResponseInformation",
                                          "requestProblemInformation", "disconnectReason",
                                          "disconnectSessionExpiry", "disconnectProperties",
                                          "disconnect", "decode", "expectNoMore", "publish",
                                          "holdAcks", "publishFrom", "unsubscribe"});
  CHECK(mqttest::mqtt_step_kind.type == "mqtt");
}

TEST_CASE("mqtt config: required fields") {
  json fields = subscriber();
  fields.erase("addrs");
  CHECK(error_of(fields) == "step needs \"addrs\" (the broker URL, e.g. tcp://localhost:1883)");
  CHECK(where_of(fields) == "step");
  fields = subscriber();
  fields.erase("clientType");
  CHECK(error_of(fields) ==
        "step needs \"clientType\" (publisher, subscriber or persistent_queue)");
  fields = subscriber();
  fields.erase("topics");
  CHECK(error_of(fields) == "subscriber needs \"topics\" (the topic filters to subscribe)");
  CHECK(error_of(with(subscriber(), "topics", json::array())) ==
        "subscriber needs \"topics\" (the topic filters to subscribe)");
  CHECK(error_of(with(subscriber(), "clientType", "persistent_queue")) ==
        "persistent_queue needs \"clientId\" (the session to keep)");
  fields = publisher();
  fields.erase("messages");
  CHECK(error_of(fields) == "publisher needs \"messages\" (a non-empty list of {topic, payload})");
  CHECK(error_of(with(publisher(), "messages", json::array())) ==
        "publisher needs \"messages\" (a non-empty list of {topic, payload})");
  CHECK(error_of(with(publisher(), "messages", json::array({{{"payload", "x"}}}))) ==
        "message needs \"topic\"");
  CHECK(where_of(with(publisher(), "messages", json::array({{{"payload", "x"}}}))) ==
        "step/messages/0");
}

TEST_CASE("mqtt config: clientType") {
  CHECK(error_of(with(subscriber(), "clientType", "subscribr")) ==
        "unknown clientType \"subscribr\" (did you mean \"subscriber\"?)");
  CHECK(where_of(with(subscriber(), "clientType", "subscribr")) == "step/clientType");
  CHECK(error_of(with(subscriber(), "clientType", "xyz")) ==
        "unknown clientType \"xyz\" (expected publisher, subscriber or persistent_queue)");
  CHECK(error_of(with(subscriber(), "clientType", 3)) ==
        "\"clientType\" must be publisher, subscriber or persistent_queue, got 3");
}

TEST_CASE("mqtt config: type and range errors name the field and the value") {
  CHECK(error_of(with(subscriber(), "qos", "high")) ==
        "\"qos\" must be an integer 0, 1 or 2, got \"high\"");
  CHECK(error_of(with(subscriber(), "qos", 1.5)) ==
        "\"qos\" must be an integer 0, 1 or 2, got 1.5");
  CHECK(error_of(with(subscriber(), "qos", 3)) == "\"qos\" must be 0, 1 or 2, got 3");
  CHECK(error_of(with(subscriber(), "qos", -1)) == "\"qos\" must be 0, 1 or 2, got -1");
  CHECK(where_of(with(subscriber(), "qos", 3)) == "step/qos");
  CHECK(error_of(with(subscriber(), "timeout", -5)) ==
        "\"timeout\" must be a positive integer (milliseconds), got -5");
  CHECK(error_of(with(subscriber(), "timeout", 0)) ==
        "\"timeout\" must be a positive integer (milliseconds), got 0");
  CHECK(error_of(with(subscriber(), "timeout", "soon")) ==
        "\"timeout\" must be a positive integer (milliseconds), got \"soon\"");
  CHECK(error_of(with(subscriber(), "connectTimeout", 0)) ==
        "\"connectTimeout\" must be a positive integer (milliseconds), got 0");
  CHECK(error_of(with(subscriber(), "messageLimit", -1)) ==
        "\"messageLimit\" must be a non-negative integer, got -1");
  CHECK(error_of(with(subscriber(), "messageLimit", true)) ==
        "\"messageLimit\" must be a non-negative integer, got true");
  CHECK(mqttest::parse_mqtt_config(with(subscriber(), "messageLimit", 0), locate).message_limit ==
        0);
  CHECK(error_of(with(subscriber(), "persistSubscription", "yes")) ==
        "\"persistSubscription\" must be true or false, got \"yes\"");
  CHECK(error_of(with(subscriber(), "topics", "a/b")) ==
        "\"topics\" must be a list of topic filters");
  CHECK(error_of(with(subscriber(), "topics", {"a", 1})) ==
        "\"topics\" entries must be topic filters or {filter, qos, ...} maps");
  CHECK(where_of(with(subscriber(), "topics", {"a", 1})) == "step/topics/1");
  CHECK(error_of(with(subscriber(), "clientId", 7)) == "\"clientId\" must be a string, got 7");
  CHECK(error_of(with(subscriber(), "addrs", 7)) == "\"addrs\" must be a string, got 7");
  CHECK(error_of(with(publisher(), "messages", "x")) == "\"messages\" must be a list of maps");
  CHECK(error_of(with(publisher(), "messages", {1})) == "message must be a map");
  CHECK(error_of(with(publisher(), "messages", json::array({{{"topic", "a"}, {"qos", 7}}}))) ==
        "\"qos\" must be 0, 1 or 2, got 7");
  CHECK(where_of(with(publisher(), "messages", json::array({{{"topic", "a"}, {"qos", 7}}}))) ==
        "step/messages/0/qos");
  CHECK(error_of(
            with(publisher(), "messages", json::array({{{"topic", "a"}, {"retained", "yes"}}}))) ==
        "\"retained\" must be true or false, got \"yes\"");
  CHECK(error_of(
            with(publisher(), "messages", json::array({{{"topic", "a"}, {"payload", {1, 2}}}}))) ==
        "\"payload\" must be a string, got [1,2]");
}

TEST_CASE("mqtt config: broker URL and topics are checked") {
  CHECK(error_of(with(subscriber(), "addrs", "localhost:1883")) ==
        "\"addrs\" must be a broker URL such as tcp://localhost:1883, got \"localhost:1883\"");
  CHECK(error_of(with(subscriber(), "addrs", "http://x:1")) ==
        "\"addrs\" has an unknown scheme \"http\" (use tcp://, ssl://, ws:// or wss://)");
  CHECK(error_of(with(subscriber(), "topics", {"a/#/b"})) ==
        "invalid topic filter \"a/#/b\": \"#\" must be a whole level and the last one");
  CHECK(error_of(with(publisher(), "messages", json::array({{{"topic", "a/+"}}}))) ==
        "invalid topic \"a/+\": a topic to publish to must not contain wildcards (+ or #)");
}

TEST_CASE("mqtt config: unknown keys with did-you-mean, at both levels") {
  CHECK(error_of(with(subscriber(), "client_id", "x")) ==
        "unknown key \"client_id\" in step (did you mean \"clientId\"?)");
  CHECK(where_of(with(subscriber(), "client_id", "x")) == "step/client_id");
  CHECK(error_of(with(subscriber(), "zzzzzzzz", 1)) == "unknown key \"zzzzzzzz\" in step");
  CHECK(
      error_of(with(publisher(), "messages", json::array({{{"topic", "a"}, {"retain", true}}}))) ==
      "unknown key \"retain\" in message (did you mean \"retained\"?)");
  CHECK(
      where_of(with(publisher(), "messages", json::array({{{"topic", "a"}, {"retain", true}}}))) ==
      "step/messages/0/retain");
  json duplicate = subscriber();
  duplicate["QOS"] = 1;
  duplicate["qos"] = 1;
  CHECK(error_of(duplicate) == "duplicate key \"qos\" (already given as \"QOS\")");
}

TEST_CASE("mqtt config: validate skips templates, make checks the expanded values") {
  json fields = {{"addrs", "{{.addrs}}"},
                 {"clientType", "{{.kind}}"},
                 {"qos", "{{.qos}}"},
                 {"timeout", "{{.t}}"},
                 {"topics", {"{{.topic}}"}},
                 {"persistSubscription", "{{.p}}"},
                 {"messages", json::array({{{"topic", "{{.topic}}"}, {"qos", "{{.q}}"}}})}};
  CHECK(error_of(fields, true) == "no error");
  CHECK(error_of(with(fields, "client_id", "x"), true) ==
        "unknown key \"client_id\" in step (did you mean \"clientId\"?)");
  CHECK(error_of(with(fields, "qos", "high"), true) ==
        "\"qos\" must be an integer 0, 1 or 2, got \"high\"");
  CHECK(error_of(with(subscriber(), "qos", "{{.qos}}"), true) == "no error");
  json topic_map = {{"filter", "{{.base}}/#"}, {"noLocal", true}};
  CHECK(error_of(with(with(subscriber(), "topics", {topic_map}), "protocolVersion", 5), true) ==
        "no error");
  CHECK(error_of(with(subscriber(), "topics", {{{"filter", "a/#/b"}}})) ==
        "invalid topic filter \"a/#/b\": \"#\" must be a whole level and the last one");
  CHECK(error_of(with(subscriber(), "qos", "{{.qos}}")) ==
        "\"qos\" must be an integer 0, 1 or 2, got \"{{.qos}}\"");
  auto expanded = mqttest::parse_mqtt_config(
      with(with(subscriber(), "qos", "2"), "persistSubscription", "true"), locate);
  CHECK(expanded.qos == 2);
  CHECK(expanded.persist_subscription);
  CHECK_THROWS_WITH_AS(mqttest::mqtt_step_kind.make(with(subscriber(), "qos", 5), locate),
                       "step/qos:1:1: \"qos\" must be 0, 1 or 2, got 5", config_error);
  CHECK_THROWS_WITH_AS(mqttest::mqtt_step_kind.validate(with(subscriber(), "qos", 5), locate),
                       "step/qos:1:1: \"qos\" must be 0, 1 or 2, got 5", config_error);
  CHECK(mqttest::mqtt_step_kind.make(subscriber(), locate) != nullptr);
}

TEST_CASE("mqtt config: connection fields of issue 5") {
  json fields = publisher();
  fields["addrs"] = "mqtts://broker:8883";
  fields["protocolVersion"] = 5;
  fields["username"] = "u";
  fields["password"] = "p";
  fields["tls"] = {{"caFile", "/ca.pem"}, {"insecureSkipVerify", true}, {"alpn", "mqtt"}};
  fields["keepAlive"] = 10;
  fields["will"] = {{"topic", "w"}, {"payload", "bye"}, {"qos", 1}, {"retained", true}, {"delay", 5}};
  fields["sessionExpiry"] = 60;
  fields["properties"] = {{"k", "v"}, {"n", 1}};
  fields["disconnect"] = "abrupt";
  auto config = mqttest::parse_mqtt_config(fields, locate);
  const auto& c = config.connection;
  CHECK(c.protocol_version == 5);
  CHECK(c.username == "u");
  CHECK(c.password == "p");
  REQUIRE(c.tls);
  CHECK(c.tls->ca_file == "/ca.pem");
  CHECK(c.tls->insecure_skip_verify);
  CHECK(c.tls->alpn == std::vector<std::string>{"mqtt"});
  CHECK(c.keep_alive_seconds == 10);
  REQUIRE(c.will);
  CHECK(c.will->topic == "w");
  CHECK(c.will->delay_seconds == 5);
  CHECK(c.session_expiry_seconds == 60);
  CHECK(c.user_properties == std::map<std::string, std::string>{{"k", "v"}, {"n", "1"}});
  CHECK(c.abrupt_disconnect);
  CHECK(mqttest::parse_mqtt_config(with(publisher(), "protocolVersion", "3.1.1"), locate)
            .connection.protocol_version == 4);
}

TEST_CASE("mqtt config: bad connection fields are config errors with positions") {
  CHECK(error_of(with(publisher(), "protocolVersion", 4.5)) ==
        "\"protocolVersion\" must be 3.1.1 or 5, got 4.5");
  CHECK(error_of(with(publisher(), "sessionExpiry", 5)) ==
        "\"sessionExpiry\" is an MQTT 5 feature: set protocolVersion: 5");
  CHECK(error_of(with(publisher(), "disconnect", "rude")) ==
        "\"disconnect\" must be normal, abrupt or silent, got \"rude\"");
  CHECK(error_of(with(publisher(), "tls", {{"caFile", "x"}})) ==
        "\"tls\" needs an ssl://, mqtts:// or wss:// address, got \"tcp://localhost:1883\"");
  CHECK(error_of(with(publisher(), "tls", {{"cafile", "x"}, {"keypasword", "p"}})) ==
        "unknown key \"keypasword\" in tls (did you mean \"keyPassword\"?)");
  CHECK(error_of(with(publisher(), "will", {{"payload", "x"}})) == "will needs \"topic\"");
  CHECK(where_of(with(publisher(), "will", {{"topic", "w"}, {"qos", 3}})) == "step/will/qos");
  CHECK(error_of(with(publisher(), "password", "secret")) == "\"password\" needs \"username\"");
  CHECK(error_of(with(subscriber(), "decode", "yaml")) ==
        "\"decode\" must be json, text, base64, hex, cbor or msgpack, got \"yaml\"");
}

TEST_CASE("mqtt config: values as written are what the JSON Schema allows") {
  // Load time (validate): literal values; templates expand to any scalar later.
  CHECK(error_of(with(with(publisher(), "username", "u"), "password", 1234), true) ==
        "\"password\" must be a string, got 1234");
  CHECK(
      mqttest::parse_mqtt_config(with(with(publisher(), "username", "u"), "password", 1234), locate)
          .connection.password == "1234");
  CHECK(error_of(with(subscriber(), "decode", "JSON"), true) ==
        "\"decode\" must be json, text, base64, hex, cbor or msgpack, got \"JSON\"");
  CHECK(error_of(with(publisher(), "disconnect", "Abrupt"), true) ==
        "\"disconnect\" must be normal, abrupt or silent, got \"Abrupt\"");
  CHECK(error_of(with(publisher(), "protocolVersion", 311), true) ==
        "\"protocolVersion\" must be 3.1.1 or 5, got 311");
  CHECK(error_of(with(publisher(), "protocolVersion", "311"), true) == "no error");
  CHECK(error_of(with(publisher(), "protocolVersion", 4), true) == "no error");
  json secure = with(publisher(), "addrs", "ssl://h:1");
  CHECK(error_of(with(secure, "tls", "{{.tls}}"), true) ==
        "\"tls\" must be a map, got \"{{.tls}}\"");
  CHECK(error_of(with(secure, "tls", {{"keyPassword", nullptr}}), true) ==
        "\"keyPassword\" must be a string, got null");
  CHECK(error_of(with(publisher(), "will", {{"topic", "w"}, {"payload", nullptr}}), true) ==
        "\"payload\" must be a string, got null");
  CHECK(
      error_of(with(publisher(), "messages", json::array({{{"topic", "a"}, {"payload", nullptr}}})),
               true) == "no error");
  CHECK(error_of(with(with(subscriber(), "protocolVersion", "{{.v}}"), "sessionExpiry", 5), true) ==
        "\"sessionExpiry\" is an MQTT 5 feature: set protocolVersion: 5");
}

TEST_CASE("mqtt config: the tables are the kind's field spec") {
  CHECK(&mqttest::mqtt_step_kind.spec() == &mqttest::mqtt_step_table());
  CHECK(&mqttest::mqtt_step_fields() == &mqttest::mqtt_step_table().fields);
  const auto* topics = mqttest::find_field(mqttest::mqtt_step_table(), "TOPICS");
  REQUIRE(topics != nullptr);
  CHECK(topics->table == &mqttest::mqtt_subscription_table());
  CHECK(mqttest::find_field(mqttest::mqtt_step_table(), "messages")->table ==
        &mqttest::mqtt_message_table());
  CHECK(mqttest::find_field(mqttest::mqtt_step_table(), "publish")->table ==
        &mqttest::mqtt_message_table());
  CHECK(mqttest::find_field(mqttest::mqtt_step_table(), "tls")->table ==
        &mqttest::mqtt_tls_table());
  CHECK(mqttest::find_field(mqttest::mqtt_step_table(), "will")->table ==
        &mqttest::mqtt_will_table());
}

TEST_CASE("mqtt config: message payloads: json, encodings, v5 properties") {
  auto message_config = [](json message) {
    json fields = publisher();
    fields["protocolVersion"] = 5;
    message["topic"] = "a/b";
    fields["messages"] = json::array({message});
    return fields;
  };
  auto payload = [&](json message) {
    return mqttest::parse_mqtt_config(message_config(std::move(message)), locate)
        .messages[0]
        .payload;
  };
  CHECK(payload({{"json", {{"a", 1}}}}) == R"({"a":1})");
  CHECK(payload({{"payload", "aGk="}, {"encoding", "base64"}}) == "hi");
  CHECK(payload({{"payload", "6869"}, {"encoding", "hex"}}) == "hi");
  auto cbor = json::to_cbor(json{{"a", 1}});
  CHECK(payload({{"json", {{"a", 1}}}, {"encoding", "cbor"}}) == std::string(cbor.begin(), cbor.end()));
  CHECK(error_of(message_config({{"payload", "x"}, {"json", 1}})) ==
        "message takes one of \"payload\", \"json\" and \"payloadFile\"");
  CHECK(error_of(message_config({{"payload", "x"}, {"encoding", "cbor"}})) ==
        "encoding cbor encodes a \"json:\" value (or a payloadFile holding JSON)");
  CHECK(error_of(message_config({{"payload", "!!"}, {"encoding", "base64"}})) ==
        "payload is not valid base64");
  CHECK(where_of(message_config({{"payload", "!!"}, {"encoding", "base64"}})) ==
        "step/messages/0/payload");
  CHECK(error_of(message_config({{"payloadFile", "/nonexistent/file.bin"}}), true) ==
        "cannot read payload file \"/nonexistent/file.bin\" (/nonexistent/file.bin)");
  auto config = mqttest::parse_mqtt_config(
      message_config({{"contentType", "a/b"},
                      {"responseTopic", "r"},
                      {"correlationData", "c"},
                      {"messageExpiry", 9},
                      {"payloadFormat", 1},
                      {"userProperties", {{"x", "y"}}}}),
      locate);
  const auto& p = config.messages[0].properties;
  CHECK(p.content_type == "a/b");
  CHECK(p.response_topic == "r");
  CHECK(p.correlation_data == "c");
  CHECK(p.message_expiry == 9);
  CHECK(p.payload_format == 1);
  CHECK(p.user_properties.at("x") == "y");
  CHECK(error_of(with(publisher(), "messages",
                      json::array({{{"topic", "a"}, {"contentType", "x"}}}))) ==
        "\"contentType\" is an MQTT 5 feature: set protocolVersion: 5");
}

TEST_CASE("mqtt config: topics as maps with v5 options, publish only on subscribers") {
  json fields = subscriber();
  fields["protocolVersion"] = "5";
  fields["qos"] = 1;
  fields["topics"] = json::array(
      {"a/b", {{"filter", "$share/g/c/#"}, {"qos", 2}, {"noLocal", true}, {"retainHandling", 2}}});
  auto config = mqttest::parse_mqtt_config(fields, locate);
  REQUIRE(config.subscriptions.size() == 2);
  CHECK(config.subscriptions[0].qos == 1);
  CHECK(config.subscriptions[1].filter == "$share/g/c/#");
  CHECK(config.subscriptions[1].qos == 2);
  CHECK(config.subscriptions[1].no_local);
  CHECK(config.subscriptions[1].retain_handling == 2);
  CHECK(config.topics == std::vector<std::string>{"a/b", "$share/g/c/#"});
  CHECK(error_of(with(subscriber(), "topics", json::array({{{"filter", "a"}, {"noLocal", true}}}))) ==
        "\"noLocal\" is an MQTT 5 feature: set protocolVersion: 5");
  CHECK(where_of(with(subscriber(), "topics", json::array({{{"filter", "a/#/b"}}}))) ==
        "step/topics/0/filter");
  CHECK(error_of(with(subscriber(), "topics", json::array({{{"qos", 1}}}))) ==
        "topic needs \"filter\"");
  CHECK(error_of(with(publisher(), "publish", json::array())) ==
        "\"publish\" belongs to a subscriber step (request/response); a publisher uses "
        "\"messages\"");
  auto request = mqttest::parse_mqtt_config(
      with(subscriber(), "publish", json::array({{{"topic", "cmd"}, {"payload", "go"}}})), locate);
  REQUIRE(request.publish.size() == 1);
  CHECK(request.publish[0].payload == "go");
  CHECK(mqttest::parse_mqtt_config(with(subscriber(), "expectNoMore", 250), locate)
            .expect_no_more_ms == 250);
}
