#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "executor/assertions.h"
#include "executor/document.h"
#include "executor/position.h"

namespace mqttest {

struct step_kind;

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
};

struct test_case {
  std::string name;
  std::vector<step_spec> steps;
  position where;
};

struct suite {
  std::string name;
  std::string file;
  nlohmann::json vars = nlohmann::json::object();
  std::vector<test_case> cases;
  std::shared_ptr<const document> doc;
};

}  // namespace mqttest
