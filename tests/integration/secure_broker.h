#pragma once

// A private mosquitto with every listener the breadth tests need: plain TCP
// (the local_broker's own), TLS with certificates generated at test time by
// `openssl` (CA, server for 127.0.0.1/localhost, client, an unrelated CA,
// and a server certificate for another host name only), a password file, an
// ACL, WebSockets (plain and over TLS), and MQTT 5 (mosquitto 2 speaks it on every listener).
// Nothing is committed: keys live in a temp dir that is removed with the
// fixture.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "steps/mqtt/local_broker.h"
#include "tests/integration/free_port.h"

namespace mqttest::testing {

inline void run_quietly(const std::string& command) {
  if (std::system((command + " >/dev/null 2>&1").c_str()) != 0)
    throw std::runtime_error("failed: " + command);
}

/// secure_broker(false): only the plain and WebSocket listeners, no password or ACL.
/// Users: alice/wonderland (read and write `open/#`, `will/#`, read only
/// `readonly/#`, nothing else) and anonymous clients (everything but
/// `private/#`).
class secure_broker {
 public:
  explicit secure_broker(bool with_auth = true) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "mqttest-tls-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp");
    dir_ = pattern;
    make_certificates();
    // A port free a moment ago can be taken before mosquitto binds it (an
    // outgoing connection's ephemeral port): then start again on new ports.
    for (int attempt = 1;; ++attempt) {
      try {
        start(with_auth);
        return;
      } catch (const std::exception&) {
        broker_.reset();
        if (attempt == 3) {
          std::error_code ignored;
          std::filesystem::remove_all(dir_, ignored);
          throw;
        }
      }
    }
  }
  ~secure_broker() {
    broker_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  secure_broker(const secure_broker&) = delete;
  secure_broker& operator=(const secure_broker&) = delete;

  std::string tcp_url() const { return broker_->url(); }
  std::string tls_url(const std::string& host = "127.0.0.1") const {
    return fmt::format("ssl://{}:{}", host, tls_port_);
  }
  std::string mtls_url() const { return fmt::format("mqtts://127.0.0.1:{}", mtls_port_); }
  /// TLS with a certificate from the good CA for elsewhere.example only.
  std::string misnamed_tls_url() const { return fmt::format("ssl://127.0.0.1:{}", misnamed_port_); }
  std::string ws_url() const { return fmt::format("ws://127.0.0.1:{}", ws_port_); }
  /// WebSockets over TLS with the server certificate (for 127.0.0.1 and localhost).
  std::string wss_url(const std::string& host = "127.0.0.1") const {
    return fmt::format("wss://{}:{}", host, wss_port_);
  }
  std::string file(const std::string& name) const { return dir_ + "/" + name; }
  const std::string& directory() const { return dir_; }
  std::string log() const {
    std::ifstream in(broker_->directory() + "/mosquitto.conf");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  void start(bool with_auth) {
    tls_port_ = free_port();
    mtls_port_ = free_port();
    ws_port_ = free_port();
    misnamed_port_ = free_port();
    wss_port_ = free_port();
    std::string config = fmt::format(
        "listener {0} 127.0.0.1\ncafile {1}/ca.crt\ncertfile {1}/server.crt\nkeyfile "
        "{1}/server.key\n"
        "listener {2} 127.0.0.1\ncafile {1}/ca.crt\ncertfile {1}/server.crt\nkeyfile "
        "{1}/server.key\nrequire_certificate true\n"
        "listener {3}\nprotocol websockets\n"
        "listener {4} 127.0.0.1\ncafile {1}/ca.crt\ncertfile {1}/elsewhere.crt\nkeyfile "
        "{1}/elsewhere.key\n"
        "listener {5}\nprotocol websockets\ncafile {1}/ca.crt\ncertfile {1}/server.crt\n"
        "keyfile {1}/server.key\n",
        tls_port_, dir_, mtls_port_, ws_port_, misnamed_port_, wss_port_);
    if (!with_auth) config = fmt::format("listener {}\nprotocol websockets\n", ws_port_);
    if (with_auth) {
      run_quietly(fmt::format("mosquitto_passwd -c -b {}/passwd alice wonderland", dir_));
      std::ofstream(dir_ + "/acl") << "topic readwrite open/#\ntopic readwrite will/#\n"
                                      "topic readwrite plain/#\n"
                                      "user alice\ntopic readwrite open/#\ntopic readwrite "
                                      "will/#\ntopic read readonly/#\n";
      config += fmt::format("password_file {0}/passwd\nacl_file {0}/acl\n", dir_);
    }
    broker_options options;
    options.extra_config = config;
    broker_ = std::make_unique<local_broker>(options);
    wait_for_listener(ws_port_);
    if (with_auth) wait_for_listener(wss_port_);
    }

  /// libwebsockets may start listening after mosquitto's TCP listener does.
  static void wait_for_listener(int port) {
    for (int attempt = 0; attempt < 200; ++attempt) {
      int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in address{};
      address.sin_family = AF_INET;
      address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      address.sin_port = htons(static_cast<uint16_t>(port));
      bool up = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
      ::close(fd);
      if (up) return;
      ::usleep(10000);
    }
    throw std::runtime_error(fmt::format("the WebSocket listener on port {} did not start", port));
  }

  void make_certificates() const {
    const std::string& d = dir_;
    auto ca = [&](const std::string& name) {
      run_quietly(fmt::format(
          "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN={1} -keyout {0}/{1}.key "
          "-out {0}/{1}.crt",
          d, name));
    };
    ca("ca");
    ca("other-ca");
    std::ofstream(d + "/server.ext") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
    auto signed_cert = [&](const std::string& name, const std::string& extensions) {
      run_quietly(fmt::format(
          "openssl req -newkey rsa:2048 -nodes -subj /CN={1} -keyout {0}/{1}.key -out {0}/{1}.csr",
          d, name));
      run_quietly(fmt::format(
          "openssl x509 -req -in {0}/{1}.csr -CA {0}/ca.crt -CAkey {0}/ca.key -CAcreateserial "
          "-days 2 -out {0}/{1}.crt {2}",
          d, name, extensions));
    };
    signed_cert("server", fmt::format("-extfile {}/server.ext", d));
    std::ofstream(d + "/elsewhere.ext") << "subjectAltName=DNS:elsewhere.example\n";
    signed_cert("elsewhere", fmt::format("-extfile {}/elsewhere.ext", d));
    signed_cert("client", "");
    run_quietly(fmt::format(
        "openssl pkey -in {0}/client.key -aes256 -passout pass:sesame -out {0}/client-locked.key",
        d));
  }

  std::string dir_;
  int tls_port_ = 0;
  int mtls_port_ = 0;
  int ws_port_ = 0;
  int misnamed_port_ = 0;
  int wss_port_ = 0;
  std::unique_ptr<local_broker> broker_;
};

}  // namespace mqttest::testing
