#include "steps/mqtt/packet_trace.h"

#include <MQTTAsync.h>

#include <cctype>
#include <charconv>
#include <map>
#include <mutex>

namespace mqttest {
namespace {

/// The listeners by client id: the one table Paho's trace callback reads.
struct listener_table {
  std::mutex mutex;
  std::multimap<std::string, const packet_listener::sink_fn*> sinks;
};

listener_table& listeners() {
  static listener_table table;
  return table;
}

void on_trace(enum MQTTASYNC_TRACE_LEVELS level, char* message) {
  if (level != MQTTASYNC_TRACE_PROTOCOL || message == nullptr) return;
  auto parsed = parse_trace_line(message);
  if (!parsed) return;
  listener_table& table = listeners();
  std::lock_guard lock(table.mutex);
  auto [first, last] = table.sinks.equal_range(parsed->first);
  for (auto it = first; it != last; ++it) (*it->second)(parsed->second);
}

int message_id_of(std::string_view text) {
  auto at = text.find("msgid");
  if (at == std::string_view::npos) return 0;
  at += 5;
  while (at < text.size() && (text[at] == ':' || text[at] == ' ')) ++at;
  int id = 0;
  std::from_chars(text.data() + at, text.data() + text.size(), id);
  return id;
}

}  // namespace

std::optional<std::pair<std::string, arrived_packet>> parse_trace_line(std::string_view line) {
  // "<date> <time> <socket> <client id> <- <packet>"; the client id may be empty.
  std::size_t at = 0;
  for (int field = 0; field < 3; ++field) {
    at = line.find(' ', at);
    if (at == std::string_view::npos) return std::nullopt;
    ++at;
  }
  auto arrow = line.find(" <- ", at == 0 ? 0 : at - 1);
  if (arrow == std::string_view::npos) return std::nullopt;
  std::string client_id(line.substr(at, arrow >= at ? arrow - at : 0));
  std::string_view text = line.substr(arrow + 4);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  arrived_packet packet;
  packet.text = std::string(text);
  packet.name = std::string(text.substr(0, text.find(' ')));
  packet.message_id = message_id_of(text);
  return std::make_pair(std::move(client_id), std::move(packet));
}

packet_listener::packet_listener(std::string client_id, sink_fn sink)
    : client_id_(std::move(client_id)), sink_(std::move(sink)) {
  // Paho calls on_trace holding its log mutex: set it up outside ours.
  static std::once_flag once;
  std::call_once(once, [] {
    MQTTAsync_setTraceCallback(on_trace);
    MQTTAsync_setTraceLevel(MQTTASYNC_TRACE_PROTOCOL);
  });
  listener_table& table = listeners();
  std::lock_guard lock(table.mutex);
  table.sinks.emplace(client_id_, &sink_);
}

packet_listener::~packet_listener() {
  listener_table& table = listeners();
  std::lock_guard lock(table.mutex);
  auto [first, last] = table.sinks.equal_range(client_id_);
  for (auto it = first; it != last; ++it)
    if (it->second == &sink_) {
      table.sinks.erase(it);
      break;
    }
}

}  // namespace mqttest
