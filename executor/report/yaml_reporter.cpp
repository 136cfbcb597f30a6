#include "executor/report/yaml_reporter.h"

#include <yaml-cpp/yaml.h>

#include "executor/report/report_data.h"

namespace mqttest {
namespace {

using nlohmann::json;

/// Replaces invalid UTF-8, which a YAML file cannot hold.
std::string valid_utf8(const std::string& text) {
  return json::parse(json(text).dump(-1, ' ', false, json::error_handler_t::replace))
      .get<std::string>();
}

void emit(YAML::Emitter& out, const json& value) {
  switch (value.type()) {
    case json::value_t::object:
      out << YAML::BeginMap;
      for (const auto& [key, item] : value.items()) {
        out << YAML::Key << YAML::DoubleQuoted << valid_utf8(key) << YAML::Value;
        emit(out, item);
      }
      out << YAML::EndMap;
      break;
    case json::value_t::array:
      out << YAML::BeginSeq;
      for (const json& item : value) emit(out, item);
      out << YAML::EndSeq;
      break;
    case json::value_t::string:
      out << YAML::DoubleQuoted << valid_utf8(value.get<std::string>());
      break;
    case json::value_t::boolean:
      out << value.get<bool>();
      break;
    case json::value_t::number_integer:
      out << value.get<std::int64_t>();
      break;
    case json::value_t::number_unsigned:
      out << value.get<std::uint64_t>();
      break;
    case json::value_t::number_float:
      out << value.get<double>();
      break;
    default:
      out << YAML::Null;
      break;
  }
}

}  // namespace

std::string to_yaml(const json& value) {
  YAML::Emitter out;
  out.SetDoublePrecision(17);
  out.SetOutputCharset(YAML::EmitNonAscii);
  emit(out, value);
  return std::string(out.c_str()) + "\n";
}

std::string yaml_report(const run_report& run) { return "---\n" + to_yaml(run_to_json(run)); }

}  // namespace mqttest
