// UnknownLogins: failed logins of logins that do not exist, counted so that such a login locks
// exactly as a real one does (docs/adr/0011-login-lockout.md): consecutive failures up to
// `failures_max`, then "locked" for `lock_ns` from the last of them, then a fresh count. A
// real login's count lives in the views and its lock in the log; an unknown login has no user to
// attach events to, and a stranger must not be able to write the log by inventing names, so
// these live in memory only.
//
// Bounded: at most `entries_max` logins are remembered, keyed by a SipHash of the login under a
// random per-process key (no login text is kept). When full, a login whose lock ran out goes
// first, then the one whose last failure is oldest. So a probe's count can be evicted only by
// `entries_max` failures of other made-up logins, which the per-address budget of failed
// password checks (100 an hour by default) spreads over hundreds of addresses. A restart
// forgets every count (as it would not a real login's): the residual oracle, documented in
// docs/security.md.
//
// Threading: any thread (one mutex; each call follows an argon2id check or refuses one).
#pragma once

#include <absl/container/flat_hash_map.h>

#include <array>
#include <cstdint>
#include <mutex>
#include <string_view>

#include "ledger/event.h"

namespace tokenledger {

class UnknownLogins {
 public:
  UnknownLogins(std::uint32_t failures_max, TimeNs lock_ns, std::size_t entries_max = 1 << 16);
  UnknownLogins(const UnknownLogins&) = delete;
  UnknownLogins& operator=(const UnknownLogins&) = delete;

  // Whether attempts on `login` are refused as locked at `now_ns`. A lock whose time has passed
  // ends here, and the login's count starts again.
  bool locked(std::string_view login, TimeNs now_ns);
  // One more failure of `login`; the failures_max-th locks it for lock_ns.
  void count_failure(std::string_view login, TimeNs now_ns);
  std::size_t size() const;

 private:
  struct Entry {
    std::uint32_t failures = 0;
    TimeNs locked_until_ns = 0;  // 0: not locked
    TimeNs last_failure_ns = 0;
  };
  std::uint64_t key_of(std::string_view login) const;
  void make_room(TimeNs now_ns);  // (mutex_)

  const std::uint32_t failures_max_;
  const TimeNs lock_ns_;
  const std::size_t entries_max_;
  std::array<unsigned char, 16> hash_key_{};
  mutable std::mutex mutex_;
  absl::flat_hash_map<std::uint64_t, Entry> entries_;  // (mutex_)
};

}  // namespace tokenledger
