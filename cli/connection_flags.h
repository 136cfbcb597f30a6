#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "steps/mqtt/connection_options.h"

namespace mqttest {

/// How every command that talks to a broker itself (pub, sub, queue, probe,
/// conformance) reaches it: the URL and its authentication and TLS flags.
struct connection_flags {
  std::string addrs;  ///< empty: $MQTTEST_ADDRS, then tcp://localhost:1883
  std::string username;
  std::string password;
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  bool insecure = false;

  /// --addrs, else $MQTTEST_ADDRS, else tcp://localhost:1883.
  std::string url() const;
  bool any_tls() const {
    return !ca_file.empty() || !cert_file.empty() || !key_file.empty() || insecure;
  }
};

/// Adds --addrs, -u/--username, -P/--password, --ca-file, --cert, --key,
/// --insecure (the TLS flags in a "TLS" group).
void add_connection_flags(CLI::App& command, connection_flags& flags);

/// The `type: mqtt` step fields the flags set: addrs, username, password, tls.
nlohmann::json connection_step_fields(const connection_flags& flags);

/// --password without --username, TLS flags with a plain URL: usage_error.
void check_connection_flags(const connection_flags& flags);

/// The same for a session; throws usage_error for a bad combination
/// (--password without --username, TLS flags with a plain URL, a bad URL).
connection_options connection_from_flags(const connection_flags& flags);

}  // namespace mqttest
