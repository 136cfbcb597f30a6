#include "executor/lang/secrets.h"

#include <algorithm>

#include "executor/core/text.h"

namespace mqttest {

using nlohmann::json;

namespace {

constexpr std::string_view mask_text = "****";

}  // namespace

void secret_mask::add_text(const std::string& text) {
  if (text.empty() || std::find(values_.begin(), values_.end(), text) != values_.end()) return;
  values_.push_back(text);
  std::sort(values_.begin(), values_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

void secret_mask::add(const json& value) {
  if (value.is_null()) return;
  std::string text = value.is_string() ? value.get<std::string>()
                                       : value.dump(-1, ' ', false, json::error_handler_t::replace);
  add_text(text);
  // The forms a secret is printed in besides itself: JSON-escaped (a quote or
  // backslash in an assertion's `actual`), and what the upper, lower and
  // b64enc template helpers make of it.
  std::string escaped = json(text).dump(-1, ' ', false, json::error_handler_t::replace);
  add_text(escaped.substr(1, escaped.size() - 2));
  add_text(to_upper(text));
  add_text(to_lower(text));
  add_text(base64_encode(text));
}

void secret_mask::add_passwords(const json& fields) {
  if (fields.is_array()) {
    for (const json& item : fields) add_passwords(item);
  } else if (fields.is_object()) {
    for (const auto& [key, item] : fields.items()) {
      std::string name = to_lower(key);
      if ((name == "password" || name == "keypassword") && !item.is_structured())
        add(item);
      else if (name == "addrs" && item.is_string())
        add_url_password(item.get<std::string>());
      else
        add_passwords(item);
    }
  }
}

void secret_mask::add_url_password(const std::string& url) {
  // scheme://user:password@host...: the password never reaches a report.
  std::size_t start = url.find("://");
  if (start == std::string::npos) return;
  start += 3;
  std::size_t at = url.find('@', start);
  std::size_t slash = url.find('/', start);
  if (at == std::string::npos || (slash != std::string::npos && slash < at)) return;
  std::size_t colon = url.find(':', start);
  if (colon == std::string::npos || colon > at) return;
  add(url.substr(colon + 1, at - colon - 1));
}

std::string secret_mask::apply(std::string text) const {
  for (const std::string& secret : values_) {
    for (std::size_t at = 0; (at = text.find(secret, at)) != std::string::npos;
         at += mask_text.size())
      text.replace(at, secret.size(), mask_text);
  }
  return text;
}

json secret_mask::apply(const json& value) const {
  if (value.is_string()) return apply(value.get<std::string>());
  if (value.is_array()) {
    json out = json::array();
    for (const json& item : value) out.push_back(apply(item));
    return out;
  }
  if (value.is_object()) {
    json out = json::object();
    for (const auto& [key, item] : value.items()) out[apply(key)] = apply(item);
    return out;
  }
  if (value.is_number() && !values_.empty()) {
    std::string text = value.dump();
    if (apply(text) != text) return mask_text;
  }
  return value;
}

}  // namespace mqttest
