#include "executor/suite/schema_validation.h"

#include <fmt/format.h>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "executor/core/text.h"

// The schema ships in schemas/ for editors and is compiled in here, so the
// binary never looks for it at run time (CMake rebuilds this on a change).
asm(R"(.pushsection .rodata
.global mqttest_testsuite_schema_text
.hidden mqttest_testsuite_schema_text
mqttest_testsuite_schema_text:
.incbin ")" MQTTEST_SCHEMA_FILE R"("
.byte 0
.popsection
)");
extern "C" const char mqttest_testsuite_schema_text[];

namespace mqttest {
namespace {

using nlohmann::json;
using pointer = json::json_pointer;

void collect_property_names(const json& schema, std::map<std::string, std::string>& names) {
  if (schema.is_object()) {
    auto properties = schema.find("properties");
    if (properties != schema.end() && properties->is_object())
      for (const auto& [name, sub] : properties->items()) names.emplace(to_lower(name), name);
    for (const auto& [key, sub] : schema.items()) collect_property_names(sub, names);
  } else if (schema.is_array()) {
    for (const json& sub : schema) collect_property_names(sub, names);
  }
}

/// Property names of the schema, by lower-case spelling.
const std::map<std::string, std::string>& canonical_names() {
  static const std::map<std::string, std::string> names = [] {
    std::map<std::string, std::string> out;
    collect_property_names(testsuite_schema(), out);
    return out;
  }();
  return names;
}

/// `value` with keys in the schema's spelling; `origin` maps each new
/// pointer to the pointer of the value as written.
json canonicalise(const json& value, const pointer& here, const pointer& written,
                  std::map<std::string, pointer>& origin) {
  origin[here.to_string()] = written;
  if (value.is_array()) {
    json out = json::array();
    for (std::size_t i = 0; i < value.size(); ++i)
      out.push_back(canonicalise(value[i], here / i, written / i, origin));
    return out;
  }
  if (!value.is_object()) return value;
  json out = json::object();
  for (const auto& [key, item] : value.items()) {
    std::string name = key;
    auto known = canonical_names().find(to_lower(key));
    if (known != canonical_names().end() && !value.contains(known->second)) name = known->second;
    if (out.contains(name)) name = key;
    out[name] = canonicalise(item, here / name, written / key, origin);
  }
  return out;
}

/// valijson's context ("<root>", "[testcases]", "[0]", ...) as a pointer.
pointer context_pointer(const std::vector<std::string>& context) {
  pointer ptr;
  for (const std::string& part : context) {
    if (part.size() >= 2 && part.front() == '[' && part.back() == ']')
      ptr /= part.substr(1, part.size() - 2);
  }
  return ptr;
}

/// "testcases[0].steps[1].qos"
std::string readable(const pointer& ptr) {
  std::vector<std::string> parts;
  for (pointer p = ptr; !p.empty(); p = p.parent_pointer()) parts.push_back(p.back());
  std::reverse(parts.begin(), parts.end());
  std::string out;
  for (const std::string& part : parts) {
    bool index = !part.empty() && std::all_of(part.begin(), part.end(), ::isdigit);
    out += index ? "[" + part + "]" : (out.empty() ? "" : ".") + part;
  }
  return out.empty() ? "the suite" : out;
}

const valijson::Schema& compiled_schema() {
  static const std::unique_ptr<valijson::Schema> schema = [] {
    auto compiled = std::make_unique<valijson::Schema>();
    valijson::SchemaParser parser;
    valijson::adapters::NlohmannJsonAdapter adapter(testsuite_schema());
    parser.populateSchema(adapter, *compiled);
    return compiled;
  }();
  return *schema;
}

}  // namespace

const json& testsuite_schema() {
  static const json schema = json::parse(mqttest_testsuite_schema_text);
  return schema;
}

std::vector<config_error> schema_problems(const document& doc) {
  std::map<std::string, pointer> origin;
  json canonical = canonicalise(doc.root, pointer(), pointer(), origin);
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(canonical);
  if (validator.validate(compiled_schema(), target, &results)) return {};
  std::vector<valijson::ValidationResults::Error> errors(results.begin(), results.end());
  std::stable_sort(errors.begin(), errors.end(), [](const auto& a, const auto& b) {
    return a.context.size() > b.context.size();
  });
  std::vector<config_error> problems;
  std::set<std::string> seen;
  for (const auto& error : errors) {
    pointer ptr = context_pointer(error.context);
    auto written = origin.find(ptr.to_string());
    position where = doc.value_at(written == origin.end() ? ptr : written->second);
    std::string message =
        fmt::format("{}: does not match the suite schema: {}", readable(ptr), error.description);
    if (seen.insert(message).second) problems.push_back(doc.error(where, message));
  }
  return problems;
}

suite schema_checked(suite s) {
  if (s.doc) {
    std::vector<config_error> problems = schema_problems(*s.doc);
    if (!problems.empty()) throw problems.front();
  }
  return s;
}

}  // namespace mqttest
