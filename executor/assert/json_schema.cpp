#include "executor/assert/json_schema.h"

#include <fmt/format.h>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include <filesystem>
#include <map>
#include <mutex>
#include <stdexcept>

#include "executor/core/document.h"
#include "executor/core/errors.h"

#ifndef VALIJSON_USE_EXCEPTIONS
#error "valijson must throw (CMakeLists.txt defines VALIJSON_USE_EXCEPTIONS): it aborts otherwise"
#endif

namespace mqttest {

using nlohmann::json;
namespace fs = std::filesystem;

struct json_schema::compiled {
  valijson::Schema schema;
};

namespace {

std::string trimmed(std::string_view text) {
  auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

std::string unquoted(std::string text) {
  if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'') &&
      text.back() == text.front())
    return text.substr(1, text.size() - 2);
  return text;
}

/// A `$ref` to another document: a local file, relative to `base_dir`.
std::string ref_path(const std::string& uri, const std::string& base_dir) {
  std::string path = uri.starts_with("file://") ? uri.substr(7) : uri;
  if (path.find("://") != std::string::npos)
    throw std::runtime_error(fmt::format("$ref \"{}\": only local files can be referenced", uri));
  fs::path p(path);
  return (p.is_absolute() ? p : fs::path(base_dir) / p).lexically_normal().string();
}

/// valijson's context ("<root>", "[key]", "[0]") as a JSON pointer into `value`.
json::json_pointer pointer_of(const std::vector<std::string>& context, const json& value) {
  json::json_pointer ptr;
  const json* at = &value;
  for (const std::string& part : context) {
    if (part.size() < 2 || part.front() != '[' || part.back() != ']') continue;
    std::string token = part.substr(1, part.size() - 2);
    ptr /= token;
    if (at == nullptr) continue;
    if (at->is_object() && at->contains(token)) {
      at = &(*at)[token];
    } else if (at->is_array() && !token.empty() &&
               token.find_first_not_of("0123456789") == std::string::npos &&
               std::stoul(token) < at->size()) {
      at = &(*at)[std::stoul(token)];
    } else {
      at = nullptr;
    }
  }
  return ptr;
}

/// Errors that only say a nested value failed; the nested error says why.
bool is_wrapper(const std::string& description) {
  return description.starts_with("Failed to validate against schema associated with") ||
         description.starts_with("Failed to validate item #");
}

}  // namespace

json_schema::json_schema(const json& document, const std::string& base_dir, std::string origin)
    : compiled_(std::make_unique<compiled>()), origin_(std::move(origin)) {
  if (!document.is_object() && !document.is_boolean())
    throw std::runtime_error(fmt::format("a JSON Schema must be an object or a boolean, got {}",
                                         document.dump()));
  valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
  valijson::adapters::NlohmannJsonAdapter adapter(document);
  auto fetch = [&base_dir](const std::string& uri) -> const json* {
    return new json(read_schema_file(ref_path(uri, base_dir)));
  };
  auto release = [](const json* fetched) { delete fetched; };
  try {
    parser.populateSchema(adapter, compiled_->schema, fetch, release);
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format("invalid JSON Schema: {}", e.what()));
  }
}

json_schema::~json_schema() = default;

std::vector<schema_violation> json_schema::validate(const json& value) const {
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(value);
  std::vector<schema_violation> out;
  if (validator.validate(compiled_->schema, target, &results)) return out;
  valijson::ValidationResults::Error error;
  while (results.popError(error)) {
    if (is_wrapper(error.description)) continue;
    json::json_pointer ptr = pointer_of(error.context, value);
    json found = value.contains(ptr) ? value.at(ptr) : json();
    out.push_back({ptr.to_string(), error.description, std::move(found)});
  }
  if (out.empty()) out.push_back({"", "the value does not match the schema", value});
  return out;
}

json read_schema_file(const std::string& path) {
  try {
    return load_document(path)->root;
  } catch (const config_error& e) {
    position where = e.where();
    if (where.file.empty()) where.file = path;
    throw std::runtime_error(fmt::format("{}: {}", to_string(where), e.message()));
  }
}

bool is_inline_schema(std::string_view argument) {
  std::string text = trimmed(argument);
  return text.starts_with('{') || text == "true" || text == "false" ||
         text.find('\n') != std::string::npos;
}

std::shared_ptr<const json_schema> resolve_schema(std::string_view argument,
                                                  const std::string& base_dir) {
  // One run is one process: the cache lives as long as the run, and holds
  // only immutable compiled schemas.
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const json_schema>> cache;

  std::string text = trimmed(argument);
  bool inline_text = is_inline_schema(text);
  std::string key;
  std::string path;
  if (inline_text) {
    key = "inline:" + text;
  } else {
    std::string written = unquoted(text);
    if (written.empty()) throw std::runtime_error("no schema given");
    fs::path p(written);
    path = (p.is_absolute() ? p : fs::path(base_dir) / p).lexically_normal().string();
    key = "file:" + path;
  }
  std::lock_guard lock(mutex);
  if (auto found = cache.find(key); found != cache.end()) return found->second;
  std::shared_ptr<const json_schema> schema;
  if (inline_text) {
    json document = json::parse(text, nullptr, false);
    if (document.is_discarded()) {
      try {
        document = parse_document(text, "inline schema")->root;
      } catch (const config_error& e) {
        throw std::runtime_error(fmt::format("inline schema is neither JSON nor YAML: {}",
                                             e.message()));
      }
    }
    schema = std::make_shared<const json_schema>(document, base_dir, "inline schema");
  } else {
    std::string origin = unquoted(text);
    try {
      schema = std::make_shared<const json_schema>(read_schema_file(path),
                                                   fs::path(path).parent_path().string(), origin);
    } catch (const std::exception& e) {
      throw std::runtime_error(fmt::format("schema {}: {}", origin, e.what()));
    }
  }
  cache.emplace(key, schema);
  return schema;
}

}  // namespace mqttest
