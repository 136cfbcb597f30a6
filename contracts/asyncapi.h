#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mqttest {

/// One message a channel carries: its payload schema ($refs inlined) and examples.
struct asyncapi_message {
  std::string name;
  nlohmann::json payload = nlohmann::json::object();  ///< a JSON Schema, self-contained
  std::vector<nlohmann::json> examples;               ///< example payloads
};

/// One channel: an MQTT topic, possibly with {parameters}.
struct asyncapi_channel {
  std::string id;       ///< the key under `channels`
  std::string address;  ///< the topic as written, e.g. lights/{lightId}/measured
  std::string filter;   ///< parameters as +: lights/+/measured
  std::string example_topic;  ///< parameters replaced by an example, default, enum value or "example"
  std::vector<asyncapi_message> messages;
  std::optional<int> qos;       ///< from an operation's mqtt binding
  std::optional<bool> retain;   ///< likewise

  /// The payload schema of every message: one message's, or anyOf them.
  nlohmann::json payload_schema() const;
};

struct asyncapi_document {
  std::string file;
  std::string version;  ///< "2.6.0", "3.0.0", ...
  std::string title;
  std::string server_url;  ///< the first MQTT server as a broker URL; "" when none
  std::optional<std::string> client_id;  ///< the server's mqtt binding
  std::optional<bool> clean_session;     ///< likewise
  std::vector<asyncapi_channel> channels;
};

/// Reads an AsyncAPI 2.x (2.0-2.6) or 3.0 document, YAML or JSON; local
/// `$ref`s (`#/...`, `other.yaml#/...`) are followed, into other files
/// relative to the document. Throws config_error with file:line:col for an
/// unsupported version, a dangling or remote `$ref`, or a malformed part.
asyncapi_document read_asyncapi(const std::string& path);

}  // namespace mqttest
