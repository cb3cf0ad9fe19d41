// decide(): the one function that turns a command into events, or into a rejection with a
// stable name. It is a pure, deterministic function of (views, caller, command, time, policy):
// the live service and any replay or simulation call the same code.
//
// Rejection names are stable; the API maps them to status codes and the tools print them.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "ledger/event.h"
#include "projections/commands.h"
#include "projections/views.h"

namespace tokenledger {

struct Rejection {
  // Stable names: not_allowed, unknown_customer, customer_exists, unknown_user, user_exists,
  // login_taken, invalid_login, invalid_name, invalid_id, user_locked, synthetic_user,
  // user_has_live_tokens, two_factor_not_enabled, invalid_two_factor_secret, invalid_scope,
  // invalid_service, too_many_services, expires_at_in_past, unknown_token, token_exists,
  // token_not_live, secret_reused, too_many_tokens, duplicate_token_id, empty_request,
  // invalid_password_hash, one_time_password_reused, two_factor_enabled, not_locked,
  // locked_by_superuser, unknown_sequence. Each has a test in decide_test.cc.
  std::string name;
  std::string detail;
  bool operator==(const Rejection&) const = default;
};

struct Policy {
  // Consecutive failed password logins that lock the user's password logins (not its tokens)
  // for login_lock_duration_ns. PCI DSS 4.0.1 requirement 8.3.4: at most 10 attempts, locked
  // for at least 30 minutes or until the user's identity is confirmed (docs/adr/0011).
  std::uint32_t login_failures_max = 5;
  TimeNs login_lock_duration_ns = 1'800'000'000'000;  // 30 minutes
  TimeNs sudo_duration_ns = 300'000'000'000;          // five minutes
  std::size_t bulk_revoke_max = 1000;
  std::size_t expire_batch_max = 1000;
  std::size_t usage_batch_max = 1000;
  std::size_t services_per_token_max = 256;
  std::size_t name_size_max_bytes = 255;
  std::size_t login_size_max_bytes = 254;  // an e-mail address
  std::size_t live_tokens_per_user_max = 10'000;
  std::size_t legacy_keys_per_customer_max = 100;  // live migrated keys of one customer
};

// Events to append (possibly none: the command changes nothing), or why not.
using Decision = std::variant<std::vector<Event>, Rejection>;

Decision decide(const Views& views, const Caller& caller, const Command& command, TimeNs now_ns,
                const Policy& policy = {});

}  // namespace tokenledger
