#include "executor/lang/secrets.h"

#include <algorithm>

#include "executor/core/text.h"

namespace mqttest {

using nlohmann::json;

namespace {

constexpr std::string_view mask_text = "****";

}  // namespace

void secret_mask::add(const json& value) {
  if (value.is_null()) return;
  std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  if (text.empty() || std::find(values_.begin(), values_.end(), text) != values_.end()) return;
  values_.push_back(text);
  std::sort(values_.begin(), values_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

void secret_mask::add_passwords(const json& fields) {
  if (fields.is_array()) {
    for (const json& item : fields) add_passwords(item);
  } else if (fields.is_object()) {
    for (const auto& [key, item] : fields.items()) {
      std::string name = to_lower(key);
      if ((name == "password" || name == "keypassword") && !item.is_structured())
        add(item);
      else
        add_passwords(item);
    }
  }
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
