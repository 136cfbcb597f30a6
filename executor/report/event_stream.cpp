#include "executor/report/event_stream.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "executor/report/report_data.h"

namespace mqttest {
namespace {

using nlohmann::json;
using system_clock = std::chrono::system_clock;

std::string dump(const json& event) {
  return event.dump(-1, ' ', false, json::error_handler_t::replace);
}

run_totals totals_from_json(const json& data) {
  return {data.at("passed").get<int>(), data.at("failed").get<int>(),
          data.at("skipped").get<int>()};
}

}  // namespace

void event_encoder::run_started(const run_info& run) {
  write_line(dump({{"event", "run_started"}, {"started_at", run.started_at}}));
}

void event_encoder::suite_started(const suite_info& suite) {
  write_line(dump({{"event", "suite_started"}, {"name", suite.name}, {"file", suite.file}}));
}

void event_encoder::case_started(const case_info& c) {
  write_line(
      dump({{"event", "case_started"}, {"name", c.name}, {"where", position_to_json(c.where)}}));
}

void event_encoder::step_started(const step_info& step) {
  write_line(dump({{"event", "step_started"},
                   {"number", step.number},
                   {"name", step.name},
                   {"where", position_to_json(step.where)}}));
}

void event_encoder::trace(const trace_line& line) {
  auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(line.when.time_since_epoch()).count();
  write_line(dump({{"event", "trace"}, {"when_us", micros}, {"text", line.text}}));
}

void event_encoder::step_finished(const step_report& step) {
  write_line(dump({{"event", "step_finished"}, {"step", step_to_json(step)}}));
}

void event_encoder::case_finished(const case_report& c) {
  json data = case_to_json(c);
  data.erase("steps");
  write_line(dump({{"event", "case_finished"}, {"case", std::move(data)}}));
}

void event_encoder::suite_finished(const suite_stats& suite) {
  write_line(dump({{"event", "suite_finished"},
                   {"name", suite.name},
                   {"file", suite.file},
                   {"seconds", suite.seconds},
                   {"totals", totals_to_json(suite.totals)}}));
}

void event_encoder::run_finished(const run_stats& run) {
  write_line(dump({{"event", "run_finished"},
                   {"started_at", run.started_at},
                   {"seconds", run.seconds},
                   {"interrupted", run.interrupted},
                   {"totals", totals_to_json(run.totals)}}));
}

void event_stream_writer::write_line(const std::string& line) {
  std::string text = line + "\n";
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      throw std::runtime_error(fmt::format("cannot write run events to file descriptor {}: {}", fd_,
                                           std::strerror(errno)));
    done += static_cast<std::size_t>(n);
  }
}

void event_decoder::decode(std::string_view line) {
  try {
    json data = json::parse(line);
    const std::string event = data.at("event").get<std::string>();
    if (event == "run_started") {
      target_.run_started({data.at("started_at").get<std::string>()});
    } else if (event == "suite_started") {
      target_.suite_started(
          {data.at("name").get<std::string>(), data.at("file").get<std::string>()});
    } else if (event == "case_started") {
      steps_.clear();
      target_.case_started(
          {data.at("name").get<std::string>(), position_from_json(data.at("where"))});
    } else if (event == "step_started") {
      target_.step_started({data.at("number").get<int>(), data.at("name").get<std::string>(),
                            position_from_json(data.at("where"))});
    } else if (event == "trace") {
      system_clock::time_point when{std::chrono::duration_cast<system_clock::duration>(
          std::chrono::microseconds(data.at("when_us").get<long long>()))};
      target_.trace({when, data.at("text").get<std::string>()});
    } else if (event == "step_finished") {
      steps_.push_back(step_from_json(data.at("step")));
      target_.step_finished(steps_.back());
    } else if (event == "case_finished") {
      json c = data.at("case");
      c["steps"] = json::array();
      case_report report = case_from_json(c);
      report.steps = std::move(steps_);
      steps_.clear();
      target_.case_finished(report);
    } else if (event == "suite_finished") {
      target_.suite_finished({data.at("name").get<std::string>(),
                              data.at("file").get<std::string>(), data.at("seconds").get<double>(),
                              totals_from_json(data.at("totals"))});
    } else if (event == "run_finished") {
      target_.run_finished({data.at("started_at").get<std::string>(),
                            data.at("seconds").get<double>(), data.at("interrupted").get<bool>(),
                            totals_from_json(data.at("totals"))});
    } else {
      throw std::runtime_error(fmt::format("unknown event \"{}\"", event));
    }
  } catch (const json::exception& e) {
    throw std::runtime_error(fmt::format("not a run event: {}", e.what()));
  }
}

}  // namespace mqttest
