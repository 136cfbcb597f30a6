#include "steps/mqtt/broker_url.h"

#include <fmt/format.h>

#include <string_view>

#include "executor/core/text.h"

namespace mqttest {

namespace {

/// %XX escapes to bytes (a user or password with ':' or '@' in a URL).
std::string percent_decoded(std::string_view text) {
  auto hex = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

broker_url parse_broker_url(const std::string& url) {
  broker_url parsed;
  std::string_view rest = url;
  if (auto sep = rest.find("://"); sep != std::string_view::npos) {
    parsed.scheme = std::string(rest.substr(0, sep));
    rest.remove_prefix(sep + 3);
  }
  parsed.scheme = to_lower(parsed.scheme);
  const std::string& s = parsed.scheme;
  parsed.tls = s == "ssl" || s == "mqtts" || s == "wss";
  parsed.websocket = s == "ws" || s == "wss";
  parsed.port = s == "ssl" || s == "mqtts" ? "8883" : s == "ws" ? "80" : s == "wss" ? "443" : "1883";
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    parsed.path = std::string(rest.substr(slash));
    rest = rest.substr(0, slash);
  }
  // The last '@' ends the user info: a host never holds one, a password may.
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view user_info = rest.substr(0, at);
    rest.remove_prefix(at + 1);
    auto colon = user_info.find(':');
    parsed.username = percent_decoded(user_info.substr(0, colon));
    if (colon != std::string_view::npos)
      parsed.password = percent_decoded(user_info.substr(colon + 1));
  }
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    parsed.host =
        std::string(rest.substr(1, close == std::string_view::npos ? std::string_view::npos
                                                                   : close - 1));
    if (close != std::string_view::npos && close + 1 < rest.size() && rest[close + 1] == ':')
      parsed.port = std::string(rest.substr(close + 2));
  } else if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    parsed.host = std::string(rest.substr(0, colon));
    if (colon + 1 < rest.size()) parsed.port = std::string(rest.substr(colon + 1));
  } else {
    parsed.host = std::string(rest);
  }
  return parsed;
}

std::string without_password(const std::string& url) {
  std::size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  std::size_t slash = url.find('/', start);
  std::size_t at = url.rfind('@', slash == std::string::npos ? std::string::npos : slash);
  if (at == std::string::npos || at < start) return url;
  std::size_t colon = url.find(':', start);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "****" + url.substr(at);
}

std::string broker_url_problem(const std::string& url) {
  broker_url parsed = parse_broker_url(url);
  if (parsed.host.empty()) return "has no host";
  const std::string& port = parsed.port;
  bool digits = !port.empty() && port.size() <= 5 &&
                std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits || std::stoi(port) < 1 || std::stoi(port) > 65535)
    return fmt::format("has a bad port \"{}\" (a number from 1 to 65535)", port);
  return {};
}

std::string broker_url::paho() const {
  std::string paho_scheme = websocket ? (tls ? "wss" : "ws") : (tls ? "ssl" : "tcp");
  std::string shown_host = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return fmt::format("{}://{}:{}{}", paho_scheme, shown_host, port, websocket ? path : "");
}

}  // namespace mqttest
