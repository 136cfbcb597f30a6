#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "executor/engine/events.h"

namespace mqttest {

/// Encodes every event as one line of JSON ({"event": "case_started", ...}),
/// how a `--jobs` child hands its run to the parent. case_finished leaves out
/// the steps: they came in step_finished just before.
class event_encoder : public reporter {
 public:
  void run_started(const run_info& run) override;
  void suite_started(const suite_info& suite) override;
  void case_started(const case_info& c) override;
  void step_started(const step_info& step) override;
  void trace(const trace_line& line) override;
  void step_finished(const step_report& step) override;
  void case_finished(const case_report& c) override;
  void suite_finished(const suite_stats& suite) override;
  void run_finished(const run_stats& run) override;

 protected:
  /// One encoded event, without its newline.
  virtual void write_line(const std::string& line) = 0;
};

/// Writes the lines to a file descriptor (a pipe to the parent). Throws
/// std::runtime_error when it cannot.
class event_stream_writer final : public event_encoder {
 public:
  explicit event_stream_writer(int fd) : fd_(fd) {}

 protected:
  void write_line(const std::string& line) override;

 private:
  int fd_;
};

/// Keeps the lines in memory.
class event_line_buffer final : public event_encoder {
 public:
  std::vector<std::string> lines;

 protected:
  void write_line(const std::string& line) override { lines.push_back(line); }
};

/// Turns the lines of one event_encoder back into the same events.
class event_decoder {
 public:
  explicit event_decoder(reporter& target) : target_(target) {}
  /// Decodes one line and calls the target. Throws std::runtime_error for a
  /// line that is not an encoded event.
  void decode(std::string_view line);

 private:
  reporter& target_;
  std::vector<step_report> steps_;  ///< of the test case that runs
};

}  // namespace mqttest
