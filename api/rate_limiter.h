// The contract's rate limit, and the budgets of strangers.
//
// - Authenticated requests: at most `requests_per_hour` non-read requests per token in each
//   clock hour, as Fastly publishes it (1,000 per hour), counted by the token a key
//   authenticated as. Only keys of real tokens are counted here, so the table is bounded by the
//   tokens that exist, and no stranger can spend a token's budget.
// - Requests no token stands behind (no key, or a key no token has): `requests_per_hour` per
//   client address, counted in a fixed-size sketch (projections/windowed_counter.h) that forgets
//   nothing within the hour and cannot be flooded into resetting or exhausting anyone's count.
// - Failed password checks (POST /tokens, /sudo, password changes, two-factor changes): at most
//   `login_failures_per_hour` per client address, in a sketch of their own; past it, password
//   checks from that address are refused (429) before any argon2id work.
// Every non-GET answer carries Fastly-RateLimit-Remaining and Fastly-RateLimit-Reset (the Unix
// second of the next full hour); past the limit, 429.
//
// Threading: every method from any thread (shards with a mutex each; the sketches lock inside).
#pragma once

#include <absl/container/flat_hash_map.h>

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "ledger/event.h"
#include "projections/windowed_counter.h"

namespace tokenledger::api {

struct RateLimitOptions {
  std::uint32_t requests_per_hour = 1000;
  std::uint32_t login_failures_per_hour = 100;  // per client address
  std::size_t address_counters = 1 << 18;       // per row of each address sketch (4 rows)
};

// What a client address is counted as: an IPv4 address as itself (an IPv4-mapped IPv6 address
// too), an IPv6 address by its /64 prefix ("2001:db8:1:2::/64"), since one host is commonly
// given a whole /64 and would otherwise have 2^64 budgets. Anything else counts as itself.
std::string address_key(std::string_view address);

struct RateDecision {
  bool allowed = true;
  std::uint32_t remaining = 0;  // after this request
  std::int64_t reset_unix_s = 0;
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimitOptions options);
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // A non-read request authenticated by the token `token_id` (a key some token has).
  RateDecision take_token(std::string_view token_id, TimeNs now_ns);
  // A non-read request no token stands behind, from `address`.
  RateDecision take_address(std::string_view address, TimeNs now_ns);

  // Whether `address` may still have a password checked this hour; when not, the Unix second
  // at which it may again (`*retry_at_unix_s`).
  bool password_check_allowed(std::string_view address, TimeNs now_ns,
                              std::int64_t* retry_at_unix_s);
  void count_password_failure(std::string_view address, TimeNs now_ns);

 private:
  static constexpr std::size_t shard_count = 16;
  struct Shard {
    std::mutex mutex;
    std::int64_t hour = -1;                                  // the clock hour the counts belong to
    absl::flat_hash_map<std::string, std::uint32_t> counts;  // by token id
  };
  RateDecision decide(std::uint32_t count_after, std::int64_t reset_unix_s) const;

  const RateLimitOptions options_;
  std::array<Shard, shard_count> shards_;
  WindowedCounter addresses_;
  WindowedCounter password_failures_;
};

}  // namespace tokenledger::api
