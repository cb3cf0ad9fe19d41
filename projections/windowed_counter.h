// WindowedCounter: how many times each key (a client address, a login that does not exist) was
// seen in the current fixed time window, in fixed memory whatever the number of keys.
//
// It is a count-min sketch (Cormode and Muthukrishnan, 2005) with conservative update: `depth`
// rows of `width` counters; a key adds to one counter per row, chosen by a keyed hash
// (SipHash-2-4 through libsodium, with a random key per process), and its count is the least of
// its counters. So:
// - memory is fixed (depth x width x 4 bytes), however many keys arrive;
// - a count is never below the truth within its window: nothing is evicted, so no flood of new
//   keys can reset anyone's count;
// - a count can be above the truth only where other keys share all of its counters. With the
//   hash keyed by a secret, nobody can aim at a victim's counters: raising a victim's count to
//   `limit` in every row takes about limit x width additions spread over all keys (262 million
//   failed requests for the defaults at a limit of 1,000), which the limit itself throttles.
// Counts start again at zero when the window changes (windows are aligned to the epoch, so an
// hour window ends on the clock hour, as Fastly-RateLimit-Reset says).
//
// Threading: add() and count() from any thread (one mutex; the callers are unauthenticated
// requests, which are not the server's hot path).
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "ledger/event.h"

namespace tokenledger {

struct WindowedCounterOptions {
  TimeNs window_ns = 3'600'000'000'000;  // one hour
  std::size_t width = 1 << 18;           // counters per row; a power of two
  unsigned depth = 4;                    // rows
};

class WindowedCounter {
 public:
  explicit WindowedCounter(WindowedCounterOptions options = {});
  WindowedCounter(const WindowedCounter&) = delete;
  WindowedCounter& operator=(const WindowedCounter&) = delete;

  // Counts one more for `key` in the window of `now_ns`; returns its count including this one.
  std::uint32_t add(std::string_view key, TimeNs now_ns);
  // The same, only while the count is below `limit` (checked and added at once); none when it
  // has reached it, and then nothing is added.
  std::optional<std::uint32_t> add_below(std::string_view key, TimeNs now_ns, std::uint32_t limit);
  // Its count in the window of `now_ns`, without adding.
  std::uint32_t count(std::string_view key, TimeNs now_ns);
  // When the window of `now_ns` ends (the next window's start), in nanoseconds.
  TimeNs window_end_ns(TimeNs now_ns) const;
  std::size_t memory_bytes() const { return counters_.size() * sizeof(std::uint32_t); }

 private:
  static constexpr unsigned depth_max = 8;
  // The counter index of `key` in each row.
  void cells(std::string_view key, std::array<std::size_t, depth_max>* out) const;
  // (mutex_) The least of the counters at `at`: the key's count.
  std::uint32_t least(const std::array<std::size_t, depth_max>& at) const;
  // (mutex_) Zeroes the counters when a later window began. A clock stepping back keeps the
  // current window's counts (zeroing them would hand every key a fresh budget).
  void roll(TimeNs now_ns);

  const WindowedCounterOptions options_;
  std::array<unsigned char, 16> hash_key_a_{};
  std::array<unsigned char, 16> hash_key_b_{};
  std::mutex mutex_;
  std::int64_t window_ = -1;             // (mutex_) the window the counters belong to
  std::vector<std::uint32_t> counters_;  // (mutex_) depth rows of width counters
};

}  // namespace tokenledger
