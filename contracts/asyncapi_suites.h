#pragma once

#include <string>
#include <vector>

#include "contracts/asyncapi.h"

namespace mqttest {

/// A file to write: its name (inside the output folder) and text.
struct generated_file {
  std::string name;
  std::string text;
};

/// One suite per channel, and its payload schema beside it: a subscriber on
/// the channel's filter checks every message with ShouldAllMatchJSONSchema;
/// where messages have examples, a persistent session is registered, every
/// example is published to the channel's example topic, read back and checked.
/// The broker is the suite variable `addrs` (default: the document's server).
std::vector<generated_file> generate_suites(const asyncapi_document& doc);

/// A file name from a channel id: letters, digits, '-' and '_' kept, others '_'.
std::string file_slug(const std::string& text);

}  // namespace mqttest
