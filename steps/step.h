#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "executor/core/position.h"

namespace mqttest {

struct field_table;

/// What a running step may look at besides its own fields.
struct step_context {
  const std::atomic<bool>* interrupted = nullptr;  ///< set on SIGINT/SIGTERM: stop waiting
  int verbosity = 0;
  /// -vv: one line per MQTT packet sent or received (e.g. "> SUBSCRIBE a/b qos 1",
  /// "< SUBACK [1]"); empty when nobody listens. Timestamps are the sink's job.
  std::function<void(std::string_view line)> trace;
  /// `sub --stream`: a subscriber hands each received message here as it
  /// arrives (one JSON object: topic, payload, qos, retained, dup,
  /// payloadSize, v5 properties) and keeps only the counts in its result, so
  /// memory stays flat however many arrive. Empty: messages go to the result.
  std::function<void(const nlohmann::json& message)> on_message;
  /// `pub -l`/`--repeat`: a publisher sends its first message once per
  /// payload this yields (returns true), until it returns false; empty: the
  /// step's messages as given.
  std::function<bool(std::string& payload)> next_payload;
};

/// A step ready to run: its fields are expanded and checked.
class step {
 public:
  virtual ~step() = default;
  /// Runs against the broker and returns the result JSON. Broker and runtime
  /// problems go into result["error"] (and "err"); never throws.
  virtual nlohmann::json run(const step_context& context) = 0;
};

/// One kind of step (`type: mqtt`). Fields are the step's own keys.
struct step_kind {
  std::string_view type;
  /// The field names it accepts (canonical spelling), for "did you mean".
  std::vector<std::string> (*fields)();
  /// Load-time check of the unexpanded fields: unknown keys, types and ranges
  /// of values without templates. Throws config_error (positions via locate,
  /// pointers relative to the step's map).
  void (*validate)(const nlohmann::json& fields, const locate_fn& locate);
  /// Builds a step from expanded fields; throws config_error for bad values.
  std::unique_ptr<step> (*make)(const nlohmann::json& fields, const locate_fn& locate);
  /// The kind's fields (steps/field_spec.h), nested tables included: the JSON
  /// Schema and the README's field reference are generated from it.
  const field_table& (*spec)() = nullptr;
  /// The assertion of a step that has none (Venom: each executor has its own).
  std::string_view default_assertion = "result.error ShouldBeEmpty";
};

}  // namespace mqttest
