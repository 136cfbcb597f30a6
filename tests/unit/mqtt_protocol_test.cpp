// Issue 12, protocol depth, without a broker: MQTT 5 properties as JSON
// (CONNACK in the result), the fields of CONNECT, will and DISCONNECT, and an
// empty client id kept empty.

#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "executor/core/errors.h"
#include "steps/mqtt/codecs.h"
#include "steps/mqtt/mqtt_config.h"
#include "steps/mqtt/mqtt_properties.h"
#include "steps/mqtt/packet_trace.h"

namespace {

using json = nlohmann::json;

mqttest::position locate(const json::json_pointer& where) {
  return {"step" + where.to_string(), 1, 1};
}

json v5_publisher() {
  return {{"addrs", "tcp://localhost:1883"},
          {"clientType", "publisher"},
          {"protocolVersion", 5},
          {"messages", json::array({{{"topic", "a/b"}, {"payload", "x"}}})}};
}

std::string error_of(const json& fields) {
  try {
    mqttest::parse_mqtt_config(fields, locate);
  } catch (const mqttest::config_error& e) {
    return e.message();
  }
  return "no error";
}

}  // namespace

// Built as Paho C structs on the stack: Paho's own allocations (mqtt::properties)
// keep heap-tracking nodes that only a Paho client's teardown frees.
MQTTProperty number(MQTTPropertyCodes id, int value) {
  MQTTProperty p{};
  p.identifier = id;
  switch (MQTTProperty_getType(id)) {
    case MQTTPROPERTY_TYPE_BYTE: p.value.byte = static_cast<unsigned char>(value); break;
    case MQTTPROPERTY_TYPE_TWO_BYTE_INTEGER: p.value.integer2 = static_cast<unsigned short>(value); break;
    default: p.value.integer4 = static_cast<unsigned>(value); break;
  }
  return p;
}

MQTTProperty text(MQTTPropertyCodes id, const char* value, const char* second = nullptr) {
  MQTTProperty p{};
  p.identifier = id;
  p.value.data = {static_cast<int>(std::strlen(value)), const_cast<char*>(value)};
  if (second != nullptr) p.value.value = {static_cast<int>(std::strlen(second)), const_cast<char*>(second)};
  return p;
}

MQTTProperties list_of(std::vector<MQTTProperty>& items) {
  MQTTProperties props = MQTTProperties_initializer;
  props.count = props.max_count = static_cast<int>(items.size());
  props.array = items.data();
  return props;
}

TEST_CASE("properties: every kind of MQTT 5 property becomes JSON under its spec name") {
  std::vector<MQTTProperty> items = {
      number(MQTTPROPERTY_CODE_RECEIVE_MAXIMUM, 20),
      number(MQTTPROPERTY_CODE_MAXIMUM_QOS, 1),
      number(MQTTPROPERTY_CODE_RETAIN_AVAILABLE, 0),
      number(MQTTPROPERTY_CODE_MAXIMUM_PACKET_SIZE, 100000),
      number(MQTTPROPERTY_CODE_SESSION_EXPIRY_INTERVAL, -1),
      text(MQTTPROPERTY_CODE_ASSIGNED_CLIENT_IDENTIFER, "auto-1"),
      text(MQTTPROPERTY_CODE_REASON_STRING, "why"),
      text(MQTTPROPERTY_CODE_USER_PROPERTY, "a", "1"),
      text(MQTTPROPERTY_CODE_USER_PROPERTY, "b", "2"),
      number(MQTTPROPERTY_CODE_SUBSCRIPTION_IDENTIFIER, 7),
      text(MQTTPROPERTY_CODE_CORRELATION_DATA, "\xff")};
  CHECK(mqttest::properties_json(list_of(items)) ==
        json{{"receiveMaximum", 20},
             {"maximumQoS", 1},
             {"retainAvailable", 0},
             {"maximumPacketSize", 100000},
             {"sessionExpiryInterval", 4294967295U},
             {"assignedClientIdentifier", "auto-1"},
             {"reasonString", "why"},
             {"userProperties", {{"a", "1"}, {"b", "2"}}},
             {"subscriptionIdentifier", {7}},
             {"correlationData", mqttest::utf8_text(std::string("\xff", 1))}});
  std::vector<MQTTProperty> none;
  CHECK(mqttest::properties_json(list_of(none)) == json::object());
}

TEST_CASE("properties: every CONNACK property has a key") {
  for (int id : {17, 18, 19, 21, 22, 26, 28, 31, 33, 34, 36, 37, 38, 39, 40, 41, 42})
    CHECK_MESSAGE(!mqttest::property_key(id).empty(), id);
  CHECK(mqttest::property_key(34) == "topicAliasMaximum");
  CHECK(mqttest::property_key(40) == "wildcardSubscriptionAvailable");
  CHECK(mqttest::property_key(99).empty());
}

TEST_CASE("connack: session present, reason code and properties") {
  std::vector<MQTTProperty> items = {number(MQTTPROPERTY_CODE_TOPIC_ALIAS_MAXIMUM, 10)};
  CHECK(mqttest::connack_json(true, 0, list_of(items)) ==
        json{{"sessionPresent", true},
             {"reasonCode", 0},
             {"properties", {{"topicAliasMaximum", 10}}}});
  std::vector<MQTTProperty> none;
  CHECK(mqttest::connack_json(false, 0x87, list_of(none)) ==
        json{{"sessionPresent", false}, {"reasonCode", 0x87}, {"properties", json::object()}});
}

TEST_CASE("client id: \"\" is sent empty, only a missing clientId is generated") {
  json fields = v5_publisher();
  fields["clientId"] = "";
  CHECK(mqttest::parse_mqtt_config(fields, locate).client_id.empty());
  fields.erase("clientId");
  CHECK(mqttest::parse_mqtt_config(fields, locate).client_id.rfind("mqttest-", 0) == 0);
}

TEST_CASE("connect, will and disconnect fields are read") {
  json fields = v5_publisher();
  fields["receiveMaximum"] = 5;
  fields["topicAliasMaximum"] = 0;
  fields["maximumPacketSize"] = 1024;
  fields["requestResponseInformation"] = true;
  fields["requestProblemInformation"] = false;
  fields["will"] = {{"topic", "w"},
                    {"contentType", "text/plain"},
                    {"userProperties", {{"k", "v"}}},
                    {"messageExpiry", 9},
                    {"payloadFormat", 1}};
  fields["disconnectReason"] = 4;
  fields["disconnectSessionExpiry"] = 0;
  fields["disconnectProperties"] = {{"bye", "now"}};
  auto config = mqttest::parse_mqtt_config(fields, locate);
  const auto& c = config.connection;
  CHECK(c.limits.receive_maximum == 5);
  CHECK(c.limits.topic_alias_maximum == 0);
  CHECK(c.limits.maximum_packet_size == 1024);
  CHECK(c.limits.request_response_information == true);
  CHECK(c.limits.request_problem_information == false);
  REQUIRE(c.will);
  CHECK(c.will->properties.content_type == "text/plain");
  CHECK(c.will->properties.user_properties == std::map<std::string, std::string>{{"k", "v"}});
  CHECK(c.will->properties.message_expiry == 9);
  CHECK(c.will->properties.payload_format == 1);
  CHECK(c.disconnect.reason_code == 4);
  CHECK(c.disconnect.session_expiry_seconds == 0);
  CHECK(c.disconnect.user_properties == std::map<std::string, std::string>{{"bye", "now"}});
  auto plain = mqttest::parse_mqtt_config(v5_publisher(), locate).connection;
  CHECK_FALSE(plain.limits.receive_maximum);
  CHECK(plain.disconnect.reason_code == 0);
}

TEST_CASE("connect, will and disconnect fields: errors name the field") {
  json v311 = v5_publisher();
  v311.erase("protocolVersion");
  v311["receiveMaximum"] = 5;
  CHECK(error_of(v311) == "\"receiveMaximum\" is an MQTT 5 feature: set protocolVersion: 5");
  json fields = v5_publisher();
  fields["receiveMaximum"] = 0;
  CHECK(error_of(fields) == "\"receiveMaximum\" must be 1 to 65535, got 0");
  fields.erase("receiveMaximum");
  fields["disconnectReason"] = 256;
  CHECK(error_of(fields) == "\"disconnectReason\" must be 0 to 255, got 256");
  fields["disconnectReason"] = 4;
  fields["disconnect"] = "abrupt";
  CHECK(error_of(fields) ==
        "\"disconnect: abrupt\" sends no DISCONNECT: drop disconnectReason, "
        "disconnectSessionExpiry and disconnectProperties");
  json will = v5_publisher();
  will["will"] = {{"topic", "w"}, {"userPropertiez", {{"k", "v"}}}};
  CHECK(error_of(will) ==
        "unknown key \"userPropertiez\" in will (did you mean \"userProperties\"?)");
}

TEST_CASE("subscriber fields: publishFrom, unsubscribe, subscriptionIdentifier, topicAlias") {
  json fields = {{"addrs", "tcp://localhost:1883"},
                 {"clientType", "subscriber"},
                 {"protocolVersion", 5},
                 {"topics", json::array({{{"filter", "a/#"}, {"subscriptionIdentifier", 3}}})},
                 {"publishFrom", "self"},
                 {"unsubscribe", {"b/#"}},
                 {"publish", json::array({{{"topic", ""}, {"topicAlias", 2}}})}};
  auto config = mqttest::parse_mqtt_config(fields, locate);
  CHECK(config.publish_from_self);
  CHECK(config.unsubscribe == std::vector<std::string>{"b/#"});
  CHECK(config.subscriptions[0].subscription_id == 3);
  CHECK(config.publish[0].topic.empty());
  CHECK(config.publish[0].properties.topic_alias == 2);

  json no_alias = fields;
  no_alias["publish"] = json::array({{{"topic", ""}}});
  CHECK(error_of(no_alias) == "invalid topic \"\": a topic must not be empty");
  json bad_id = fields;
  bad_id["topics"][0]["subscriptionIdentifier"] = 0;
  CHECK(error_of(bad_id) == "\"subscriptionIdentifier\" must be 1 to 268435455, got 0");
  json bad_filter = fields;
  bad_filter["unsubscribe"] = {"a/#/b"};
  CHECK(error_of(bad_filter).rfind("invalid topic filter \"a/#/b\": ", 0) == 0);
  json publisher = v5_publisher();
  publisher["publishFrom"] = "self";
  CHECK(error_of(publisher) == "\"publishFrom\" belongs to a subscriber step");
}

TEST_CASE("holdAcks: a subscriber on a plain TCP broker, errors name the field") {
  json fields = {{"addrs", "tcp://localhost:1883"},
                 {"clientType", "subscriber"},
                 {"topics", {"a/#"}},
                 {"holdAcks", true}};
  CHECK(mqttest::parse_mqtt_config(fields, locate).connection.hold_acks);
  fields["addrs"] = "mqtt://localhost";
  CHECK(mqttest::parse_mqtt_config(fields, locate).connection.hold_acks);
  fields.erase("holdAcks");
  CHECK_FALSE(mqttest::parse_mqtt_config(fields, locate).connection.hold_acks);
  fields["holdAcks"] = true;
  for (const char* tls : {"ssl://localhost:8883", "wss://localhost/mqtt", "ws://localhost"}) {
    fields["addrs"] = tls;
    std::string scheme = std::string(tls).substr(0, std::string(tls).find(':'));
    CHECK(error_of(fields) ==
          "\"holdAcks\" needs a tcp:// or mqtt:// address (it holds acknowledgements back in "
          "the plain MQTT byte stream), got " + scheme + "://");
  }
  json publisher = v5_publisher();
  publisher["holdAcks"] = true;
  CHECK(error_of(publisher) == "\"holdAcks\" belongs to a subscriber step");
  fields["addrs"] = "tcp://localhost:1883";
  fields["holdAcks"] = "yes";
  CHECK(error_of(fields).rfind("\"holdAcks\" must be ", 0) == 0);
}

TEST_CASE("packet trace: Paho C's protocol lines give the client id and the arrived packet") {
  auto connack = mqttest::parse_trace_line("20240101 120000.000 3 client-1 <- CONNACK rc: 0");
  REQUIRE(connack);
  CHECK(connack->first == "client-1");
  CHECK(connack->second.name == "CONNACK");
  CHECK(connack->second.text == "CONNACK rc: 0");
  CHECK(connack->second.message_id == 0);
  auto puback = mqttest::parse_trace_line("19700101 000000.000 5 c <- PUBACK msgid: 17\n");
  REQUIRE(puback);
  CHECK(puback->second.name == "PUBACK");
  CHECK(puback->second.message_id == 17);
  CHECK(puback->second.text == "PUBACK msgid: 17");
  auto pubcomp = mqttest::parse_trace_line("19700101 000000.000 5 c <- PUBCOMP msgid:2");
  REQUIRE(pubcomp);
  CHECK(pubcomp->second.message_id == 2);
  auto empty_id = mqttest::parse_trace_line("19700101 000000.000 5  <- SUBACK msgid: 1");
  REQUIRE(empty_id);
  CHECK(empty_id->first.empty());
  CHECK(empty_id->second.name == "SUBACK");
  // What the client sent, and other trace lines, are not arrivals.
  CHECK_FALSE(
      mqttest::parse_trace_line("19700101 000000.000 3 c -> CONNECT version 5 clean: 1 (0)"));
  CHECK_FALSE(mqttest::parse_trace_line("Trace Output"));
}
