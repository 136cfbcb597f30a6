#include "steps/mqtt/codecs.h"

#include <fmt/format.h>

#include <cctype>
#include <stdexcept>

#include "executor/core/limits.h"
#include "executor/core/utf8.h"

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

/// nlohmann's DOM builder behind a depth check: the parsers recurse (CBOR,
/// MessagePack) or the value does on destruction and dump, so a payload of
/// a million nested arrays from any publisher must stop before it is built.
class depth_limited_builder {
 public:
  depth_limited_builder(json& result, std::size_t max_depth)
      : dom_(result, false), max_depth_(max_depth) {}

  bool null() { return dom_.null(); }
  bool boolean(bool v) { return dom_.boolean(v); }
  bool number_integer(json::number_integer_t v) { return dom_.number_integer(v); }
  bool number_unsigned(json::number_unsigned_t v) { return dom_.number_unsigned(v); }
  bool number_float(json::number_float_t v, const json::string_t& s) {
    return dom_.number_float(v, s);
  }
  // CBOR and MessagePack text strings are not checked for UTF-8 by the
  // parser; the result is JSON, whose strings must be.
  bool string(json::string_t& v) { return dom_.string(valid(v)); }
  bool binary(json::binary_t& v) { return dom_.binary(v); }
  bool key(json::string_t& v) { return dom_.key(valid(v)); }
  bool start_object(std::size_t n) { return deeper() && dom_.start_object(n); }
  bool end_object() { return --depth_, dom_.end_object(); }
  bool start_array(std::size_t n) { return deeper() && dom_.start_array(n); }
  bool end_array() { return --depth_, dom_.end_array(); }
  bool parse_error(std::size_t at, const std::string& token, const nlohmann::detail::exception& e) {
    return dom_.parse_error(at, token, e);
  }

  bool too_deep() const { return too_deep_; }

 private:
  static json::string_t& valid(json::string_t& v) {
    if (invalid_utf8_at(v) != std::string::npos) v = utf8_text(v);
    return v;
  }

  bool deeper() {
    if (++depth_ <= max_depth_) return true;
    too_deep_ = true;
    return false;
  }

  nlohmann::detail::json_sax_dom_parser<json> dom_;
  std::size_t max_depth_;
  std::size_t depth_ = 0;
  bool too_deep_ = false;
};

json decode_structured(const std::string& bytes, nlohmann::detail::input_format_t format,
                       std::string* why) {
  json result;
  std::size_t max_depth = limit_value(kMaxPayloadDepth);
  depth_limited_builder builder(result, max_depth);
  bool ok = json::sax_parse(bytes, &builder, format);
  if (builder.too_deep()) {
    if (why)
      *why = fmt::format("payload nested deeper than {}; not decoded",
                         limit_text(kMaxPayloadDepth, max_depth));
    return nullptr;
  }
  return ok && !result.is_discarded() ? result : json(nullptr);
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

json decode_payload(const std::string& bytes, codec how, std::string* why) try {
  using format = nlohmann::detail::input_format_t;
  switch (how) {
    case codec::json:
      return decode_structured(bytes, format::json, why);
    case codec::text:
      return utf8_text(bytes);
    case codec::base64:
      return to_base64(bytes);
    case codec::hex:
      return to_hex(bytes);
    case codec::cbor:
      return decode_structured(bytes, format::cbor, why);
    case codec::msgpack:
      return decode_structured(bytes, format::msgpack, why);
  }
  return nullptr;
} catch (const json::exception& e) {
  // from_cbor/from_msgpack throw despite allow_exceptions=false when a
  // declared length exceeds max_size() (out_of_range.408).
  if (why != nullptr) *why = std::string("not decodable: ") + e.what();
  return nullptr;
}

}  // namespace mqttest
