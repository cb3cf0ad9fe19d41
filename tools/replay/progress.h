// Progress on stderr for long runs: records done, rate and time left, redrawn on one line at
// most twice a second, and only when stderr is a terminal and the run has lasted a second.
// Threading: one thread.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>

namespace tokenledger::replay {

class Progress {
 public:
  using Clock = std::chrono::steady_clock;

  Progress(const char* what, std::uint64_t total)
      : Progress(what, total, stderr, isatty(STDERR_FILENO) == 1, Clock::now()) {}
  // For tests: where to draw, whether to, and when the run started.
  Progress(const char* what, std::uint64_t total, std::FILE* out, bool enabled,
           Clock::time_point start)
      : what_(what), total_(total), out_(out), enabled_(enabled), start_(start) {}
  ~Progress() {
    if (drawn_) std::fprintf(out_, "\n");
  }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void update(std::uint64_t done) {
    if (enabled_) update(done, Clock::now());
  }
  void update(std::uint64_t done, Clock::time_point now) {
    if (!enabled_) return;
    const double elapsed_s = std::chrono::duration<double>(now - start_).count();
    if (elapsed_s < 1.0 || now - last_ < std::chrono::milliseconds(500)) return;
    last_ = now;
    const double rate = static_cast<double>(done) / elapsed_s;
    const double left_s = rate > 0 && total_ > done ? static_cast<double>(total_ - done) / rate : 0;
    std::fprintf(out_, "\r%s: %llu of %llu records, %.0f/s, %.0f s left   ", what_,
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_),
                 rate, left_s);
    drawn_ = true;
  }

 private:
  const char* what_;
  std::uint64_t total_;
  std::FILE* out_;
  bool enabled_;
  bool drawn_ = false;
  Clock::time_point start_;
  Clock::time_point last_{};
};

}  // namespace tokenledger::replay
