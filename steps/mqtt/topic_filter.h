#pragma once

#include <string>
#include <string_view>

namespace mqttest {

/// MQTT topic filter matching: `+` one level, `#` this level and all below
/// (`a/#` matches `a`), and topics starting with `$` are not matched by a
/// wildcard at the first level.
bool topic_matches(std::string_view filter, std::string_view topic);

/// "" when filter is a valid topic filter, else why not.
std::string topic_filter_problem(std::string_view filter);

/// "" when topic is a valid topic name to publish to, else why not.
/// Both: at most 65535 bytes of UTF-8 without NUL (MQTT 3.1.1 / 5, 1.5.3-4).
std::string topic_name_problem(std::string_view topic);

/// A topic for a message: quoted with JSON escapes (NUL shows as \u0000),
/// cut after 64 bytes with its size added.
std::string shown_topic(std::string_view topic);

}  // namespace mqttest

namespace mqttest {

/// The filter messages of a subscription arrive under: `$share/group/a/#`
/// delivers topics matching `a/#`; other filters are returned unchanged.
std::string_view routed_filter(std::string_view filter);

}  // namespace mqttest
