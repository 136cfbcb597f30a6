#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

namespace mqttest {

/// A place in a source file; line and column are 1-based (0 = unknown).
struct position {
  std::string file;
  int line = 0;
  int column = 0;
};

/// "file:line:col", or less when parts are unknown.
std::string to_string(const position& where);

/// Finds the source position of a value inside a loaded document.
using locate_fn = std::function<position(const nlohmann::json::json_pointer&)>;

}  // namespace mqttest
