#pragma once

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

namespace mqttest {

/// Resolves an assertion path against `data`:
/// - Venom's flattened form: `result.messagesjson.messagesjson0.c`,
///   `...list.list2.list20`, `result.messagesjson.messagesjson1.messagesjson10`,
///   `.__Len__`, `.__Type__` (`Array`, `Map`, ...); the first level below the
///   root matches case-insensitively; `result.err` and `result.error` alike;
/// - the plain form: `result.messagesjson[0].c`.
/// Returns nullopt when the path does not exist.
std::optional<nlohmann::json> resolve_path(const nlohmann::json& data, std::string_view path);

}  // namespace mqttest
