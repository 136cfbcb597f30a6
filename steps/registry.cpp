#include "steps/mqtt/mqtt_step.h"
#include "steps/step.h"

namespace mqttest {
namespace {

// One line per step kind.
const step_kind* const kinds[] = {&mqtt_step_kind};

}  // namespace

const step_kind* find_step_kind(std::string_view type) {
  for (const step_kind* kind : kinds)
    if (kind->type == type) return kind;
  return nullptr;
}

std::vector<std::string> step_kind_names() {
  std::vector<std::string> names;
  for (const step_kind* kind : kinds) names.emplace_back(kind->type);
  return names;
}

}  // namespace mqttest
