#include "ledger/event.h"

#include "base/assert.h"

namespace tokenledger {

// These names appear in exports and audit output: never change one once released.

std::string_view role_name(Role role) {
  switch (role) {
    case Role::user:
      return "user";
    case Role::billing:
      return "billing";
    case Role::engineer:
      return "engineer";
    case Role::superuser:
      return "superuser";
  }
  TL_UNREACHABLE();
}

std::string_view user_kind_name(UserKind kind) {
  switch (kind) {
    case UserKind::person:
      return "person";
    case UserKind::global_api_token:
      return "global_api_token";
  }
  TL_UNREACHABLE();
}

std::string_view scope_name(Scope scope) {
  switch (scope) {
    case Scope::global:
      return "global";
    case Scope::global_read:
      return "global:read";
    case Scope::purge_select:
      return "purge_select";
    case Scope::purge_all:
      return "purge_all";
  }
  TL_UNREACHABLE();
}

std::string_view token_origin_name(TokenOrigin origin) {
  switch (origin) {
    case TokenOrigin::api:
      return "api";
    case TokenOrigin::legacy_migration:
      return "legacy_migration";
  }
  TL_UNREACHABLE();
}

std::string_view revoke_reason_name(RevokeReason reason) {
  switch (reason) {
    case RevokeReason::owner:
      return "owner";
    case RevokeReason::superuser:
      return "superuser";
    case RevokeReason::bulk:
      return "bulk";
    case RevokeReason::user_deleted:
      return "user_deleted";
  }
  TL_UNREACHABLE();
}

std::string_view lock_reason_name(LockReason reason) {
  switch (reason) {
    case LockReason::none:
      return "none";
    case LockReason::superuser:
      return "superuser";
    case LockReason::failed_logins:
      return "failed_logins";
  }
  TL_UNREACHABLE();
}

std::string_view unlock_reason_name(UnlockReason reason) {
  switch (reason) {
    case UnlockReason::expired:
      return "expired";
    case UnlockReason::operator_:
      return "operator";
    case UnlockReason::superuser:
      return "superuser";
  }
  TL_UNREACHABLE();
}

std::string_view login_failure_reason_name(LoginFailureReason reason) {
  switch (reason) {
    case LoginFailureReason::wrong_password:
      return "wrong_password";
    case LoginFailureReason::one_time_password_missing:
      return "one_time_password_missing";
    case LoginFailureReason::one_time_password_wrong:
      return "one_time_password_wrong";
    case LoginFailureReason::account_locked:
      return "account_locked";
  }
  TL_UNREACHABLE();
}

namespace {
struct KindName {
  std::string_view operator()(const CustomerCreated&) const { return "customer_created"; }
  std::string_view operator()(const UserCreated&) const { return "user_created"; }
  std::string_view operator()(const UserUpdated&) const { return "user_updated"; }
  std::string_view operator()(const PasswordChanged&) const { return "password_changed"; }
  std::string_view operator()(const UserDeleted&) const { return "user_deleted"; }
  std::string_view operator()(const LoginFailed&) const { return "login_failed"; }
  std::string_view operator()(const TokenCreated&) const { return "token_created"; }
  std::string_view operator()(const TokenRevoked&) const { return "token_revoked"; }
  std::string_view operator()(const TokenExpired&) const { return "token_expired"; }
  std::string_view operator()(const TokenUsed&) const { return "token_used"; }
  std::string_view operator()(const LegacyKeyMigrated&) const { return "legacy_key_migrated"; }
  std::string_view operator()(const LoginSucceeded&) const { return "login_succeeded"; }
  std::string_view operator()(const SudoGranted&) const { return "sudo_granted"; }
  std::string_view operator()(const LoginLocked&) const { return "login_locked"; }
  std::string_view operator()(const LoginUnlocked&) const { return "login_unlocked"; }
  std::string_view operator()(const SnapshotTaken&) const { return "snapshot_taken"; }
};
}  // namespace

std::string_view event_kind_name(const EventBody& body) {
  return std::visit(KindName{}, body);
}

}  // namespace tokenledger
