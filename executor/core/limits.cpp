#include "executor/core/limits.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>

#include "executor/core/errors.h"

namespace mqttest {

std::size_t limit_value(const limit& l) {
  const char* text = std::getenv(l.env);
  if (text == nullptr || *text == '\0') return l.fallback;
  std::string_view digits = text;
  std::size_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || value == 0)
    throw usage_error(fmt::format("{} must be a positive integer, got \"{}\"", l.env, text));
  return value;
}

std::string limit_text(const limit& l) { return limit_text(l, limit_value(l)); }

std::string limit_text(const limit& l, std::size_t value) {
  return fmt::format("the {}-{} limit (set {} to raise it)", value, l.unit, l.env);
}

void check_limit_environment() {
  for (const limit* l : {&kMaxSuiteBytes, &kMaxYamlDepth, &kMaxYamlNodes, &kMaxTemplateBytes,
                         &kMaxTemplateDepth, &kMaxPayloadDepth, &kMaxShownMessageBytes})
    limit_value(*l);
}

}  // namespace mqttest
