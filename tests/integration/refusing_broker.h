#pragma once

// Broker options under which mosquitto refuses subscriptions to `secret/#`
// with SUBACK 0x80. mosquitto 2.0's acl_file never refuses a SUBSCRIBE
// (measured: it grants it and then delivers nothing); its dynamic-security
// plugin does.

#include <fstream>
#include <string>

#include <fmt/format.h>

#include "steps/mqtt/local_broker.h"

namespace mqttest::testing {

/// Writes the plugin's config into `dir` (which must outlive the broker).
inline broker_options refusing_secret_topics(const std::string& dir) {
  std::string config = dir + "/dynsec.json";
  std::ofstream(config)
      << R"({"defaultACLAccess": {"publishClientSend": true, "publishClientReceive": true,
    "subscribe": true, "unsubscribe": true}, "clients": [],
    "groups": [{"groupname": "anonymous", "roles": [{"rolename": "no-secrets"}]}],
    "roles": [{"rolename": "no-secrets",
               "acls": [{"acltype": "subscribePattern", "topic": "secret/#", "priority": 0, "allow": false}]}],
    "anonymousGroup": "anonymous"})";
  broker_options options;
  options.extra_config = fmt::format(
      "plugin /usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so\nplugin_opt_config_file {}\n",
      config);
  return options;
}

}  // namespace mqttest::testing
