#include "steps/mqtt/codecs.h"

#include <cctype>
#include <stdexcept>

namespace mqttest {
namespace {

using json = nlohmann::json;

constexpr std::string_view kBase64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_value(char c) {
  if (c == '-') return 62;  // URL-safe alphabet too
  if (c == '_') return 63;
  auto at = kBase64.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// Length of the valid UTF-8 sequence starting at i, 0 when invalid.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t length = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
  if (length == 0 || i + length > s.size()) return 0;
  for (std::size_t k = 1; k < length; ++k)
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  unsigned code = c & (0x7F >> length);
  for (std::size_t k = 1; k < length; ++k) code = (code << 6) | (byte(i + k) & 0x3F);
  static constexpr unsigned minimum[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code < minimum[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return length;
}

std::vector<std::uint8_t> as_bytes(const std::string& bytes) {
  return {bytes.begin(), bytes.end()};
}

}  // namespace

const std::vector<std::string>& codec_names() {
  static const std::vector<std::string> names = {"text", "base64", "hex", "cbor", "msgpack", "json"};
  return names;
}

std::optional<codec> find_codec(std::string_view name) {
  const auto& names = codec_names();
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<codec>(i);
  return std::nullopt;
}

std::string_view to_string(codec c) { return codec_names()[static_cast<std::size_t>(c)]; }

std::string to_base64(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 2]);
    out += kBase64[(n >> 18) & 63];
    out += kBase64[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kBase64[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kBase64[n & 63] : '=';
  }
  return out;
}

std::optional<std::string> from_base64(std::string_view text) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  bool padding = false;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    if (c == '=') {
      padding = true;
      continue;
    }
    int value = base64_value(c);
    if (value < 0 || padding) return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  if (bits >= 6) return std::nullopt;  // a lone trailing character
  return out;
}

std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    out += digits[(static_cast<unsigned char>(c) >> 4) & 15];
    out += digits[static_cast<unsigned char>(c) & 15];
  }
  return out;
}

std::optional<std::string> from_hex(std::string_view text) {
  std::string out;
  int high = -1;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    int value = hex_value(c);
    if (value < 0) return std::nullopt;
    if (high < 0) {
      high = value;
    } else {
      out += static_cast<char>(high << 4 | value);
      high = -1;
    }
  }
  if (high >= 0) return std::nullopt;
  return out;
}

std::string utf8_text(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size();) {
    std::size_t length = utf8_sequence(bytes, i);
    if (length == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(bytes.substr(i, length));
      i += length;
    }
  }
  return out;
}

std::string encode_payload(const json& value, codec how) {
  switch (how) {
    case codec::cbor: {
      auto bytes = json::to_cbor(value);
      return {bytes.begin(), bytes.end()};
    }
    case codec::msgpack: {
      auto bytes = json::to_msgpack(value);
      return {bytes.begin(), bytes.end()};
    }
    case codec::json:
      return value.dump();
    default:
      break;
  }
  if (!value.is_string())
    throw std::invalid_argument(
        std::string("encoding ") + std::string(to_string(how)) + " needs a string payload");
  const auto& text = value.get_ref<const std::string&>();
  if (how == codec::base64) {
    auto bytes = from_base64(text);
    if (!bytes) throw std::invalid_argument("payload is not valid base64");
    return *bytes;
  }
  if (how == codec::hex) {
    auto bytes = from_hex(text);
    if (!bytes) throw std::invalid_argument("payload is not valid hex (an even number of 0-9a-f digits)");
    return *bytes;
  }
  return text;
}

json decode_payload(const std::string& bytes, codec how) try {
  switch (how) {
    case codec::json: {
      json parsed = json::parse(bytes, nullptr, false);
      return parsed.is_discarded() ? json(nullptr) : parsed;
    }
    case codec::text:
      return utf8_text(bytes);
    case codec::base64:
      return to_base64(bytes);
    case codec::hex:
      return to_hex(bytes);
    case codec::cbor: {
      json parsed = json::from_cbor(as_bytes(bytes), true, false);
      return parsed.is_discarded() ? json(nullptr) : parsed;
    }
    case codec::msgpack: {
      json parsed = json::from_msgpack(as_bytes(bytes), true, false);
      return parsed.is_discarded() ? json(nullptr) : parsed;
    }
  }
  return nullptr;
} catch (const json::exception&) {
  // from_cbor/from_msgpack throw despite allow_exceptions=false when a
  // declared length exceeds max_size() (out_of_range.408).
  return nullptr;
}

}  // namespace mqttest
