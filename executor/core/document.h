#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "executor/core/errors.h"
#include "executor/core/position.h"

namespace mqttest {

/// A YAML file read once into a JSON value, with the source position of every
/// value and every map key, so later stages can report `file:line:col`.
///
/// Scalars keep YAML's types: plain `1` is an integer, `1.5` a float, `true`
/// a boolean, `~`/`null` null; quoted scalars are always strings.
struct document {
  std::string file;
  nlohmann::json root;
  std::vector<std::string> lines;                 ///< source lines, for carets
  std::map<std::string, position> value_marks;    ///< JSON pointer -> value position
  std::map<std::string, position> key_marks;      ///< JSON pointer -> position of its map key

  /// Position of the value at `ptr` (falls back to the nearest parent).
  position value_at(const nlohmann::json::json_pointer& ptr) const;
  /// Position of the key naming `ptr` (falls back to value_at).
  position key_at(const nlohmann::json::json_pointer& ptr) const;
  /// A config_error at `where`, with this document's source line and caret.
  config_error error(const position& where, const std::string& message) const;
  /// A locate_fn over value positions.
  locate_fn locator() const;
};

/// Reads and parses a YAML file. Throws config_error for a missing or
/// unreadable file, an empty file and YAML syntax errors, all with position.
std::shared_ptr<const document> load_document(const std::string& path);

/// Parses YAML text (used for --var values and tests); `name` stands for the file.
std::shared_ptr<const document> parse_document(const std::string& text, const std::string& name);

}  // namespace mqttest
