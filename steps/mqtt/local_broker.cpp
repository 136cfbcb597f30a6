#include "steps/mqtt/local_broker.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace mqttest {

namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

constexpr int port_attempts = 5;
constexpr auto start_deadline = 5s;
constexpr auto stop_deadline = 2s;
constexpr auto poll_interval = 2ms;
constexpr std::size_t quoted_lines = 5;

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return !path.empty() && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
         ::access(path.c_str(), X_OK) == 0;
}

std::string search_path(const char* path_env, std::string_view name) {
  if (path_env == nullptr) return {};
  std::string_view rest(path_env);
  while (true) {
    auto colon = rest.find(':');
    std::string_view dir = rest.substr(0, colon);
    std::string candidate = fmt::format("{}/{}", dir.empty() ? "." : dir, name);
    if (is_executable_file(candidate)) return candidate;
    if (colon == std::string_view::npos) return {};
    rest.remove_prefix(colon + 1);
  }
}

sockaddr_in loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

int free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "socket");
  sockaddr_in addr = loopback(0);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    int err = errno;
    ::close(fd);
    throw std::system_error(err, std::generic_category(), "picking a free loopback port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool accepts_connections(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr = loopback(port);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

std::string make_temp_dir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string base = (tmp != nullptr && *tmp != '\0') ? tmp : "/tmp";
  std::string pattern = base + "/mqttest-broker-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr)
    throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
  return buf.data();
}

/// The TLS, password and WebSocket listeners, each with its own settings.
std::string secure_listeners_text(const std::string& dir, const secure_ports& ports) {
  std::string certs =
      fmt::format("cafile {0}/ca.crt\ncertfile {0}/server.crt\nkeyfile {0}/server.key\n", dir);
  std::string conf;
  conf += fmt::format("listener {} 127.0.0.1\nallow_anonymous true\n{}", ports.tls, certs);
  conf += fmt::format("listener {} 127.0.0.1\nallow_anonymous true\n{}require_certificate true\n",
                      ports.mtls, certs);
  conf += fmt::format(
      "listener {0} 127.0.0.1\nallow_anonymous false\npassword_file {1}/passwd\nacl_file {1}/acl\n",
      ports.auth, dir);
  conf += fmt::format("listener {} 127.0.0.1\nprotocol websockets\nallow_anonymous true\n", ports.ws);
  conf += fmt::format("listener {} 127.0.0.1\nprotocol websockets\nallow_anonymous true\n{}",
                      ports.wss, certs);
  return conf;
}

std::string config_text(const std::string& dir, int port, const secure_ports* secure,
                        const broker_options& options) {
  // Per-listener settings: the plain listeners take anyone, the password one
  // only the generated user.
  std::string conf = secure != nullptr ? "per_listener_settings true\n" : "";
  // set_tcp_nodelay: without it mosquitto holds a retained PUBLISH behind its
  // SUBACK until the client's delayed ACK, ~40 ms per subscription (measured).
  conf +=
      fmt::format("listener {} 127.0.0.1\nallow_anonymous true\nset_tcp_nodelay true\n", port);
  if (secure != nullptr) conf += secure_listeners_text(dir, *secure);
  if (::geteuid() == 0) conf += "user root\n";
  if (options.persistence)
    conf += fmt::format("persistence true\npersistence_location {}/\nautosave_interval 0\n", dir);
  conf += fmt::format("log_dest file {}/mosquitto.log\n", dir);
  conf += "log_type error warning notice information\n";
  conf += options.extra_config;
  if (!conf.empty() && conf.back() != '\n') conf += '\n';
  return conf;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out.flush()) throw std::runtime_error("cannot write " + path);
}

/// "1795635317: Error: x" -> "Error: x"
std::string strip_timestamp(const std::string& line) {
  auto colon = line.find(": ");
  if (colon == std::string::npos || colon == 0) return line;
  for (std::size_t i = 0; i < colon; ++i)
    if (line[i] < '0' || line[i] > '9') return line;
  return line.substr(colon + 2);
}

/// Last lines mosquitto wrote to stderr (config errors) and to its log file.
std::string last_output_lines(const std::string& dir) {
  std::deque<std::string> lines;
  for (const char* name : {"mosquitto.stderr", "mosquitto.log"}) {
    std::ifstream in(dir + "/" + name);
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      lines.push_back(strip_timestamp(line));
      if (lines.size() > quoted_lines) lines.pop_front();
    }
  }
  if (lines.empty()) return "(no output)";
  std::string text;
  for (const auto& line : lines) text += (text.empty() ? "" : "\n") + line;
  return text;
}

void close_inherited_fds() {
  if (::syscall(SYS_close_range, 3U, ~0U, 0U) == 0) return;
  long max_fd = ::sysconf(_SC_OPEN_MAX);
  for (long fd = 3; fd < (max_fd > 0 ? max_fd : 1024); ++fd) ::close(static_cast<int>(fd));
}

/// Forks and execs args[0] (a path); the child dies with its parent (thread).
pid_t spawn(std::vector<std::string> args, const std::string& stderr_path) {
  const std::string exe = args.front();
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t parent = ::getpid();

  pid_t pid = ::fork();
  if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
    // Its own process group: a terminal's Ctrl-C reaches mqttest, which
    // stops the broker by PID after writing its reports.
    ::setpgid(0, 0);
    int null_fd = ::open("/dev/null", O_RDWR);
    int err_fd = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (null_fd < 0 || err_fd < 0) ::_exit(127);
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(null_fd, STDOUT_FILENO);
    ::dup2(err_fd, STDERR_FILENO);
    close_inherited_fds();
    ::execv(exe.c_str(), argv.data());
    ::_exit(127);
  }
  return pid;
}

/// Waits for `pid` to exit until `deadline`; true when it was reaped.
bool reap_until(pid_t pid, steady::time_point deadline) {
  while (true) {
    pid_t r = ::waitpid(pid, nullptr, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) return true;
    if (steady::now() >= deadline) return false;
    std::this_thread::sleep_for(500us);
  }
}

/// openssl and mosquitto_passwd live in /usr/bin, on every PATH.
std::string find_tool(std::string_view name) {
  return search_path(std::getenv("PATH"), name);
}

/// Runs a tool (found on PATH) to completion; throws with its last output
/// lines when it is missing or fails.
void run_tool(const std::string& dir, std::vector<std::string> args) {
  std::string name = args.front();
  args.front() = find_tool(name);
  if (args.front().empty())
    throw std::runtime_error(
        fmt::format("{} not found (install it: apt-get install -y {})", name,
                    name == "openssl" ? "openssl" : "mosquitto"));
  std::string output = dir + "/tool.stderr";
  pid_t pid = spawn(args, output);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::ifstream in(output);
  std::string text, line;
  while (std::getline(in, line)) text += (text.empty() ? "" : " ") + line;
  in.close();
  std::error_code ignored;
  std::filesystem::remove(output, ignored);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error(fmt::format("{} failed: {}", name, text.empty() ? "(no output)" : text));
}

std::string random_password() {
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  unsigned char bytes[12] = {};
  if (!urandom.read(reinterpret_cast<char*>(bytes), sizeof bytes))
    throw std::runtime_error("cannot read /dev/urandom");
  std::string password;
  for (unsigned char b : bytes) password += fmt::format("{:02x}", b);
  return password;
}

/// A throwaway CA (EC P-256 keys: ~10x faster to make than RSA), a server
/// certificate for 127.0.0.1 and localhost, a client certificate, the
/// password file and the ACL, all in `dir`.
void make_credentials(const std::string& dir, const std::string& password) {
  auto req = [&](const std::string& name, const std::string& subject,
                 std::vector<std::string> more) {
    std::vector<std::string> args{"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                                  "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                                  "-subj", subject, "-keyout", dir + "/" + name + ".key",
                                  "-out", dir + "/" + name + ".crt"};
    args.insert(args.end(), more.begin(), more.end());
    run_tool(dir, args);
  };
  req("ca", "/CN=mqttest throwaway CA", {});
  std::vector<std::string> signed_by_ca{"-CA", dir + "/ca.crt", "-CAkey", dir + "/ca.key"};
  std::vector<std::string> server = signed_by_ca;
  server.insert(server.end(), {"-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"});
  req("server", "/CN=127.0.0.1", server);
  req("client", "/CN=mqttest client", signed_by_ca);
  run_tool(dir, {"mosquitto_passwd", "-c", "-b", dir + "/passwd", local_broker_username, password});
  write_file(dir + "/acl", fmt::format("user {}\ntopic readwrite mqttest/#\n", local_broker_username));
}

/// Waits until every port accepts connections (libwebsockets may listen a
/// little after mosquitto's TCP listeners).
bool all_accept(const std::vector<int>& ports) {
  for (int port : ports)
    if (!accepts_connections(port)) return false;
  return true;
}

}  // namespace

std::string find_mosquitto() {
  if (const char* forced = std::getenv("MQTTEST_MOSQUITTO"); forced != nullptr && *forced != '\0')
    return is_executable_file(forced) ? forced : "";
  if (auto found = search_path(std::getenv("PATH"), "mosquitto"); !found.empty()) return found;
  for (const char* candidate : {"/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto"})
    if (is_executable_file(candidate)) return candidate;
  return {};
}

local_broker::local_broker(broker_options options) : options_(std::move(options)) {
  if (find_mosquitto().empty())
    throw std::runtime_error("mosquitto not found (install it: apt-get install -y mosquitto)");
  dir_ = make_temp_dir();
  try {
    if (options_.secure_listeners) {
      password_ = random_password();
      make_credentials(dir_, password_);
    }
    for (int attempt = 1;; ++attempt) {
      port_ = free_loopback_port();
      if (options_.secure_listeners)
        secure_ = {free_loopback_port(), free_loopback_port(), free_loopback_port(),
                   free_loopback_port(), free_loopback_port()};
      write_file(dir_ + "/mosquitto.conf",
                 config_text(dir_, port_, options_.secure_listeners ? &secure_ : nullptr, options_));
      try {
        start();
        return;
      } catch (const std::runtime_error& e) {
        bool port_race =
            std::string_view(e.what()).find("Address already in use") != std::string_view::npos;
        if (!port_race || attempt == port_attempts) throw;
      }
    }
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
    throw;
  }
}

local_broker::~local_broker() {
  stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string local_broker::url() const { return fmt::format("tcp://127.0.0.1:{}", port_); }

// TLS URLs name localhost, which the server certificate is for (with 127.0.0.1).
std::map<std::string, std::string> local_broker::variables() const {
  std::map<std::string, std::string> vars{{"addrs", url()}};
  if (!options_.secure_listeners) return vars;
  vars["tls_addrs"] = fmt::format("ssl://localhost:{}", secure_.tls);
  vars["mtls_addrs"] = fmt::format("ssl://localhost:{}", secure_.mtls);
  vars["auth_addrs"] = fmt::format("tcp://127.0.0.1:{}", secure_.auth);
  vars["ws_addrs"] = fmt::format("ws://127.0.0.1:{}", secure_.ws);
  vars["wss_addrs"] = fmt::format("wss://localhost:{}", secure_.wss);
  vars["ca_file"] = dir_ + "/ca.crt";
  vars["cert_file"] = dir_ + "/client.crt";
  vars["key_file"] = dir_ + "/client.key";
  vars["username"] = local_broker_username;
  vars["password"] = password_;
  return vars;
}

void local_broker::start() {
  if (pid_ > 0) return;
  std::string exe = find_mosquitto();
  if (exe.empty())
    throw std::runtime_error("mosquitto not found (install it: apt-get install -y mosquitto)");
  std::error_code ignored;
  std::filesystem::remove(dir_ + "/mosquitto.log", ignored);
  pid_ = spawn({exe, "-c", dir_ + "/mosquitto.conf"}, dir_ + "/mosquitto.stderr");

  auto deadline = steady::now() + start_deadline;
  while (true) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      break;
    }
    if (accepts_connections(port_) &&
        (!options_.secure_listeners ||
         all_accept({secure_.tls, secure_.mtls, secure_.auth, secure_.ws, secure_.wss})))
      return;
    if (steady::now() >= deadline) {
      stop();
      break;
    }
    std::this_thread::sleep_for(poll_interval);
  }
  throw std::runtime_error(
      fmt::format("mosquitto did not start on 127.0.0.1:{}: {}", port_, last_output_lines(dir_)));
}

void local_broker::stop() {
  if (pid_ <= 0) return;
  pid_t pid = pid_;
  pid_ = -1;
  if (::kill(pid, SIGTERM) != 0 && errno == ESRCH) {
    ::waitpid(pid, nullptr, WNOHANG);
    return;
  }
  // mosquitto blocks signals while it sleeps in epoll_wait (up to 100 ms);
  // a connection wakes it so it handles SIGTERM at once.
  accepts_connections(port_);
  if (reap_until(pid, steady::now() + stop_deadline)) return;
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

}  // namespace mqttest
