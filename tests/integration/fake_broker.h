#pragma once

// A listener on a free loopback port that speaks just enough MQTT to fail a
// client in a chosen way: per protocol level of the CONNECT (3: MQTT 3.1,
// 4: MQTT 3.1.1, 5: MQTT 5) it closes the connection without a CONNACK (as
// RabbitMQ 3.10 does for MQTT 5), answers with a refusing CONNACK code, or
// keeps the connection open and says nothing (a broker that hangs).

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace mqttest::testing {

class fake_broker {
 public:
  enum class answer { close, silence, refuse };
  struct reply {
    answer how = answer::close;
    int code = 0;  ///< the CONNACK code with answer::refuse
  };

  /// `replies`: protocol level -> reply; a level not listed: close.
  explicit fake_broker(std::map<int, reply> replies) : replies_(std::move(replies)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(listen_fd_, 8);
    socklen_t size = sizeof address;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &size);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~fake_broker() {
    done_ = true;
    thread_.join();
    ::close(listen_fd_);
    for (int fd : open_) ::close(fd);
  }
  fake_broker(const fake_broker&) = delete;
  fake_broker& operator=(const fake_broker&) = delete;

  std::string url() const { return fmt::format("tcp://127.0.0.1:{}", port_); }
  int connects() const { return connects_; }

 private:
  void serve() {
    while (!done_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) != 1) continue;
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      handle(fd);
    }
  }

  /// Reads the CONNECT (fixed header, remaining length, "MQTT"/"MQIsdp", level).
  void handle(int fd) {
    std::vector<unsigned char> packet;
    unsigned char buffer[1024];
    int level = -1;
    while (!done_ && level < 0) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 20) != 1) continue;
      ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n <= 0) break;
      packet.insert(packet.end(), buffer, buffer + n);
      level = protocol_level(packet);
    }
    ++connects_;
    reply r = replies_.count(level) ? replies_.at(level) : reply{};
    if (r.how == answer::refuse) {
      std::vector<unsigned char> connack = {0x20, 0x02, 0x00, static_cast<unsigned char>(r.code)};
      if (level == 5) connack = {0x20, 0x03, 0x00, static_cast<unsigned char>(r.code), 0x00};
      [[maybe_unused]] ssize_t w = ::write(fd, connack.data(), connack.size());
    }
    if (r.how == answer::silence)
      open_.push_back(fd);
    else
      ::close(fd);
  }

  static int protocol_level(const std::vector<unsigned char>& p) {
    std::size_t at = 1;  // skip the fixed header byte, then the remaining length
    while (at < p.size() && (p[at] & 0x80) != 0) ++at;
    ++at;
    if (at + 2 > p.size()) return -1;
    std::size_t name_length = (p[at] << 8) | p[at + 1];
    std::size_t level_at = at + 2 + name_length;
    return level_at < p.size() ? p[level_at] : -1;
  }

  std::map<int, reply> replies_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::vector<int> open_;
  std::atomic<int> connects_{0};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace mqttest::testing
