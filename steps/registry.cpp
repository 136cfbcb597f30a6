#include "steps/registry.h"

#include <stdexcept>

namespace mqttest {

step_registry::step_registry(std::initializer_list<const step_kind*> kinds) {
  for (const step_kind* kind : kinds) add(*kind);
}

void step_registry::add(const step_kind& kind) {
  if (find(kind.type) != nullptr)
    throw std::logic_error("step kind registered twice: " + std::string(kind.type));
  kinds_.push_back(&kind);
}

const step_kind* step_registry::find(std::string_view type) const {
  for (const step_kind* kind : kinds_)
    if (kind->type == type) return kind;
  return nullptr;
}

std::vector<std::string> step_registry::names() const {
  std::vector<std::string> names;
  for (const step_kind* kind : kinds_) names.emplace_back(kind->type);
  return names;
}

}  // namespace mqttest
