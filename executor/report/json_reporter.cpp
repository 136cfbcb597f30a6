#include "executor/report/json_reporter.h"

#include "executor/report/report_data.h"

namespace mqttest {

std::string json_report(const run_report& run) {
  return run_to_json(run).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace mqttest
