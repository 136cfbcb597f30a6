#include "executor/report/progress_line.h"

#include <sys/ioctl.h>

#include <fmt/format.h>

namespace mqttest {
namespace {

constexpr std::string_view kErase = "\r\x1b[2K";
constexpr auto kTick = std::chrono::milliseconds(100);

/// Cuts to `columns` characters, counting UTF-8 sequences as one.
std::string fit(const std::string& text, int columns) {
  int seen = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (seen++ == columns) return text.substr(0, i);
  }
  return text;
}

}  // namespace

int terminal_width(int fd) {
  winsize size{};
  if (ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

progress_line::progress_line(std::ostream& out, int width)
    : out_(out), width_(width), ticker_([this] { tick(); }) {}

progress_line::~progress_line() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    erase();
    out_.flush();
  }
  stop_requested_.notify_all();
  ticker_.join();
}

void progress_line::show(std::string status) {
  std::lock_guard lock(mutex_);
  status_ = std::move(status);
  since_ = std::chrono::steady_clock::now();
  visible_ = true;
  draw();
}

void progress_line::hide() {
  std::lock_guard lock(mutex_);
  visible_ = false;
  erase();
  out_.flush();
}

void progress_line::print(std::string_view text) {
  std::lock_guard lock(mutex_);
  erase();
  out_ << text;
  draw();
}

void progress_line::draw() {
  if (visible_ && !stopping_) {
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - since_).count();
    std::string line = fmt::format("{:5.1f} s  {}", seconds, status_);  // cut from the end
    out_ << kErase << fit(line, width_ - 1);
    drawn_ = true;
  }
  out_.flush();
}

void progress_line::erase() {
  if (!drawn_) return;
  out_ << kErase;
  drawn_ = false;
}

void progress_line::tick() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    stop_requested_.wait_for(lock, kTick);
    if (!stopping_ && visible_) draw();
  }
}

}  // namespace mqttest
