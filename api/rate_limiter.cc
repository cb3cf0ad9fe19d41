#include "api/rate_limiter.h"

#include <absl/hash/hash.h>

namespace tokenledger::api {

RateLimiter::RateLimiter(RateLimitOptions options) : options_(options) {}

RateDecision RateLimiter::take(std::string_view key, TimeNs now_ns) {
  const std::int64_t hour = now_ns / 1'000'000'000 / 3600;
  const std::int64_t reset = (hour + 1) * 3600;
  const absl::string_view absl_key(key.data(), key.size());
  Shard& shard = shards_[absl::Hash<absl::string_view>{}(absl_key) % shard_count];
  std::lock_guard lock(shard.mutex);
  if (shard.hour != hour) {
    shard.hour = hour;
    shard.counts.clear();
    shard.overflow = 0;
  }
  std::uint32_t* count = nullptr;
  auto found = shard.counts.find(absl_key);
  if (found != shard.counts.end()) {
    count = &found->second;
  } else if (shard.counts.size() < options_.keys_max / shard_count) {
    count = &shard.counts.emplace(std::string(key), 0).first->second;
  } else {
    count = &shard.overflow;
  }
  if (*count >= options_.requests_per_hour) return RateDecision{false, 0, reset};
  ++*count;
  return RateDecision{true, options_.requests_per_hour - *count, reset};
}

}  // namespace tokenledger::api
