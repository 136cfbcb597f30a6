#include "executor/core/result_path.h"

#include <string>
#include <vector>

#include "executor/core/text.h"
#include "executor/core/value_compare.h"

// Keys that contain dots or brackets cannot be named by a path.

namespace mqttest {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxIndexDigits = 18;

/// `name[1][2]`: a key (possibly empty) followed by bracket indices.
struct segment {
  std::string_view key;
  std::vector<std::size_t> indices;
};

/// Where the walk stands: the value, and the name that selected it (an array
/// named N has elements named N0, N1, ...).
struct cursor {
  const json* value = nullptr;
  json owned;  ///< holds computed values (__Len__, __Type__)
  std::string name;
  bool name_ignores_case = false;
};

std::optional<std::size_t> parse_index(std::string_view digits) {
  if (digits.empty() || digits.size() > kMaxIndexDigits) return std::nullopt;
  std::size_t index = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    index = index * 10 + static_cast<std::size_t>(c - '0');
  }
  return index;
}

std::optional<segment> parse_segment(std::string_view text) {
  segment result;
  std::size_t open = text.find('[');
  result.key = text.substr(0, open);
  if (result.key.find(']') != std::string_view::npos) return std::nullopt;
  while (open != std::string_view::npos) {
    std::size_t close = text.find(']', open);
    if (close == std::string_view::npos) return std::nullopt;
    auto index = parse_index(text.substr(open + 1, close - open - 1));
    if (!index) return std::nullopt;
    result.indices.push_back(*index);
    if (close + 1 == text.size()) break;
    if (text[close + 1] != '[') return std::nullopt;
    open = close + 1;
  }
  if (result.key.empty() && result.indices.empty()) return std::nullopt;
  return result;
}

std::optional<json> special(const json& value, std::string_view key) {
  if (key == "__Type__") return json(type_name(value));
  if (key != "__Len__") return std::nullopt;
  if (value.is_array() || value.is_object()) return json(value.size());
  if (value.is_string()) return json(value.get_ref<const std::string&>().size());
  return std::nullopt;
}

const json* find_key(const json& object, std::string_view key, bool ignore_case) {
  auto exact = object.find(key);
  if (exact != object.end()) return &*exact;
  if (!ignore_case) return nullptr;
  for (const auto& [name, value] : object.items()) {
    if (iequals(name, key)) return &value;
  }
  return nullptr;
}

/// `result.err` and `result.error` name the same thing.
const json* find_first_level(const json& object, std::string_view key) {
  if (const json* found = find_key(object, key, true)) return found;
  if (iequals(key, "err")) return find_key(object, "error", true);
  if (iequals(key, "error")) return find_key(object, "err", true);
  return nullptr;
}

const json* find_element(const cursor& at, std::string_view key) {
  const std::string& name = at.name;
  if (name.empty() || key.size() <= name.size()) return nullptr;
  std::string_view prefix = key.substr(0, name.size());
  if (at.name_ignores_case ? !iequals(prefix, name) : prefix != name) return nullptr;
  std::string_view digits = key.substr(name.size());
  if (digits.size() > 1 && digits[0] == '0') return nullptr;
  auto index = parse_index(digits);
  if (!index || *index >= at.value->size()) return nullptr;
  return &(*at.value)[*index];
}

bool step_key(cursor& at, std::string_view key, std::size_t depth) {
  const json& value = *at.value;
  const json* next = nullptr;
  if (value.is_object()) {
    next = depth == 1 ? find_first_level(value, key) : find_key(value, key, depth == 0);
  } else if (value.is_array()) {
    next = find_element(at, key);
  }
  if (next == nullptr) {
    auto computed = special(value, key);
    if (!computed) return false;
    at.owned = std::move(*computed);
    next = &at.owned;
  }
  at.value = next;
  at.name = std::string(key);
  at.name_ignores_case = depth <= 1;
  return true;
}

bool step_index(cursor& at, std::size_t index) {
  if (!at.value->is_array() || index >= at.value->size()) return false;
  at.value = &(*at.value)[index];
  at.name += std::to_string(index);
  return true;
}

}  // namespace

std::optional<json> resolve_path(const json& data, std::string_view path) {
  if (path.empty()) return std::nullopt;
  cursor at;
  at.value = &data;
  std::size_t depth = 0;
  for (std::string_view part : split(path, '.')) {
    auto seg = parse_segment(part);
    if (!seg) return std::nullopt;
    if (!seg->key.empty() && !step_key(at, seg->key, depth)) return std::nullopt;
    for (std::size_t index : seg->indices) {
      if (!step_index(at, index)) return std::nullopt;
    }
    ++depth;
  }
  return *at.value;
}

}  // namespace mqttest
