#include "cli/parallel_run.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include "executor/core/errors.h"
#include "executor/report/json_reporter.h"
#include "executor/report/report_data.h"

extern char** environ;

namespace mqttest {
namespace {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

struct child {
  std::size_t index = 0;
  pid_t pid = -1;
  int pidfd = -1;
  fs::path dir;
};

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
    throw std::runtime_error(fmt::format("--jobs: cannot create a temp directory: {}",
                                         std::strerror(errno)));
  return pattern;
}

child spawn(const fs::path& self, const std::string& file, std::size_t index,
            const fs::path& base, const parallel_options& options) {
  child c;
  c.index = index;
  c.dir = base / std::to_string(index);
  fs::create_directories(c.dir);
  std::vector<std::string> args = {self.string(), "run", file, "--format", "json",
                                   "--output-dir", c.dir.string()};
  args.insert(args.end(), options.child_args.begin(), options.child_args.end());
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  std::string out = (c.dir / "stdout").string(), err = (c.dir / "stderr").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  int error = posix_spawn(&c.pid, self.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0)
    throw std::runtime_error(fmt::format("--jobs: cannot start {}: {}", self.string(),
                                         std::strerror(error)));
  c.pidfd = static_cast<int>(syscall(SYS_pidfd_open, c.pid, 0));
  if (c.pidfd < 0) {
    error = errno;
    kill(c.pid, SIGKILL);
    waitpid(c.pid, nullptr, 0);
    throw std::runtime_error(fmt::format("--jobs: pidfd_open: {}", std::strerror(error)));
  }
  return c;
}

/// A suite whose child left no report: one failed case that says why.
suite_report missing_report(const std::string& file, const std::string& why) {
  suite_report suite;
  suite.name = fs::path(file).stem().string();
  suite.file = file;
  case_report& c = suite.cases.emplace_back();
  c.name = "suite run";
  c.status = verdict::failed;
  c.where = {file, 0, 0};
  step_report& step = c.steps.emplace_back();
  step.number = 1;
  step.name = "mqttest run " + file;
  step.where = {file, 0, 0};
  step.error = why;
  step.result = {{"error", why}, {"err", why}};
  return suite;
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return fmt::format("exit status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("signal {}", WTERMSIG(status));
  return "unknown status";
}

/// Collects one finished child: prints its output whole, reads its report.
run_report finish(const child& c, const std::string& file) {
  int status = 0;
  while (waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
  }
  close(c.pidfd);
  std::cout << read_all(c.dir / "stdout") << std::flush;
  std::cerr << read_all(c.dir / "stderr") << std::flush;
  run_report run;
  fs::path report = c.dir / json_file_name;
  try {
    run = run_from_json(nlohmann::json::parse(read_all(report)));
  } catch (const std::exception&) {
    std::string why = fmt::format("the run of {} ended with {} and left no report", file,
                                  describe_status(status));
    run.suites.push_back(missing_report(file, why));
  }
  std::error_code ec;
  fs::remove_all(c.dir, ec);
  return run;
}

bool failed(const run_report& run) { return run.totals().failed > 0; }

}  // namespace

run_report run_in_parallel(const std::vector<std::string>& files,
                           const parallel_options& options) {
  run_report merged;
  merged.started_at = utc_now();
  auto start = clock_type::now();
  fs::path self = self_executable();
  fs::path base = make_temp_dir();
  std::vector<std::optional<run_report>> runs(files.size());
  std::vector<child> running;
  std::size_t next = 0;
  bool stop = false, forwarded = false;
  auto interrupted = [&] { return options.interrupted != nullptr && options.interrupted->load(); };
  try {
    while ((next < files.size() && !stop && !interrupted()) || !running.empty()) {
      while (running.size() < static_cast<std::size_t>(std::max(options.jobs, 1)) &&
             next < files.size() && !stop && !interrupted()) {
        running.push_back(spawn(self, files[next], next, base, options));
        ++next;
      }
      if (interrupted() && !forwarded) {
        for (const child& c : running) kill(c.pid, SIGTERM);
        forwarded = true;
      }
      std::vector<pollfd> fds;
      for (const child& c : running) fds.push_back({c.pidfd, POLLIN, 0});
      if (poll(fds.data(), fds.size(), -1) < 0) {
        if (errno == EINTR) continue;
        throw std::runtime_error(fmt::format("--jobs: poll: {}", std::strerror(errno)));
      }
      for (std::size_t i = fds.size(); i-- > 0;) {
        if (fds[i].revents == 0) continue;
        const child& c = running[i];
        runs[c.index] = finish(c, files[c.index]);
        if (options.stop_on_failure && failed(*runs[c.index])) stop = true;
        running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
      }
    }
  } catch (...) {
    for (const child& c : running) {
      kill(c.pid, SIGKILL);
      finish(c, files[c.index]);
    }
    std::error_code ec;
    fs::remove_all(base, ec);
    throw;
  }
  std::error_code ec;
  fs::remove_all(base, ec);
  for (auto& run : runs) {
    if (!run) continue;
    merged.interrupted |= run->interrupted;
    for (suite_report& suite : run->suites) merged.suites.push_back(std::move(suite));
  }
  merged.interrupted |= interrupted();
  merged.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  return merged;
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
    if (index % n == k - 1 &&
        std::find(picked.begin(), picked.end(), file) == picked.end())
      picked.push_back(file);
  }
  return picked;
}

}  // namespace mqttest
