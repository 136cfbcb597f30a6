#pragma once

#include <string>

namespace mqttest {

/// Writes `content` to `path` via a temp file in the same directory + rename.
/// Throws std::runtime_error naming the path and the reason.
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace mqttest
