#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>

namespace mqttest {

/// One status line at the bottom of a terminal ("suite > case > step 2 ...
/// 1.2 s"), redrawn every 100 ms while something runs. All output to the
/// stream goes through print(), which erases the line, writes and redraws,
/// so nothing ever interleaves with it. Only for a terminal: off a TTY the
/// console reporter writes plain lines and no progress_line exists.
class progress_line {
 public:
  /// `width`: the terminal's columns; the line is cut to fit (a wrapped
  /// line could not be erased).
  progress_line(std::ostream& out, int width);
  ~progress_line();
  progress_line(const progress_line&) = delete;
  progress_line& operator=(const progress_line&) = delete;

  /// Shows `status` with the time elapsed since this call.
  void show(std::string status);
  /// Erases the line until the next show().
  void hide();
  /// Writes `text` (whole lines) above the line.
  void print(std::string_view text);

 private:
  void draw();   ///< with mutex_ held
  void erase();  ///< with mutex_ held
  void tick();

  std::ostream& out_;
  int width_;
  std::mutex mutex_;
  std::condition_variable stop_requested_;
  bool stopping_ = false;
  bool visible_ = false;
  bool drawn_ = false;
  std::string status_;
  std::chrono::steady_clock::time_point since_;
  std::thread ticker_;
};

/// The columns of the terminal on file descriptor `fd`, 80 when unknown.
int terminal_width(int fd);

}  // namespace mqttest
