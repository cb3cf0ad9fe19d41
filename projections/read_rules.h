// The read side's rules, each written once: what is live at a moment, who may see or act on a
// token or a user, and when sudo is in force. decide() (for what a command may touch), the API
// (for what an answer may show) and the replay tool (for what was true at time T) all ask here.
// Threading: pure functions over a Views the caller holds.
#pragma once

#include <string_view>

#include "projections/views.h"

namespace tokenledger {

// Live at `time_ns`: neither revoked nor recorded as expired, and not past its expiry either
// (the sweeper may not have recorded the expiry yet: a token that no longer authenticates is
// never shown as live).
bool live_at(TokenState state, TimeNs expires_at_ns, TimeNs time_ns);
inline bool token_live_at(const Token& token, TimeNs time_ns) {
  return live_at(token.state, token.expires_at_ns, time_ns);
}

// A superuser of that customer: not deleted, not locked by a superuser, role superuser.
bool is_superuser_of(const User& user, CustomerIndex customer);

// How a user stands to a token: its owner, a superuser of the token's customer, or neither.
// The owner may see and revoke it; so may a superuser of its customer; nobody else learns that
// it exists.
enum class TokenRelation : std::uint8_t { none, owner, customer_superuser };
TokenRelation token_relation(const Views& views, const User& user, const Token& token);

// The user named `id` when `viewer` may see it: not deleted, of the viewer's customer.
const User* visible_user(const Views& views, const User& viewer, std::string_view id);

// Sudo is in force until its expiry (POST /sudo; no_time when never granted).
inline bool sudo_active(TimeNs sudo_expires_at_ns, TimeNs now_ns) {
  return sudo_expires_at_ns != no_time && sudo_expires_at_ns > now_ns;
}

}  // namespace tokenledger
