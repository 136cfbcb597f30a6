#include "contracts/traffic.h"

#include <fmt/format.h>

#include <random>
#include <stdexcept>

#include "steps/mqtt/broker_url.h"
#include "steps/mqtt/session.h"

namespace mqttest {

namespace {

std::string listener_id() {
  std::random_device random;
  return fmt::format("mqttest-listen-{:08x}", random());
}

void check(const op_result& done, std::string_view what, const std::string& url) {
  if (!done.ok()) throw std::runtime_error(fmt::format("{} {}: {}", what, url, done.error));
}

}  // namespace

std::vector<observed_message> listen(const listen_options& options) {
  if (std::string problem = broker_url_problem(options.url); !problem.empty())
    throw std::runtime_error(fmt::format("broker URL {} {}", options.url, problem));
  session client(options.url, listener_id(), options.filters, options.interrupted);
  check(client.connect(true, options.operation_timeout), "cannot connect to", options.url);
  op_result subscribed = client.subscribe(options.filters, options.qos, options.operation_timeout);
  check(subscribed, "cannot subscribe at", options.url);
  for (std::size_t i = 0; i < subscribed.granted.size() && i < options.filters.size(); ++i) {
    if (subscribed.granted[i] >= 0x80)
      throw std::runtime_error(
          fmt::format("the broker refused the subscription to \"{}\"", options.filters[i]));
  }
  std::vector<observed_message> seen;
  auto deadline = std::chrono::steady_clock::now() + options.wait;
  while (options.count == 0 || static_cast<int>(seen.size()) < options.count) {
    auto message = client.next(deadline);
    if (!message) break;
    seen.push_back({message->topic, message->payload, message->qos, message->retained});
  }
  std::string lost = client.lost();
  if (!lost.empty() && (options.interrupted == nullptr || !options.interrupted->load()))
    throw std::runtime_error(fmt::format("connection to {} lost: {}", options.url, lost));
  client.disconnect(options.operation_timeout);
  return seen;
}

}  // namespace mqttest
