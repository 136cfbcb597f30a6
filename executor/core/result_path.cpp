#include "executor/core/result_path.h"

#include <string>
#include <vector>

#include "executor/core/errors.h"
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
  // Venom 1.0/1.1 lower-cased every flattened key: __len__ is __Len__.
  if (iequals(key, "__Type__")) return json(type_name(value));
  if (!iequals(key, "__Len__")) return std::nullopt;
  if (value.is_array() || value.is_object()) return json(value.size());
  if (value.is_string()) return json(value.get_ref<const std::string&>().size());
  return std::nullopt;
}

/// An exact match wins; else the one key equal ignoring case (Venom 1.0/1.1
/// lower-cased payload keys: `temp` names `Temp`). Several such keys are a
/// problem that names them.
const json* find_key(const json& object, std::string_view key, std::string& problem) {
  auto exact = object.find(key);
  if (exact != object.end()) return &*exact;
  const json* found = nullptr;
  std::vector<std::string> matches;
  for (const auto& [name, value] : object.items()) {
    if (!iequals(name, key)) continue;
    found = &value;
    matches.push_back("\"" + name + "\"");
  }
  if (matches.size() > 1) {
    problem = "\"" + std::string(key) + "\" matches several keys ignoring case:";
    for (std::size_t i = 0; i < matches.size(); ++i) problem += (i ? ", " : " ") + matches[i];
    return nullptr;
  }
  return found;
}

/// `result.err` and `result.error` name the same thing.
const json* find_first_level(const json& object, std::string_view key, std::string& problem) {
  if (const json* found = find_key(object, key, problem)) return found;
  if (!problem.empty()) return nullptr;
  if (iequals(key, "err")) return find_key(object, "error", problem);
  if (iequals(key, "error")) return find_key(object, "err", problem);
  return nullptr;
}

const json* find_element(const cursor& at, std::string_view key) {
  const std::string& name = at.name;
  if (name.empty() || key.size() <= name.size()) return nullptr;
  if (!iequals(key.substr(0, name.size()), name)) return nullptr;
  std::string_view digits = key.substr(name.size());
  if (digits.size() > 1 && digits[0] == '0') return nullptr;
  auto index = parse_index(digits);
  if (!index || *index >= at.value->size()) return nullptr;
  return &(*at.value)[*index];
}

/// Why `key` selects nothing in the value at `where`, with the nearest names.
std::string missing_key(const cursor& at, std::string_view key, const std::string& where) {
  const json& value = *at.value;
  if (value.is_object()) {
    std::vector<std::string> names;
    for (const auto& [name, item] : value.items()) names.push_back(name);
    std::string guess = did_you_mean(key, names);
    return where + " has no key \"" + std::string(key) + "\"" +
           (guess.empty() ? "" : " (did you mean \"" + guess + "\"?)");
  }
  if (value.is_array()) {
    std::string first = at.name + "0";
    return where + " is a list of " + std::to_string(value.size()) + " (elements " +
           (value.empty() ? "none" : first + ".." + at.name + std::to_string(value.size() - 1)) +
           "), not \"" + std::string(key) + "\"";
  }
  return where + " is " + kind_phrase(value) + ", not a map or a list";
}

bool step_key(cursor& at, std::string_view key, std::size_t depth, const std::string& where,
              std::string& problem) {
  const json& value = *at.value;
  const json* next = nullptr;
  if (value.is_object()) {
    next = depth == 1 ? find_first_level(value, key, problem) : find_key(value, key, problem);
    if (!problem.empty()) return false;
  } else if (value.is_array()) {
    next = find_element(at, key);
  }
  if (next == nullptr) {
    auto computed = special(value, key);
    if (!computed) {
      problem = missing_key(at, key, where);
      return false;
    }
    at.owned = std::move(*computed);
    next = &at.owned;
  }
  at.value = next;
  at.name = std::string(key);
  return true;
}

bool step_index(cursor& at, std::size_t index, const std::string& where, std::string& problem) {
  if (!at.value->is_array()) {
    problem = where + " is " + kind_phrase(*at.value) + ", not a list";
    return false;
  }
  if (index >= at.value->size()) {
    problem = where + " has " + std::to_string(at.value->size()) + " elements, no [" +
              std::to_string(index) + "]";
    return false;
  }
  at.value = &(*at.value)[index];
  at.name += std::to_string(index);
  return true;
}

}  // namespace

path_lookup lookup_path(const json& data, std::string_view path) {
  path_lookup out;
  if (path.empty()) {
    out.problem = "the path is empty";
    return out;
  }
  cursor at;
  at.value = &data;
  std::size_t depth = 0;
  std::string walked;  // the part of the path resolved so far
  for (std::string_view part : split(path, '.')) {
    auto seg = parse_segment(part);
    if (!seg) {
      out.problem = "\"" + std::string(part) + "\" is not a key or key[index]";
      return out;
    }
    std::string where = walked.empty() ? "the root" : walked;
    if (!seg->key.empty() && !step_key(at, seg->key, depth, where, out.problem)) return out;
    if (!seg->key.empty()) walked += (walked.empty() ? "" : ".") + std::string(seg->key);
    for (std::size_t index : seg->indices) {
      if (!step_index(at, index, walked.empty() ? "the root" : walked, out.problem)) return out;
      walked += "[" + std::to_string(index) + "]";
    }
    ++depth;
  }
  out.value = *at.value;
  return out;
}

std::optional<json> resolve_path(const json& data, std::string_view path) {
  return lookup_path(data, path).value;
}

}  // namespace mqttest
