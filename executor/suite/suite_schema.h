#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "steps/field_spec.h"
#include "steps/registry.h"

namespace mqttest {

/// The suite-level keys. The loader checks their values itself (assertions,
/// templates, regexes); these tables give their names, for "did you mean",
/// and their types and descriptions, for the schema and the field reference.
const field_table& suite_table();
const field_table& test_case_table();
const field_table& step_table();      ///< the keys every step takes, whatever its type
const field_table& step_var_table();  ///< an entry of a step's `vars` (output into variables)

/// schemas/testsuite.schema.json (JSON Schema draft-07): the suite-level
/// keys and every registered kind's fields, nested tables included.
nlohmann::ordered_json testsuite_schema(const step_registry& kinds);

/// The README's field reference (between `<!-- fields:begin -->` and
/// `<!-- fields:end -->`): one Markdown table per map of the format.
std::string testsuite_field_reference(const step_registry& kinds);

}  // namespace mqttest
