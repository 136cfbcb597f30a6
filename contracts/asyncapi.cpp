#include "contracts/asyncapi.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>

#include "executor/core/document.h"
#include "executor/core/errors.h"

namespace mqttest {

using nlohmann::json;
using pointer = json::json_pointer;
namespace fs = std::filesystem;

namespace {

constexpr int kMaxDepth = 64;

/// A place in one of the documents read.
struct place {
  std::shared_ptr<const document> doc;
  pointer ptr;

  const json& value() const { return doc->root.at(ptr); }
  place at(const std::string& key) const { return {doc, ptr / key}; }
  place at(std::size_t index) const { return {doc, ptr / index}; }
  bool has(const std::string& key) const {
    return value().is_object() && value().contains(key);
  }
  [[noreturn]] void fail(const std::string& message) const {
    throw doc->error(doc->value_at(ptr), message);
  }
};

/// Reads documents once and follows `$ref`s between them.
class reader {
 public:
  explicit reader(const std::string& path) { root_ = {open(path), pointer()}; }

  const place& root() const { return root_; }

  /// Where `$ref`s at `p` lead (p itself when it is no reference).
  place follow(place p, int depth = 0) const {
    for (; p.value().is_object() && p.value().contains("$ref"); ++depth) {
      place ref = p.at("$ref");
      if (depth > kMaxDepth) ref.fail("$ref loop: the references lead back to themselves");
      if (!ref.value().is_string()) ref.fail("$ref must be a string");
      p = target(ref, ref.value().get<std::string>());
    }
    return p;
  }

  /// The value at `p` with every `$ref` inside replaced by what it names.
  json resolved(const place& start, int depth = 0) const {
    if (depth > kMaxDepth) start.fail("$refs nested too deep (a recursive schema?)");
    place p = follow(start);
    const json& value = p.value();
    if (value.is_object()) {
      json out = json::object();
      for (const auto& item : value.items()) out[item.key()] = resolved(p.at(item.key()), depth + 1);
      return out;
    }
    if (value.is_array()) {
      json out = json::array();
      for (std::size_t i = 0; i < value.size(); ++i) out.push_back(resolved(p.at(i), depth + 1));
      return out;
    }
    return value;
  }

 private:
  std::shared_ptr<const document> open(const std::string& path) const {
    std::string key = fs::path(path).lexically_normal().string();
    auto found = docs_.find(key);
    if (found != docs_.end()) return found->second;
    auto doc = load_document(key);
    docs_.emplace(key, doc);
    return doc;
  }

  place target(const place& ref, const std::string& text) const {
    std::size_t hash = text.find('#');
    std::string file = text.substr(0, hash);
    std::string fragment = hash == std::string::npos ? "" : text.substr(hash + 1);
    if (file.find("://") != std::string::npos)
      ref.fail(fmt::format("$ref \"{}\": only local files can be referenced", text));
    std::shared_ptr<const document> doc = ref.doc;
    if (!file.empty()) {
      fs::path relative(file);
      std::string path =
          relative.is_absolute() ? file : (fs::path(ref.doc->file).parent_path() / file).string();
      try {
        doc = open(path);
      } catch (const config_error& e) {
        ref.fail(fmt::format("$ref \"{}\": {}", text, e.message()));
      }
    }
    pointer ptr;
    try {
      ptr = pointer(fragment);
    } catch (const json::exception&) {
      ref.fail(fmt::format("$ref \"{}\": \"#{}\" is not a JSON pointer", text, fragment));
    }
    if (!doc->root.contains(ptr))
      ref.fail(fmt::format("dangling $ref \"{}\": {} has nothing at #{}", text,
                           file.empty() ? "this document" : file, fragment));
    return {doc, ptr};
  }

  mutable std::map<std::string, std::shared_ptr<const document>> docs_;
  place root_;
};

std::string text_at(const place& p, const std::string& key) {
  if (!p.has(key)) return {};
  const json& value = p.value()[key];
  if (!value.is_string()) p.at(key).fail(fmt::format("\"{}\" must be a string", key));
  return value.get<std::string>();
}

/// `{name}` in `text` replaced by what `value_of(name)` gives.
template <typename F>
std::string substitute(const std::string& text, F value_of) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    std::size_t close = text[i] == '{' ? text.find('}', i) : std::string::npos;
    if (close == std::string::npos) {
      out += text[i];
      continue;
    }
    out += value_of(text.substr(i + 1, close - i - 1));
    i = close;
  }
  return out;
}

/// A text for a parameter or server variable: an example, the default, the first enum value.
std::string sample_value(const json& definition) {
  for (const json* holder : {&definition, definition.contains("schema") ? &definition["schema"]
                                                                         : &definition}) {
    if (!holder->is_object()) continue;
    for (const char* key : {"examples", "enum"}) {
      auto found = holder->find(key);
      if (found != holder->end() && found->is_array() && !found->empty()) {
        const json& first = found->front();
        return first.is_string() ? first.get<std::string>() : first.dump();
      }
    }
    auto found = holder->find("default");
    if (found != holder->end()) return found->is_string() ? found->get<std::string>() : found->dump();
  }
  return {};
}

std::string broker_scheme(const std::string& protocol) {
  if (protocol == "mqtt") return "tcp";
  if (protocol == "mqtts" || protocol == "secure-mqtt") return "mqtts";
  if (protocol == "ws" || protocol == "wss") return protocol;
  return {};
}

void read_server(const reader& r, asyncapi_document& out, bool v3) {
  if (!r.root().has("servers")) return;
  place servers = r.follow(r.root().at("servers"));
  if (!servers.value().is_object()) servers.fail("\"servers\" must be a map");
  for (const auto& item : servers.value().items()) {
    place server = r.follow(servers.at(item.key()));
    if (!server.value().is_object()) server.fail("a server must be a map");
    std::string scheme = broker_scheme(text_at(server, "protocol"));
    if (scheme.empty()) continue;
    json variables = server.has("variables") ? r.resolved(server.at("variables")) : json::object();
    auto variable = [&](const std::string& name) {
      std::string value = variables.contains(name) ? sample_value(variables[name]) : "";
      return value.empty() ? "{" + name + "}" : value;
    };
    std::string where = v3 ? text_at(server, "host") + text_at(server, "pathname")
                           : text_at(server, "url");
    where = substitute(where, variable);
    out.server_url = where.find("://") != std::string::npos ? where : scheme + "://" + where;
    if (server.has("bindings")) {
      json bindings = r.resolved(server.at("bindings"));
      if (bindings.contains("mqtt") && bindings["mqtt"].is_object()) {
        const json& mqtt = bindings["mqtt"];
        if (mqtt.contains("clientId") && mqtt["clientId"].is_string())
          out.client_id = mqtt["clientId"].get<std::string>();
        if (mqtt.contains("cleanSession") && mqtt["cleanSession"].is_boolean())
          out.clean_session = mqtt["cleanSession"].get<bool>();
      }
    }
    return;  // the first MQTT server
  }
}

asyncapi_message read_message(const reader& r, const place& at, const std::string& key) {
  place message = r.follow(at);
  if (!message.value().is_object()) message.fail("a message must be a map");
  asyncapi_message out;
  out.name = text_at(message, "name");
  if (out.name.empty()) out.name = key;
  if (message.has("payload")) {
    place payload = r.follow(message.at("payload"));
    // AsyncAPI 3.0 multi-format schema: {schemaFormat, schema}
    if (payload.has("schemaFormat") && payload.has("schema")) payload = payload.at("schema");
    out.payload = r.resolved(payload);
  }
  if (message.has("examples")) {
    place examples = r.follow(message.at("examples"));
    if (!examples.value().is_array()) examples.fail("message \"examples\" must be a list");
    for (std::size_t i = 0; i < examples.value().size(); ++i) {
      place example = r.follow(examples.at(i));
      if (example.has("payload")) out.examples.push_back(r.resolved(example.at("payload")));
    }
  }
  return out;
}

void add_message(asyncapi_channel& channel, asyncapi_message message) {
  for (const auto& known : channel.messages)
    if (known.name == message.name) return;
  channel.messages.push_back(std::move(message));
}

/// An operation's mqtt binding (qos, retain) onto its channel.
void read_operation_binding(const reader& r, const place& operation, asyncapi_channel& channel) {
  if (!operation.has("bindings")) return;
  json bindings = r.resolved(operation.at("bindings"));
  if (!bindings.contains("mqtt") || !bindings["mqtt"].is_object()) return;
  const json& mqtt = bindings["mqtt"];
  if (mqtt.contains("qos") && mqtt["qos"].is_number_integer()) {
    int qos = mqtt["qos"].get<int>();
    if (qos < 0 || qos > 2) operation.at("bindings").fail(fmt::format("mqtt binding qos {} is not 0, 1 or 2", qos));
    channel.qos = std::max(channel.qos.value_or(0), qos);
  }
  if (mqtt.contains("retain") && mqtt["retain"].is_boolean())
    channel.retain = channel.retain.value_or(false) || mqtt["retain"].get<bool>();
}

void finish_channel(const reader& r, const place& definition, asyncapi_channel& channel) {
  json parameters = definition.has("parameters") ? r.resolved(definition.at("parameters"))
                                                 : json::object();
  channel.filter = substitute(channel.address, [](const std::string&) { return "+"; });
  channel.example_topic = substitute(channel.address, [&](const std::string& name) {
    std::string value = parameters.contains(name) ? sample_value(parameters[name]) : "";
    return value.empty() ? std::string("example") : value;
  });
}

void read_channels_v2(const reader& r, const place& channels, asyncapi_document& out) {
  for (const auto& item : channels.value().items()) {
    place definition = r.follow(channels.at(item.key()));
    if (!definition.value().is_object()) definition.fail("a channel must be a map");
    asyncapi_channel channel;
    channel.id = item.key();
    channel.address = item.key();
    for (const char* verb : {"publish", "subscribe"}) {
      if (!definition.has(verb)) continue;
      place operation = r.follow(definition.at(verb));
      read_operation_binding(r, operation, channel);
      if (!operation.has("message")) continue;
      place message = r.follow(operation.at("message"));
      if (message.has("oneOf")) {
        place list = r.follow(message.at("oneOf"));
        for (std::size_t i = 0; i < list.value().size(); ++i)
          add_message(channel, read_message(r, list.at(i), fmt::format("message{}", i + 1)));
      } else {
        add_message(channel, read_message(r, message, "message"));
      }
    }
    finish_channel(r, definition, channel);
    out.channels.push_back(std::move(channel));
  }
}

void read_channels_v3(const reader& r, const place& channels, asyncapi_document& out) {
  for (const auto& item : channels.value().items()) {
    place definition = r.follow(channels.at(item.key()));
    if (!definition.value().is_object()) definition.fail("a channel must be a map");
    asyncapi_channel channel;
    channel.id = item.key();
    channel.address = text_at(definition, "address");
    if (channel.address.empty()) channel.address = item.key();
    if (definition.has("messages")) {
      place messages = r.follow(definition.at("messages"));
      if (!messages.value().is_object()) messages.fail("channel \"messages\" must be a map");
      for (const auto& message : messages.value().items())
        add_message(channel, read_message(r, messages.at(message.key()), message.key()));
    }
    if (r.root().has("operations")) {
      place operations = r.follow(r.root().at("operations"));
      for (const auto& op : operations.value().items()) {
        place operation = r.follow(operations.at(op.key()));
        if (!operation.has("channel")) continue;
        place target = r.follow(operation.at("channel"));
        if (target.doc == definition.doc && target.ptr == definition.ptr)
          read_operation_binding(r, operation, channel);
      }
    }
    finish_channel(r, definition, channel);
    out.channels.push_back(std::move(channel));
  }
}

}  // namespace

json asyncapi_channel::payload_schema() const {
  if (messages.size() == 1) return messages.front().payload;
  json any = json::array();
  for (const auto& message : messages) any.push_back(message.payload);
  return json{{"anyOf", any}};
}

asyncapi_document read_asyncapi(const std::string& path) {
  reader r(path);
  const place& root = r.root();
  if (!root.value().is_object()) root.fail("an AsyncAPI document must be a map");
  if (!root.has("asyncapi"))
    root.fail("not an AsyncAPI document: no \"asyncapi\" key with its version");
  asyncapi_document out;
  out.file = path;
  const json& version = root.value()["asyncapi"];
  out.version = version.is_string() ? version.get<std::string>() : version.dump();
  bool v2 = out.version.starts_with("2.");
  bool v3 = out.version.starts_with("3.0");
  if (!v2 && !v3)
    root.at("asyncapi").fail(fmt::format(
        "unsupported AsyncAPI version \"{}\" (mqttest reads 2.x and 3.0)", out.version));
  if (root.has("info")) out.title = text_at(r.follow(root.at("info")), "title");
  read_server(r, out, v3);
  if (!root.has("channels")) root.fail("the document has no \"channels\"");
  place channels = r.follow(root.at("channels"));
  if (!channels.value().is_object()) channels.fail("\"channels\" must be a map");
  if (v2)
    read_channels_v2(r, channels, out);
  else
    read_channels_v3(r, channels, out);
  return out;
}

}  // namespace mqttest
