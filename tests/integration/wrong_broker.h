#pragma once

// A tiny MQTT 3.1.1 "broker" on a raw loopback socket that misbehaves on
// purpose, so that tests can prove mqttest notices: it answers a QoS 2
// PUBLISH with PUBACK (as RabbitMQ 3.10 does), or closes the connection when
// a SUBSCRIBE arrives. Everything else gets the right answer. One thread
// serves the connections one after another; stopped on destruction.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace mqttest::testing {

class wrong_broker {
 public:
  enum class fault { puback_for_qos2, close_on_subscribe };

  explicit wrong_broker(fault how) : fault_(how) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(listener_, 4);
    socklen_t size = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &size);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~wrong_broker() {
    stop_ = true;
    thread_.join();
    ::close(listener_);
  }
  wrong_broker(const wrong_broker&) = delete;
  wrong_broker& operator=(const wrong_broker&) = delete;

  std::string url() const { return "tcp://127.0.0.1:" + std::to_string(port_); }

 private:
  /// Waits up to 100 ms for fd to be readable.
  bool readable(int fd) const {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 100) > 0;
  }

  bool read_exactly(int fd, unsigned char* into, std::size_t size) const {
    std::size_t got = 0;
    while (got < size) {
      if (stop_) return false;
      if (!readable(fd)) continue;
      ssize_t n = ::recv(fd, into + got, size - got, 0);
      if (n <= 0) return false;
      got += static_cast<std::size_t>(n);
    }
    return true;
  }

  /// One packet: the first byte and the rest; false when the peer is gone.
  bool read_packet(int fd, unsigned char& type, std::vector<unsigned char>& body) const {
    if (!read_exactly(fd, &type, 1)) return false;
    std::size_t length = 0;
    for (int shift = 0; shift < 28; shift += 7) {
      unsigned char byte = 0;
      if (!read_exactly(fd, &byte, 1)) return false;
      length |= static_cast<std::size_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) break;
    }
    body.resize(length);
    return length == 0 || read_exactly(fd, body.data(), length);
  }

  static void send(int fd, std::vector<unsigned char> bytes) {
    ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  }

  void serve_connection(int fd) const {
    unsigned char type = 0;
    std::vector<unsigned char> body;
    while (read_packet(fd, type, body)) {
      switch (type >> 4) {
        case 1:  // CONNECT
          send(fd, {0x20, 0x02, 0x00, 0x00});
          break;
        case 3: {  // PUBLISH
          int qos = (type >> 1) & 3;
          if (qos == 0 || body.size() < 2) break;
          std::size_t topic = (static_cast<std::size_t>(body[0]) << 8) | body[1];
          if (body.size() < topic + 4) break;
          unsigned char high = body[2 + topic], low = body[3 + topic];
          bool right = qos == 1 || fault_ != fault::puback_for_qos2;
          send(fd, {static_cast<unsigned char>(right && qos == 2 ? 0x50 : 0x40), 0x02, high, low});
          break;
        }
        case 6:  // PUBREL
          if (body.size() >= 2) send(fd, {0x70, 0x02, body[0], body[1]});
          break;
        case 8:  // SUBSCRIBE
          if (fault_ == fault::close_on_subscribe) return;
          if (body.size() >= 2) send(fd, {0x90, 0x03, body[0], body[1], 0x00});
          break;
        case 12:  // PINGREQ
          send(fd, {0xD0, 0x00});
          break;
        case 14:  // DISCONNECT
          return;
        default:
          break;
      }
    }
  }

  void serve() {
    while (!stop_) {
      if (!readable(listener_)) continue;
      int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) continue;
      serve_connection(fd);
      ::close(fd);
    }
  }

  fault fault_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace mqttest::testing
