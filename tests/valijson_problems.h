// valijson, the independent JSON Schema checker the tests hold mqttest's
// schemas and JSON outputs against.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

/// `document` compiled by valijson.
inline std::unique_ptr<const valijson::Schema> valijson_schema(const nlohmann::json& document) {
  auto compiled = std::make_unique<valijson::Schema>();
  valijson::SchemaParser parser;
  valijson::adapters::NlohmannJsonAdapter adapter(document);
  parser.populateSchema(adapter, *compiled);
  return compiled;
}

/// valijson's problems with `value` against `schema`, a line each
/// ("<where>: <what>"); "" when it is valid.
inline std::string valijson_problems(const valijson::Schema& schema, const nlohmann::json& value) {
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(value);
  if (validator.validate(schema, target, &results)) return "";
  std::string out;
  for (const auto& error : results) {
    for (const std::string& part : error.context) out += part;
    out += ": " + error.description + "\n";
  }
  return out;
}
