#include "steps/mqtt/session.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "steps/mqtt/paho_tuning.h"
#include "steps/mqtt/topic_filter.h"

namespace mqttest {
namespace {

using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kSlice{50};
constexpr int kRefused = 0x80;

struct host_port {
  std::string host;
  std::string port;
};

host_port split_url(const std::string& url) {
  std::string_view rest = url;
  std::string_view scheme;
  if (auto sep = rest.find("://"); sep != std::string_view::npos) {
    scheme = rest.substr(0, sep);
    rest.remove_prefix(sep + 3);
  }
  rest = rest.substr(0, rest.find('/'));
  std::string port = scheme == "ssl" || scheme == "mqtts" ? "8883"
                     : scheme == "ws"                     ? "80"
                     : scheme == "wss"                    ? "443"
                                                          : "1883";
  std::string_view host = rest;
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    host = rest.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1);
    if (close != std::string_view::npos && close + 1 < rest.size() && rest[close + 1] == ':')
      port = std::string(rest.substr(close + 2));
  } else if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port = std::string(rest.substr(colon + 1));
  }
  return {std::string(host), port};
}

/// Why a TCP connection to url cannot be made ("" when it can), for a clear
/// message after Paho reported a generic connect failure.
std::string probe_tcp(const std::string& url, steady_time deadline) {
  auto [host, port] = split_url(url);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    if (rc == EAI_NONAME || rc == EAI_FAIL || rc == EAI_NODATA)
      return fmt::format("unknown host \"{}\"", host);
    return fmt::format("cannot resolve \"{}\": {}", host, gai_strerror(rc));
  }
  std::string problem = "cannot connect";
  for (addrinfo* at = found; at != nullptr; at = at->ai_next) {
    int fd =
        ::socket(at->ai_family, at->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, at->ai_protocol);
    if (fd < 0) continue;
    int error = 0;
    if (::connect(fd, at->ai_addr, at->ai_addrlen) != 0) {
      error = errno;
      if (error == EINPROGRESS) {
        auto left = std::chrono::duration_cast<milliseconds>(deadline - clock_type::now()).count();
        pollfd p{fd, POLLOUT, 0};
        if (::poll(&p, 1, static_cast<int>(std::max<long>(left, 1))) == 1) {
          socklen_t size = sizeof error;
          getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
        } else {
          error = ETIMEDOUT;
        }
      }
    }
    ::close(fd);
    if (error == 0) {
      problem.clear();
      break;
    }
    problem = error == ECONNREFUSED ? "connection refused" : std::strerror(error);
  }
  freeaddrinfo(found);
  return problem;
}

std::string connack_text(int code) {
  switch (code) {
    case 1:
      return "unacceptable protocol version";
    case 2:
      return "client identifier rejected";
    case 3:
      return "server unavailable";
    case 4:
      return "bad user name or password";
    case 5:
      return "not authorized";
    default:
      return "refused";
  }
}

std::string filter_list(const std::vector<std::string>& filters) {
  return fmt::format("[{}]", fmt::join(filters, ", "));
}

}  // namespace

struct session::wait_outcome {
  enum class kind { done, failed, timed_out, interrupted };
  wait_outcome(kind how, int return_code = 0, std::string why = {})
      : status(how), code(return_code), message(std::move(why)) {}

  kind status;
  int code;
  std::string message;
};

session::session(std::string url, std::string client_id, std::vector<std::string> route,
                 const std::atomic<bool>* interrupted)
    : url_(std::move(url)),
      client_id_(std::move(client_id)),
      route_(std::move(route)),
      interrupted_(interrupted),
      client_((ensure_paho_anchor(), url_), client_id_) {
  client_.set_message_callback([this](mqtt::const_message_ptr message) { on_message(message); });
  client_.set_connection_lost_handler(
      [this](const std::string& cause) { on_connection_lost(cause); });
}

session::~session() {
  try {
    if (connected_) disconnect(milliseconds(1000));
  } catch (...) {  // a destructor must not throw; the connection closes anyway
  }
}

void session::on_message(const mqtt::const_message_ptr& message) {
  if (!message) return;
  const std::string& topic = message->get_topic();
  bool wanted = std::any_of(route_.begin(), route_.end(), [&](const std::string& filter) {
    return topic_matches(filter, topic);
  });
  if (!wanted) return;
  received_message entry{topic, message->to_string(), message->get_qos(), message->is_retained(),
                         message->is_duplicate()};
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(entry));
  }
  arrived_.notify_one();
}

void session::on_connection_lost(const std::string& cause) {
  {
    std::lock_guard lock(mutex_);
    lost_ = cause.empty() ? "connection lost" : "connection lost: " + cause;
  }
  arrived_.notify_one();
}

std::string session::lost() const {
  std::lock_guard lock(mutex_);
  return lost_;
}

session::wait_outcome session::await(const mqtt::token_ptr& token, steady_time deadline) {
  using kind = wait_outcome::kind;
  while (true) {
    if (is_interrupted()) return wait_outcome(kind::interrupted);
    auto now = clock_type::now();
    if (now >= deadline) return wait_outcome(kind::timed_out);
    auto slice = std::min<clock_type::duration>(deadline - now, kSlice);
    try {
      if (token->wait_for(std::chrono::duration_cast<milliseconds>(slice) + milliseconds(1)))
        return wait_outcome(kind::done);
    } catch (const mqtt::exception& e) {
      return wait_outcome(kind::failed, e.get_return_code(), e.what());
    }
  }
}

std::string session::connect_failure(int return_code, const std::string& message,
                                     steady_time deadline) {
  if (return_code >= 1 && return_code <= 5)
    return fmt::format("connect to {} as \"{}\" refused by the broker: {} (CONNACK {})", url_,
                       client_id_, connack_text(return_code), return_code);
  std::string why = probe_tcp(url_, deadline);
  return fmt::format("connect to {} failed: {}", url_, why.empty() ? message : why);
}

op_result session::connect(bool clean_session, milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  auto options = mqtt::connect_options_builder()
                     .clean_session(clean_session)
                     .mqtt_version(MQTTVERSION_3_1_1)
                     .connect_timeout(std::chrono::seconds(timeout.count() / 1000 + 2))
                     .automatic_reconnect(false)
                     .finalize();
  {
    std::lock_guard lock(mutex_);
    lost_.clear();
  }
  connect_window window;
  mqtt::token_ptr token;
  try {
    token = client_.connect(options);
  } catch (const mqtt::exception& e) {
    return {fmt::format("connect to {} failed: {}", url_, e.what())};
  }
  auto outcome = await(token, deadline);
  switch (outcome.status) {
    case wait_outcome::kind::done:
      connected_ = true;
      return {};
    case wait_outcome::kind::failed:
      return {connect_failure(outcome.code, outcome.message, deadline)};
    case wait_outcome::kind::timed_out:
      return {fmt::format("no CONNACK from {} within {} ms", url_, timeout.count())};
    case wait_outcome::kind::interrupted:
      break;
  }
  return {"interrupted"};
}

op_result session::subscribe(const std::vector<std::string>& filters, int qos,
                             milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  mqtt::token_ptr token;
  try {
    // The collection overload even for one filter: with the single-string
    // overload Paho C++ 1.2.0 reports garbage granted QoS on MQTT 3.1.1.
    token = client_.subscribe(mqtt::string_collection::create(filters),
                              mqtt::iasync_client::qos_collection(filters.size(), qos));
  } catch (const mqtt::exception& e) {
    return {fmt::format("subscribe to {} failed: {}", filter_list(filters), e.what())};
  }
  auto outcome = await(token, deadline);
  op_result result;
  switch (outcome.status) {
    case wait_outcome::kind::done:
      try {
        mqtt::subscribe_response response = token->get_subscribe_response();
        for (auto code : response.get_reason_codes())
          result.granted.push_back(static_cast<int>(code));
      } catch (const std::exception& e) {
        return {
            fmt::format("subscribe to {}: no SUBACK details: {}", filter_list(filters), e.what())};
      }
      break;
    case wait_outcome::kind::failed:
      // Paho C reports a single refused filter as a failure with code 0x80.
      if (outcome.code != kRefused || filters.size() != 1)
        return {fmt::format("subscribe to {} failed: {}", filter_list(filters), outcome.message)};
      result.granted = {kRefused};
      break;
    case wait_outcome::kind::timed_out:
      return {fmt::format("no SUBACK from {} within {} ms", url_, timeout.count())};
    case wait_outcome::kind::interrupted:
      return {"interrupted"};
  }
  std::vector<std::string> refusals;
  for (std::size_t i = 0; i < result.granted.size() && i < filters.size(); ++i)
    if (result.granted[i] >= kRefused)
      refusals.push_back(
          fmt::format("subscription to \"{}\" refused by the broker (SUBACK 0x{:02X})", filters[i],
                      result.granted[i]));
  result.error = fmt::format("{}", fmt::join(refusals, "; "));
  return result;
}

op_result session::unsubscribe(const std::vector<std::string>& filters, milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  mqtt::token_ptr token;
  try {
    token = client_.unsubscribe(mqtt::string_collection::create(filters));
  } catch (const mqtt::exception& e) {
    return {fmt::format("unsubscribe from {} failed: {}", filter_list(filters), e.what())};
  }
  auto outcome = await(token, deadline);
  switch (outcome.status) {
    case wait_outcome::kind::done:
      return {};
    case wait_outcome::kind::failed:
      return {fmt::format("unsubscribe from {} failed: {}", filter_list(filters), outcome.message)};
    case wait_outcome::kind::timed_out:
      return {fmt::format("no UNSUBACK from {} within {} ms", url_, timeout.count())};
    case wait_outcome::kind::interrupted:
      break;
  }
  return {"interrupted"};
}

op_result session::publish(const std::string& topic, const std::string& payload, int qos,
                           bool retained, milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  mqtt::token_ptr token;
  try {
    token = client_.publish(topic, payload.data(), payload.size(), qos, retained);
  } catch (const mqtt::exception& e) {
    return {fmt::format("publish to \"{}\" failed: {}", topic, e.what())};
  }
  auto outcome = await(token, deadline);
  switch (outcome.status) {
    case wait_outcome::kind::done:
      return {};
    case wait_outcome::kind::failed:
      return {fmt::format("publish to \"{}\" failed: {}", topic, outcome.message)};
    case wait_outcome::kind::timed_out:
      return {fmt::format("publish to \"{}\" (QoS {}) not completed within {} ms", topic, qos,
                          timeout.count())};
    case wait_outcome::kind::interrupted:
      break;
  }
  return {"interrupted"};
}

op_result session::disconnect(milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  connected_ = false;
  mqtt::token_ptr token;
  try {
    token = client_.disconnect(0);
  } catch (const mqtt::exception& e) {
    return {fmt::format("disconnect from {} failed: {}", url_, e.what())};
  }
  auto outcome = await(token, deadline);
  switch (outcome.status) {
    case wait_outcome::kind::done:
      return {};
    case wait_outcome::kind::failed:
      return {fmt::format("disconnect from {} failed: {}", url_, outcome.message)};
    case wait_outcome::kind::timed_out:
      return {fmt::format("disconnect from {} not completed within {} ms", url_, timeout.count())};
    case wait_outcome::kind::interrupted:
      break;
  }
  return {"interrupted"};
}

std::optional<received_message> session::try_next() {
  std::lock_guard lock(mutex_);
  if (queue_.empty()) return std::nullopt;
  received_message message = std::move(queue_.front());
  queue_.pop_front();
  return message;
}

std::optional<received_message> session::next(steady_time deadline) {
  std::unique_lock lock(mutex_);
  while (queue_.empty()) {
    if (!lost_.empty() || is_interrupted()) return std::nullopt;
    auto now = clock_type::now();
    if (now >= deadline) return std::nullopt;
    arrived_.wait_for(lock, std::min<clock_type::duration>(deadline - now, kSlice));
  }
  received_message message = std::move(queue_.front());
  queue_.pop_front();
  return message;
}

}  // namespace mqttest
