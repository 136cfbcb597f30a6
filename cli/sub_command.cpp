#include "cli/sub_command.h"

#include <climits>
#include <memory>

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
  sub->footer(step_exit_status_footer());
  sub->callback([options, &exit_status] { exit_status = sub_command(*options); });
}

int sub_command(const sub_command_options& options) {
  nlohmann::json fields = common_step_fields(options.common);
  fields["clientType"] = "subscriber";
  fields["topics"] = options.topics;
  fields["messageLimit"] = options.count;
  fields["timeout"] = options.timeout_ms;
  fields["persistSubscription"] = options.persist;
  return run_step_command("sub", fields, options.common,
                          {{"/topics", "-t"}, {"/messageLimit", "-C"}, {"/timeout", "-W"}});
}

}  // namespace mqttest
