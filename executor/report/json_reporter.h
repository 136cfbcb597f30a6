#pragma once

#include <string>
#include <string_view>

#include "executor/engine/report.h"

namespace mqttest {

inline constexpr std::string_view json_file_name = "mqttest-report.json";

/// Writes `<output_dir>/mqttest-report.json`: run_to_json, indented.
class json_reporter final : public reporter {
 public:
  explicit json_reporter(const reporter_options& options) : options_(options) {}
  void run_finished(const run_report& run) override;

 private:
  reporter_options options_;
};

std::string json_report(const run_report& run);

}  // namespace mqttest
