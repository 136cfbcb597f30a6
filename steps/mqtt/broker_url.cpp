#include "steps/mqtt/broker_url.h"

#include <fmt/format.h>

#include <string_view>

#include "executor/core/text.h"

namespace mqttest {

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
