#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "steps/step.h"

namespace mqttest {

/// The step kinds a run knows, by `type:`. Passed in (not a global table), so
/// tests register fake kinds; the CLI's list is cli/step_kinds.cpp.
class step_registry {
 public:
  step_registry() = default;
  step_registry(std::initializer_list<const step_kind*> kinds);
  /// Throws std::logic_error when the type is taken.
  void add(const step_kind& kind);
  /// nullptr for an unknown type.
  const step_kind* find(std::string_view type) const;
  std::vector<std::string> names() const;

 private:
  std::vector<const step_kind*> kinds_;
};

}  // namespace mqttest
