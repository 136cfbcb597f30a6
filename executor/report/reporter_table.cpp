#include <memory>
#include <ostream>
#include <string_view>

#include "executor/engine/report.h"
#include "executor/report/console_reporter.h"
#include "executor/report/html_reporter.h"
#include "executor/report/json_reporter.h"
#include "executor/report/junit_reporter.h"
#include "executor/report/tap_reporter.h"
#include "executor/report/yaml_reporter.h"

namespace mqttest {
namespace {

using factory = std::unique_ptr<reporter> (*)(std::ostream&, const reporter_options&);

template <class T>
std::unique_ptr<reporter> file_reporter(std::ostream&, const reporter_options& options) {
  return std::make_unique<T>(options);
}

struct reporter_entry {
  std::string_view name;
  bool writes_file;
  factory make;
};

constexpr reporter_entry reporters[] = {
    {"console", false,
     [](std::ostream& out, const reporter_options& options) -> std::unique_ptr<reporter> {
       return std::make_unique<console_reporter>(out, options);
     }},
    {"junit", true,
     [](std::ostream&, const reporter_options& options) -> std::unique_ptr<reporter> {
       return std::make_unique<junit_reporter>(options);
     }},
    {"json", true, file_reporter<json_reporter>},
    {"tap", true, file_reporter<tap_reporter>},
    {"yaml", true, file_reporter<yaml_reporter>},
    {"html", true, file_reporter<html_reporter>},
};

}  // namespace

std::unique_ptr<reporter> make_reporter(const std::string& name, std::ostream& out,
                                        const reporter_options& options) {
  for (const reporter_entry& entry : reporters)
    if (entry.name == name) return entry.make(out, options);
  return nullptr;
}

std::vector<std::string> reporter_names() {
  std::vector<std::string> names;
  for (const reporter_entry& entry : reporters)
    if (entry.writes_file) names.emplace_back(entry.name);
  return names;
}

}  // namespace mqttest
