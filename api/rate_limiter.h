// The contract's rate limit: at most `requests_per_hour` non-read requests per token (or, for
// requests without a key, per client address) in each clock hour, as Fastly publishes it
// (1,000 per hour). Every non-GET answer carries Fastly-RateLimit-Remaining and
// Fastly-RateLimit-Reset (the Unix second of the next full hour); past the limit, 429.
//
// Memory is bounded: counts are kept for at most `keys_max` keys per hour; further keys share
// one overflow count, so a flood of new keys cannot grow the table or escape the limit.
// Threading: take() from any thread; the table is split into shards with a mutex each.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "ledger/event.h"

namespace tokenledger::api {

struct RateLimitOptions {
  std::uint32_t requests_per_hour = 1000;
  std::size_t keys_max = 1'000'000;
};

struct RateDecision {
  bool allowed = true;
  std::uint32_t remaining = 0;  // after this request
  std::int64_t reset_unix_s = 0;
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimitOptions options);
  RateDecision take(std::string_view key, TimeNs now_ns);

 private:
  static constexpr std::size_t shard_count = 16;
  struct Shard {
    std::mutex mutex;
    std::int64_t hour = -1;  // the clock hour the counts belong to
    absl::flat_hash_map<std::string, std::uint32_t> counts;
    std::uint32_t overflow = 0;
  };
  const RateLimitOptions options_;
  std::array<Shard, shard_count> shards_;
};

}  // namespace tokenledger::api
