#include "steps/mqtt/connect_probe.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

namespace mqttest {
namespace {

using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

long left_ms(clock_type::time_point deadline) {
  auto left = std::chrono::duration_cast<milliseconds>(deadline - clock_type::now()).count();
  return std::max<long>(left, 1);
}

}  // namespace

int open_tcp(const broker_url& url, clock_type::time_point deadline, std::string& problem) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(url.host.c_str(), url.port.c_str(), &hints, &found); rc != 0) {
    if (rc == EAI_NONAME || rc == EAI_FAIL || rc == EAI_NODATA)
      problem = fmt::format("unknown host \"{}\"", url.host);
    else
      problem = fmt::format("cannot resolve \"{}\": {}", url.host, gai_strerror(rc));
    return -1;
  }
  problem = "cannot connect";
  int connected = -1;
  for (addrinfo* at = found; at != nullptr && connected < 0; at = at->ai_next) {
    int fd =
        ::socket(at->ai_family, at->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, at->ai_protocol);
    if (fd < 0) continue;
    int error = 0;
    if (::connect(fd, at->ai_addr, at->ai_addrlen) != 0) {
      error = errno;
      if (error == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        if (::poll(&p, 1, static_cast<int>(left_ms(deadline))) == 1) {
          socklen_t size = sizeof error;
          getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
        } else {
          error = ETIMEDOUT;
        }
      }
    }
    if (error == 0) {
      problem.clear();
      connected = fd;
    } else {
      ::close(fd);
      problem = error == ECONNREFUSED ? "connection refused" : std::strerror(error);
    }
  }
  freeaddrinfo(found);
  return connected;
}

namespace {

/// The names a certificate is for: its subjectAltName, else its subject.
std::string certificate_names(X509* certificate) {
  std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), BIO_free);
  int san = X509_get_ext_by_NID(certificate, NID_subject_alt_name, -1);
  if (san >= 0)
    X509V3_EXT_print(out.get(), X509_get_ext(certificate, san), 0, 0);
  else
    X509_NAME_print_ex(out.get(), X509_get_subject_name(certificate), 0, XN_FLAG_ONELINE);
  char* text = nullptr;
  long size = BIO_get_mem_data(out.get(), &text);
  return std::string(text, static_cast<std::size_t>(size));
}

/// A TLS handshake on the connected socket fd, without verification, then
/// the host name check.
std::string host_name_problem(int fd, const broker_url& url) {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> context(SSL_CTX_new(TLS_client_method()),
                                                            SSL_CTX_free);
  std::unique_ptr<SSL, decltype(&SSL_free)> tls(context ? SSL_new(context.get()) : nullptr,
                                                SSL_free);
  std::string problem;
  if (tls && SSL_set_fd(tls.get(), fd) == 1 &&
      SSL_set_tlsext_host_name(tls.get(), url.host.c_str()) == 1 && SSL_connect(tls.get()) == 1) {
    std::unique_ptr<X509, decltype(&X509_free)> certificate(SSL_get1_peer_certificate(tls.get()),
                                                            X509_free);
    // Paho C's checks: the host as a DNS name, then as an IP address.
    if (certificate &&
        X509_check_host(certificate.get(), url.host.data(), url.host.size(), 0, nullptr) != 1 &&
        X509_check_ip_asc(certificate.get(), url.host.c_str(), 0) != 1)
      problem = fmt::format("the server certificate is for {}, not \"{}\"",
                            certificate_names(certificate.get()), url.host);
  }
  ERR_clear_error();
  return problem;
}

}  // namespace

std::string probe_tcp(const broker_url& url, clock_type::time_point deadline) {
  std::string problem;
  if (int fd = open_tcp(url, deadline, problem); fd >= 0) ::close(fd);
  return problem;
}

std::string probe_tls_host_name(const broker_url& url, clock_type::time_point deadline) {
  std::string ignored;
  int fd = open_tcp(url, deadline, ignored);
  if (fd < 0) return "";
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  long left = left_ms(deadline);
  timeval limit{left / 1000, static_cast<suseconds_t>(left % 1000 * 1000)};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  std::string problem = host_name_problem(fd, url);
  ::close(fd);
  return problem;
}

}  // namespace mqttest
