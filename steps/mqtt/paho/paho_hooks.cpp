// The tuning itself. Measured on Debian's Paho C 1.3.11/1.3.12 + Paho C++ 1.2.0:
//  - a client connecting while another client object is alive waits
//    ~1.1-2 s: Paho's single receive thread poll()s a snapshot of its
//    sockets (1000 ms timeout once traffic was seen) or, with no sockets,
//    usleep()s 100 ms; nothing wakes it when a new socket appears.
//  - destroying the last client blocks 100-200 ms while Paho stops that
//    thread.
//  - Paho never sets TCP_NODELAY; Nagle holds a SUBSCRIBE sent right after a
//    PUBACK for ~40 ms.
//
// Paho C imports poll, usleep, socket, connect and writev dynamically, and
// the mqttest executables export their own (see CMakeLists.txt), so these
// interpose them.
// Each acts only while the tuning is on (paho_runtime.cpp) and only on Paho's
// threads (named "MQTTAsync..."); every other thread gets the real function.
//  - poll/usleep also wait on a wake pipe; a connect_window writes to it so
//    the receive thread re-snapshots its sockets at once, and while any window
//    is open those waits are capped to 100 us (the thread may re-snapshot
//    before the new socket is registered).
//  - Paho's receive thread sleeps 100 ms after a poll that found nothing;
//    that usleep also watches the sockets the thread last polled, so a reply
//    arriving just after a capped poll is read at once (without it, SUBACKs
//    waited out the whole 100 ms).
//  - connect() remembers which sockets are connecting: Paho polls pending
//    writes with a zero timeout, then waits on its read set before acting on
//    a connect that completed; once such a socket turns writable that wait
//    is skipped. Paho's threads get a 1 us timer slack (default 50 us), so
//    a 100 us wait is not 150 us.
//  - socket() sets TCP_NODELAY on Paho's TCP sockets, and moves them to
//    descriptor numbers that rotate through [16, 64): Paho's receive thread
//    looks a socket up by number after its cycle, so when a failed client was
//    destroyed and the next step's socket reused its number, the old socket's
//    error failed the new connect ("socket error", seen under load right
//    after a failed TLS connect).
//  - pthread_cond_timedwait from Paho's threads is capped to 2 ms while any
//    session is open (session_opened): Paho's send thread reads its command count,
//    unlocks, then waits 1 s on a condition; a command queued in between is
//    a lost wake-up that costs a whole second (seen as a rare 1 s step).
//  - a large PUBLISH fills the socket's send buffer; Paho keeps the rest as
//    a pending write, which its receive thread continues only after a poll
//    of its read set (1000 ms) and a 100 ms sleep: ~1.1 s per partial write,
//    2.6-2.9 s for a 10 MB message. writev() from a Paho thread that leaves
//    a partial write wakes the receive thread (its wait may have begun
//    before); the zero-timeout poll of Paho's write set notes which sockets
//    are not writable, and the waits that follow also end when one of them
//    turns writable. (TLS writes go through OpenSSL: not covered.)
//  - ERR_print_errors_cb (Paho's report of a failed TLS handshake) keeps the
//    OpenSSL error text for last_tls_error(), tuning on or off: it changes no
//    timing, only the text of an error. Paho C++ 1.2's own TLS error callback
//    is not used: the context it hands Paho C points at a connect_options copy
//    that is gone by then (ASan: stack-use-after-scope).

#include <dlfcn.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <utility>
#include <vector>

#include "steps/mqtt/paho/tuning_state.h"

namespace mqttest::paho {
namespace {

using poll_fn = int (*)(struct pollfd*, nfds_t, int);
using usleep_fn = int (*)(useconds_t);
using socket_fn = int (*)(int, int, int);
using connect_fn = int (*)(int, const struct sockaddr*, socklen_t);
using err_callback = int (*)(const char*, size_t, void*);
using err_print_fn = void (*)(err_callback, void*);
using cond_timedwait_fn = int (*)(pthread_cond_t*, pthread_mutex_t*, const struct timespec*);
using writev_fn = ssize_t (*)(int, const struct iovec*, int);

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

writev_fn real_writev() {
  static const writev_fn fn = next_symbol<writev_fn>("writev");
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
    auto found =
        reinterpret_cast<err_print_fn>(dlvsym(RTLD_NEXT, "ERR_print_errors_cb", "OPENSSL_3.0.0"));
    return found != nullptr ? found : next_symbol<err_print_fn>("ERR_print_errors_cb");
  }();
  return fn;
}

/// The tuning acts on this thread: it is on, and this is one of Paho's threads.
bool on_paho_thread() {
  if (!tuning_active()) return false;
  thread_local int paho = -1;
  if (paho < 0) {
    char name[17] = {};
    prctl(PR_GET_NAME, name);
    paho = std::strncmp(name, kPahoThreadPrefix, std::strlen(kPahoThreadPrefix)) == 0 ? 1 : 0;
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

/// Sockets this Paho thread found not writable in its last poll of the write
/// set: their send buffer is full, so a large PUBLISH has a pending partial
/// write. Paho then waits on its read set only (1000 ms, then a 100 ms
/// sleep) before it tries the write again, though the broker sends nothing
/// until the message is complete; the waits below also end when one of them
/// turns writable.
std::vector<struct pollfd>& blocked_writes() {
  thread_local std::vector<struct pollfd> fds;
  return fds;
}

/// After a zero-timeout poll of Paho's write set: which sockets are full.
void note_blocked_writes(const struct pollfd* fds, nfds_t count) {
  bool write_set = std::any_of(fds, fds + count, [](const struct pollfd& p) {
    return (p.events & POLLOUT) != 0;
  });
  if (!write_set) return;  // a read poll: the write set's snapshot stands
  std::vector<struct pollfd>& blocked = blocked_writes();
  blocked.clear();
  for (nfds_t i = 0; i < count; ++i)
    if ((fds[i].events & POLLOUT) != 0 && fds[i].revents == 0)
      blocked.push_back({fds[i].fd, POLLOUT, 0});
}

/// poll() on fds plus the wake pipe and the blocked writes; their readiness
/// is not reported (the call may return 0 early).
int wakeable_poll(struct pollfd* fds, nfds_t count, int timeout_ms) {
  wake_state& state = wake();
  if (state.read_fd < 0) return real_poll()(fds, count, timeout_ms);
  if (std::exchange(connect_completed(), false)) return real_poll()(fds, count, 0);
  // While a connect is open, wait at most 100 us (ppoll: poll() counts whole
  // milliseconds, and a connect takes several of Paho's loops).
  bool connecting = state.connecting.load() > 0;
  thread_local std::vector<struct pollfd> all;
  all.assign(fds, fds + count);
  const std::vector<struct pollfd>& blocked = blocked_writes();
  all.insert(all.end(), blocked.begin(), blocked.end());
  all.push_back({state.read_fd, POLLIN, 0});
  struct timespec brief {
    0, 100'000
  };
  int ready = connecting ? ppoll(all.data(), all.size(), &brief, nullptr)
                         : real_poll()(all.data(), all.size(), timeout_ms);
  if (ready <= 0) return ready;
  int reported = 0;
  for (nfds_t i = 0; i < count; ++i) {
    fds[i].revents = all[i].revents;
    if (fds[i].revents != 0) ++reported;
  }
  if (all.back().revents != 0) drain(state.read_fd);
  return reported;
}

}  // namespace

/// Declared weak in paho_runtime.cpp: only executables that link this file have it.
bool hooks_bound() {
  // Paho resolves these through the global scope, as dlsym(RTLD_DEFAULT)
  // does: only an executable that exports them gets Paho's calls.
  return dlsym(RTLD_DEFAULT, "poll") == reinterpret_cast<void*>(&::poll) &&
         dlsym(RTLD_DEFAULT, "usleep") == reinterpret_cast<void*>(&::usleep) &&
         dlsym(RTLD_DEFAULT, "socket") == reinterpret_cast<void*>(&::socket) &&
         dlsym(RTLD_DEFAULT, "connect") == reinterpret_cast<void*>(&::connect) &&
         dlsym(RTLD_DEFAULT, "writev") == reinterpret_cast<void*>(&::writev) &&
         dlsym(RTLD_DEFAULT, "pthread_cond_timedwait") ==
             reinterpret_cast<void*>(&::pthread_cond_timedwait);
}

}  // namespace mqttest::paho

extern "C" {

int poll(struct pollfd* fds, nfds_t count, int timeout_ms) {
  using namespace mqttest::paho;
  if (!on_paho_thread()) return real_poll()(fds, count, timeout_ms);
  if (timeout_ms != 0) {
    note_receive_wait();
    last_polled().assign(fds, fds + count);
    return wakeable_poll(fds, count, timeout_ms);
  }
  int ready = real_poll()(fds, count, 0);
  if (ready >= 0) note_blocked_writes(fds, count);
  if (ready > 0) note_completed_connects(fds, count);
  return ready;
}

int connect(int fd, const struct sockaddr* address, socklen_t length) {
  using namespace mqttest::paho;
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

ssize_t writev(int fd, const struct iovec* parts, int count) {
  using namespace mqttest::paho;
  ssize_t written = real_writev()(fd, parts, count);
  int error = errno;
  if (on_paho_thread()) {
    std::size_t total = 0;
    for (int i = 0; i < count; ++i) total += parts[i].iov_len;
    bool partial = written >= 0 ? static_cast<std::size_t>(written) < total
                                : error == EAGAIN || error == EWOULDBLOCK;
    // A pending write now: the receive thread, maybe already waiting on its
    // read set, goes round and finds the socket blocked (note_blocked_writes).
    wake_state& state = wake();
    if (partial && state.write_fd >= 0) {
      char byte = 1;
      [[maybe_unused]] auto ignored = write(state.write_fd, &byte, 1);
    }
  }
  errno = error;
  return written;
}

int usleep(useconds_t microseconds) {
  using namespace mqttest::paho;
  if (microseconds < 1000 || !on_paho_thread()) return real_usleep()(microseconds);
  note_receive_wait();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(microseconds);
  std::vector<struct pollfd> watched = last_polled();
  while (true) {
    auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
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
  using namespace mqttest::paho;
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
  using namespace mqttest::paho;
  if (!on_paho_thread()) return real_cond_timedwait()(cond, mutex, deadline);
  note_send_wait();
  if (wake().active_sessions.load() == 0) return real_cond_timedwait()(cond, mutex, deadline);
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
  using namespace mqttest::paho;
  int fd = real_socket()(domain, type, protocol);
  if (fd >= 0 && (domain == AF_INET || domain == AF_INET6) && (type & 0xf) == SOCK_STREAM &&
      on_paho_thread()) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fd = fresh_number(fd);
  }
  return fd;
}

}  // extern "C"
