#include "contracts/asyncapi_suites.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <set>

namespace mqttest {

using nlohmann::json;

namespace {

constexpr const char* kDefaultBroker = "tcp://localhost:1883";
constexpr int kTimeoutMs = 5000;

void key(YAML::Emitter& out, const char* name) { out << YAML::Key << name << YAML::Value; }

/// The fields every generated step starts with.
void step_head(YAML::Emitter& out, const char* client_type) {
  key(out, "type");
  out << "mqtt";
  key(out, "addrs");
  out << "{{.addrs}}";
  key(out, "clientType");
  out << client_type;
}

/// The fields every step of a channel shares.
void common_fields(YAML::Emitter& out, const char* client_type, const asyncapi_channel& channel) {
  step_head(out, client_type);
  key(out, "qos");
  out << channel.qos.value_or(0);
}

void schema_assertions(YAML::Emitter& out, const std::string& schema_file) {
  key(out, "assertions");
  out << YAML::BeginSeq << "result.error ShouldBeEmpty"
      << fmt::format("result.messagesjson ShouldAllMatchJSONSchema {}", schema_file)
      << YAML::EndSeq;
}

std::size_t example_count(const asyncapi_channel& channel) {
  std::size_t n = 0;
  for (const auto& message : channel.messages) n += message.examples.size();
  return n;
}

/// A live subscriber: the first message that arrives must match.
void live_case(YAML::Emitter& out, const asyncapi_document& doc, const asyncapi_channel& channel,
               const std::string& schema_file) {
  out << YAML::BeginMap;
  key(out, "name");
  out << fmt::format("messages on {} match the contract", channel.address);
  key(out, "steps");
  out << YAML::BeginSeq << YAML::BeginMap;
  common_fields(out, "subscriber", channel);
  if (doc.client_id) {
    key(out, "clientId");
    out << *doc.client_id;
  }
  if (doc.clean_session) {
    key(out, "persistSubscription");
    out << !*doc.clean_session;
  }
  key(out, "topics");
  out << YAML::Flow << YAML::BeginSeq << channel.filter << YAML::EndSeq;
  key(out, "messageLimit");
  out << 1;
  key(out, "timeout");
  out << kTimeoutMs;
  schema_assertions(out, schema_file);
  out << YAML::EndMap << YAML::EndSeq << YAML::EndMap;
}

/// Register a persistent session, publish every example, read them back, release.
void examples_case(YAML::Emitter& out, const asyncapi_document& doc,
                   const asyncapi_channel& channel, const std::string& schema_file) {
  // One reader per channel: the suites of one document may run side by side.
  std::string reader = (doc.client_id ? *doc.client_id + "-" : std::string("mqttest-contract-")) +
                       file_slug(channel.id);
  int qos = std::max(1, channel.qos.value_or(1));  // a persistent session keeps QoS 1 and 2 only
  auto queue_step = [&](bool keep) {
    out << YAML::BeginMap;
    step_head(out, "persistent_queue");
    key(out, "clientId");
    out << reader;
    key(out, "topics");
    out << YAML::Flow << YAML::BeginSeq << channel.filter << YAML::EndSeq;
    key(out, "persistSubscription");
    out << keep;
    key(out, "qos");
    out << qos;
    out << YAML::EndMap;
  };
  out << YAML::BeginMap;
  key(out, "name");
  out << fmt::format("the examples of {} round-trip and match the contract", channel.address);
  key(out, "steps");
  out << YAML::BeginSeq;
  queue_step(true);
  out << YAML::BeginMap;
  step_head(out, "publisher");
  key(out, "messages");
  out << YAML::BeginSeq;
  for (const auto& message : channel.messages) {
    for (const json& example : message.examples) {
      out << YAML::Flow << YAML::BeginMap;
      key(out, "topic");
      out << channel.example_topic;
      key(out, "payload");
      out << YAML::SingleQuoted << example.dump();
      key(out, "qos");
      out << qos;
      if (channel.retain.value_or(false)) {
        key(out, "retained");
        out << true;
      }
      out << YAML::EndMap;
    }
  }
  out << YAML::EndSeq << YAML::EndMap;
  out << YAML::BeginMap;
  step_head(out, "subscriber");
  key(out, "clientId");
  out << reader;
  key(out, "topics");
  out << YAML::Flow << YAML::BeginSeq << channel.filter << YAML::EndSeq;
  key(out, "persistSubscription");
  out << true;
  key(out, "qos");
  out << qos;
  key(out, "messageLimit");
  out << example_count(channel);
  key(out, "timeout");
  out << kTimeoutMs;
  schema_assertions(out, schema_file);
  out << YAML::EndMap;
  queue_step(false);
  out << YAML::EndSeq << YAML::EndMap;
}

}  // namespace

std::string file_slug(const std::string& text) {
  std::string out;
  for (char c : text) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_';
    out += keep ? c : '_';
  }
  return out.empty() ? "channel" : out;
}

std::vector<generated_file> generate_suites(const asyncapi_document& doc) {
  std::vector<generated_file> files;
  std::set<std::string> taken;
  std::string document = std::filesystem::path(doc.file).filename().string();
  for (const asyncapi_channel& channel : doc.channels) {
    if (channel.messages.empty()) continue;
    std::string base = file_slug(channel.id);
    std::string name = base;
    for (int n = 2; !taken.insert(name).second; ++n) name = fmt::format("{}-{}", base, n);
    std::string schema_file = name + ".schema.json";
    json schema = json{{"$schema", "http://json-schema.org/draft-07/schema#"}};
    schema.update(channel.payload_schema().is_object() ? channel.payload_schema() : json::object());

    YAML::Emitter out;
    out << YAML::Comment(fmt::format(
        "Generated by mqttest asyncapi gen from {} (AsyncAPI {}), channel {}.\n"
        "Payloads are checked against {}. Edit and keep: this is an ordinary suite.",
        document, doc.version, channel.id, schema_file));
    out << YAML::Newline << YAML::BeginMap;
    key(out, "name");
    out << fmt::format("{}{}{}", doc.title, doc.title.empty() ? "" : ": ", channel.address);
    key(out, "vars");
    out << YAML::BeginMap;
    key(out, "addrs");
    out << (doc.server_url.empty() ? kDefaultBroker : doc.server_url);
    out << YAML::EndMap;
    key(out, "testcases");
    out << YAML::BeginSeq;
    if (example_count(channel) > 0)
      examples_case(out, doc, channel, schema_file);
    else
      live_case(out, doc, channel, schema_file);
    out << YAML::EndSeq << YAML::EndMap;
    files.push_back({name + ".yml", std::string(out.c_str()) + "\n"});
    files.push_back({schema_file, schema.dump(2) + "\n"});
  }
  return files;
}

}  // namespace mqttest
