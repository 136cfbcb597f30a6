#include "cli/queue_command.h"

#include <memory>

#include "cli/exit_codes.h"

namespace mqttest {

void setup_queue_command(CLI::App& app, int& exit_status) {
  auto options = std::make_shared<queue_command_options>();
  CLI::App* queue = app.add_subcommand(
      "queue",
      "Register or release a persistent session (a persistent_queue step) and print the result "
      "JSON");
  add_step_command_options(*queue, options->common);
  queue->get_option("--id")->required();
  queue->add_option("-t,--topic", options->topics, "Topic filter (repeatable)")
      ->required()
      ->take_all()
      ->expected(1);
  CLI::Option_group* action = queue->add_option_group("action", "Exactly one of --register, --release");
  action->add_flag("--register", options->register_queue,
                   "Keep a session (clean session off) subscribed to the filters");
  action->add_flag("--release", options->release_queue,
                   "Unsubscribe, then reconnect with a clean session: the broker keeps nothing");
  action->require_option(1);
  queue->add_option("--timeout", options->timeout_ms,
                    "Milliseconds to wait for each broker operation")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  queue->footer(step_exit_status_footer());
  queue->callback([options, &exit_status] { exit_status = queue_command(*options); });
}

int queue_command(const queue_command_options& options) {
  nlohmann::json fields = common_step_fields(options.common);
  fields["clientType"] = "persistent_queue";
  fields["topics"] = options.topics;
  fields["timeout"] = options.timeout_ms;
  fields["persistSubscription"] = options.register_queue;
  return run_step_command("queue", fields, options.common,
                          {{"/topics", "-t"}, {"/timeout", "--timeout"}});
}

}  // namespace mqttest
