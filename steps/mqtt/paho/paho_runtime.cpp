#include "steps/mqtt/paho/paho_runtime.h"

#include <MQTTAsync.h>
#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <mqtt/async_client.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <vector>

#include "steps/mqtt/paho/tuning_state.h"

namespace mqttest::paho {

/// Defined in paho_hooks.cpp, which only the executables link (see
/// mqttest_use_paho_tuning in CMakeLists.txt): null elsewhere.
[[gnu::weak]] bool hooks_bound();

namespace {

enum class state : int { not_started, checking, on, off };

std::atomic<state> current{state::not_started};
std::atomic<bool> receive_waited{false};
std::atomic<bool> send_waited{false};
std::atomic<bool> self_test_done{false};
std::atomic<bool> notice_taken{false};

// Never destroyed: Paho's threads outlive main() and may note their first
// wait while static destructors run (TSan saw that race at exit).
std::mutex& seen_mutex = *new std::mutex;
std::condition_variable& seen_changed = *new std::condition_variable;  ///< a first wait was seen

std::mutex reason_mutex;
std::string off_reason;  ///< guarded by reason_mutex

void turn_off(std::string why) {
  {
    std::lock_guard lock(reason_mutex);
    if (off_reason.empty()) off_reason = std::move(why);
  }
  current.store(state::off);
}

/// "off" turns the tuning off; unset, "" and "on" keep it; anything else is
/// a mistake that turns it off too (slower, never wrong) and says so.
std::string kill_switch() {
  const char* value = std::getenv("MQTTEST_PAHO_TUNING");
  std::string given = value == nullptr ? "" : value;
  if (given.empty() || given == "on") return "";
  if (given == "off") return "MQTTEST_PAHO_TUNING=off";
  return fmt::format("MQTTEST_PAHO_TUNING=\"{}\" is neither on nor off", given);
}

std::string thread_names() {
  std::vector<std::string> names;
  if (DIR* tasks = opendir("/proc/self/task"); tasks != nullptr) {
    while (dirent* entry = readdir(tasks)) {
      if (entry->d_name[0] == '.') continue;
      std::ifstream comm(fmt::format("/proc/self/task/{}/comm", entry->d_name));
      std::string name;
      if (std::getline(comm, name)) names.push_back(name);
    }
    closedir(tasks);
  }
  return fmt::format("{}", fmt::join(names, ", "));
}

}  // namespace

wake_state::wake_state() {
  int fds[2];
  if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) == 0) {
    read_fd = fds[0];
    write_fd = fds[1];
  }
}

wake_state& wake() {
  static wake_state* state = new wake_state;  // Paho's threads outlive static destructors
  return *state;
}

void finish_self_test();

connect_window::connect_window() {
  wake_state& state = wake();
  state.connecting.fetch_add(1);
  if (state.write_fd >= 0 && tuning_active()) {
    char byte = 1;
    [[maybe_unused]] auto written = write(state.write_fd, &byte, 1);
  }
}

connect_window::~connect_window() {
  wake().connecting.fetch_sub(1);
  if (started_) finish_self_test();
}

std::string last_tls_error() {
  std::lock_guard lock(wake().tls);
  return wake().tls_error;
}

void clear_tls_error() {
  std::lock_guard lock(wake().tls);
  wake().tls_error.clear();
}

void session_opened() { wake().active_sessions.fetch_add(1); }

void session_closed() { wake().active_sessions.fetch_sub(1); }

bool tuning_active() {
  state now = current.load(std::memory_order_relaxed);
  return now == state::checking || now == state::on;
}

namespace {

void note(std::atomic<bool>& seen) {
  if (seen.load(std::memory_order_relaxed)) return;
  {
    std::lock_guard lock(seen_mutex);
    seen.store(true);
  }
  seen_changed.notify_all();
}

}  // namespace

void note_receive_wait() { note(receive_waited); }

void note_send_wait() { note(send_waited); }

std::string verdict(const thread_observation& seen) {
  if (seen.receive_waited && seen.send_waited) return "";
  if (!seen.receive_waited && !seen.send_waited)
    return fmt::format(
        "no thread named {}* waited in poll(), usleep() or pthread_cond_timedwait() during the "
        "first connect (threads: {})",
        kPahoThreadPrefix, seen.thread_names);
  if (!seen.receive_waited)
    return fmt::format(
        "Paho's receive thread did not wait in poll() or usleep() during the first connect "
        "(threads: {})",
        seen.thread_names);
  return fmt::format(
      "Paho's send thread did not wait in pthread_cond_timedwait() during the first connect "
      "(threads: {})",
      seen.thread_names);
}

void finish_self_test() {
  if (current.load() != state::checking || self_test_done.exchange(true)) return;
  // Paho's send thread waits right after it handled the connect request and
  // its receive thread polls for the CONNACK, so both have waited by now or
  // within microseconds; allow a loaded machine a moment before judging.
  {
    std::unique_lock lock(seen_mutex);
    seen_changed.wait_for(lock, std::chrono::milliseconds(200),
                          [] { return receive_waited.load() && send_waited.load(); });
  }
  thread_observation seen{receive_waited.load(), send_waited.load(), ""};
  if (!seen.receive_waited || !seen.send_waited) seen.thread_names = thread_names();
  std::string why = verdict(seen);
  if (why.empty()) {
    state expected = state::checking;
    current.compare_exchange_strong(expected, state::on);
  } else {
    turn_off(std::move(why));
  }
}

void init() {
  static std::once_flag once;
  std::call_once(once, [] {
    MQTTAsync_init_options options = MQTTAsync_init_options_initializer;
    options.do_openssl_init = 0;
    MQTTAsync_global_init(&options);
    if (std::string why = kill_switch(); !why.empty()) return turn_off(std::move(why));
    if (&hooks_bound == nullptr || !hooks_bound())
      return turn_off(
          "Paho's calls to poll(), usleep(), socket(), connect() and pthread_cond_timedwait() do "
          "not reach mqttest's hooks (the executable does not link or export them)");
    current.store(state::checking);
    // Never connected and never destroyed, so Paho's threads are never
    // stopped while the process lives (nor at exit: stopping them after
    // OpenSSL's exit-time cleanup leaks their OpenSSL per-thread state).
    static const auto* anchor = new mqtt::async_client("tcp://127.0.0.1:1", "mqttest-anchor");
    (void)anchor;
  });
}

std::string tuning_off_reason() {
  if (current.load() != state::off) return "";
  std::lock_guard lock(reason_mutex);
  return off_reason;
}

std::string take_tuning_notice() {
  if (current.load() != state::off || notice_taken.exchange(true)) return "";
  return tuning_off_reason();
}

}  // namespace mqttest::paho
