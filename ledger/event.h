// The events of tokenledger as plain C++ values: what commands produce, what the log stores and
// what projections fold. They mirror ledger/events.capnp one to one; record_encoder.cc and
// record_decoder.cc are the only places that convert between the two, so Cap'n Proto stays private
// to the ledger.
//
// Times are UTC nanoseconds since the Unix epoch (`TimeNs`). Ids are opaque text. No type here
// can hold a token secret or a password: tokens carry the SHA-256 of their secret, users an
// argon2id PHC string, two-factor secrets are sealed.
// Thread-safety: value types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/clock.h"
#include "ledger/sha256.h"

namespace tokenledger {

enum class Role : std::uint8_t { user, billing, engineer, superuser };
enum class UserKind : std::uint8_t { person, global_api_token };
enum class Scope : std::uint8_t { global, global_read, purge_select, purge_all };
enum class TokenOrigin : std::uint8_t { api, legacy_migration };
enum class RevokeReason : std::uint8_t { owner, superuser, bulk, user_deleted };
enum class LockReason : std::uint8_t { none, superuser, failed_logins };
enum class UnlockReason : std::uint8_t { expired, operator_, superuser };
enum class LoginFailureReason : std::uint8_t {
  wrong_password,
  one_time_password_missing,
  one_time_password_wrong,
  account_locked,
};

// How many values each stored enum has, in one place for every reader of stored numbers (a
// record, a snapshot): a number at or past the count is not one this build knows.
template <typename Enum>
inline constexpr std::uint8_t enum_value_count = 0;  // specialised for each stored enum
template <>
inline constexpr std::uint8_t enum_value_count<Role> = 4;
template <>
inline constexpr std::uint8_t enum_value_count<UserKind> = 2;
template <>
inline constexpr std::uint8_t enum_value_count<Scope> = 4;
template <>
inline constexpr std::uint8_t enum_value_count<TokenOrigin> = 2;
template <>
inline constexpr std::uint8_t enum_value_count<RevokeReason> = 4;
template <>
inline constexpr std::uint8_t enum_value_count<LockReason> = 3;
template <>
inline constexpr std::uint8_t enum_value_count<UnlockReason> = 3;
template <>
inline constexpr std::uint8_t enum_value_count<LoginFailureReason> = 4;

// The enum value a stored number stands for; false when it stands for none this build knows.
template <typename Enum>
bool enum_from_number(std::uint64_t number, Enum* value) {
  static_assert(enum_value_count<Enum> > 0, "not a stored enum");
  if (number >= enum_value_count<Enum>) return false;
  *value = static_cast<Enum>(number);
  return true;
}

// Stable names, as printed by tools and exports.
std::string_view role_name(Role role);
std::string_view user_kind_name(UserKind kind);
std::string_view scope_name(Scope scope);
std::string_view token_origin_name(TokenOrigin origin);
std::string_view revoke_reason_name(RevokeReason reason);
std::string_view lock_reason_name(LockReason reason);
std::string_view unlock_reason_name(UnlockReason reason);
std::string_view login_failure_reason_name(LoginFailureReason reason);

struct Actor {
  std::optional<std::string> user_id;
  std::optional<std::string> token_id;
  std::optional<std::string> client_ip;
  std::optional<std::string> user_agent;
  std::optional<std::string> request_id;
  bool operator==(const Actor&) const = default;
};

struct CustomerCreated {
  std::string customer_id;
  std::string name;
  bool operator==(const CustomerCreated&) const = default;
};

struct UserCreated {
  std::string user_id;
  std::string customer_id;
  std::string login;
  std::string name;
  Role role = Role::user;
  std::optional<std::string> password_hash;  // argon2id PHC string; none: cannot log in
  UserKind kind = UserKind::person;
  bool operator==(const UserCreated&) const = default;
};

struct SealedSecret {
  std::string key_id;
  std::string nonce;       // bytes
  std::string ciphertext;  // bytes
  bool operator==(const SealedSecret&) const = default;
};

struct TwoFactorDisabled {
  bool operator==(const TwoFactorDisabled&) const = default;
};

struct UserUpdated {
  std::string user_id;
  std::optional<std::string> name;  // none: unchanged
  std::optional<Role> role;
  std::optional<bool> locked;
  LockReason lock_reason = LockReason::none;
  // monostate: unchanged; SealedSecret: enabled with that secret; TwoFactorDisabled: disabled.
  std::variant<std::monostate, SealedSecret, TwoFactorDisabled> two_factor;
  std::uint64_t one_time_password_step = 0;  // of the code that confirmed it; 0: none
  bool operator==(const UserUpdated&) const = default;
};

struct PasswordChanged {
  std::string user_id;
  std::string password_hash;
  bool operator==(const PasswordChanged&) const = default;
};

struct UserDeleted {
  std::string user_id;
  bool forced = false;
  bool operator==(const UserDeleted&) const = default;
};

struct LoginSucceeded {
  std::string user_id;
  bool one_time_password_used = false;
  std::uint64_t one_time_password_step = 0;  // Unix seconds / 30 of the accepted code; 0: none
  bool operator==(const LoginSucceeded&) const = default;
};

struct LoginLocked {
  std::string user_id;
  TimeNs until_ns = 0;
  std::uint32_t failures = 0;
  bool operator==(const LoginLocked&) const = default;
};

struct LoginUnlocked {
  std::string user_id;
  UnlockReason reason = UnlockReason::expired;
  bool operator==(const LoginUnlocked&) const = default;
};

struct SnapshotTaken {
  std::uint64_t covers_sequence = 0;
  Hash payload_sha256{};
  bool operator==(const SnapshotTaken&) const = default;
};

struct LoginFailed {
  std::string user_id;
  LoginFailureReason reason = LoginFailureReason::wrong_password;
  std::uint32_t consecutive_failures = 0;
  bool operator==(const LoginFailed&) const = default;
};

struct TokenCreated {
  std::string token_id;
  std::string user_id;
  std::string customer_id;
  std::string name;
  std::vector<Scope> scopes;
  std::vector<std::string> services;  // empty: all services
  std::optional<TimeNs> expires_at_ns;
  Hash secret_sha256{};
  TokenOrigin origin = TokenOrigin::api;
  TimeNs created_at_ns = 0;
  bool operator==(const TokenCreated&) const = default;
};

struct TokenRevoked {
  std::string token_id;
  std::optional<std::string> revoked_by_user_id;
  RevokeReason reason = RevokeReason::owner;
  bool operator==(const TokenRevoked&) const = default;
};

struct TokenExpired {
  std::string token_id;
  TimeNs expires_at_ns = 0;
  bool operator==(const TokenExpired&) const = default;
};

struct TokenUsed {
  std::string token_id;
  TimeNs last_used_at_ns = 0;
  std::optional<std::string> client_ip;
  std::optional<std::string> user_agent;
  std::uint64_t use_count = 1;
  bool operator==(const TokenUsed&) const = default;
};

struct LegacyKeyMigrated {
  std::string customer_id;
  std::string user_id;
  std::string token_id;
  bool operator==(const LegacyKeyMigrated&) const = default;
};

struct SudoGranted {
  std::string token_id;
  std::string user_id;
  TimeNs expires_at_ns = 0;
  bool operator==(const SudoGranted&) const = default;
};

// Order matches nothing on disk (the codec maps each alternative explicitly); add at the end.
using EventBody = std::variant<CustomerCreated, UserCreated, UserUpdated, PasswordChanged,
                               UserDeleted, LoginFailed, TokenCreated, TokenRevoked, TokenExpired,
                               TokenUsed, LegacyKeyMigrated, LoginSucceeded, SudoGranted,
                               LoginLocked, LoginUnlocked, SnapshotTaken>;

// The stable name of an event kind ("token_created"), as printed by tools and exports.
std::string_view event_kind_name(const EventBody& body);

// What a command asks the log to append.
struct Event {
  Actor actor;
  EventBody body;
  bool operator==(const Event&) const = default;
};

// What the log hands back: the event with the place and time the log gave it.
struct Record {
  std::uint64_t sequence = 0;
  TimeNs recorded_at_ns = 0;
  Hash prev_hash{};
  std::uint16_t schema_version = 0;
  Event event;
  bool operator==(const Record&) const = default;
};

}  // namespace tokenledger
