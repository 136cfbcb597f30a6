#include "cli/sub_command.h"

#include <climits>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/exit_codes.h"

namespace mqttest {

void setup_sub_command(CLI::App& app, int& exit_status) {
  auto options = std::make_shared<sub_command_options>();
  CLI::App* sub = app.add_subcommand(
      "sub", "Subscribe, wait for messages (a subscriber step) and print the result JSON");
  add_step_command_options(*sub, options->common);
  sub->add_option("-t,--topic", options->topics, "Topic filter (repeatable; + and # allowed)")
      ->required()
      ->take_all()
      ->expected(1);
  sub->add_option("-C,--count", options->count,
                  "Messages to wait for; 0: wait the whole -W and count arrivals as ignored")
      ->check(CLI::Range(0, INT_MAX))
      ->capture_default_str();
  sub->add_option("-W,--timeout", options->timeout_ms,
                  "Milliseconds to wait for the messages (and for each broker operation)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  sub->add_flag("--persist", options->persist,
                "Clean session off: keep the session and collect what it queued");
  sub->add_flag("--stream", options->stream,
                "Print each message as one JSON line on stdout as it arrives, keep none; the "
                "result goes to stderr. Without -C/-W: no count limit, no time limit");
  sub->footer(step_exit_status_footer());
  sub->callback([options, sub, &exit_status] {
    if (options->stream && sub->count("-C") == 0) options->count = INT_MAX;
    if (options->stream && sub->count("-W") == 0) options->timeout_ms = INT_MAX;
    exit_status = sub_command(*options);
  });
}

namespace {

/// --stream: one line per message, flushed, so a pipe (jq) sees it at once.
void print_line(const nlohmann::json& message) {
  std::string line = message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

}  // namespace

int sub_command(const sub_command_options& options) {
  nlohmann::json fields = common_step_fields(options.common);
  fields["clientType"] = "subscriber";
  fields["topics"] = options.topics;
  fields["messageLimit"] = options.count;
  fields["timeout"] = options.timeout_ms;
  fields["persistSubscription"] = options.persist;
  step_command_io io;
  if (options.stream) {
    io.on_message = print_line;
    io.result_on_stderr = true;
  }
  return run_step_command("sub", fields, options.common,
                          {{"/topics", "-t"}, {"/messageLimit", "-C"}, {"/timeout", "-W"}}, io);
}

}  // namespace mqttest
