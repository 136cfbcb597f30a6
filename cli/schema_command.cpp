#include "cli/schema_command.h"

#include <iostream>
#include <memory>

#include "cli/exit_codes.h"
#include "cli/step_kinds.h"
#include "executor/suite/suite_schema.h"

namespace mqttest {

void setup_schema_command(CLI::App& app, int& exit_status) {
  auto reference = std::make_shared<bool>(false);
  CLI::App* schema = app.add_subcommand(
      "schema", "Print schemas/testsuite.schema.json as generated from the field specs");
  schema->group("");  // hidden: a maintainer's tool (scripts/gen_schema.sh)
  schema->add_flag("--reference", *reference, "Print the README's field reference instead");
  schema->callback([reference, &exit_status] {
    if (*reference)
      std::cout << testsuite_field_reference(builtin_step_kinds());
    else
      std::cout << testsuite_schema(builtin_step_kinds()).dump(2) << '\n';
    exit_status = exit_passed;
  });
}

}  // namespace mqttest
