#include "steps/mqtt/paho/paho_tuning.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <mqtt/async_client.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

namespace mqttest {
namespace {

using poll_fn = int (*)(struct pollfd*, nfds_t, int);
using usleep_fn = int (*)(useconds_t);
using socket_fn = int (*)(int, int, int);
using connect_fn = int (*)(int, const struct sockaddr*, socklen_t);
using err_callback = int (*)(const char*, size_t, void*);
using err_print_fn = void (*)(err_callback, void*);
using cond_timedwait_fn = int (*)(pthread_cond_t*, pthread_mutex_t*, const struct timespec*);

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

connect_fn real_connect() {
  static const connect_fn fn = next_symbol<connect_fn>("connect");
  return fn;
}

cond_timedwait_fn real_cond_timedwait() {
  // Paho binds the GLIBC_2.3.2 version; plain dlsym could return the old one.
  static const cond_timedwait_fn fn = reinterpret_cast<cond_timedwait_fn>(
      dlvsym(RTLD_NEXT, "pthread_cond_timedwait", "GLIBC_2.3.2"));
  return fn != nullptr ? fn : next_symbol<cond_timedwait_fn>("pthread_cond_timedwait");
}

err_print_fn real_err_print() {
  static const err_print_fn fn = [] {
    auto found = reinterpret_cast<err_print_fn>(
        dlvsym(RTLD_NEXT, "ERR_print_errors_cb", "OPENSSL_3.0.0"));
    return found != nullptr ? found : next_symbol<err_print_fn>("ERR_print_errors_cb");
  }();
  return fn;
}

/// Shared by the interposed functions and connect_window.
struct wake_state {
  int read_fd = -1;
  int write_fd = -1;
  std::atomic<int> connecting{0};
  std::atomic<int> active_sessions{0};

  std::mutex pending;
  std::vector<int> pending_connects;  ///< guarded by pending: TCP connects in progress
  std::atomic<int> pending_count{0};

  std::mutex tls;
  std::string tls_error;  ///< guarded by tls

  std::mutex claim;  ///< held by one socket_claim at a time
  std::mutex sockets;
  std::condition_variable opened;
  unsigned long long socket_generation = 0;  ///< guarded by sockets
  int last_socket = -1;                      ///< guarded by sockets

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
    // Wake up on time: the default 50 us slack would double the 100 us waits.
    if (paho == 1) prctl(PR_SET_TIMERSLACK, 1000UL);
  }
  return paho == 1;
}

/// fd moved to a descriptor number no recent Paho socket had. Paho's receive
/// thread looks a socket up by number after its cycle ends; if the step's
/// client was destroyed and the next one got the same number meanwhile, the
/// old socket's error is blamed on the new client ("socket error" on a good
/// connect, seen after a failed TLS connect under load). Numbers rotate
/// through [16, 64): the kernel's first descriptor table holds 64, and
/// growing it in a threaded process waits for an RCU grace period (~25 ms).
int fresh_number(int fd) {
  constexpr int kBottom = 16;
  constexpr int kTop = 64;
  static std::atomic<int> next{kBottom};
  int wanted = next.load();
  if (wanted >= kTop) wanted = kBottom;
  int moved = fcntl(fd, F_DUPFD_CLOEXEC, wanted);
  if (moved >= kTop && wanted != kBottom) {  // the rest of the range is taken
    close(moved);
    moved = fcntl(fd, F_DUPFD_CLOEXEC, kBottom);
  }
  if (moved < 0 || moved >= kTop) {
    if (moved >= 0) close(moved);
    return fd;
  }
  close(fd);
  next.store(moved + 1);
  return moved;
}

void drain(int fd) {
  char buffer[64];
  while (read(fd, buffer, sizeof buffer) > 0) {
  }
}

/// The sockets this Paho thread last polled. Paho's receive thread sleeps
/// 100 ms after a poll that found nothing; that sleep watches them too, or a
/// reply arriving just after a capped poll would wait out the whole sleep.
std::vector<struct pollfd>& last_polled() {
  thread_local std::vector<struct pollfd> fds;
  return fds;
}

/// Set when this thread's zero-timeout poll saw a pending TCP connect
/// complete: Paho polls for writable sockets first, then waits on readable
/// ones before it acts on the writable one; that wait is skipped.
bool& connect_completed() {
  thread_local bool completed = false;
  return completed;
}

/// After a zero-timeout poll on a Paho thread: did a pending connect complete?
void note_completed_connects(const struct pollfd* fds, nfds_t count) {
  wake_state& state = wake();
  if (state.pending_count.load() == 0) return;
  std::lock_guard lock(state.pending);
  for (nfds_t i = 0; i < count; ++i) {
    if ((fds[i].revents & (POLLOUT | POLLERR | POLLHUP)) == 0) continue;
    if (std::erase(state.pending_connects, fds[i].fd) > 0) connect_completed() = true;
  }
  state.pending_count.store(static_cast<int>(state.pending_connects.size()));
}

/// poll() on fds plus the wake pipe; the pipe's readiness is not reported.
int wakeable_poll(struct pollfd* fds, nfds_t count, int timeout_ms) {
  wake_state& state = wake();
  if (state.read_fd < 0) return real_poll()(fds, count, timeout_ms);
  if (std::exchange(connect_completed(), false)) return real_poll()(fds, count, 0);
  // While a connect is open, wait at most 100 us (ppoll: poll() counts whole
  // milliseconds, and a connect takes several of Paho's loops).
  bool connecting = state.connecting.load() > 0;
  thread_local std::vector<struct pollfd> all;
  all.assign(fds, fds + count);
  all.push_back({state.read_fd, POLLIN, 0});
  struct timespec brief {0, 100'000};
  int ready = connecting ? ppoll(all.data(), all.size(), &brief, nullptr)
                         : real_poll()(all.data(), all.size(), timeout_ms);
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

std::string last_tls_error() {
  std::lock_guard lock(wake().tls);
  return wake().tls_error;
}

void clear_tls_error() {
  std::lock_guard lock(wake().tls);
  wake().tls_error.clear();
}

session_activity::session_activity() { wake().active_sessions.fetch_add(1); }

session_activity::~session_activity() { wake().active_sessions.fetch_sub(1); }

socket_claim::socket_claim() {
  wake_state& state = wake();
  state.claim.lock();
  std::lock_guard lock(state.sockets);
  generation_ = state.socket_generation;
}

socket_claim::~socket_claim() { release(); }

void socket_claim::release() {
  if (held_) wake().claim.unlock();
  held_ = false;
}

int socket_claim::poll_socket() {
  wake_state& state = wake();
  std::unique_lock lock(state.sockets);
  state.opened.wait_for(lock, std::chrono::milliseconds(2),
                        [&] { return state.socket_generation != generation_; });
  return state.socket_generation != generation_ ? state.last_socket : -1;
}

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
  if (!on_paho_thread()) return real_poll()(fds, count, timeout_ms);
  if (timeout_ms != 0) {
    last_polled().assign(fds, fds + count);
    return wakeable_poll(fds, count, timeout_ms);
  }
  int ready = real_poll()(fds, count, 0);
  if (ready > 0) note_completed_connects(fds, count);
  return ready;
}

int connect(int fd, const struct sockaddr* address, socklen_t length) {
  using namespace mqttest;
  int rc = real_connect()(fd, address, length);
  int error = errno;
  if (rc != 0 && error == EINPROGRESS && on_paho_thread()) {
    wake_state& state = wake();
    std::lock_guard lock(state.pending);
    state.pending_connects.push_back(fd);
    state.pending_count.store(static_cast<int>(state.pending_connects.size()));
  }
  errno = error;
  return rc;
}

int usleep(useconds_t microseconds) {
  using namespace mqttest;
  if (microseconds < 1000 || !on_paho_thread()) return real_usleep()(microseconds);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(microseconds);
  std::vector<struct pollfd> watched = last_polled();
  while (true) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline -
                                                             std::chrono::steady_clock::now());
    if (left.count() <= 0) return 0;
    if (wakeable_poll(watched.data(), watched.size(), static_cast<int>(left.count())) <= 0)
      return 0;  // slept, or woken by a connect_window
    // A socket closed since Paho's poll reports POLLNVAL at once: forget it
    // and sleep on; any other event ends the sleep.
    if (std::any_of(watched.begin(), watched.end(),
                    [](const struct pollfd& w) { return w.revents != 0 && w.revents != POLLNVAL; }))
      return 0;
    std::erase_if(watched, [](const struct pollfd& w) { return w.revents == POLLNVAL; });
    last_polled() = watched;
  }
}

void ERR_print_errors_cb(int (*)(const char*, size_t, void*), void*) {
  using namespace mqttest;
  real_err_print()(
      [](const char* text, size_t length, void*) {
        std::string line(text, length);
        while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
        std::lock_guard lock(wake().tls);
        if (wake().tls_error.empty()) wake().tls_error = line;
        return 1;
      },
      nullptr);
}

int pthread_cond_timedwait(pthread_cond_t* cond, pthread_mutex_t* mutex,
                           const struct timespec* deadline) {
  using namespace mqttest;
  if (wake().active_sessions.load() == 0 || !on_paho_thread())
    return real_cond_timedwait()(cond, mutex, deadline);
  // Paho's conditions use CLOCK_REALTIME (no pthread_condattr_setclock).
  struct timespec soon {};
  clock_gettime(CLOCK_REALTIME, &soon);
  soon.tv_nsec += 2'000'000;
  if (soon.tv_nsec >= 1'000'000'000) {
    soon.tv_nsec -= 1'000'000'000;
    ++soon.tv_sec;
  }
  bool earlier = soon.tv_sec < deadline->tv_sec ||
                 (soon.tv_sec == deadline->tv_sec && soon.tv_nsec < deadline->tv_nsec);
  return real_cond_timedwait()(cond, mutex, earlier ? &soon : deadline);
}

int socket(int domain, int type, int protocol) {
  int fd = mqttest::real_socket()(domain, type, protocol);
  if (fd >= 0 && (domain == AF_INET || domain == AF_INET6) && (type & 0xf) == SOCK_STREAM) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (mqttest::on_paho_thread()) {
      fd = mqttest::fresh_number(fd);
      auto& state = mqttest::wake();
      {
        std::lock_guard lock(state.sockets);
        state.last_socket = fd;
        ++state.socket_generation;
      }
      state.opened.notify_all();
    }
  }
  return fd;
}

}  // extern "C"
