// Broker URLs (steps/mqtt/broker_url.h): mqttest probes url.host/url.port
// itself and hands url.paho() to Paho, so both must name the same broker.
#include "steps/mqtt/broker_url.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mqttest;
  std::string url = fuzz::input_text(data, size);
  broker_url parsed = parse_broker_url(url);
  std::string paho = parsed.paho();
  if (parsed.websocket && !(parsed.scheme == "ws" || parsed.scheme == "wss"))
    fuzz::fail("websocket without ws:// or wss://", url);
  if (parsed.tls && !(parsed.scheme == "ssl" || parsed.scheme == "mqtts" || parsed.scheme == "wss"))
    fuzz::fail("tls without a TLS scheme", url);
  // Hosts and ports a broker can have: no brackets or slashes in the host,
  // digits in the port. Paho reads back the host and port we probed.
  if (parsed.host.find_first_of("[]/") != std::string::npos || parsed.port.empty() ||
      parsed.port.find_first_not_of("0123456789") != std::string::npos)
    return 0;
  broker_url again = parse_broker_url(paho);
  if (again.host != parsed.host || again.port != parsed.port || again.tls != parsed.tls ||
      again.websocket != parsed.websocket || (parsed.websocket && again.path != parsed.path))
    fuzz::fail("paho() names another broker than host:port", url + " -> " + paho);
  return 0;
}
