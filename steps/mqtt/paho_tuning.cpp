#include "steps/mqtt/paho_tuning.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <mqtt/async_client.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <vector>

namespace mqttest {
namespace {

using poll_fn = int (*)(struct pollfd*, nfds_t, int);
using usleep_fn = int (*)(useconds_t);
using socket_fn = int (*)(int, int, int);

template <typename Fn>
Fn next_symbol(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}

poll_fn real_poll() {
  static const poll_fn fn = next_symbol<poll_fn>("poll");
  return fn;
}

usleep_fn real_usleep() {
  static const usleep_fn fn = next_symbol<usleep_fn>("usleep");
  return fn;
}

socket_fn real_socket() {
  static const socket_fn fn = next_symbol<socket_fn>("socket");
  return fn;
}

/// Shared by the interposed functions and connect_window.
struct wake_state {
  int read_fd = -1;
  int write_fd = -1;
  std::atomic<int> connecting{0};

  wake_state() {
    int fds[2];
    if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) == 0) {
      read_fd = fds[0];
      write_fd = fds[1];
    }
  }
};

wake_state& wake() {
  static wake_state state;  // never destroyed before Paho's threads: fds stay open
  return state;
}

bool on_paho_thread() {
  thread_local int paho = -1;
  if (paho < 0) {
    char name[17] = {};
    prctl(PR_GET_NAME, name);
    paho = std::strncmp(name, "MQTTAsync", 9) == 0 ? 1 : 0;
  }
  return paho == 1;
}

void drain(int fd) {
  char buffer[64];
  while (read(fd, buffer, sizeof buffer) > 0) {
  }
}

/// poll() on fds plus the wake pipe; the pipe's readiness is not reported.
int wakeable_poll(struct pollfd* fds, nfds_t count, int timeout_ms) {
  wake_state& state = wake();
  if (state.read_fd < 0) return real_poll()(fds, count, timeout_ms);
  if (state.connecting.load() > 0 && (timeout_ms < 0 || timeout_ms > 1)) timeout_ms = 1;
  thread_local std::vector<struct pollfd> all;
  all.assign(fds, fds + count);
  all.push_back({state.read_fd, POLLIN, 0});
  int ready = real_poll()(all.data(), all.size(), timeout_ms);
  if (ready <= 0) return ready;
  for (nfds_t i = 0; i < count; ++i) fds[i].revents = all[i].revents;
  if (all.back().revents != 0) {
    drain(state.read_fd);
    --ready;
  }
  return ready;
}

}  // namespace

connect_window::connect_window() {
  wake_state& state = wake();
  state.connecting.fetch_add(1);
  if (state.write_fd >= 0) {
    char byte = 1;
    [[maybe_unused]] auto written = write(state.write_fd, &byte, 1);
  }
}

connect_window::~connect_window() { wake().connecting.fetch_sub(1); }

void ensure_paho_anchor() {
  // Never connected; lives until exit so Paho's threads are never stopped
  // while mqttest runs (a one-shot CLI _exits without destroying it).
  static mqtt::async_client anchor("tcp://127.0.0.1:1", "mqttest-anchor");
  (void)anchor;
}

}  // namespace mqttest

extern "C" {

int poll(struct pollfd* fds, nfds_t count, int timeout_ms) {
  using namespace mqttest;
  if (timeout_ms == 0 || !on_paho_thread()) return real_poll()(fds, count, timeout_ms);
  return wakeable_poll(fds, count, timeout_ms);
}

int usleep(useconds_t microseconds) {
  using namespace mqttest;
  if (microseconds < 1000 || !on_paho_thread()) return real_usleep()(microseconds);
  wakeable_poll(nullptr, 0, static_cast<int>(microseconds / 1000));
  return 0;
}

int socket(int domain, int type, int protocol) {
  int fd = mqttest::real_socket()(domain, type, protocol);
  if (fd >= 0 && (domain == AF_INET || domain == AF_INET6) && (type & 0xf) == SOCK_STREAM) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  return fd;
}

}  // extern "C"
