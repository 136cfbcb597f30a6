#pragma once

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
/// Paho C imports poll, usleep and socket dynamically, and the mqttest
/// executables export their own (see CMakeLists.txt), so paho_tuning.cpp
/// interposes them:
///  - poll/usleep called from Paho's threads (named "MQTTAsync...") also wait
///    on a wake pipe; a connect_window writes to it so the receive thread
///    re-snapshots its sockets at once, and while any window is open those
///    waits are capped to 1 ms (the thread may re-snapshot before the new
///    socket is registered). Every other thread gets the real functions.
///  - socket() sets TCP_NODELAY on TCP sockets.
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

/// Creates the process-wide anchor client once; cheap afterwards.
void ensure_paho_anchor();

}  // namespace mqttest
