#include "steps/field_spec.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <climits>

#include "executor/core/errors.h"
#include "executor/core/value_compare.h"

namespace mqttest {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

bool same_key(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

/// The choice `value` matches, or nullptr.
const json* matching_choice(const field_spec& field, const json& value) {
  for (const json& choice : field.choices) {
    if (choice.is_string() && value.is_string()) {
      const auto& a = choice.get_ref<const std::string&>();
      const auto& b = value.get_ref<const std::string&>();
      if (field.any_case ? same_key(a, b) : a == b) return &choice;
    } else if (choice.is_number_integer() && value.is_number_integer() && choice == value) {
      return &choice;
    }
  }
  return nullptr;
}

std::string choice_text(const json& choice) {
  return choice.is_string() ? choice.get<std::string>() : choice.dump();
}

/// "^([Tt][Rr][Uu][Ee]|...)$": the words in any case.
std::string any_case_pattern(const std::vector<json>& words) {
  std::string out = "^(";
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += '|';
    for (char c : choice_text(words[i])) {
      auto u = static_cast<unsigned char>(c);
      if (std::isalpha(u))
        out += fmt::format("[{}{}]", static_cast<char>(std::toupper(u)),
                           static_cast<char>(std::tolower(u)));
      else if (std::isalnum(u) || c == '_' || c == '-')
        out += c;
      else
        out += fmt::format("\\{}", c);
    }
  }
  return out + ")$";
}

ordered_json ref(std::string_view name) {
  return {{"$ref", fmt::format("#/definitions/{}", name)}};
}

}  // namespace

ordered_json shared_definition(ordered_json& definitions, std::string_view name) {
  if (!definitions.contains(name)) {
    if (name == "template")
      definitions[std::string(name)] = {
          {"description", "a value holding a {{.var}} template, checked after expansion"},
          {"type", "string"},
          {"pattern", "\\{\\{"}};
    else if (name == "integerText")
      definitions[std::string(name)] = {{"description", "an integer written as a string"},
                                        {"type", "string"},
                                        {"pattern", "^-?[0-9]+$"}};
    else if (name == "booleanText")
      definitions[std::string(name)] = {
          {"description", "true or false written as a string (any case)"},
          {"type", "string"},
          {"pattern", any_case_pattern({"true", "false"})}};
  }
  return ref(name);
}

namespace {

std::string integer_range(const field_spec& field) {
  if (field.max == INT_MAX) return fmt::format("integer ≥ {}", field.min);
  return fmt::format("integer {}–{}", field.min, field.max);
}

std::string joined_choices(const field_spec& field) {
  std::vector<std::string> words;
  for (const json& choice : field.choices) {
    std::string word = fmt::format("`{}`", choice_text(choice));
    if (std::find(words.begin(), words.end(), word) == words.end()) words.push_back(word);
  }
  if (words.size() == 1) return words.front();
  std::string out;
  for (std::size_t i = 0; i + 1 < words.size(); ++i) out += (i > 0 ? ", " : "") + words[i];
  return out + " or " + words.back();
}

std::string type_text(const field_spec& field) {
  switch (field.type) {
    case value_type::string:
    case value_type::text:
      return "string";
    case value_type::scalar:
      return "string, number or boolean";
    case value_type::boolean:
      return "boolean";
    case value_type::integer:
      return integer_range(field);
    case value_type::choice:
      return joined_choices(field);
    case value_type::string_list:
      return "list of strings, or one string";
    case value_type::string_map:
      return "map: name → string";
    case value_type::map:
      return "map";
    case value_type::map_list:
      return field.string_items ? "list of strings or maps" : "list of maps";
    case value_type::any:
      return "any value";
    case value_type::custom:
      return std::string(field.type_expect);
  }
  return "";
}

/// `text` in a Markdown table cell: | escaped; outside `code`, * escaped and
/// <, > as entities (so "<random hex>" is not taken for HTML).
std::string cell(std::string_view text) {
  std::string out;
  bool code = false;
  for (char c : text) {
    if (c == '`') code = !code;
    if (c == '|' || (c == '*' && !code)) out += '\\';
    if (c == '<' && !code)
      out += "&lt;";
    else if (c == '>' && !code)
      out += "&gt;";
    else
      out += c;
  }
  return out;
}

std::string description_of(const field_spec& field) {
  return field.mqtt5 ? fmt::format("MQTT 5: {}", field.description)
                     : std::string(field.description);
}

}  // namespace

bool is_template(const json& value) {
  return value.is_string() && value.get_ref<const std::string&>().find("{{") != std::string::npos;
}

std::vector<std::string> field_names(const field_table& table) {
  std::vector<std::string> names;
  for (const field_spec& field : table.fields) names.emplace_back(field.name);
  return names;
}

const field_spec* find_field(const field_table& table, std::string_view key) {
  for (const field_spec& field : table.fields)
    if (same_key(field.name, key)) return &field;
  return nullptr;
}

field_reader::field_reader(const json& map, pointer where, const field_table& table,
                           const locate_fn& locate, bool lenient)
    : where_(std::move(where)), table_(table), locate_(locate), lenient_(lenient) {
  if (!map.is_object()) fail(where_, fmt::format("{} must be a map", table.name));
  for (const auto& [key, value] : map.items()) {
    const field_spec* spec = find_field(table, key);
    if (spec == nullptr) {
      std::string guess = did_you_mean(key, field_names(table));
      fail(where_ / key, guess.empty()
                             ? fmt::format("unknown key \"{}\" in {}", key, table.name)
                             : fmt::format("unknown key \"{}\" in {} (did you mean \"{}\"?)", key,
                                           table.name, guess));
    }
    auto [it, fresh] = keys_.emplace(std::string(spec->name), key);
    if (!fresh)
      fail(where_ / key,
           fmt::format("duplicate key \"{}\" (already given as \"{}\")", key, it->second));
    values_[std::string(spec->name)] = &value;
  }
}

void field_reader::check(bool mqtt5) const {
  for (const field_spec& field : table_.fields)
    if (field.required && raw(field.name) == nullptr)
      fail(where_, fmt::format("{} needs \"{}\"{}", table_.name, field.name, field.needs_hint));
  for (const field_spec& field : table_.fields) {
    if (raw(field.name) == nullptr) continue;
    if (field.mqtt5 && !mqtt5)
      fail(at(field.name),
           fmt::format("\"{}\" is an MQTT 5 feature: set protocolVersion: 5", field.name));
    check_field(field, mqtt5);
  }
}

void field_reader::check_field(const field_spec& field, bool mqtt5) const {
  std::string_view name = field.name;
  switch (field.type) {
    case value_type::string:
      string(name);
      break;
    case value_type::text:
    case value_type::scalar:
      text(name);
      break;
    case value_type::boolean:
      boolean(name);
      break;
    case value_type::integer:
      integer(name);
      break;
    case value_type::choice:
      choice(name);
      break;
    case value_type::string_list:
      strings(name);
      break;
    case value_type::string_map:
      string_map(name);
      break;
    case value_type::map:
      nested(name).check(mqtt5);
      break;
    case value_type::map_list:
      if (const json* entries = list(name))
        for (std::size_t i = 0; i < entries->size(); ++i)
          if (!(field.string_items && (*entries)[i].is_string())) nested(name, i).check(mqtt5);
      break;
    case value_type::any:
    case value_type::custom:
      break;
  }
}

const json* field_reader::raw(std::string_view name) const {
  auto it = values_.find(name);
  return it == values_.end() ? nullptr : it->second;
}

field_reader::pointer field_reader::at(std::string_view name) const {
  auto it = keys_.find(name);
  return it == keys_.end() ? where_ : where_ / it->second;
}

bool field_reader::skip(std::string_view name) const {
  const json* value = raw(name);
  return value == nullptr || (lenient_ && is_template(*value));
}

const field_spec& field_reader::spec(std::string_view name) const {
  const field_spec* field = find_field(table_, name);
  if (field == nullptr)
    throw std::logic_error(fmt::format("no field \"{}\" in the {} table", name, table_.name));
  return *field;
}

std::optional<std::string> field_reader::string(std::string_view name) const {
  if (skip(name)) return std::nullopt;
  const json& value = *raw(name);
  if (!value.is_string())
    fail(at(name), fmt::format("\"{}\" must be a string, got {}", name, render(value)));
  return value.get<std::string>();
}

std::optional<std::string> field_reader::text(std::string_view name) const {
  if (skip(name)) return std::nullopt;
  const json& value = *raw(name);
  const field_spec& field = spec(name);
  // As written (lenient), a text field takes only a string, a scalar field
  // what its spec says; an expanded template may give any scalar.
  bool as_written = lenient_;
  if (value.is_string()) return value.get<std::string>();
  bool scalar_ok = !as_written || field.type == value_type::scalar;
  if (scalar_ok && (value.is_number() || value.is_boolean())) return value.dump();
  if (value.is_null() && (!as_written || field.nullable)) return std::string();
  fail(at(name), fmt::format("\"{}\" must be a string, got {}", name, render(value)));
}

std::optional<bool> field_reader::boolean(std::string_view name) const {
  if (skip(name)) return std::nullopt;
  const json& value = *raw(name);
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (same_key(text, "true")) return true;
    if (same_key(text, "false")) return false;
  }
  fail(at(name), fmt::format("\"{}\" must be true or false, got {}", name, render(value)));
}

std::optional<long long> field_reader::integer(std::string_view name) const {
  if (skip(name)) return std::nullopt;
  const json& value = *raw(name);
  const field_spec& field = spec(name);
  std::optional<long long> number;
  if (value.is_number_integer()) {
    if (value.is_number_unsigned() && value.get<unsigned long long>() > LLONG_MAX)
      number = LLONG_MAX;
    else
      number = value.get<long long>();
  } else if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    long long parsed = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), parsed);
    if (error == std::errc() && end == text.data() + text.size() && !text.empty()) number = parsed;
  }
  if (!number)
    fail(at(name),
         fmt::format("\"{}\" must be {}, got {}", name, field.type_expect, render(value)));
  if (*number < field.min || *number > field.max)
    fail(at(name),
         fmt::format("\"{}\" must be {}, got {}", name, field.range_expect, render(value)));
  return number;
}

std::optional<std::string> field_reader::choice(std::string_view name) const {
  if (skip(name)) return std::nullopt;
  const json& value = *raw(name);
  const field_spec& field = spec(name);
  if (const json* match = matching_choice(field, value)) return choice_text(*match);
  if (!field.suggest)
    fail(at(name),
         fmt::format("\"{}\" must be {}, got {}", name, field.range_expect, render(value)));
  if (!value.is_string())
    fail(at(name),
         fmt::format("\"{}\" must be {}, got {}", name, field.type_expect, render(value)));
  const auto& text = value.get_ref<const std::string&>();
  std::vector<std::string> words;
  for (const json& choice : field.choices) words.push_back(choice_text(choice));
  std::string guess = did_you_mean(text, words);
  fail(at(name),
       guess.empty()
           ? fmt::format("unknown {} \"{}\" (expected {})", name, text, field.range_expect)
           : fmt::format("unknown {} \"{}\" (did you mean \"{}\"?)", name, text, guess));
}

std::optional<std::vector<std::string>> field_reader::strings(std::string_view name) const {
  if (skip(name)) return std::nullopt;
  const json& value = *raw(name);
  if (value.is_string()) return std::vector<std::string>{value.get<std::string>()};
  if (!value.is_array()) fail(at(name), fmt::format("\"{}\" must be a list of strings", name));
  std::vector<std::string> list;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_string())
      fail(at(name) / std::to_string(i), fmt::format("\"{}\" must be a list of strings", name));
    list.push_back(value[i].get<std::string>());
  }
  return list;
}

const json* field_reader::map(std::string_view name) const {
  const json* value = raw(name);
  if (value == nullptr) return nullptr;
  if (!value->is_object())
    fail(at(name), fmt::format("\"{}\" must be a map, got {}", name, value->dump()));
  return value;
}

std::optional<std::map<std::string, std::string>> field_reader::string_map(
    std::string_view name) const {
  const json* value = map(name);
  if (value == nullptr) return std::nullopt;
  std::map<std::string, std::string> entries;
  for (const auto& [key, item] : value->items()) {
    if (item.is_string())
      entries[key] = item.get<std::string>();
    else if (item.is_number() || item.is_boolean())
      entries[key] = item.dump();
    else
      fail(at(name) / key,
           fmt::format("\"{}\" values must be strings, got {}", name, render(item)));
  }
  return entries;
}

const json* field_reader::list(std::string_view name) const {
  if (skip(name)) return nullptr;
  const json* value = raw(name);
  const field_spec& field = spec(name);
  if (!value->is_array()) fail(at(name), fmt::format("\"{}\" must be {}", name, field.type_expect));
  for (std::size_t i = 0; i < value->size(); ++i) {
    const json& entry = (*value)[i];
    if (field.string_items && !entry.is_string() && !entry.is_object())
      fail(at(name) / std::to_string(i), std::string(field.items_expect));
  }
  return value;
}

field_reader field_reader::nested(std::string_view name, std::optional<std::size_t> index) const {
  const field_spec& field = spec(name);
  if (index) {
    const json& entry = raw(name)->at(*index);
    return field_reader(entry, at(name) / std::to_string(*index), *field.table, locate_, lenient_);
  }
  return field_reader(*map(name), at(name), *field.table, locate_, lenient_);
}

void field_reader::fail(const pointer& where, std::string message) const {
  throw config_error(locate_ ? locate_(where) : position{}, std::move(message));
}

ordered_json field_schema(const field_spec& field, ordered_json& definitions) {
  ordered_json out = ordered_json::object();
  out["description"] = description_of(field);
  if (!field.default_value.is_null()) out["default"] = ordered_json(field.default_value);
  auto with_template = [&](ordered_json typed) {
    out["anyOf"] = ordered_json::array({std::move(typed)});
    return &out["anyOf"];
  };
  switch (field.type) {
    case value_type::string:
    case value_type::text:
      out["type"] = "string";
      break;
    case value_type::scalar:
      out["type"] = field.nullable ? ordered_json{"string", "number", "boolean", "null"}
                                   : ordered_json{"string", "number", "boolean"};
      break;
    case value_type::boolean: {
      auto* any = with_template({{"type", "boolean"}});
      any->push_back(shared_definition(definitions, "booleanText"));
      any->push_back(shared_definition(definitions, "template"));
      break;
    }
    case value_type::integer: {
      auto* any =
          with_template({{"type", "integer"}, {"minimum", field.min}, {"maximum", field.max}});
      any->push_back(shared_definition(definitions, "integerText"));
      any->push_back(shared_definition(definitions, "template"));
      break;
    }
    case value_type::choice: {
      ordered_json words = ordered_json::array(), numbers = ordered_json::array();
      for (const json& choice : field.choices)
        (choice.is_string() ? words : numbers).push_back(ordered_json(choice));
      out["anyOf"] = ordered_json::array();
      if (!words.empty()) out["anyOf"].push_back({{"type", "string"}, {"enum", words}});
      if (field.any_case)
        out["anyOf"].push_back({{"type", "string"}, {"pattern", any_case_pattern(field.choices)}});
      if (!numbers.empty()) out["anyOf"].push_back({{"type", "integer"}, {"enum", numbers}});
      out["anyOf"].push_back(shared_definition(definitions, "template"));
      break;
    }
    case value_type::string_list:
      out["anyOf"] = {{{"type", "array"}, {"items", {{"type", "string"}}}}, {{"type", "string"}}};
      break;
    case value_type::string_map:
      out["type"] = "object";
      out["additionalProperties"] = {{"type", {"string", "number", "boolean"}}};
      break;
    case value_type::map:
      out["type"] = "object";
      out["allOf"] = {ref(field.table->schema_name)};
      break;
    case value_type::map_list: {
      ordered_json items = ref(field.table->schema_name);
      if (field.string_items) items = {{"anyOf", {{{"type", "string"}}, items}}};
      auto* any = with_template({{"type", "array"}, {"items", items}});
      any->push_back(shared_definition(definitions, "template"));
      break;
    }
    case value_type::any:
      break;
    case value_type::custom:
      for (const auto& [key, value] : field.schema.items()) out[key] = value;
      break;
  }
  if (field.table != nullptr && !definitions.contains(field.table->schema_name)) {
    definitions[std::string(field.table->schema_name)] = nullptr;  // reserves its place
    definitions[std::string(field.table->schema_name)] = table_schema(*field.table, definitions);
  }
  return out;
}

ordered_json table_schema(const field_table& table, ordered_json& definitions,
                          const ordered_json& extra,
                          const std::vector<std::string>& required_extra) {
  ordered_json out = {{"type", "object"}, {"additionalProperties", false}};
  ordered_json required = ordered_json::array();
  for (const std::string& name : required_extra) required.push_back(name);
  for (const field_spec& field : table.fields)
    if (field.required) required.push_back(field.name);
  if (!required.empty()) out["required"] = required;
  ordered_json properties = extra;
  for (const field_spec& field : table.fields)
    properties[std::string(field.name)] = field_schema(field, definitions);
  out["properties"] = properties;
  return out;
}

std::vector<const field_table*> nested_tables(const field_table& table) {
  std::vector<const field_table*> out = {&table};
  for (std::size_t i = 0; i < out.size(); ++i)
    for (const field_spec& field : out[i]->fields)
      if (field.table != nullptr && std::find(out.begin(), out.end(), field.table) == out.end())
        out.push_back(field.table);
  return out;
}

std::string field_reference(const field_table& table) {
  std::string out;
  for (const field_table* each : nested_tables(table)) {
    out += fmt::format(
        "\n**{}**\n\n| key | type | default | meaning |\n| --- | --- | --- | --- |\n", each->title);
    for (const field_spec& field : each->fields) {
      std::string fallback = field.required                  ? "required"
                             : field.default_value.is_null() ? ""
                             : field.default_value == ""     ? "`\"\"`"
                             : field.default_value.is_string()
                                 ? fmt::format("`{}`", field.default_value.get<std::string>())
                                 : fmt::format("`{}`", field.default_value.dump());
      out += fmt::format("| `{}` | {} | {} | {} |\n", field.name, cell(type_text(field)), fallback,
                         cell(description_of(field)));
    }
  }
  return out;
}

}  // namespace mqttest
