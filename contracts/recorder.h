#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "contracts/traffic.h"

namespace mqttest {

struct record_options {
  std::string addrs;           ///< the broker the suite's `addrs` variable defaults to
  int wait_ms = 1000;          ///< how long the traffic was listened to
  int qos = 0;                 ///< the subscription QoS of the steps
  bool schema = false;         ///< infer a JSON Schema per topic and check every message with it
  std::string schema_dir = "schemas";  ///< where schemas go, relative to the suite file
};

/// A suite and the files beside it (path relative to the suite's folder -> text).
struct recorded_suite {
  std::string text;
  std::size_t topics = 0;  ///< test cases: one per topic
  std::map<std::string, std::string> files;
};

/// A suite skeleton describing the messages: per topic, in order of first
/// arrival, a subscriber step that waits for as many messages as were seen
/// and asserts what every sample had in common (see README, `mqttest record`).
recorded_suite record_suite(const std::vector<observed_message>& messages,
                            const record_options& options);

/// A JSON Schema that every sample matches: types (merged), object
/// properties (required when present in every sample), array items.
nlohmann::json infer_schema(const std::vector<nlohmann::json>& samples);

}  // namespace mqttest
