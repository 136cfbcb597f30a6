#include "cli/parallel_run.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "executor/core/errors.h"
#include "executor/report/cumulative_reporter.h"
#include "executor/report/event_stream.h"

extern char** environ;

namespace mqttest {
namespace {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

/// The descriptor on which a child writes its events.
constexpr int child_event_fd = 3;

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

fs::path self_executable() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::runtime_error("--jobs: cannot find the mqttest executable: " + ec.message());
  return self;
}

fs::path make_temp_dir() {
  std::string pattern = (fs::temp_directory_path() / "mqttest-jobs-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error(
        fmt::format("--jobs: cannot create a temp directory: {}", std::strerror(errno)));
  return pattern;
}

/// How far a child's events got: what to add when it ends too early.
class progress_tracker final : public reporter {
 public:
  void suite_started(const suite_info& suite) override {
    suite_ = suite;
    suite_open_ = true;
  }
  void case_started(const case_info& c) override {
    case_ = c;
    case_open_ = true;
    steps_.clear();
  }
  void step_finished(const step_report& step) override { steps_.push_back(step); }
  void case_finished(const case_report& c) override {
    case_open_ = false;
    failed_ |= c.status == verdict::failed;
  }
  void suite_finished(const suite_stats&) override {
    suite_open_ = false;
    suite_done_ = true;
  }
  void run_finished(const run_stats& run) override { interrupted_ = run.interrupted; }

  bool failed() const { return failed_; }
  bool interrupted() const { return interrupted_; }

  /// The events that close what the child left open; `why` says how it ended.
  void close(const std::string& file, const std::string& status, reporter& out) const {
    if (suite_done_ && !suite_open_) return;
    step_report step;
    step.name = "mqttest run " + file;
    step.where = {file, 0, 0};
    case_report c;
    c.status = verdict::failed;
    if (case_open_) {
      c.name = case_.name;
      c.where = case_.where;
      c.steps = steps_;
      step.error =
          fmt::format("the run of {} ended with {} before this test case finished", file, status);
    } else {
      if (!suite_open_) out.suite_started({fs::path(file).stem().string(), file});
      out.case_started({"suite run", {file, 0, 0}});
      c.name = "suite run";
      c.where = {file, 0, 0};
      step.error =
          suite_open_ ? fmt::format(
                            "the run of {} ended with {} before its suite "
                            "finished",
                            file, status)
                      : fmt::format("the run of {} ended with {} and left no report", file, status);
    }
    step.number = static_cast<int>(c.steps.size()) + 1;
    step.result = {{"error", step.error}, {"err", step.error}};
    c.steps.push_back(step);
    out.step_finished(step);
    out.case_finished(c);
    run_report one;
    one.suites.push_back(
        {suite_open_ ? suite_.name : fs::path(file).stem().string(), file, 0, {c}});
    out.suite_finished(stats_of(one.suites.back()));
  }

 private:
  suite_info suite_;
  case_info case_;
  std::vector<step_report> steps_;
  bool suite_open_ = false, suite_done_ = false, case_open_ = false;
  bool failed_ = false, interrupted_ = false;
};

/// Passes on everything but a child's run_started/run_finished.
class suite_events final : public reporter {
 public:
  explicit suite_events(reporter& target) : target_(target) {}
  void suite_started(const suite_info& e) override { target_.suite_started(e); }
  void case_started(const case_info& e) override { target_.case_started(e); }
  void step_started(const step_info& e) override { target_.step_started(e); }
  void trace(const trace_line& e) override { target_.trace(e); }
  void step_finished(const step_report& e) override { target_.step_finished(e); }
  void case_finished(const case_report& e) override { target_.case_finished(e); }
  void suite_finished(const suite_stats& e) override { target_.suite_finished(e); }

 private:
  reporter& target_;
};

/// One suite file's run: its child while it runs, its events until their turn.
struct suite_job {
  std::string file;
  pid_t pid = -1;
  int events = -1;                ///< read end of the child's event pipe
  fs::path dir;                   ///< the child's stdout and stderr files
  std::string partial;            ///< bytes after the last complete line
  std::vector<std::string> held;  ///< lines waiting for this suite's turn
  progress_tracker progress;
  event_decoder tracked{progress};
  bool started = false, ended = false;
  std::string stdout_text, stderr_text;  ///< what the child printed
};

void spawn(const fs::path& self, suite_job& job, std::size_t index, const fs::path& base,
           const parallel_options& options) {
  job.dir = base / std::to_string(index);
  fs::create_directories(job.dir);
  std::vector<std::string> args = {self.string(), "run", job.file, "--event-fd",
                                   std::to_string(child_event_fd)};
  args.insert(args.end(), options.child_args.begin(), options.child_args.end());
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0)
    throw std::runtime_error(fmt::format("--jobs: pipe: {}", std::strerror(errno)));
  std::string out = (job.dir / "stdout").string(), err = (job.dir / "stderr").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  // pipe2 gave the two lowest free descriptors, read end first: the write
  // end is above 3, and dup2 clears its close-on-exec flag in the child.
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], child_event_fd);
  int error = posix_spawn(&job.pid, self.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  if (error != 0) {
    close(pipe_fds[0]);
    throw std::runtime_error(
        fmt::format("--jobs: cannot start {}: {}", self.string(), std::strerror(error)));
  }
  job.events = pipe_fds[0];
  job.started = true;
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return fmt::format("exit status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("signal {}", WTERMSIG(status));
  return "unknown status";
}

/// The child's event pipe is at its end: reap it, close what it left open.
void finish(suite_job& job) {
  int status = 0;
  while (waitpid(job.pid, &status, 0) < 0 && errno == EINTR) {
  }
  close(job.events);
  job.events = -1;
  job.partial.clear();  // a last line without its newline was cut off: progress closes it
  event_line_buffer closing;
  job.progress.close(job.file, describe_status(status), closing);
  for (std::string& line : closing.lines) job.held.push_back(std::move(line));
  job.stdout_text = read_all(job.dir / "stdout");
  job.stderr_text = read_all(job.dir / "stderr");
  std::error_code ec;
  fs::remove_all(job.dir, ec);
  job.ended = true;
}

/// Reads what the child wrote; false at the end of its stream.
bool read_events(suite_job& job) {
  char buffer[65536];
  ssize_t n = read(job.events, buffer, sizeof buffer);
  if (n < 0) {
    if (errno == EINTR || errno == EAGAIN) return true;
    throw std::runtime_error(fmt::format("--jobs: read: {}", std::strerror(errno)));
  }
  if (n == 0) return false;
  job.partial.append(buffer, static_cast<std::size_t>(n));
  std::size_t start = 0, end;
  while ((end = job.partial.find('\n', start)) != std::string::npos) {
    std::string line = job.partial.substr(start, end - start);
    job.tracked.decode(line);
    job.held.push_back(std::move(line));
    start = end + 1;
  }
  job.partial.erase(0, start);
  return true;
}

}  // namespace

run_report run_in_parallel(const std::vector<std::string>& files, const parallel_options& options,
                           reporter& events) {
  cumulative_reporter collected;
  multi_reporter out;
  out.add(events);
  out.add(collected);
  run_info info{utc_now()};
  out.run_started(info);
  auto start = clock_type::now();
  fs::path self = self_executable();
  fs::path base = make_temp_dir();
  std::vector<std::unique_ptr<suite_job>> jobs;
  for (const std::string& file : files) {
    jobs.push_back(std::make_unique<suite_job>());
    jobs.back()->file = file;
  }
  suite_events forwarded(out);
  std::size_t next = 0;  // the next file to start
  std::size_t turn = 0;  // the file whose events pass live
  std::optional<event_decoder> live;
  std::size_t running = 0;
  bool stop = false, forwarded_signal = false, interrupted_child = false;
  auto interrupted = [&] { return options.interrupted != nullptr && options.interrupted->load(); };
  // Passes on the held lines of the suite whose turn it is; moves the turn on
  // past every suite that has ended.
  auto pass_on = [&] {
    while (turn < jobs.size() && jobs[turn]->started) {
      suite_job& job = *jobs[turn];
      if (!live) live.emplace(forwarded);
      for (const std::string& line : job.held) live->decode(line);
      job.held.clear();
      if (!job.ended) return;
      std::cout << job.stdout_text << std::flush;
      std::cerr << job.stderr_text << std::flush;
      live.reset();
      ++turn;
    }
  };
  try {
    while ((next < files.size() && !stop && !interrupted()) || running > 0) {
      while (running < static_cast<std::size_t>(std::max(options.jobs, 1)) && next < files.size() &&
             !stop && !interrupted()) {
        spawn(self, *jobs[next], next, base, options);
        ++next, ++running;
      }
      if (interrupted() && !forwarded_signal) {
        for (auto& job : jobs)
          if (job->started && !job->ended) kill(job->pid, SIGTERM);
        forwarded_signal = true;
      }
      std::vector<pollfd> fds;
      std::vector<suite_job*> polled;
      for (auto& job : jobs) {
        if (!job->started || job->ended) continue;
        fds.push_back({job->events, POLLIN, 0});
        polled.push_back(job.get());
      }
      if (poll(fds.data(), fds.size(), -1) < 0) {
        if (errno == EINTR) continue;
        throw std::runtime_error(fmt::format("--jobs: poll: {}", std::strerror(errno)));
      }
      for (std::size_t i = 0; i < fds.size(); ++i) {
        if (fds[i].revents == 0) continue;
        suite_job& job = *polled[i];
        if (read_events(job)) continue;
        finish(job);
        --running;
        interrupted_child |= job.progress.interrupted();
        if (options.stop_on_failure && job.progress.failed()) stop = true;
      }
      pass_on();
    }
  } catch (...) {
    for (auto& job : jobs) {
      if (!job->started || job->ended) continue;
      kill(job->pid, SIGKILL);
      waitpid(job->pid, nullptr, 0);
      close(job->events);
    }
    std::error_code ec;
    fs::remove_all(base, ec);
    throw;
  }
  pass_on();
  std::error_code ec;
  fs::remove_all(base, ec);
  run_report run = collected.run();
  run.started_at = info.started_at;
  run.interrupted = interrupted_child || interrupted();
  run.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  out.run_finished(stats_of(run));
  return collected.run();
}

std::vector<std::string> shard_files(const std::vector<std::string>& files,
                                     const std::string& shard) {
  auto slash = shard.find('/');
  int k = 0, n = 0;
  auto number = [](std::string_view text, int& out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size() && !text.empty();
  };
  if (slash == std::string::npos || !number(std::string_view(shard).substr(0, slash), k) ||
      !number(std::string_view(shard).substr(slash + 1), n) || n < 1 || k < 1 || k > n)
    throw usage_error(
        fmt::format("--shard needs K/N with 1 <= K <= N (e.g. 2/4), got \"{}\"", shard));
  std::vector<std::string> sorted = files;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::vector<std::string> picked;
  for (const std::string& file : files) {
    auto index = std::lower_bound(sorted.begin(), sorted.end(), file) - sorted.begin();
    if (index % n == k - 1 && std::find(picked.begin(), picked.end(), file) == picked.end())
      picked.push_back(file);
  }
  return picked;
}

}  // namespace mqttest
