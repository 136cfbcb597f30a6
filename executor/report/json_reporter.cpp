#include "executor/report/json_reporter.h"

#include <filesystem>

#include "executor/core/atomic_file.h"
#include "executor/report/report_data.h"

namespace mqttest {

std::string json_report(const run_report& run) {
  return run_to_json(run).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

void json_reporter::run_finished(const run_report& run) {
  write_file_atomically((std::filesystem::path(options_.output_dir) / json_file_name).string(),
                        json_report(run));
}

}  // namespace mqttest
