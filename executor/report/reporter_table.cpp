#include <memory>
#include <ostream>
#include <string_view>

#include "executor/engine/events.h"
#include "executor/engine/report.h"
#include "executor/report/console_reporter.h"
#include "executor/report/cumulative_reporter.h"
#include "executor/report/html_reporter.h"
#include "executor/report/json_reporter.h"
#include "executor/report/junit_reporter.h"
#include "executor/report/tap_reporter.h"
#include "executor/report/yaml_reporter.h"

namespace mqttest {
namespace {

using options = reporter_options;

// --format names, in the order `--help` lists them.
// clang-format off
constexpr file_format file_formats[] = {
    {"junit", junit_file_name, [](const run_report& r, const options& o) { return junit_report(r, o.verbosity); }},
    {"json", json_file_name, [](const run_report& r, const options&) { return json_report(r); }},
    {"tap", tap_file_name, [](const run_report& r, const options& o) { return tap_report(r, o.verbosity); }},
    {"yaml", yaml_file_name, [](const run_report& r, const options&) { return yaml_report(r); }},
    {"html", html_file_name, [](const run_report& r, const options&) { return html_report(r); }},
};
// clang-format on

}  // namespace

std::unique_ptr<reporter> make_reporter(const std::string& name, std::ostream& out,
                                        const reporter_options& options) {
  if (name == "console") return std::make_unique<console_reporter>(out, options);
  for (const file_format& format : file_formats)
    if (format.name == name) return std::make_unique<file_reporter>(format, options);
  return nullptr;
}

std::vector<std::string> reporter_names() {
  std::vector<std::string> names;
  for (const file_format& format : file_formats) names.emplace_back(format.name);
  return names;
}

}  // namespace mqttest
