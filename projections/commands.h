// The commands of the token domain: what callers ask for, before any rule is applied. decide()
// (decide.h) turns a command into events or a rejection.
//
// Commands carry everything decide() must not produce itself, so that it stays a pure function:
// new ids and secret hashes are drawn by the caller from a cryptographic source, password hashes
// are computed (and passwords verified) by the caller off the command path, and sealed TOTP
// secrets arrive sealed. No command holds a secret or a password in plain text.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ledger/event.h"

namespace tokenledger {

// Who asks. An operator (the command line, on the server's own machine) may do anything; the
// system (expiry, usage recording, login accounting) acts on nobody's behalf; a user acts
// through a token or a verified password.
struct Caller {
  enum class Kind : std::uint8_t { operator_, system, user };
  Kind kind = Kind::system;
  std::string user_id;                  // kind == user
  std::optional<std::string> token_id;  // the token used, if any
  std::optional<std::string> client_ip;
  std::optional<std::string> user_agent;
  std::optional<std::string> request_id;

  static Caller operator_caller() { return Caller{Kind::operator_, {}, {}, {}, {}, {}}; }
  static Caller system_caller() { return Caller{Kind::system, {}, {}, {}, {}, {}}; }
  static Caller user_caller(std::string user_id, std::optional<std::string> token_id = {}) {
    return Caller{Kind::user, std::move(user_id), std::move(token_id), {}, {}, {}};
  }
};

struct CreateCustomer {
  std::string customer_id;
  std::string name;
};

struct CreateUser {
  std::string user_id;
  std::string customer_id;
  std::string login;
  std::string name;
  Role role = Role::user;
  std::string password_hash;  // argon2id PHC string
};

struct UpdateUser {
  std::string user_id;
  std::optional<std::string> name;
  std::optional<Role> role;
  std::optional<bool> locked;
};

struct ChangePassword {
  std::string user_id;
  std::string password_hash;  // the caller verified the old password
};

struct EnableTwoFactor {
  std::string user_id;
  SealedSecret sealed_secret;                // the caller checked a first code against it
  std::uint64_t one_time_password_step = 0;  // that code's time step
};

// By the user itself (the caller verified its password and a current code, recorded as a
// login) or by a superuser of its customer, resetting a lost second factor.
struct DisableTwoFactor {
  std::string user_id;
};

struct DeleteUser {
  std::string user_id;
  bool force = false;  // operators only: revoke the user's live tokens first
};

// The outcome of a password (and one-time password) check the caller made.
struct RecordLogin {
  std::string user_id;
  std::optional<LoginFailureReason> failure;  // none: success
  bool one_time_password_used = false;
  // On success with a one-time password: the accepted code's time step. decide() refuses a
  // step at or before the last one accepted (one_time_password_reused): a code works once.
  std::uint64_t one_time_password_step = 0;
};

// Ends a user's login lock (after failed logins) before its time: an operator
// (`tokenledger unlock`). A superuser does it with UpdateUser locked=false.
struct UnlockLogin {
  std::string user_id;
};

// Records LoginUnlocked (expired) for every login lock whose time has passed (at most
// expire_batch_max per command; the background repeats).
struct ExpireLoginLocks {};

// A snapshot covering records up to `covers_sequence` was stored with this payload digest.
struct RecordSnapshot {
  std::uint64_t covers_sequence = 0;
  Hash payload_sha256{};
};

struct CreateToken {
  std::string token_id;
  Hash secret_sha256{};
  std::string user_id;  // must be the caller: nobody creates tokens for someone else
  std::string name;
  std::vector<Scope> scopes;
  std::vector<std::string> services;
  std::optional<TimeNs> expires_at_ns;
};

struct RevokeToken {
  std::string token_id;
};

struct BulkRevokeTokens {
  std::vector<std::string> token_ids;
};

// Records TokenExpired for every live token whose expiry has passed (at most
// expire_batch_max per command; the sweeper repeats).
struct ExpireTokens {};

struct TokenUse {
  std::string token_id;
  TimeNs last_used_at_ns = 0;
  std::string client_ip;
  std::string user_agent;
  std::uint64_t use_count = 1;
};

// Coalesced usage, recorded by the usage flusher.
struct RecordTokenUses {
  std::vector<TokenUse> uses;
};

struct GrantSudo {
  std::string token_id;  // the caller's token; the caller verified the password
};

struct MigrateLegacyKey {
  std::string customer_id;
  Hash key_sha256{};
  TimeNs key_created_at_ns = 0;
  std::string new_user_id;  // used if the customer has no Global API Token user yet
  std::string new_token_id;
};

using Command =
    std::variant<CreateCustomer, CreateUser, UpdateUser, ChangePassword, EnableTwoFactor,
                 DisableTwoFactor, DeleteUser, RecordLogin, CreateToken, RevokeToken,
                 BulkRevokeTokens, ExpireTokens, RecordTokenUses, GrantSudo, MigrateLegacyKey,
                 UnlockLogin, ExpireLoginLocks, RecordSnapshot>;

std::string_view command_name(const Command& command);

}  // namespace tokenledger
