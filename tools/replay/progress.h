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
  Progress(const char* what, std::uint64_t total)
      : what_(what), total_(total), enabled_(isatty(STDERR_FILENO) == 1) {}
  ~Progress() {
    if (drawn_) std::fprintf(stderr, "\n");
  }

  void update(std::uint64_t done) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    const double elapsed_s = std::chrono::duration<double>(now - start_).count();
    if (elapsed_s < 1.0 || now - last_ < std::chrono::milliseconds(500)) return;
    last_ = now;
    const double rate = static_cast<double>(done) / elapsed_s;
    const double left_s = rate > 0 && total_ > done ? static_cast<double>(total_ - done) / rate : 0;
    std::fprintf(stderr, "\r%s: %llu of %llu records, %.0f/s, %.0f s left   ", what_,
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_),
                 rate, left_s);
    drawn_ = true;
  }

 private:
  const char* what_;
  std::uint64_t total_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace tokenledger::replay
