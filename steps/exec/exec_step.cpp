#include "steps/exec/exec_step.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "executor/core/errors.h"
#include "steps/field_spec.h"

namespace mqttest {
namespace {

using nlohmann::json;
using clock_type = std::chrono::steady_clock;

constexpr long long kDefaultTimeoutMs = 300'000;
/// Output kept per stream; the rest is read and counted, so a chatty
/// command never blocks on a full pipe nor fills memory.
constexpr std::size_t kMaxCapture = 16 * 1024 * 1024;

const field_table& exec_table() {
  static const field_table table = {
      "exec step",
      "execStep",
      "`type: exec` step (also a step with `script` and no `type`)",
      {
          {.name = "script",
           .description = "the command, run with sh -c in the suite file's directory (a #! "
                          "first line names another interpreter); stdin is closed",
           .type_expect = "a string (the command to run with sh -c)",
           .required = true,
           .needs_hint = ": the command to run with sh -c"},
          {.name = "timeout",
           .type = value_type::integer,
           .description = "milliseconds before the command and its whole process group are "
                          "killed",
           .default_value = kDefaultTimeoutMs,
           .min = 1,
           .max = LLONG_MAX,
           .type_expect = "an integer number of milliseconds",
           .range_expect = "an integer number of milliseconds > 0"},
      }};
  return table;
}

std::vector<std::string> field_names() { return mqttest::field_names(exec_table()); }

/// Checks the spec (at load: values without templates; at run: all).
field_reader checked(const json& fields, const locate_fn& locate, bool lenient) {
  field_reader reader(fields, json::json_pointer(), exec_table(), locate, lenient);
  reader.check(false);
  if (auto script = reader.string("script");
      script && script->find_first_not_of(" \t\r\n") == std::string::npos)
    reader.fail(reader.at("script"), "\"script\" is empty");
  return reader;
}

void validate(const json& fields, const locate_fn& locate) { checked(fields, locate, true); }

/// What a finished command left behind.
struct outcome {
  std::string out, err;
  std::size_t out_dropped = 0, err_dropped = 0;
  int status = 0;
  bool timed_out = false, interrupted = false;
  std::string failure;  ///< could not start it at all
};

void set_cloexec_nonblock(int fd) {
  ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/// Appends what can be read now; false at end of file.
bool drain(int fd, std::string& into, std::size_t& dropped) {
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
      std::size_t room = kMaxCapture > into.size() ? kMaxCapture - into.size() : 0;
      std::size_t kept = std::min(room, static_cast<std::size_t>(n));
      into.append(buffer, kept);
      dropped += static_cast<std::size_t>(n) - kept;
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK;
  }
}

/// `sh -c script`, or the interpreter a `#!` first line names (`#!/bin/bash`
/// runs `/bin/bash -c script`), as Venom honours a shebang.
std::vector<std::string> command_line(const std::string& script) {
  std::vector<std::string> argv{"/bin/sh"};
  if (script.rfind("#!", 0) == 0) {
    std::istringstream words(script.substr(2, script.find('\n') - 2));
    argv.clear();
    for (std::string word; words >> word;) argv.push_back(word);
    if (argv.empty()) argv.push_back("/bin/sh");
  }
  argv.push_back("-c");
  argv.push_back(script);
  return argv;
}

outcome run_command(const std::string& script, const std::string& directory, long long timeout_ms,
                    const std::atomic<bool>* interrupted) {
  outcome result;
  int out_pipe[2], err_pipe[2];
  if (::pipe(out_pipe) != 0 || ::pipe(err_pipe) != 0) {
    result.failure = fmt::format("cannot create pipes: {}", std::strerror(errno));
    return result;
  }
  std::vector<std::string> words = command_line(script);
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);

  pid_t pid = ::fork();
  if (pid < 0) {
    result.failure = fmt::format("cannot start a process: {}", std::strerror(errno));
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) ::close(fd);
    return result;
  }
  if (pid == 0) {
    // The child leads its own process group, so a timeout reaches everything
    // it started; only async-signal-safe calls from here on.
    ::setpgid(0, 0);
    int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    ::dup2(out_pipe[1], STDOUT_FILENO);
    ::dup2(err_pipe[1], STDERR_FILENO);
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    struct sigaction dflt {};
    dflt.sa_handler = SIG_DFL;
    for (int sig : {SIGINT, SIGTERM, SIGPIPE, SIGCHLD}) ::sigaction(sig, &dflt, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (!directory.empty() && ::chdir(directory.c_str()) != 0) {
      const char message[] = "mqttest: cannot enter the suite's directory\n";
      [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, message, sizeof message - 1);
      ::_exit(126);
    }
    ::execvp(argv[0], argv.data());
    const char message[] = "mqttest: cannot run the script's interpreter\n";
    [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, message, sizeof message - 1);
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also here: no race with the child's own call
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  set_cloexec_nonblock(out_pipe[0]);
  set_cloexec_nonblock(err_pipe[0]);

  auto deadline = clock_type::now() + std::chrono::milliseconds(timeout_ms);
  bool out_open = true, err_open = true, exited = false;
  auto kill_group = [&] {
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
  };
  // Until the command exited and both pipes are closed: a background child
  // that keeps the output open keeps the step running, until the timeout.
  while (!exited || out_open || err_open) {
    if (!exited) {
      int status = 0;
      pid_t done = ::waitpid(pid, &status, WNOHANG);
      if (done == pid) exited = true, result.status = status;
    }
    if (interrupted != nullptr && interrupted->load()) {
      result.interrupted = true;
      kill_group();
      break;
    }
    auto now = clock_type::now();
    if (now >= deadline) {
      result.timed_out = true;
      kill_group();
      break;
    }
    pollfd fds[2] = {{out_open ? out_pipe[0] : -1, POLLIN, 0},
                     {err_open ? err_pipe[0] : -1, POLLIN, 0}};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    // Short waits while the command runs: its exit is seen by waitpid.
    ::poll(fds, 2, static_cast<int>(std::min<long long>(left, exited ? 50 : 10)) + 1);
    if (out_open) out_open = drain(out_pipe[0], result.out, result.out_dropped);
    if (err_open) err_open = drain(err_pipe[0], result.err, result.err_dropped);
  }
  if (!exited) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.status = status;
  }
  if (result.timed_out || result.interrupted) ::kill(-pid, SIGKILL);  // stragglers
  drain(out_pipe[0], result.out, result.out_dropped);
  drain(err_pipe[0], result.err, result.err_dropped);
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  return result;
}

/// Venom trims trailing newlines from captured output.
std::string trimmed(std::string text, std::size_t dropped) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (dropped > 0) text += fmt::format("… {} more bytes", dropped);
  return text;
}

json parsed_or_null(const std::string& text) {
  json value = json::parse(text, nullptr, false);
  return value.is_discarded() ? json() : value;
}

/// Invalid UTF-8 becomes U+FFFD, so the result always dumps as JSON.
std::string clean_text(const std::string& text) {
  return json::parse(json(text).dump(-1, ' ', false, json::error_handler_t::replace))
      .get<std::string>();
}

class exec_step final : public step {
 public:
  exec_step(std::string script, std::string directory, long long timeout_ms)
      : script_(std::move(script)), directory_(std::move(directory)), timeout_ms_(timeout_ms) {}

  json run(const step_context& context) override {
    auto start = clock_type::now();
    outcome done = run_command(script_, directory_, timeout_ms_, context.interrupted);
    double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
    std::string out = trimmed(done.out, done.out_dropped);
    std::string err = trimmed(done.err, done.err_dropped);
    int code = WIFEXITED(done.status)     ? WEXITSTATUS(done.status)
               : WIFSIGNALED(done.status) ? 128 + WTERMSIG(done.status)
                                          : -1;
    std::string error = done.failure;
    if (done.timed_out)
      error = fmt::format("timed out after {} ms: killed the command and its process group",
                          timeout_ms_);
    if (done.interrupted) error = "interrupted: killed the command and its process group";
    return json{{"code", done.failure.empty() ? code : 127},
                {"systemout", clean_text(out)},
                {"systemerr", clean_text(err)},
                {"systemoutjson", parsed_or_null(out)},
                {"systemerrjson", parsed_or_null(err)},
                {"timeseconds", seconds},
                {"error", error},
                {"err", error}};
  }

 private:
  std::string script_;
  std::string directory_;
  long long timeout_ms_;
};

std::unique_ptr<step> make(const json& fields, const locate_fn& locate) {
  field_reader reader = checked(fields, locate, false);
  long long timeout_ms = reader.integer("timeout").value_or(kDefaultTimeoutMs);
  // Relative paths in the script are relative to the suite file, as in Venom.
  std::string file = locate(json::json_pointer()).file;
  std::string directory;
  if (!file.empty() && file.front() != '-')
    directory = std::filesystem::absolute(std::filesystem::path(file)).parent_path().string();
  return std::make_unique<exec_step>(*reader.string("script"), directory, timeout_ms);
}

}  // namespace

const step_kind exec_step_kind = [] {
  step_kind kind{"exec", field_names, validate, make, exec_table};
  kind.default_assertion = "result.code ShouldEqual 0";
  return kind;
}();

}  // namespace mqttest
