// Authentication and authorization as a function over the views: given the SHA-256 of a
// presented key, what the request needs, and the time, answer who it is or exactly why not.
// This is the hot path of every API request: one hash lookup in memory, no disk, no allocation
// on success. The caller holds the views' read lock (TokenService::authenticate does).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "projections/views.h"

namespace tokenledger {

// What a request needs from the token (the contract's "Rules" section).
enum class Access : std::uint8_t {
  own_token,        // GET and DELETE /tokens/self: any live token
  read,             // reads: global or global:read
  write,            // token management: global
  user_management,  // create or modify users, service authorizations: global, not service-limited
  purge_select,     // purge by URL or surrogate key: purge_select, purge_all or global
  purge_all,        // purge a whole service: purge_all or global
};

struct Requirement {
  Access access = Access::read;
  bool superuser = false;                 // the endpoint needs the superuser role
  std::optional<std::string> service_id;  // the service the request touches, if any
};

enum class AuthFailure : std::uint8_t {
  unknown_key,  // no token has this secret
  revoked,
  expired,  // past expires_at, whether or not the expiry is recorded yet
  user_locked,
  user_deleted,
  scope,    // the token's scopes do not allow the request
  role,     // the user's role does not allow it
  service,  // the token is limited to other services
};
std::string_view auth_failure_name(AuthFailure failure);

struct Authenticated {
  TokenIndex token_index = 0;
  const Token* token = nullptr;
  const User* user = nullptr;
  const Customer* customer = nullptr;
};

struct AuthResult {
  std::optional<Authenticated> who;  // set on success
  AuthFailure failure = AuthFailure::unknown_key;
  std::string detail;  // for 401/403 bodies and logs; never holds the key
};

AuthResult authenticate(const Views& views, const Hash& key_sha256, const Requirement& requirement,
                        TimeNs now_ns);

}  // namespace tokenledger
