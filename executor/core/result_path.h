#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

namespace mqttest {

/// Resolves an assertion path against `data`:
/// - Venom's flattened form: `result.messagesjson.messagesjson0.c`,
///   `...list.list2.list20`, `result.messagesjson.messagesjson1.messagesjson10`,
///   `.__Len__`, `.__Type__` (`Array`, `Map`, ...); `result.err` and
///   `result.error` alike;
/// - the plain form: `result.messagesjson[0].c`.
/// A key matches exactly, else the one key equal to it ignoring case (Venom
/// 1.0/1.1 lower-cased every flattened key: `__len__`, `messagesjson0.temp`
/// for a payload key `Temp`); several such keys are an error naming them.
struct path_lookup {
  std::optional<nlohmann::json> value;  ///< nullopt: the path does not resolve
  std::string problem;                  ///< then why: the segment that failed, "did you mean"
};
path_lookup lookup_path(const nlohmann::json& data, std::string_view path);

/// lookup_path's value alone.
std::optional<nlohmann::json> resolve_path(const nlohmann::json& data, std::string_view path);

}  // namespace mqttest
