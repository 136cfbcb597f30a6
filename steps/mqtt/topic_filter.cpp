#include "steps/mqtt/topic_filter.h"

#include <vector>

#include "executor/core/text.h"

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

std::string topic_filter_problem(std::string_view filter) {
  if (filter.empty()) return "a topic filter must not be empty";
  if (filter.find('\0') != std::string_view::npos) return "a topic filter must not contain NUL";
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
  return {};
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
