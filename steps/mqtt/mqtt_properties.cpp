#include "steps/mqtt/mqtt_properties.h"

#include <MQTTProperties.h>

#include <string>

#include "steps/mqtt/codecs.h"

namespace mqttest {
namespace {

using json = nlohmann::json;

std::string bytes_of(const MQTTLenString& text) {
  return text.data == nullptr ? std::string()
                              : std::string(text.data, static_cast<std::size_t>(text.len));
}

}  // namespace

std::string_view property_key(int identifier) {
  switch (identifier) {
    case MQTTPROPERTY_CODE_PAYLOAD_FORMAT_INDICATOR:
      return "payloadFormatIndicator";
    case MQTTPROPERTY_CODE_MESSAGE_EXPIRY_INTERVAL:
      return "messageExpiryInterval";
    case MQTTPROPERTY_CODE_CONTENT_TYPE:
      return "contentType";
    case MQTTPROPERTY_CODE_RESPONSE_TOPIC:
      return "responseTopic";
    case MQTTPROPERTY_CODE_CORRELATION_DATA:
      return "correlationData";
    case MQTTPROPERTY_CODE_SUBSCRIPTION_IDENTIFIER:
      return "subscriptionIdentifier";
    case MQTTPROPERTY_CODE_SESSION_EXPIRY_INTERVAL:
      return "sessionExpiryInterval";
    case MQTTPROPERTY_CODE_ASSIGNED_CLIENT_IDENTIFER:
      return "assignedClientIdentifier";
    case MQTTPROPERTY_CODE_SERVER_KEEP_ALIVE:
      return "serverKeepAlive";
    case MQTTPROPERTY_CODE_AUTHENTICATION_METHOD:
      return "authenticationMethod";
    case MQTTPROPERTY_CODE_AUTHENTICATION_DATA:
      return "authenticationData";
    case MQTTPROPERTY_CODE_REQUEST_PROBLEM_INFORMATION:
      return "requestProblemInformation";
    case MQTTPROPERTY_CODE_WILL_DELAY_INTERVAL:
      return "willDelayInterval";
    case MQTTPROPERTY_CODE_REQUEST_RESPONSE_INFORMATION:
      return "requestResponseInformation";
    case MQTTPROPERTY_CODE_RESPONSE_INFORMATION:
      return "responseInformation";
    case MQTTPROPERTY_CODE_SERVER_REFERENCE:
      return "serverReference";
    case MQTTPROPERTY_CODE_REASON_STRING:
      return "reasonString";
    case MQTTPROPERTY_CODE_RECEIVE_MAXIMUM:
      return "receiveMaximum";
    case MQTTPROPERTY_CODE_TOPIC_ALIAS_MAXIMUM:
      return "topicAliasMaximum";
    case MQTTPROPERTY_CODE_TOPIC_ALIAS:
      return "topicAlias";
    case MQTTPROPERTY_CODE_MAXIMUM_QOS:
      return "maximumQoS";
    case MQTTPROPERTY_CODE_RETAIN_AVAILABLE:
      return "retainAvailable";
    case MQTTPROPERTY_CODE_USER_PROPERTY:
      return "userProperties";
    case MQTTPROPERTY_CODE_MAXIMUM_PACKET_SIZE:
      return "maximumPacketSize";
    case MQTTPROPERTY_CODE_WILDCARD_SUBSCRIPTION_AVAILABLE:
      return "wildcardSubscriptionAvailable";
    case MQTTPROPERTY_CODE_SUBSCRIPTION_IDENTIFIERS_AVAILABLE:
      return "subscriptionIdentifiersAvailable";
    case MQTTPROPERTY_CODE_SHARED_SUBSCRIPTION_AVAILABLE:
      return "sharedSubscriptionAvailable";
    default:
      return "";
  }
}

json properties_json(const mqtt::properties& props) { return properties_json(props.c_struct()); }

json properties_json(const MQTTProperties& all) {
  json out = json::object();
  for (int i = 0; i < all.count; ++i) {
    const MQTTProperty& p = all.array[i];
    std::string key(property_key(p.identifier));
    if (key.empty()) key = "property" + std::to_string(static_cast<int>(p.identifier));
    json value;
    switch (MQTTProperty_getType(p.identifier)) {
      case MQTTPROPERTY_TYPE_BYTE:
        value = static_cast<int>(p.value.byte);
        break;
      case MQTTPROPERTY_TYPE_TWO_BYTE_INTEGER:
        value = static_cast<int>(p.value.integer2);
        break;
      case MQTTPROPERTY_TYPE_FOUR_BYTE_INTEGER:
      case MQTTPROPERTY_TYPE_VARIABLE_BYTE_INTEGER:
        value = static_cast<unsigned>(p.value.integer4);
        break;
      case MQTTPROPERTY_TYPE_UTF_8_STRING_PAIR:
        out["userProperties"][utf8_text(bytes_of(p.value.data))] =
            utf8_text(bytes_of(p.value.value));
        continue;
      default:  // binary data and UTF-8 strings
        value = utf8_text(bytes_of(p.value.data));
        break;
    }
    if (p.identifier == MQTTPROPERTY_CODE_SUBSCRIPTION_IDENTIFIER)
      out[key].push_back(std::move(value));  // it may repeat: always a list
    else
      out[key] = std::move(value);
  }
  return out;
}

json connack_json(bool session_present, int reason_code, const mqtt::properties& props) {
  return connack_json(session_present, reason_code, props.c_struct());
}

json connack_json(bool session_present, int reason_code, const MQTTProperties& props) {
  return {{"sessionPresent", session_present},
          {"reasonCode", reason_code},
          {"properties", properties_json(props)}};
}

}  // namespace mqttest
