// Collects successful authentications in memory so that recording them never puts a disk write
// on the request path. drain() hands out what is due as coalesced uses: at most one per token
// per coalescing window (a minute by default), each carrying the latest time, IP and user agent
// and the number of uses it stands for.
//
// Threading: record() is called by every request thread at once; the map is split into shards
// with a mutex each, so threads rarely meet. drain() runs on the service's background thread.
// Bound: at most `tracked_tokens_max` tokens are tracked; uses of further tokens are counted as
// dropped (dropped_use_count) until drain() frees room.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <array>
#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "projections/commands.h"
#include "projections/views.h"

namespace tokenledger {

class UsageTracker {
 public:
  UsageTracker(TimeNs coalesce_window_ns, std::size_t tracked_tokens_max);
  UsageTracker(const UsageTracker&) = delete;
  UsageTracker& operator=(const UsageTracker&) = delete;

  // `client_ip` and `user_agent` are cut to 64 and 256 bytes.
  void record(TokenIndex index, const Token& token, TimeNs at_ns, std::string_view client_ip,
              std::string_view user_agent);

  // The uses due at `now_ns`; with `everything`, all pending uses regardless of the window (on
  // shutdown). One pass over the tracked tokens (at most tracked_tokens_max of them).
  std::vector<TokenUse> drain(TimeNs now_ns, bool everything);

  std::uint64_t dropped_use_count() const { return dropped_.load(); }
  std::size_t tracked_count() const;

 private:
  struct Entry {
    TokenId token_id{};
    TimeNs last_recorded_ns = no_time;  // when a use of this token last went to the log
    TimeNs last_used_at_ns = no_time;
    std::string client_ip;
    std::string user_agent;
    std::uint64_t pending_count = 0;
  };
  struct Shard {
    mutable std::mutex mutex;
    // Keyed by the token's position in the views, which never changes: a 4-byte key hashes
    // faster than the id on this hot path.
    absl::flat_hash_map<TokenIndex, Entry> entries;
  };
  static constexpr std::size_t shard_count = 64;

  Shard& shard_for(TokenIndex index) { return shards_[index % shard_count]; }

  const TimeNs window_ns_;
  const std::size_t per_shard_max_;
  std::array<Shard, shard_count> shards_;
  std::atomic<std::uint64_t> dropped_{0};
};

}  // namespace tokenledger
