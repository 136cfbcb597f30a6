#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "executor/core/position.h"

namespace mqttest {

/// How the value of one key is checked, read and described in the schema.
enum class value_type {
  string,       ///< a string
  text,         ///< a string as written; once expanded a number or boolean counts as its text
  scalar,       ///< a string, number or boolean, taken as its text (null too when `nullable`)
  boolean,      ///< true or false, or "true"/"false" in any case
  integer,      ///< an integer or its decimal text, in [min, max]
  choice,       ///< one of `choices` (strings match exactly, or in any case when `any_case`)
  string_list,  ///< a list of strings, or one string
  string_map,   ///< name -> string, number or boolean
  map,          ///< a nested map: `table`
  map_list,     ///< a list of `table` maps (also plain strings when `string_items`)
  any,          ///< any value
  custom,       ///< checked by its owner; the schema is `schema` (suite-level keys)
};

struct field_table;

/// One accepted key of a map. Keys match case-insensitively; `name` is the
/// canonical spelling. A string holding "{{" is a template: checked once
/// expanded (except for map and string_map values, which cannot be templates).
struct field_spec {
  std::string_view name;
  value_type type = value_type::string;
  std::string_view description;
  nlohmann::json default_value = nullptr;  ///< null: none, or computed (see description)
  long long min = 0;                       ///< integer
  long long max = 0;                       ///< integer
  std::vector<nlohmann::json> choices = {};
  bool any_case = false;               ///< choice: "Subscriber" is "subscriber"
  bool suggest = false;                ///< choice: "unknown <name> ... (did you mean ...)"
  bool nullable = false;               ///< scalar: null is ""
  std::string_view type_expect = {};   ///< "\"qos\" must be <type_expect>, got ..."
  std::string_view range_expect = {};  ///< "\"qos\" must be <range_expect>, got ..."
  const field_table* table = nullptr;  ///< map and map_list
  bool string_items = false;           ///< map_list: an entry may be a plain string
  std::string_view items_expect = {};  ///< map_list with string_items: the entries error
  /// Required: "<table> needs \"<name>\"<needs_hint>" at the map.
  bool required = false;
  std::string_view needs_hint = {};
  bool mqtt5 = false;  ///< an MQTT 5 feature: an error unless the check allows MQTT 5
  /// custom: the JSON Schema of the value (description added by the generator).
  nlohmann::ordered_json schema = nullptr;
};

/// The keys of one kind of map (a step, a message, `tls`, ...).
struct field_table {
  std::string_view name;         ///< in messages: "unknown key \"x\" in <name>"
  std::string_view schema_name;  ///< its definition in the JSON Schema ("mqttMessage")
  std::string_view title;        ///< heading of its table in the field reference
  std::vector<field_spec> fields;
};

std::vector<std::string> field_names(const field_table& table);
const field_spec* find_field(const field_table& table, std::string_view key);

/// Reads one map against a table: unknown keys (with "did you mean") and two
/// spellings of one key are errors from the constructor; the getters check
/// and convert a value by its spec. With `lenient` (load time), templates
/// are not checked. Errors are config_errors at `locate(pointer)`. The reader
/// points into `map` and `locate`: both must outlive it.
class field_reader {
 public:
  using pointer = nlohmann::json::json_pointer;

  field_reader(const nlohmann::json& map, pointer where, const field_table& table,
               const locate_fn& locate, bool lenient);

  /// Checks every given value against its spec, nested tables included, and
  /// that required keys are there. `mqtt5`: MQTT 5 fields are allowed.
  void check(bool mqtt5) const;

  /// nullptr when absent.
  const nlohmann::json* raw(std::string_view name) const;
  /// Where the key is (as written), or the map when absent.
  pointer at(std::string_view name) const;
  /// Absent, or (lenient) a template not to check now.
  bool skip(std::string_view name) const;

  std::optional<std::string> string(std::string_view name) const;
  /// text and scalar fields: the value as text.
  std::optional<std::string> text(std::string_view name) const;
  std::optional<bool> boolean(std::string_view name) const;
  std::optional<long long> integer(std::string_view name) const;
  /// choice: the canonical spelling of the value.
  std::optional<std::string> choice(std::string_view name) const;
  std::optional<std::vector<std::string>> strings(std::string_view name) const;
  std::optional<std::map<std::string, std::string>> string_map(std::string_view name) const;
  /// map: the nested map, nullptr when absent.
  const nlohmann::json* map(std::string_view name) const;
  /// map_list: the list, nullptr when absent or a template.
  const nlohmann::json* list(std::string_view name) const;
  /// A reader of a map value (or of entry `index` of a map_list value).
  field_reader nested(std::string_view name, std::optional<std::size_t> index = {}) const;

  [[noreturn]] void fail(const pointer& where, std::string message) const;
  const locate_fn& locate() const { return locate_; }
  bool lenient() const { return lenient_; }
  const pointer& where() const { return where_; }
  const field_table& table() const { return table_; }

 private:
  const field_spec& spec(std::string_view name) const;
  void check_field(const field_spec& field, bool mqtt5) const;

  pointer where_;
  const field_table& table_;
  const locate_fn& locate_;
  bool lenient_;
  std::map<std::string, std::string, std::less<>> keys_;  ///< canonical name -> key as written
  std::map<std::string, const nlohmann::json*, std::less<>> values_;
};

/// `value` is a string holding "{{".
bool is_template(const nlohmann::json& value);

/// The JSON Schema (draft-07) of a table's map; nested tables are added to
/// `definitions` under their schema_name. `extra` properties come first
/// (e.g. a step's generic keys), `required_extra` before the table's own.
nlohmann::ordered_json table_schema(
    const field_table& table, nlohmann::ordered_json& definitions,
    const nlohmann::ordered_json& extra = nlohmann::ordered_json::object(),
    const std::vector<std::string>& required_extra = {});

/// The JSON Schema of one field's value, with its description and default.
nlohmann::ordered_json field_schema(const field_spec& field, nlohmann::ordered_json& definitions);

/// A $ref to a definition field schemas share ("template", "integerText",
/// "booleanText"), added to `definitions` on first use.
nlohmann::ordered_json shared_definition(nlohmann::ordered_json& definitions,
                                         std::string_view name);

/// The tables reachable from `table` (itself first), each once.
std::vector<const field_table*> nested_tables(const field_table& table);

/// The field reference of `table` and its nested tables: one Markdown table
/// each (field, type, default, meaning).
std::string field_reference(const field_table& table);

}  // namespace mqttest
