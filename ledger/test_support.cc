#include "ledger/test_support.h"

#include <stdlib.h>

#include <cstdlib>

#include "base/assert.h"

namespace tokenledger::testing {

ScratchDirectory::ScratchDirectory() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/tokenledger-test-XXXXXX";
  TL_ASSERT(mkdtemp(pattern.data()) != nullptr);
  path_ = pattern;
}

ScratchDirectory::~ScratchDirectory() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

namespace {
Hash hash_of_byte(std::uint8_t byte) {
  Hash hash{};
  for (std::size_t i = 0; i < hash.size(); ++i) hash[i] = static_cast<std::uint8_t>(byte + i);
  return hash;
}
}  // namespace

std::vector<Event> sample_events_v1() {
  constexpr TimeNs t = 1'610'624'866'000'000'000;  // 2021-01-14T11:47:46Z
  const Actor api_actor{"user-4Lq3C2Xj0pM8d6zYw1Bn5a", "token-2j1hEyxXOEqYaSipeZHaW4", "192.0.2.7",
                        "fastly-js/13.0.0", "req-0001"};
  const Actor system_actor{};
  std::vector<Event> events;
  events.push_back({system_actor, CustomerCreated{"cust-7H1sY0aB2cD3eF4gH5iJ6k", "Example Co"}});
  events.push_back(
      {system_actor,
       UserCreated{"user-4Lq3C2Xj0pM8d6zYw1Bn5a", "cust-7H1sY0aB2cD3eF4gH5iJ6k", "ops@example.com",
                   "Operator", Role::superuser, "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaA",
                   UserKind::person}});
  UserUpdated updated;
  updated.user_id = "user-4Lq3C2Xj0pM8d6zYw1Bn5a";
  updated.name = "Chief Operator";
  updated.locked = true;
  updated.lock_reason = LockReason::failed_logins;
  updated.two_factor = SealedSecret{"key-1", std::string(24, '\x01'), std::string(36, '\x7f')};
  events.push_back({api_actor, updated});
  events.push_back({api_actor, PasswordChanged{"user-4Lq3C2Xj0pM8d6zYw1Bn5a",
                                               "$argon2id$v=19$m=65536,t=2,p=1$bmV3c2FsdA$bmV3"}});
  events.push_back({api_actor, UserDeleted{"user-9Zz9Zz9Zz9Zz9Zz9Zz9Zz9", true}});
  events.push_back(
      {Actor{std::nullopt, std::nullopt, "198.51.100.4", "curl/7.88.1", "req-0002"},
       LoginFailed{"user-4Lq3C2Xj0pM8d6zYw1Bn5a", LoginFailureReason::one_time_password_wrong, 3}});
  events.push_back({api_actor, TokenCreated{"2j1hEyxXOEqYaSipeZHaW4",
                                            "user-4Lq3C2Xj0pM8d6zYw1Bn5a",
                                            "cust-7H1sY0aB2cD3eF4gH5iJ6k",
                                            "ci",
                                            {Scope::global, Scope::purge_select},
                                            {"svc-1", "svc-2"},
                                            t + 86'400'000'000'000,
                                            hash_of_byte(0x10),
                                            TokenOrigin::api,
                                            t}});
  events.push_back({api_actor, TokenRevoked{"2j1hEyxXOEqYaSipeZHaW4", "user-4Lq3C2Xj0pM8d6zYw1Bn5a",
                                            RevokeReason::bulk}});
  events.push_back({system_actor, TokenExpired{"3k2iFzyYPFrZbTjqfIbX5", t + 5}});
  events.push_back({system_actor, TokenUsed{"2j1hEyxXOEqYaSipeZHaW4", t + 60'000'000'000,
                                            "192.0.2.7", "fastly-js/13.0.0", 17}});
  events.push_back(
      {system_actor, LegacyKeyMigrated{"cust-7H1sY0aB2cD3eF4gH5iJ6k", "user-GlobalApiToken00000a",
                                       "4m3jGazZQGsacUkrgJcY6"}});
  // Optional fields absent, other alternatives of the unions.
  UserUpdated unlocked;
  unlocked.user_id = "user-4Lq3C2Xj0pM8d6zYw1Bn5a";
  unlocked.role = Role::billing;
  unlocked.locked = false;
  unlocked.two_factor = TwoFactorDisabled{};
  events.push_back({system_actor, unlocked});
  events.push_back(
      {system_actor,
       UserCreated{"user-GlobalApiToken00000a", "cust-7H1sY0aB2cD3eF4gH5iJ6k", "",
                   "Global API Token", Role::engineer, std::nullopt, UserKind::global_api_token}});
  events.push_back({system_actor, TokenCreated{"4m3jGazZQGsacUkrgJcY6",
                                               "user-GlobalApiToken00000a",
                                               "cust-7H1sY0aB2cD3eF4gH5iJ6k",
                                               "Global API Token",
                                               {Scope::global},
                                               {},
                                               std::nullopt,
                                               hash_of_byte(0x20),
                                               TokenOrigin::legacy_migration,
                                               t - 1'000'000'000}});
  events.push_back({system_actor, TokenRevoked{"4m3jGazZQGsacUkrgJcY6", std::nullopt,
                                               RevokeReason::user_deleted}});
  events.push_back(
      {system_actor, TokenUsed{"4m3jGazZQGsacUkrgJcY6", t, std::nullopt, std::nullopt, 1}});
  events.push_back({api_actor, LoginSucceeded{"user-4Lq3C2Xj0pM8d6zYw1Bn5a", true}});
  events.push_back({api_actor, SudoGranted{"2j1hEyxXOEqYaSipeZHaW4", "user-4Lq3C2Xj0pM8d6zYw1Bn5a",
                                           t + 300'000'000'000}});
  return events;
}

std::vector<Event> sample_events() {
  constexpr TimeNs t = 1'610'624'866'000'000'000;
  const Actor api_actor{"user-4Lq3C2Xj0pM8d6zYw1Bn5a", "token-2j1hEyxXOEqYaSipeZHaW4", "192.0.2.7",
                        "fastly-js/13.0.0", "req-0003"};
  std::vector<Event> events = sample_events_v1();
  // Added by schema version 2.
  events.push_back({api_actor, LoginSucceeded{"user-4Lq3C2Xj0pM8d6zYw1Bn5a", true, 53'687'495}});
  UserUpdated enabled;
  enabled.user_id = "user-4Lq3C2Xj0pM8d6zYw1Bn5a";
  enabled.two_factor = SealedSecret{"key-2", std::string(24, '\x02'), std::string(36, '\x6e')};
  enabled.one_time_password_step = 53'687'496;
  events.push_back({api_actor, enabled});
  events.push_back({Actor{std::nullopt, std::nullopt, "198.51.100.4", "curl/7.88.1", "req-0004"},
                    LoginLocked{"user-4Lq3C2Xj0pM8d6zYw1Bn5a", t + 1'800'000'000'000, 5}});
  events.push_back({Actor{}, LoginUnlocked{"user-4Lq3C2Xj0pM8d6zYw1Bn5a", UnlockReason::expired}});
  events.push_back(
      {Actor{}, LoginUnlocked{"user-4Lq3C2Xj0pM8d6zYw1Bn5a", UnlockReason::operator_}});
  events.push_back(
      {api_actor, LoginUnlocked{"user-4Lq3C2Xj0pM8d6zYw1Bn5a", UnlockReason::superuser}});
  Hash digest{};
  for (std::size_t i = 0; i < digest.size(); ++i) digest[i] = static_cast<std::uint8_t>(0xa0 + i);
  events.push_back({Actor{}, SnapshotTaken{41, digest}});
  return events;
}

}  // namespace tokenledger::testing
