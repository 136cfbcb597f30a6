#include "executor/lang/vars.h"

#include <fmt/format.h>

#include <unistd.h>

#include "executor/core/document.h"

extern char** environ;

namespace mqttest {

using nlohmann::json;

json parse_var_value(const std::string& text) {
  try {
    return parse_document(text, "--var")->root;
  } catch (const config_error&) {
    return text;
  }
}

std::vector<std::string> environment_entries() {
  std::vector<std::string> entries;
  for (char** e = environ; e && *e; ++e) entries.emplace_back(*e);
  return entries;
}

namespace {

void add_environment(json& vars, const std::vector<std::string>& entries, std::string_view prefix) {
  for (const std::string& entry : entries) {
    if (entry.rfind(prefix, 0) != 0) continue;
    std::size_t eq = entry.find('=');
    if (eq == std::string::npos || eq == prefix.size()) continue;
    vars[entry.substr(prefix.size(), eq - prefix.size())] = parse_var_value(entry.substr(eq + 1));
  }
}

}  // namespace

json external_vars(const var_sources& sources) {
  json vars = json::object();
  for (const std::string& file : sources.files) {
    auto doc = load_document(file);
    if (doc->root.is_null()) continue;
    if (!doc->root.is_object())
      throw doc->error(doc->value_at(json::json_pointer{}), "--var-from-file needs a map of variables");
    for (const auto& [name, value] : doc->root.items()) vars[name] = value;
  }
  add_environment(vars, sources.environment, "VENOM_VAR_");
  add_environment(vars, sources.environment, "MQTTEST_VAR_");
  for (const std::string& text : sources.assignments) {
    std::size_t eq = text.find('=');
    if (eq == std::string::npos || eq == 0)
      throw usage_error(fmt::format("--var needs name=value, got \"{}\"", text));
    vars[text.substr(0, eq)] = parse_var_value(text.substr(eq + 1));
  }
  return vars;
}

}  // namespace mqttest
