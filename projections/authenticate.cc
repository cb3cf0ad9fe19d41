#include "projections/authenticate.h"

#include <algorithm>

#include "base/assert.h"
#include "base/rfc3339.h"
#include "projections/read_rules.h"

namespace tokenledger {

std::string_view auth_failure_name(AuthFailure failure) {
  switch (failure) {
    case AuthFailure::unknown_key:
      return "unknown_key";
    case AuthFailure::revoked:
      return "revoked";
    case AuthFailure::expired:
      return "expired";
    case AuthFailure::user_locked:
      return "user_locked";
    case AuthFailure::user_deleted:
      return "user_deleted";
    case AuthFailure::scope:
      return "scope";
    case AuthFailure::role:
      return "role";
    case AuthFailure::service:
      return "service";
  }
  TL_UNREACHABLE();
}

namespace {

AuthResult refuse(AuthFailure failure, std::string detail = {}) {
  return AuthResult{std::nullopt, failure, std::move(detail)};
}

bool scopes_allow(ScopeSet scopes, Access access) {
  const bool global = has_scope(scopes, Scope::global);
  switch (access) {
    case Access::own_token:
      return true;
    case Access::read:
      return global || has_scope(scopes, Scope::global_read);
    case Access::write:
    case Access::user_management:
      return global;
    case Access::purge_select:
      return global || has_scope(scopes, Scope::purge_select) ||
             has_scope(scopes, Scope::purge_all);
    case Access::purge_all:
      return global || has_scope(scopes, Scope::purge_all);
  }
  TL_UNREACHABLE();
}

}  // namespace

AuthResult authenticate(const Views& views, const Hash& key_sha256, const Requirement& requirement,
                        TimeNs now_ns) {
  // Everything up to the service check reads the secret index's slot and the (few, cached)
  // users; the token record itself is read only to explain a refusal or check its services.
  const SecretEntry* entry = views.secret_entry(key_sha256);
  if (entry == nullptr) return refuse(AuthFailure::unknown_key);
  const Token& token = views.token(entry->token);
  const auto id = [&token] { return std::string(token_id_view(token.id)); };
  if (entry->state == TokenState::revoked) return refuse(AuthFailure::revoked);
  if (!live_at(entry->state, entry->expires_at_ns, now_ns)) {  // expired, recorded or not
    return refuse(AuthFailure::expired,
                  "Token " + id() + " expired at " + format_rfc3339(entry->expires_at_ns));
  }
  const User& user = views.user(entry->user);
  if (user.deleted) return refuse(AuthFailure::user_deleted);
  if (user.locked) return refuse(AuthFailure::user_locked, "the account is locked");
  if (!scopes_allow(entry->scopes, requirement.access)) {
    return refuse(AuthFailure::scope, "token " + id() + " lacks the scope this request needs");
  }
  if (requirement.superuser && user.role != Role::superuser) {
    return refuse(AuthFailure::role, "this request needs the superuser role");
  }
  if (entry->service_limited) {
    if (requirement.access == Access::user_management) {
      return refuse(AuthFailure::service, "a service-limited token cannot manage users");
    }
    if (requirement.service_id && std::find(token.services.begin(), token.services.end(),
                                            *requirement.service_id) == token.services.end()) {
      return refuse(AuthFailure::service, "token " + id() + " is limited to other services");
    }
  }
  return AuthResult{Authenticated{entry->token, &token, &user, &views.customer(user.customer)},
                    AuthFailure::unknown_key,
                    {}};
}

}  // namespace tokenledger
