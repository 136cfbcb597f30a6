#pragma once

#include <chrono>
#include <string>

#include "steps/mqtt/broker_url.h"

/// Why a connection to a broker fails, for a clear message after Paho
/// reported only a generic connect failure. Each probe opens a connection of
/// its own and returns "" when it finds no problem.

namespace mqttest {

/// A connected non-blocking TCP socket to url (every address of its host in
/// turn, until deadline), or -1 and why in problem ("unknown host \"h\"",
/// "connection refused", ...).
int open_tcp(const broker_url& url, std::chrono::steady_clock::time_point deadline,
             std::string& problem);

/// Unknown host, connection refused, timeout, ...
std::string probe_tcp(const broker_url& url, std::chrono::steady_clock::time_point deadline);

/// Whether the server certificate names url's host. Paho C checks the name
/// after the TLS handshake and reports a mismatch as a bare "TCP/TLS connect
/// failure", with no OpenSSL error.
std::string probe_tls_host_name(const broker_url& url,
                                std::chrono::steady_clock::time_point deadline);

}  // namespace mqttest
