#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "executor/core/document.h"
#include "executor/core/errors.h"
#include "executor/suite/suite.h"

namespace mqttest {

/// schemas/testsuite.schema.json, compiled into the binary.
const nlohmann::json& testsuite_schema();

/// Checks `doc` against the suite schema. Keys match case-insensitively (as
/// in the loader), so the document's keys are first rewritten to the schema's
/// spellings. Each problem is a config_error at the offending value
/// ("file:line:col: message" + source line), most specific first; empty when
/// the document is valid.
std::vector<config_error> schema_problems(const document& doc);

/// The loader's safety net: throws the first schema problem of `s.doc`, or
/// returns `s` unchanged.
suite schema_checked(suite s);

}  // namespace mqttest
