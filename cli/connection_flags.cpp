#include "cli/connection_flags.h"

#include <fmt/format.h>

#include <cstdlib>

#include "executor/core/errors.h"
#include "steps/mqtt/broker_url.h"

namespace mqttest {

namespace {
constexpr const char* kDefaultAddrs = "tcp://localhost:1883";
}  // namespace

std::string connection_flags::url() const {
  if (!addrs.empty()) return addrs;
  const char* env = std::getenv("MQTTEST_ADDRS");
  if (env != nullptr && *env != '\0') return env;
  return kDefaultAddrs;
}

void add_connection_flags(CLI::App& command, connection_flags& flags) {
  command.add_option("--addrs", flags.addrs,
                     fmt::format("Broker URL: tcp://, mqtt://, ssl://, mqtts://, ws://, wss:// "
                                 "(default: $MQTTEST_ADDRS, else {})",
                                 kDefaultAddrs));
  command.add_option("-u,--username", flags.username, "User name");
  command.add_option("-P,--password", flags.password, "Password (needs --username)");
  command
      .add_option("--ca-file", flags.ca_file,
                  "TLS: PEM file of the CA certificates to trust (default: the system's)")
      ->group("TLS (ssl://, mqtts://, wss://)");
  command.add_option("--cert", flags.cert_file, "TLS: PEM client certificate")
      ->group("TLS (ssl://, mqtts://, wss://)");
  command.add_option("--key", flags.key_file, "TLS: PEM private key of --cert")
      ->group("TLS (ssl://, mqtts://, wss://)");
  command
      .add_flag("--insecure", flags.insecure,
                "TLS: do not verify the server certificate or its host name")
      ->group("TLS (ssl://, mqtts://, wss://)");
}

nlohmann::json connection_step_fields(const connection_flags& flags) {
  nlohmann::json fields{{"addrs", flags.url()}};
  if (!flags.username.empty()) fields["username"] = flags.username;
  if (!flags.password.empty()) fields["password"] = flags.password;
  if (flags.any_tls()) {
    nlohmann::json tls = nlohmann::json::object();
    if (!flags.ca_file.empty()) tls["caFile"] = flags.ca_file;
    if (!flags.cert_file.empty()) tls["certFile"] = flags.cert_file;
    if (!flags.key_file.empty()) tls["keyFile"] = flags.key_file;
    if (flags.insecure) tls["insecureSkipVerify"] = true;
    fields["tls"] = tls;
  }
  return fields;
}

void check_connection_flags(const connection_flags& flags) {
  if (!flags.password.empty() && flags.username.empty())
    throw usage_error("--password needs --username");
  if (flags.any_tls() && !parse_broker_url(flags.url()).tls)
    throw usage_error(
        fmt::format("--ca-file, --cert, --key and --insecure need an ssl://, "
                    "mqtts:// or wss:// address, got \"{}\"",
                    flags.url()));
}

connection_options connection_from_flags(const connection_flags& flags) {
  std::string url = flags.url();
  broker_url parsed = parse_broker_url(url);
  static const char* const schemes[] = {"tcp", "mqtt", "ssl", "mqtts", "ws", "wss"};
  bool known = false;
  for (const char* scheme : schemes) known = known || parsed.scheme == scheme;
  if (!known || url.find("://") == std::string::npos)
    throw usage_error(
        fmt::format("--addrs must be a broker URL such as tcp://localhost:1883, got \"{}\"", url));
  if (std::string problem = broker_url_problem(url); !problem.empty())
    throw usage_error(fmt::format("--addrs \"{}\" {}", url, problem));
  check_connection_flags(flags);
  connection_options options;
  if (!flags.username.empty()) options.username = flags.username;
  if (!flags.password.empty()) options.password = flags.password;
  if (parsed.tls) {
    tls_options tls;
    tls.ca_file = flags.ca_file;
    tls.cert_file = flags.cert_file;
    tls.key_file = flags.key_file;
    tls.insecure_skip_verify = flags.insecure;
    options.tls = tls;
  }
  return options;
}

}  // namespace mqttest
