#include "steps/mqtt/topic_filter.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "executor/core/text.h"
#include "executor/core/utf8.h"
#include "steps/mqtt/codecs.h"

namespace mqttest {

bool topic_matches(std::string_view filter, std::string_view topic) {
  if (filter.empty() || topic.empty()) return false;
  if (topic.front() == '$' && (filter.front() == '+' || filter.front() == '#')) return false;
  auto wanted = split(filter, '/');
  auto actual = split(topic, '/');
  std::size_t i = 0;
  for (; i < wanted.size(); ++i) {
    if (wanted[i] == "#") return true;
    if (i >= actual.size()) return false;
    if (wanted[i] != "+" && wanted[i] != actual[i]) return false;
  }
  return i == actual.size();
}

namespace {

std::string encoding_problem(std::string_view topic) {
  constexpr std::size_t max_bytes = 65535;
  if (topic.size() > max_bytes)
    return fmt::format("a topic is at most {} bytes, this one has {}", max_bytes, topic.size());
  if (invalid_utf8_at(topic) != std::string_view::npos) return "a topic must be valid UTF-8";
  return {};
}

}  // namespace

std::string shown_topic(std::string_view topic) {
  constexpr std::size_t shown = 64;
  std::string text = utf8_text(topic.substr(0, shown));
  std::string quoted = nlohmann::json(text).dump();
  if (topic.size() <= shown) return quoted;
  return fmt::format("{}... ({} bytes)", quoted, topic.size());
}

std::string topic_filter_problem(std::string_view filter) {
  if (filter.empty()) return "a topic filter must not be empty";
  if (filter.find('\0') != std::string_view::npos) return "a topic filter must not contain NUL";
  if (auto problem = encoding_problem(filter); !problem.empty()) return problem;
  auto parts = split(filter, '/');
  for (std::size_t i = 0; i < parts.size(); ++i) {
    std::string_view level = parts[i];
    if (level.find('#') != std::string_view::npos && (level != "#" || i + 1 != parts.size()))
      return "\"#\" must be a whole level and the last one";
    if (level.find('+') != std::string_view::npos && level != "+")
      return "\"+\" must be a whole level";
  }
  return {};
}

std::string topic_name_problem(std::string_view topic) {
  if (topic.empty()) return "a topic must not be empty";
  if (topic.find_first_of("+#") != std::string_view::npos)
    return "a topic to publish to must not contain wildcards (+ or #)";
  if (topic.find('\0') != std::string_view::npos) return "a topic must not contain NUL";
  return encoding_problem(topic);
}

}  // namespace mqttest

namespace mqttest {

std::string_view routed_filter(std::string_view filter) {
  constexpr std::string_view share = "$share/";
  if (filter.substr(0, share.size()) != share) return filter;
  auto group_end = filter.find('/', share.size());
  return group_end == std::string_view::npos ? filter : filter.substr(group_end + 1);
}

}  // namespace mqttest
