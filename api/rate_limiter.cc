#include "api/rate_limiter.h"

#include <absl/hash/hash.h>
#include <arpa/inet.h>

#include <array>

namespace tokenledger::api {
namespace {

constexpr TimeNs hour_ns = 3'600'000'000'000;

WindowedCounterOptions hourly(std::size_t width) {
  return WindowedCounterOptions{hour_ns, width, 4};
}

}  // namespace

std::string address_key(std::string_view address) {
  const std::string text(address.substr(0, INET6_ADDRSTRLEN));
  std::array<unsigned char, 16> bytes{};
  if (text.find(':') == std::string::npos || inet_pton(AF_INET6, text.c_str(), bytes.data()) != 1) {
    return text;
  }
  static constexpr std::array<unsigned char, 12> mapped = {0, 0, 0, 0, 0,    0,
                                                           0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(mapped.begin(), mapped.end(), bytes.begin())) {
    char v4[INET_ADDRSTRLEN];
    if (inet_ntop(AF_INET, bytes.data() + 12, v4, sizeof v4) != nullptr) return v4;
  }
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  char v6[INET6_ADDRSTRLEN];
  if (inet_ntop(AF_INET6, bytes.data(), v6, sizeof v6) == nullptr) return text;
  return std::string(v6) + "/64";
}

RateLimiter::RateLimiter(RateLimitOptions options)
    : options_(options),
      addresses_(hourly(options.address_counters)),
      password_failures_(hourly(options.address_counters)) {}

RateDecision RateLimiter::decide(std::uint32_t count_after, std::int64_t reset_unix_s) const {
  if (count_after > options_.requests_per_hour) return RateDecision{false, 0, reset_unix_s};
  return RateDecision{true, options_.requests_per_hour - count_after, reset_unix_s};
}

RateDecision RateLimiter::take_token(std::string_view token_id, TimeNs now_ns) {
  const std::int64_t hour = now_ns / hour_ns;
  const std::int64_t reset = (hour + 1) * 3600;
  const absl::string_view key(token_id.data(), token_id.size());
  Shard& shard = shards_[absl::Hash<absl::string_view>{}(key) % shard_count];
  std::lock_guard lock(shard.mutex);
  if (shard.hour != hour) {
    shard.hour = hour;
    shard.counts.clear();
  }
  std::uint32_t& count = shard.counts.try_emplace(std::string(token_id), 0).first->second;
  if (count >= options_.requests_per_hour) return RateDecision{false, 0, reset};
  ++count;
  return decide(count, reset);
}

RateDecision RateLimiter::take_address(std::string_view address, TimeNs now_ns) {
  const std::int64_t reset = addresses_.window_end_ns(now_ns) / 1'000'000'000;
  // Refused requests are not counted: a count stays at the limit and does not creep upward.
  const std::optional<std::uint32_t> count =
      addresses_.add_below(address_key(address), now_ns, options_.requests_per_hour);
  if (!count) return RateDecision{false, 0, reset};
  return decide(*count, reset);
}

bool RateLimiter::password_check_allowed(std::string_view address, TimeNs now_ns,
                                         std::int64_t* retry_at_unix_s) {
  if (password_failures_.count(address_key(address), now_ns) < options_.login_failures_per_hour) {
    return true;
  }
  *retry_at_unix_s = password_failures_.window_end_ns(now_ns) / 1'000'000'000;
  return false;
}

void RateLimiter::count_password_failure(std::string_view address, TimeNs now_ns) {
  (void)password_failures_.add(address_key(address), now_ns);
}

}  // namespace tokenledger::api
