#pragma once

#include <string>

/// Speed fixes for Paho C 1.3.x, the one place in mqttest with such tricks.
///
/// Measured on Debian's Paho C 1.3.11/1.3.12 + Paho C++ 1.2.0:
///  - a client connecting while another client object is alive waits
///    ~1.1-2 s: Paho's single receive thread poll()s a snapshot of its
///    sockets (1000 ms timeout once traffic was seen) or, with no sockets,
///    usleep()s 100 ms; nothing wakes it when a new socket appears.
///  - destroying the last client blocks 100-200 ms while Paho stops that
///    thread.
///  - Paho never sets TCP_NODELAY; Nagle holds a SUBSCRIBE sent right after a
///    PUBACK for ~40 ms.
///
/// Paho C imports poll, usleep, socket and connect dynamically, and the mqttest
/// executables export their own (see CMakeLists.txt), so paho_tuning.cpp
/// interposes them:
///  - poll/usleep called from Paho's threads (named "MQTTAsync...") also wait
///    on a wake pipe; a connect_window writes to it so the receive thread
///    re-snapshots its sockets at once, and while any window is open those
///    waits are capped to 100 us (the thread may re-snapshot before the new
///    socket is registered). Every other thread gets the real functions.
///  - Paho's receive thread sleeps 100 ms after a poll that found nothing;
///    that usleep also watches the sockets the thread last polled, so a reply
///    arriving just after a capped poll is read at once (without it, SUBACKs
///    waited out the whole 100 ms).
///  - connect() remembers which sockets are connecting: Paho polls pending
///    writes with a zero timeout, then waits on its read set before acting on
///    a connect that completed; once such a socket turns writable that wait
///    is skipped. Paho's threads get a 1 us timer slack (default 50 us), so
///    a 100 us wait is not 150 us.
///  - socket() sets TCP_NODELAY on TCP sockets, and moves Paho's sockets to
///    descriptor numbers that rotate through [16, 64): Paho's receive
///    thread looks a socket up by number after its cycle, so when a failed
///    client was destroyed and the next step's socket reused its number, the
///    old socket's error failed the new connect ("socket error", seen under
///    load right after a failed TLS connect).
///  - ERR_print_errors_cb (Paho's report of a failed TLS handshake) keeps the
///    OpenSSL error text for last_tls_error(). Paho C++ 1.2's own TLS error
///    callback is not used: the context it hands Paho C points at a
///    connect_options copy that is gone by then (ASan: stack-use-after-scope).
///  - pthread_cond_timedwait from Paho's threads is capped to 2 ms while any
///    session_activity is alive: Paho's send thread reads its command count,
///    unlocks, then waits 1 s on a condition; a command queued in between is
///    a lost wake-up that costs a whole second (seen as a rare 1 s step).
/// ensure_paho_anchor() keeps one never-connected client alive for the whole
/// process, so destroying a step's client never stops Paho's threads.
/// A one-shot CLI should _exit after flushing so the anchor is never destroyed.

namespace mqttest {

/// Open around a connect, from before connect() until CONNACK or failure.
class connect_window {
 public:
  connect_window();
  ~connect_window();
  connect_window(const connect_window&) = delete;
  connect_window& operator=(const connect_window&) = delete;
};

/// OpenSSL's text for the last failed TLS handshake ("" if none since the
/// last clear_tls_error()).
std::string last_tls_error();
void clear_tls_error();

/// Held for a session's lifetime (see pthread_cond_timedwait above).
class session_activity {
 public:
  session_activity();
  ~session_activity();
  session_activity(const session_activity&) = delete;
  session_activity& operator=(const session_activity&) = delete;
};

/// Finds the TCP socket Paho opens for one connect (for an abrupt
/// disconnect, which Paho has no API for). Construct just before connect():
/// connects of all sessions are serialised from then until the socket exists
/// (Paho opens it on its own thread, microseconds later), so the next socket
/// a Paho thread opens is this connect's.
class socket_claim {
 public:
  socket_claim();
  ~socket_claim();
  socket_claim(const socket_claim&) = delete;
  socket_claim& operator=(const socket_claim&) = delete;

  /// Waits until Paho opened the socket, or until gave_up() returns true
  /// (checked every few ms: the connect failed first). Then lets other
  /// connects proceed. Returns the fd or -1.
  template <typename Predicate>
  int wait(Predicate gave_up) {
    int fd = -1;
    while ((fd = poll_socket()) < 0 && !gave_up()) {
    }
    release();
    return fd;
  }

 private:
  int poll_socket();  ///< waits a few ms; the fd, or -1
  void release();
  unsigned long long generation_;
  bool held_ = true;
};

/// Creates the process-wide anchor client once; cheap afterwards.
void ensure_paho_anchor();

}  // namespace mqttest
