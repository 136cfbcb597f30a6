#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace mqttest {

/// A packet that arrived from the broker, as Paho C's protocol trace reports
/// it ("CONNACK rc: 0", "PUBACK msgid: 2", ...).
struct arrived_packet {
  std::string name;    ///< "PUBACK"
  std::string text;    ///< the whole line after "<- "
  int message_id = 0;  ///< the packet identifier, 0 when the packet has none
};

/// One line of Paho C's protocol trace ("20240101 120000.000 3 client-id <-
/// PUBACK msgid: 2"): the client id and the packet, or nullopt for a line
/// that is not an arrival.
std::optional<std::pair<std::string, arrived_packet>> parse_trace_line(std::string_view line);

/// While it lives, every packet Paho C reads for `client_id` goes to `sink`
/// (on Paho's receive thread, before Paho acts on it). The first listener
/// turns Paho's process-wide protocol trace on for good.
class packet_listener {
 public:
  using sink_fn = std::function<void(const arrived_packet&)>;
  packet_listener(std::string client_id, sink_fn sink);
  ~packet_listener();
  packet_listener(const packet_listener&) = delete;
  packet_listener& operator=(const packet_listener&) = delete;

 private:
  std::string client_id_;
  sink_fn sink_;
};

}  // namespace mqttest
