#include "contracts/contract_check.h"

#include <fmt/format.h>

#include <memory>
#include <stdexcept>

#include "executor/assert/json_schema.h"
#include "executor/core/value_compare.h"
#include "steps/mqtt/topic_filter.h"

namespace mqttest {

using nlohmann::json;

namespace {

std::string plural(std::size_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

}  // namespace

std::vector<channel_verdict> check_contract(const asyncapi_document& doc,
                                            const std::vector<observed_message>& messages) {
  std::vector<channel_verdict> verdicts;
  std::vector<std::unique_ptr<json_schema>> schemas;
  for (const asyncapi_channel& channel : doc.channels) {
    verdicts.push_back({channel.address, channel.filter, 0, {}});
    try {
      schemas.push_back(std::make_unique<json_schema>(channel.payload_schema(),
                                                      "", "channel " + channel.address));
    } catch (const std::exception& e) {
      throw std::runtime_error(
          fmt::format("the payload schema of channel {}: {}", channel.address, e.what()));
    }
  }
  for (const observed_message& message : messages) {
    for (std::size_t c = 0; c < doc.channels.size(); ++c) {
      if (!topic_matches(doc.channels[c].filter, message.topic)) continue;
      channel_verdict& verdict = verdicts[c];
      std::size_t index = verdict.messages++;
      json value = json::parse(message.payload, nullptr, false);
      if (value.is_discarded()) {
        verdict.violations.push_back({message.topic, index, "", "the payload is not JSON",
                                      json(message.payload.substr(0, 80))});
        break;
      }
      for (const schema_violation& v : schemas[c]->validate(value))
        verdict.violations.push_back({message.topic, index, v.pointer, v.rule, v.value});
      break;
    }
  }
  return verdicts;
}

std::string contract_report_text(const std::vector<channel_verdict>& verdicts) {
  std::string text;
  std::size_t messages = 0, violations = 0, silent = 0;
  for (const channel_verdict& v : verdicts) {
    messages += v.messages;
    violations += v.violations.size();
    if (v.messages == 0) {
      ++silent;
      text += fmt::format("NO TRAFFIC  {}  ({})\n", v.channel, v.filter);
      continue;
    }
    text += fmt::format("{}  {}  ({}): {}, {}\n", v.violations.empty() ? "OK  " : "FAIL",
                        v.channel, v.filter, plural(v.messages, "message"),
                        plural(v.violations.size(), "violation"));
    for (const contract_violation& x : v.violations)
      text += fmt::format("      {} message [{}]: {}: {} (value {})\n", x.topic, x.index,
                          x.pointer.empty() ? "(root)" : x.pointer, x.rule, render(x.value));
  }
  text += fmt::format("{}: {}, {}, {} without traffic\n", plural(verdicts.size(), "channel"),
                      plural(messages, "message"), plural(violations, "violation"), silent);
  return text;
}

json contract_report_json(const std::vector<channel_verdict>& verdicts) {
  json channels = json::array();
  std::size_t messages = 0, violations = 0, silent = 0;
  for (const channel_verdict& v : verdicts) {
    json list = json::array();
    for (const contract_violation& x : v.violations)
      list.push_back({{"topic", x.topic}, {"index", x.index}, {"pointer", x.pointer},
                      {"rule", x.rule}, {"value", x.value}});
    channels.push_back({{"channel", v.channel}, {"filter", v.filter}, {"messages", v.messages},
                        {"violations", list}});
    messages += v.messages;
    violations += v.violations.size();
    silent += v.messages == 0 ? 1 : 0;
  }
  return {{"channels", channels}, {"messages", messages}, {"violations", violations},
          {"silent", silent}};
}

}  // namespace mqttest
