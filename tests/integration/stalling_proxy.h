#pragma once

// A TCP proxy to a loopback port that can stop forwarding without closing
// anything: the broker then sees a client that went silent (keep-alive).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>

#include <fmt/format.h>

namespace mqttest::testing {

class stalling_proxy {
 public:
  explicit stalling_proxy(int target_port) : target_port_(target_port) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address = loopback(0);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(listen_fd_, 4);
    socklen_t size = sizeof address;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &size);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~stalling_proxy() {
    done_ = true;
    thread_.join();
    for (int fd : {listen_fd_, client_fd_, broker_fd_})
      if (fd >= 0) ::close(fd);
  }
  stalling_proxy(const stalling_proxy&) = delete;
  stalling_proxy& operator=(const stalling_proxy&) = delete;

  std::string url() const { return fmt::format("tcp://127.0.0.1:{}", port_); }
  /// From now on nothing is forwarded either way; connections stay open.
  void stall() { stalled_ = true; }

 private:
  static sockaddr_in loopback(int port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<uint16_t>(port));
    return address;
  }

  void serve() {
    pollfd accept_poll{listen_fd_, POLLIN, 0};
    while (!done_ && client_fd_ < 0)
      if (::poll(&accept_poll, 1, 20) == 1) client_fd_ = ::accept(listen_fd_, nullptr, nullptr);
    if (client_fd_ < 0) return;
    broker_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in target = loopback(target_port_);
    if (::connect(broker_fd_, reinterpret_cast<sockaddr*>(&target), sizeof target) != 0) return;
    char buffer[4096];
    while (!done_) {
      pollfd fds[2] = {{client_fd_, POLLIN, 0}, {broker_fd_, POLLIN, 0}};
      if (stalled_ || ::poll(fds, 2, 20) <= 0) {
        if (stalled_) std::this_thread::sleep_for(std::chrono::milliseconds(20));
        continue;
      }
      for (int i = 0; i < 2; ++i) {
        if ((fds[i].revents & (POLLIN | POLLHUP)) == 0) continue;
        ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
        if (n <= 0) return;
        [[maybe_unused]] ssize_t w = ::write(i == 0 ? broker_fd_ : client_fd_, buffer, n);
      }
    }
  }

  int target_port_;
  int listen_fd_ = -1;
  int client_fd_ = -1;
  int broker_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stalled_{false};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace mqttest::testing
