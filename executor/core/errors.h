#pragma once

#include <stdexcept>
#include <string>

#include "executor/core/position.h"

namespace mqttest {

/// A mistake in a suite or its values, found before anything runs.
/// what() is "file:line:col: message" followed by the source line and a caret
/// when the source line is known.
class config_error : public std::runtime_error {
 public:
  config_error(position where, std::string message, std::string source_line = {});

  const position& where() const { return where_; }
  const std::string& message() const { return message_; }

 private:
  position where_;
  std::string message_;
};

/// A mistake on the command line.
class usage_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Closest candidate to `word` (edit distance, case-insensitive), or "" when
/// none is close enough to be a likely misspelling.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace mqttest
