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

/// A relay must not hold small packets back (Nagle): MQTT's are.
void no_delay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace

loopback_relay::loopback_relay(broker_url broker, std::chrono::milliseconds connect_timeout)
    : broker_(std::move(broker)), connect_timeout_(connect_timeout) {
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
  if (client < 0) return;
  relay(client);
  ::shutdown(client, SHUT_RDWR);
  ::close(client);
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
      moved = got > 0 && (to < 0 || write_all(to, buffer.data(), static_cast<std::size_t>(got),
                                              wake_read_));
    }
    if (!moved) break;
  }
  ::shutdown(upstream, SHUT_RDWR);
  ::close(upstream);
}

}  // namespace mqttest
