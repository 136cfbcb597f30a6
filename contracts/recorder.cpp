#include "contracts/recorder.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

#include "executor/core/value_compare.h"

namespace mqttest {

using nlohmann::json;

namespace {

/// The messages of one topic, their payloads as the subscriber step shows them.
struct topic_samples {
  std::string topic;
  std::vector<std::string> payloads;
  std::vector<json> values;  ///< parsed JSON; null when a payload is not JSON
};

std::vector<topic_samples> by_topic(const std::vector<observed_message>& messages) {
  std::vector<topic_samples> topics;
  for (const auto& message : messages) {
    auto found = std::find_if(topics.begin(), topics.end(),
                              [&](const topic_samples& t) { return t.topic == message.topic; });
    if (found == topics.end()) found = topics.insert(topics.end(), {message.topic, {}, {}});
    found->payloads.push_back(message.payload);
    json value = json::parse(message.payload, nullptr, false);
    found->values.push_back(value.is_discarded() ? json() : std::move(value));
  }
  return topics;
}

/// A key the flattened result path can name (no dots, spaces, brackets).
bool addressable(const std::string& key) {
  return !key.empty() && key.find_first_of(". \t\r\n[]{}\"'\\") == std::string::npos &&
         !key.starts_with("__");
}

/// A string an assertion argument can carry as written between quotes.
bool quotable(const std::string& text) {
  return text.find_first_of("\"\\\r\n\t") == std::string::npos &&
         text.find("{{") == std::string::npos;
}

bool all_equal(const std::vector<const json*>& samples) {
  return std::all_of(samples.begin(), samples.end(),
                     [&](const json* s) { return *s == *samples.front(); });
}

/// Assertions on `path` that hold for every sample (values at that path).
void describe(const std::vector<const json*>& samples, const std::string& path,
              std::vector<std::string>& out) {
  std::string type = type_name(*samples.front());
  for (const json* s : samples)
    if (type_name(*s) != type) return;  // mixed types: nothing they share
  out.push_back(fmt::format("{}.__Type__ ShouldEqual {}", path, type));
  bool several = samples.size() >= 2;
  if (samples.front()->is_number() && several) {
    auto [low, high] = std::minmax_element(samples.begin(), samples.end(),
                                           [](const json* a, const json* b) {
                                             return a->get<double>() < b->get<double>();
                                           });
    if (**low == **high)
      out.push_back(fmt::format("{} ShouldEqual {}", path, (*low)->dump()));
    else
      out.push_back(
          fmt::format("{} ShouldBeBetweenOrEqual {} {}", path, (*low)->dump(), (*high)->dump()));
  } else if (samples.front()->is_boolean() && several && all_equal(samples)) {
    out.push_back(fmt::format("{} ShouldEqual {}", path, samples.front()->dump()));
  } else if (samples.front()->is_string() && several && all_equal(samples) &&
             quotable(samples.front()->get<std::string>())) {
    out.push_back(fmt::format("{} ShouldEqual {}", path, samples.front()->dump()));
  } else if (samples.front()->is_object()) {
    for (const auto& [key, first] : samples.front()->items()) {
      if (!addressable(key)) continue;
      std::vector<const json*> values;
      for (const json* s : samples) {
        auto found = s->find(key);
        if (found == s->end()) break;
        values.push_back(&*found);
      }
      if (values.size() == samples.size()) describe(values, path + "." + key, out);
    }
  }
}

std::vector<std::string> assertions_for(const topic_samples& topic) {
  std::vector<std::string> out{"result.error ShouldBeEmpty",
                               fmt::format("result.received ShouldEqual {}", topic.values.size())};
  bool all_json = std::none_of(topic.values.begin(), topic.values.end(),
                               [](const json& v) { return v.is_null(); });
  if (all_json) {
    std::vector<const json*> samples;
    for (const json& v : topic.values) samples.push_back(&v);
    describe(samples, "result.messagesjson.messagesjson0", out);
    return out;
  }
  const std::string& first = topic.payloads.front();
  bool constant = topic.payloads.size() >= 2 &&
                  std::all_of(topic.payloads.begin(), topic.payloads.end(),
                              [&](const std::string& p) { return p == first; });
  if (constant && quotable(first))
    out.push_back(fmt::format("result.messages.messages0 ShouldEqual {}", json(first).dump()));
  return out;
}

/// A file name for a topic: letters, digits, '-' and '_'; others become '_'.
std::string slug(const std::string& topic, std::set<std::string>& taken) {
  std::string base;
  for (char c : topic) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_';
    base += keep ? c : '_';
  }
  if (base.empty()) base = "topic";
  std::string name = base;
  for (int n = 2; !taken.insert(name).second; ++n) name = fmt::format("{}-{}", base, n);
  return name;
}

std::string json_type(const json& value) {
  switch (value.type()) {
    case json::value_t::object: return "object";
    case json::value_t::array: return "array";
    case json::value_t::string: return "string";
    case json::value_t::boolean: return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "integer";
    case json::value_t::number_float: return "number";
    default: return "null";
  }
}

json infer(const std::vector<const json*>& samples) {
  std::set<std::string> types;
  for (const json* s : samples) types.insert(json_type(*s));
  if (types.count("number")) types.erase("integer");
  json schema = json::object();
  schema["type"] = types.size() == 1 ? json(*types.begin()) : json(types);
  if (types.count("object")) {
    std::map<std::string, std::vector<const json*>> values;
    std::size_t objects = 0;
    for (const json* s : samples) {
      if (!s->is_object()) continue;
      ++objects;
      for (const auto& [key, value] : s->items()) values[key].push_back(&value);
    }
    json properties = json::object();
    json required = json::array();
    for (const auto& [key, list] : values) {
      properties[key] = infer(list);
      if (list.size() == objects) required.push_back(key);
    }
    schema["properties"] = properties;
    if (!required.empty()) schema["required"] = required;
  }
  if (types.count("array")) {
    std::vector<const json*> items;
    for (const json* s : samples)
      if (s->is_array())
        for (const json& item : *s) items.push_back(&item);
    if (!items.empty()) schema["items"] = infer(items);
  }
  return schema;
}

}  // namespace

json infer_schema(const std::vector<json>& samples) {
  std::vector<const json*> pointers;
  for (const json& s : samples) pointers.push_back(&s);
  json schema = pointers.empty() ? json::object() : infer(pointers);
  json out = {{"$schema", "http://json-schema.org/draft-07/schema#"}};
  out.update(schema);
  return out;
}

recorded_suite record_suite(const std::vector<observed_message>& messages,
                            const record_options& options) {
  std::vector<topic_samples> topics = by_topic(messages);
  recorded_suite suite;
  suite.topics = topics.size();
  std::set<std::string> taken;
  int timeout_ms = std::max(2 * options.wait_ms, options.wait_ms + 2000);

  YAML::Emitter out;
  out << YAML::Comment(fmt::format(
      "Recorded by mqttest record from {}: {} message{} on {} topic{} in {} ms.\n"
      "Run it against the same traffic: mqttest run FILE [--var addrs=URL]",
      options.addrs, messages.size(), messages.size() == 1 ? "" : "s", topics.size(),
      topics.size() == 1 ? "" : "s", options.wait_ms));
  out << YAML::Newline << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << "recorded traffic";
  out << YAML::Key << "vars" << YAML::Value << YAML::BeginMap << YAML::Key << "addrs"
      << YAML::Value << options.addrs << YAML::EndMap;
  out << YAML::Key << "testcases" << YAML::Value << YAML::BeginSeq;
  for (const topic_samples& topic : topics) {
    std::vector<std::string> checks = assertions_for(topic);
    if (options.schema) {
      std::string file = fmt::format("{}/{}.json", options.schema_dir, slug(topic.topic, taken));
      suite.files[file] = infer_schema(topic.values).dump(2) + "\n";
      checks.push_back(fmt::format("result.messagesjson ShouldAllMatchJSONSchema {}", file));
    }
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << topic.topic;
    out << YAML::Key << "steps" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
    out << YAML::Key << "type" << YAML::Value << "mqtt";
    out << YAML::Key << "addrs" << YAML::Value << "{{.addrs}}";
    out << YAML::Key << "clientType" << YAML::Value << "subscriber";
    out << YAML::Key << "topics" << YAML::Value << YAML::Flow << YAML::BeginSeq << topic.topic
        << YAML::EndSeq;
    out << YAML::Key << "qos" << YAML::Value << options.qos;
    out << YAML::Key << "messageLimit" << YAML::Value << topic.values.size();
    out << YAML::Key << "timeout" << YAML::Value << timeout_ms;
    out << YAML::Key << "assertions" << YAML::Value << YAML::BeginSeq;
    for (const std::string& check : checks) out << check;
    out << YAML::EndSeq << YAML::EndMap << YAML::EndSeq << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  suite.text = std::string(out.c_str()) + "\n";
  return suite;
}

}  // namespace mqttest
