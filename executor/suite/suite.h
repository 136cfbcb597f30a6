#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "executor/assert/assertions.h"
#include "executor/core/document.h"
#include "executor/core/position.h"

namespace mqttest {

struct step_kind;
struct user_executor;

/// One step as written: its kind, its own fields (templates not yet expanded)
/// and its assertions.
struct step_spec {
  std::string type;
  const step_kind* kind = nullptr;
  nlohmann::json fields;                  ///< the step's map minus the generic keys
  nlohmann::json::json_pointer pointer;   ///< where the step's map is in the document
  std::vector<assertion> assertions;      ///< empty: the default `result.error ShouldBeEmpty`
  std::vector<std::string> info;          ///< `info:` lines as written (templates unexpanded)
  std::string name;
  position where;
  /// Step output into variables: name -> {from, regex?, default?} (checked).
  nlohmann::json extract = nlohmann::json::object();
  std::vector<assertion> skip;            ///< any false: the step is skipped
  nlohmann::json range;                   ///< null: no range; else list, map, int or template
  nlohmann::json retry = 0;               ///< extra tries: integer or template
  nlohmann::json delay = 0;               ///< seconds between tries: number or template
  std::vector<assertion> retry_if;        ///< retry only while these hold
  /// `type:` names a user executor (lib/); nullptr for a built-in kind.
  std::shared_ptr<const user_executor> user;
};

struct test_case {
  std::string name;
  std::vector<step_spec> steps;
  position where;
  nlohmann::json vars = nlohmann::json::object();  ///< expanded when the case starts
  std::vector<assertion> skip;                      ///< any false: the case is skipped
};

/// A Venom user executor: a reusable list of steps with inputs and outputs.
struct user_executor {
  std::string name;
  std::string file;
  nlohmann::json input = nlohmann::json::object();   ///< name -> default ({} or null: none)
  nlohmann::json output;                             ///< templated: becomes the step's result
  std::vector<step_spec> steps;
  std::shared_ptr<const document> doc;
};

struct suite {
  std::string name;
  std::string file;
  nlohmann::json vars = nlohmann::json::object();
  std::vector<std::string> secrets;  ///< names of variables whose values are masked
  std::vector<test_case> cases;
  std::shared_ptr<const document> doc;
  std::vector<std::string> warnings;  ///< "file:line:col: ..." (--lenient-keys)
};

}  // namespace mqttest
