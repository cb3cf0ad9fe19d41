#include "projections/unknown_logins.h"

#include <sodium.h>

#include <cstring>

#include "base/assert.h"

namespace tokenledger {

UnknownLogins::UnknownLogins(std::uint32_t failures_max, TimeNs lock_ns, std::size_t entries_max)
    : failures_max_(failures_max), lock_ns_(lock_ns), entries_max_(entries_max) {
  TL_ASSERT(failures_max_ >= 1 && lock_ns_ > 0 && entries_max_ >= 1);
  TL_ASSERT(sodium_init() >= 0);
  randombytes_buf(hash_key_.data(), hash_key_.size());
}

std::uint64_t UnknownLogins::key_of(std::string_view login) const {
  unsigned char hash[crypto_shorthash_BYTES];
  crypto_shorthash(hash, reinterpret_cast<const unsigned char*>(login.data()), login.size(),
                   hash_key_.data());
  std::uint64_t key = 0;
  std::memcpy(&key, hash, sizeof key);
  return key;
}

bool UnknownLogins::locked(std::string_view login, TimeNs now_ns) {
  const std::uint64_t key = key_of(login);
  std::lock_guard lock(mutex_);
  const auto found = entries_.find(key);
  if (found == entries_.end() || found->second.locked_until_ns == 0) return false;
  if (found->second.locked_until_ns > now_ns) return true;
  entries_.erase(found);  // the lock ran out: the count starts again, as a real login's does
  return false;
}

void UnknownLogins::count_failure(std::string_view login, TimeNs now_ns) {
  const std::uint64_t key = key_of(login);
  std::lock_guard lock(mutex_);
  if (!entries_.contains(key)) make_room(now_ns);
  Entry& entry = entries_[key];
  if (entry.locked_until_ns != 0) return;  // attempts during a lock are not counted
  entry.last_failure_ns = now_ns;
  if (++entry.failures >= failures_max_) entry.locked_until_ns = now_ns + lock_ns_;
}

void UnknownLogins::make_room(TimeNs now_ns) {
  if (entries_.size() < entries_max_) return;
  // A lock that ran out first, else the oldest last failure. One pass over at most entries_max
  // entries, only when full: cheap beside the argon2id check every call follows.
  auto victim = entries_.end();
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    const Entry& entry = it->second;
    if (entry.locked_until_ns != 0 && entry.locked_until_ns <= now_ns) {
      victim = it;
      break;
    }
    if (victim == entries_.end() || entry.last_failure_ns < victim->second.last_failure_ns) {
      victim = it;
    }
  }
  TL_ASSERT(victim != entries_.end());
  entries_.erase(victim);
}

std::size_t UnknownLogins::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace tokenledger
