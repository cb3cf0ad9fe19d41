#include "projections/windowed_counter.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "base/assert.h"

namespace tokenledger {

WindowedCounter::WindowedCounter(WindowedCounterOptions options)
    : options_(options), counters_(options.width * options.depth, 0) {
  TL_ASSERT(options_.depth >= 1 && options_.depth <= depth_max);
  TL_ASSERT(options_.width >= 2 && (options_.width & (options_.width - 1)) == 0);
  TL_ASSERT(options_.window_ns > 0);
  TL_ASSERT(sodium_init() >= 0);
  randombytes_buf(hash_key_a_.data(), hash_key_a_.size());
  randombytes_buf(hash_key_b_.data(), hash_key_b_.size());
}

void WindowedCounter::cells(std::string_view key, std::array<std::size_t, depth_max>* out) const {
  static_assert(crypto_shorthash_BYTES == 8);
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  const auto* bytes = reinterpret_cast<const unsigned char*>(key.data());
  unsigned char hash[crypto_shorthash_BYTES];
  crypto_shorthash(hash, bytes, key.size(), hash_key_a_.data());
  std::memcpy(&a, hash, sizeof a);
  crypto_shorthash(hash, bytes, key.size(), hash_key_b_.data());
  std::memcpy(&b, hash, sizeof b);
  b |= 1;  // odd: the rows' indices stay distinct (Kirsch and Mitzenmacher's double hashing)
  for (unsigned row = 0; row < options_.depth; ++row) {
    (*out)[row] = row * options_.width + ((a + row * b) & (options_.width - 1));
  }
}

void WindowedCounter::roll(TimeNs now_ns) {
  const std::int64_t window = now_ns / options_.window_ns;
  if (window <= window_) return;
  window_ = window;
  std::fill(counters_.begin(), counters_.end(), 0);
}

std::uint32_t WindowedCounter::add(std::string_view key, TimeNs now_ns) {
  return add_below(key, now_ns, std::numeric_limits<std::uint32_t>::max())
      .value_or(std::numeric_limits<std::uint32_t>::max());
}

std::uint32_t WindowedCounter::least(const std::array<std::size_t, depth_max>& at) const {
  std::uint32_t least = std::numeric_limits<std::uint32_t>::max();
  for (unsigned row = 0; row < options_.depth; ++row) least = std::min(least, counters_[at[row]]);
  return least;
}

std::optional<std::uint32_t> WindowedCounter::add_below(std::string_view key, TimeNs now_ns,
                                                        std::uint32_t limit) {
  std::array<std::size_t, depth_max> at{};
  cells(key, &at);
  std::lock_guard lock(mutex_);
  roll(now_ns);
  const std::uint32_t least = this->least(at);
  if (least >= limit) return std::nullopt;
  // Conservative update: only the counters at the least value rise, which keeps every other
  // key's estimate as low as it can be while never below any key's truth.
  for (unsigned row = 0; row < options_.depth; ++row) {
    if (counters_[at[row]] == least) ++counters_[at[row]];
  }
  return least + 1;
}

std::uint32_t WindowedCounter::count(std::string_view key, TimeNs now_ns) {
  std::array<std::size_t, depth_max> at{};
  cells(key, &at);
  std::lock_guard lock(mutex_);
  roll(now_ns);
  return least(at);
}

TimeNs WindowedCounter::window_end_ns(TimeNs now_ns) const {
  return (now_ns / options_.window_ns + 1) * options_.window_ns;
}

}  // namespace tokenledger
