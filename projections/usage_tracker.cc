#include "projections/usage_tracker.h"

#include <algorithm>

namespace tokenledger {

namespace {
constexpr std::size_t client_ip_size_max_bytes = 64;
constexpr std::size_t user_agent_size_max_bytes = 256;
}  // namespace

UsageTracker::UsageTracker(TimeNs coalesce_window_ns, std::size_t tracked_tokens_max)
    : window_ns_(coalesce_window_ns),
      per_shard_max_(std::max<std::size_t>(1, tracked_tokens_max / shard_count)) {}

void UsageTracker::record(TokenIndex index, const Token& token, TimeNs at_ns,
                          std::string_view client_ip, std::string_view user_agent) {
  Shard& shard = shard_for(index);
  std::lock_guard lock(shard.mutex);
  auto found = shard.entries.find(index);
  if (found == shard.entries.end()) {
    if (shard.entries.size() >= per_shard_max_) {
      dropped_.fetch_add(1);
      return;
    }
    found = shard.entries.emplace(index, Entry{}).first;
    found->second.token_id = token.id;
  }
  Entry& entry = found->second;
  ++entry.pending_count;
  if (at_ns >= entry.last_used_at_ns) {
    entry.last_used_at_ns = at_ns;
    // Clients mostly come back from the same address with the same agent: copy only changes.
    client_ip = client_ip.substr(0, client_ip_size_max_bytes);
    user_agent = user_agent.substr(0, user_agent_size_max_bytes);
    if (entry.client_ip != client_ip) entry.client_ip.assign(client_ip);
    if (entry.user_agent != user_agent) entry.user_agent.assign(user_agent);
  }
}

std::vector<TokenUse> UsageTracker::drain(TimeNs now_ns, bool everything) {
  std::vector<TokenUse> uses;
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    for (auto it = shard.entries.begin(); it != shard.entries.end();) {
      Entry& entry = it->second;
      const bool window_passed =
          entry.last_recorded_ns == no_time || now_ns - entry.last_recorded_ns >= window_ns_;
      if (entry.pending_count > 0 && (everything || window_passed)) {
        uses.push_back(TokenUse{std::string(token_id_view(entry.token_id)), entry.last_used_at_ns,
                                entry.client_ip, entry.user_agent, entry.pending_count});
        entry.pending_count = 0;
        entry.last_recorded_ns = now_ns;
      }
      // An entry with nothing pending whose window has passed holds no information any more.
      if (entry.pending_count == 0 && entry.last_recorded_ns != now_ns && window_passed) {
        shard.entries.erase(it++);
      } else {
        ++it;
      }
    }
  }
  return uses;
}

std::size_t UsageTracker::tracked_count() const {
  std::size_t count = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    count += shard.entries.size();
  }
  return count;
}

}  // namespace tokenledger
