#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "executor/core/utf8.h"  // utf8_text

namespace mqttest {

/// How bytes are written in a suite (publisher `encoding:`) or shown in the
/// result (subscriber `decode:`). json is for decode only.
enum class codec { text, base64, hex, cbor, msgpack, json };

/// Names in enum order: text, base64, hex, cbor, msgpack, json.
const std::vector<std::string>& codec_names();
std::optional<codec> find_codec(std::string_view name);
std::string_view to_string(codec c);

/// The bytes to send. value is a string for text/base64/hex (the text itself,
/// or its base64/hex spelling), any JSON value for cbor/msgpack. Throws
/// std::invalid_argument saying what is wrong with the value.
std::string encode_payload(const nlohmann::json& value, codec how);

/// Received bytes as a JSON value: json parses (null when not JSON; scalars
/// stay scalars), text gives the string, base64/hex their spelling,
/// cbor/msgpack the decoded value (null when undecodable). A json, cbor or
/// msgpack value nested deeper than MQTTEST_MAX_PAYLOAD_DEPTH is null too,
/// and `why` (when given) says so.
nlohmann::json decode_payload(const std::string& bytes, codec how, std::string* why = nullptr);

std::string to_base64(std::string_view bytes);
/// nullopt when text is not base64 (padding optional, whitespace ignored).
std::optional<std::string> from_base64(std::string_view text);
std::string to_hex(std::string_view bytes);
/// nullopt when text is not an even number of hex digits (whitespace ignored).
std::optional<std::string> from_hex(std::string_view text);

}  // namespace mqttest
