#include "steps/mqtt/loopback_relay.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string_view>

#include "steps/mqtt/connect_probe.h"

namespace mqttest {
namespace {

/// Paho reads the proxy's answer as soon as it sent its request and sleeps
/// 250 ms when nothing is there yet; sent right after accept(), the answer
/// is usually waiting for it.
constexpr std::string_view kEstablished = "HTTP/1.1 200 Connection established\r\n\r\n";
constexpr std::size_t kMaxRequest = 8192;

/// Writes all of data to the non-blocking fd; false when the peer is gone or wake fires.
bool write_all(int fd, const char* data, std::size_t size, int wake) {
  while (size > 0) {
    ssize_t sent = ::send(fd, data, size, MSG_NOSIGNAL);
    if (sent > 0) {
      data += sent;
      size -= static_cast<std::size_t>(sent);
      continue;
    }
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      std::array<pollfd, 2> fds{{{fd, POLLOUT, 0}, {wake, POLLIN, 0}}};
      if (::poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) return false;
      if (fds[1].revents != 0) return false;
      continue;
    }
    return false;
  }
  return true;
}

/// Where the MQTT packet at the front of some bytes ends.
struct packet_extent {
  std::size_t header = 0;  ///< fixed header: type byte and Remaining Length
  std::size_t total = 0;   ///< the whole packet; 0 while it is incomplete
  bool malformed = false;  ///< a Remaining Length of more than four bytes
};

packet_extent packet_at(std::string_view bytes) {
  std::size_t length = 0;
  for (std::size_t i = 1; i <= 4; ++i) {
    if (i >= bytes.size()) return {};
    auto byte = static_cast<unsigned char>(bytes[i]);
    length |= static_cast<std::size_t>(byte & 0x7F) << (7 * (i - 1));
    if ((byte & 0x80) == 0) {
      std::size_t total = 1 + i + length;
      return {.header = 1 + i, .total = bytes.size() < total ? 0 : total};
    }
  }
  return {.malformed = true};
}

/// A relay must not hold small packets back (Nagle): MQTT's are.
void no_delay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace

loopback_relay::loopback_relay(broker_url broker, std::chrono::milliseconds connect_timeout,
                               std::function<void(std::string_view)> held)
    : broker_(std::move(broker)), connect_timeout_(connect_timeout), on_held_(std::move(held)) {
  int wake[2];
  if (::pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0)
    throw std::runtime_error(fmt::format("pipe: {}", std::strerror(errno)));
  wake_read_ = wake[0];
  wake_write_ = wake[1];
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
      ::listen(listener_, 1) != 0 ||
      ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    std::string why = std::strerror(errno);
    if (listener_ >= 0) ::close(listener_);
    ::close(wake_read_);
    ::close(wake_write_);
    throw std::runtime_error(fmt::format("cannot listen on 127.0.0.1: {}", why));
  }
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { run(); });
}

loopback_relay::~loopback_relay() {
  cut();
  ::close(wake_read_);
  ::close(wake_write_);
}

std::string loopback_relay::proxy() const { return fmt::format("127.0.0.1:{}", port_); }

void loopback_relay::cut() {
  if (!thread_.joinable()) return;
  char byte = 1;
  [[maybe_unused]] auto written = ::write(wake_write_, &byte, 1);
  thread_.join();
}

bool loopback_relay::wait_broker_closed(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return closed_.wait_until(lock, deadline, [this] { return broker_closed_; });
}

void loopback_relay::run() {
  std::array<pollfd, 2> fds{{{listener_, POLLIN, 0}, {wake_read_, POLLIN, 0}}};
  int client = -1;
  while (client < 0) {
    if (::poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) break;
    if (fds[1].revents != 0) break;
    client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (client < 0 && errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) break;
  }
  ::close(listener_);  // one connection only
  listener_ = -1;
  if (client >= 0) {
    relay(client);
    ::shutdown(client, SHUT_RDWR);
    ::close(client);
  }
  std::lock_guard lock(mutex_);
  finished_ = true;
  closed_.notify_all();
}

bool loopback_relay::wait_finished(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return closed_.wait_until(lock, deadline, [this] { return finished_; });
}

bool loopback_relay::forward_holding_acks(std::string& pending, int to) {
  std::size_t start = 0;
  std::size_t passed = 0;  // pending[start, start + passed) goes out as it is
  auto flush = [&] {
    bool ok = passed == 0 || write_all(to, pending.data() + start, passed, wake_read_);
    start += passed;
    passed = 0;
    return ok;
  };
  while (true) {
    std::string_view rest(pending.data() + start + passed, pending.size() - start - passed);
    packet_extent packet = packet_at(rest);
    if (packet.malformed) {  // not MQTT as far as we can read it: pass everything on
      unreadable_ = true;
      passed = pending.size() - start;
      break;
    }
    if (packet.total == 0) break;
    int type = static_cast<unsigned char>(rest[0]) >> 4;
    if (type != 4 && type != 5) {  // PUBACK, PUBREC
      passed += packet.total;
      continue;
    }
    if (!flush()) return false;
    int id = 0;
    if (packet.total >= packet.header + 2)
      id = (static_cast<unsigned char>(rest[packet.header]) << 8) |
           static_cast<unsigned char>(rest[packet.header + 1]);
    start += packet.total;
    ++held_;
    if (on_held_) on_held_(fmt::format("{} {}", type == 4 ? "PUBACK" : "PUBREC", id));
  }
  bool ok = flush();
  pending.erase(0, start);
  return ok;
}

void loopback_relay::relay(int client) {
  no_delay(client);
  if (!write_all(client, kEstablished.data(), kEstablished.size(), wake_read_)) return;
  // The client's request ("CONNECT host:port HTTP/1.1", headers, blank line)
  // names the broker this relay was made for: read it and drop it.
  std::string request;
  std::array<char, 4096> buffer{};
  std::array<pollfd, 2> wait_client{{{client, POLLIN, 0}, {wake_read_, POLLIN, 0}}};
  while (request.find("\r\n\r\n") == std::string::npos) {
    if (::poll(wait_client.data(), wait_client.size(), -1) < 0 && errno != EINTR) return;
    if (wait_client[1].revents != 0) return;
    ssize_t got = ::recv(client, buffer.data(), buffer.size(), MSG_PEEK);
    if (got <= 0) {
      if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      return;
    }
    // Take only the request: the bytes after it already belong to the broker.
    std::string_view seen(buffer.data(), static_cast<std::size_t>(got));
    std::string joined = request + std::string(seen);
    std::size_t end = joined.find("\r\n\r\n");
    std::size_t take = end == std::string::npos ? seen.size() : end + 4 - request.size();
    ::recv(client, buffer.data(), take, 0);
    request.append(buffer.data(), take);
    if (request.size() > kMaxRequest) return;
  }
  if (request.rfind("CONNECT ", 0) != 0) return;

  std::string problem;
  int upstream = open_tcp(broker_, std::chrono::steady_clock::now() + connect_timeout_, problem);
  if (upstream < 0) return;  // the client sees its connection end; the session names why
  no_delay(upstream);
  std::array<pollfd, 3> fds{{{client, POLLIN, 0}, {upstream, POLLIN, 0}, {wake_read_, POLLIN, 0}}};
  std::string client_bytes;  // holdAcks: the client's bytes not yet a whole packet
  while (true) {
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[2].revents != 0) break;
    bool moved = true;
    for (int from = 0; from < 2 && moved; ++from) {
      if (fds[from].fd < 0 || fds[from].revents == 0) continue;
      int to = fds[1 - from].fd;
      ssize_t got = ::recv(fds[from].fd, buffer.data(), buffer.size(), 0);
      if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (silent_ && from == 0) {  // swallowed; a closing client leaves the broker's side open
        if (got <= 0) fds[0].fd = -1;
        continue;
      }
      if (got <= 0 && from == 1) {
        std::lock_guard lock(mutex_);
        broker_closed_ = true;
        closed_.notify_all();
      }
      if (got > 0 && from == 0 && on_held_ && !unreadable_) {
        client_bytes.append(buffer.data(), static_cast<std::size_t>(got));
        moved = to < 0 || forward_holding_acks(client_bytes, to);
        continue;
      }
      moved = got > 0 && (to < 0 || write_all(to, buffer.data(), static_cast<std::size_t>(got),
                                              wake_read_));
    }
    if (!moved) break;
  }
  ::shutdown(upstream, SHUT_RDWR);
  ::close(upstream);
}

}  // namespace mqttest
