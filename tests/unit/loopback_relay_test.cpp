// The loopback relay's holdAcks filter, against a fake broker socket: the
// client's PUBACK and PUBREC packets stop at the relay (whole, even when split
// across writes), every other packet passes in order, and the broker's
// packets reach the client unchanged.

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "steps/mqtt/broker_url.h"
#include "steps/mqtt/loopback_relay.h"

namespace {

using namespace std::chrono_literals;

/// A listening socket on a free loopback port.
struct listener {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int port = 0;
  listener() {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), size) == 0);
    REQUIRE(::listen(fd, 1) == 0);
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0);
    port = ntohs(address.sin_port);
  }
  ~listener() { ::close(fd); }
};

int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  return fd;
}

void send_bytes(int fd, const std::string& bytes) {
  REQUIRE(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(bytes.size()));
}

/// Reads until `want` bytes, the peer closes, or 5 s pass.
std::string read_bytes(int fd, std::size_t want) {
  std::string got;
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (got.size() < want && std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buffer[256];
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    got.append(buffer, static_cast<std::size_t>(n));
  }
  return got;
}

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out.push_back(static_cast<char>(v));
  return out;
}

}  // namespace

TEST_CASE("holdAcks relay: PUBACK and PUBREC stop at the relay, everything else passes") {
  listener broker;
  std::mutex mutex;
  std::vector<std::string> held;
  mqttest::loopback_relay relay(
      mqttest::parse_broker_url("tcp://127.0.0.1:" + std::to_string(broker.port)), 2000ms,
      [&](std::string_view packet) {
        std::lock_guard lock(mutex);
        held.emplace_back(packet);
      });
  int port = std::stoi(relay.proxy().substr(relay.proxy().find(':') + 1));
  int client = connect_to(port);
  send_bytes(client, "CONNECT 127.0.0.1:" + std::to_string(broker.port) + " HTTP/1.1\r\n\r\n");
  std::string answer = read_bytes(client, 39);
  CHECK(answer.rfind("HTTP/1.1 200", 0) == 0);
  int upstream = ::accept4(broker.fd, nullptr, nullptr, SOCK_CLOEXEC);
  REQUIRE(upstream >= 0);

  const std::string publish = bytes({0x32, 0x06, 0x00, 0x01, 'a', 0x00, 0x07, 'x'});
  const std::string pingreq = bytes({0xC0, 0x00});
  const std::string pubrel = bytes({0x62, 0x02, 0x00, 0x0B});
  send_bytes(client, publish + bytes({0x40, 0x02, 0x00, 0x07}) + bytes({0x50, 0x02}));
  std::this_thread::sleep_for(50ms);  // the PUBREC arrives in two pieces
  send_bytes(client, bytes({0x00, 0x09}) + pingreq);
  // MQTT 5: a PUBACK with a reason code and empty properties, then a PUBREL
  send_bytes(client, bytes({0x40, 0x04, 0x00, 0x0A, 0x10, 0x00}) + pubrel);

  std::string expected = publish + pingreq + pubrel;
  CHECK(read_bytes(upstream, expected.size()) == expected);
  // The broker's packets (its own PUBACK too) reach the client as they are.
  const std::string from_broker = bytes({0x40, 0x02, 0x00, 0x05, 0x30, 0x03, 0x00, 0x01, 'b'});
  send_bytes(upstream, from_broker);
  CHECK(read_bytes(client, from_broker.size()) == from_broker);

  ::close(client);
  CHECK(relay.wait_finished(std::chrono::steady_clock::now() + 5s));
  CHECK(read_bytes(upstream, expected.size() + 1).empty());  // closed, nothing more
  ::close(upstream);
  CHECK(relay.held_acks() == 3);
  std::lock_guard lock(mutex);
  CHECK(held == std::vector<std::string>{"PUBACK 7", "PUBREC 9", "PUBACK 10"});
}

TEST_CASE("holdAcks relay: without `held` the relay carries acknowledgements too") {
  listener broker;
  mqttest::loopback_relay relay(
      mqttest::parse_broker_url("tcp://127.0.0.1:" + std::to_string(broker.port)), 2000ms);
  int port = std::stoi(relay.proxy().substr(relay.proxy().find(':') + 1));
  int client = connect_to(port);
  send_bytes(client, "CONNECT 127.0.0.1:" + std::to_string(broker.port) + " HTTP/1.1\r\n\r\n");
  CHECK(read_bytes(client, 39).rfind("HTTP/1.1 200", 0) == 0);
  int upstream = ::accept4(broker.fd, nullptr, nullptr, SOCK_CLOEXEC);
  REQUIRE(upstream >= 0);
  const std::string acks = bytes({0x40, 0x02, 0x00, 0x07, 0x50, 0x02, 0x00, 0x09});
  send_bytes(client, acks);
  CHECK(read_bytes(upstream, acks.size()) == acks);
  ::close(client);
  CHECK(relay.wait_finished(std::chrono::steady_clock::now() + 5s));
  ::close(upstream);
  CHECK(relay.held_acks() == 0);
}
