#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "contracts/asyncapi.h"
#include "contracts/traffic.h"

namespace mqttest {

struct contract_violation {
  std::string topic;
  std::size_t index = 0;  ///< the message's place among the channel's messages
  std::string pointer;    ///< JSON pointer of the offending value
  std::string rule;
  nlohmann::json value;
};

/// What arrived on one channel and how it kept the contract.
struct channel_verdict {
  std::string channel;  ///< the channel's address
  std::string filter;
  std::size_t messages = 0;
  std::vector<contract_violation> violations;
};

/// Checks each message against the payload schema of the first channel whose
/// filter matches its topic; a payload that is not JSON is a violation.
/// Throws std::runtime_error when a channel's payload schema is invalid.
std::vector<channel_verdict> check_contract(const asyncapi_document& doc,
                                            const std::vector<observed_message>& messages);

/// The report as text (one line per channel, one per violation, a summary).
std::string contract_report_text(const std::vector<channel_verdict>& verdicts);

/// The report as JSON: {"channels": [...], "messages": N, "violations": N, "silent": N}.
nlohmann::json contract_report_json(const std::vector<channel_verdict>& verdicts);

}  // namespace mqttest
