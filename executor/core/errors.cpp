#include "executor/core/errors.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "executor/core/text.h"
#include "executor/core/utf8.h"

namespace mqttest {

std::string to_string(const position& where) {
  if (where.line == 0) return where.file;
  if (where.column == 0) return fmt::format("{}:{}", where.file, where.line);
  return fmt::format("{}:{}:{}", where.file, where.line, where.column);
}

namespace {

std::string describe(const position& where, const std::string& message,
                     const std::string& source_line) {
  std::string text = where.file.empty() ? message : to_string(where) + ": " + message;
  if (!source_line.empty() && where.column > 0) {
    std::string shown;  // a NUL would end what() there: shown as U+2400, one column too
    for (char c : source_line) shown += c == '\0' ? std::string("\u2400") : std::string(1, c);
    text += fmt::format("\n    {}\n    {}^", shown, std::string(where.column - 1, ' '));
  }
  return text;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      bool same = to_lower(a[i - 1]) == to_lower(b[j - 1]);
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

// Messages quote what the user wrote, which may not be UTF-8 (a byte in a
// value, a YAML escape to a surrogate); they end up in JSON and XML reports.
config_error::config_error(position where, std::string message, std::string source_line)
    : std::runtime_error(utf8_text(describe(where, message, source_line))),
      where_(std::move(where)),
      message_(utf8_text(message)) {}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& candidate : candidates) {
    std::size_t d = edit_distance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

}  // namespace mqttest
