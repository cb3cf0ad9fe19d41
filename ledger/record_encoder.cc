// Record -> bytes. The counterpart of record_decoder.cc; the two are tested as a round trip
// for every event kind and against the golden file in tests/golden/.
#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/io.h>

#include <array>
#include <cstring>

#include "base/assert.h"
#include "ledger/events.capnp.h"
#include "ledger/record_codec.h"

namespace tokenledger {
namespace {

namespace s = schema;

template <typename Builder>
void set_text(Builder&& set, const std::optional<std::string>& value) {
  if (value) set(capnp::Text::Reader(value->data(), value->size()));
}

capnp::Text::Reader text(const std::string& value) {
  return capnp::Text::Reader(value.data(), value.size());
}

capnp::Data::Reader as_data(std::string_view bytes) {
  return capnp::Data::Reader(reinterpret_cast<const capnp::byte*>(bytes.data()), bytes.size());
}

capnp::Data::Reader as_data(const Hash& hash) {
  return capnp::Data::Reader(hash.data(), hash.size());
}

// The C++ enums mirror the schema's enumerants in order; these checks keep them in step.
static_assert(static_cast<int>(s::Role::SUPERUSER) == static_cast<int>(Role::superuser));
static_assert(static_cast<int>(s::UserKind::GLOBAL_API_TOKEN) ==
              static_cast<int>(UserKind::global_api_token));
static_assert(static_cast<int>(s::Scope::PURGE_ALL) == static_cast<int>(Scope::purge_all));
static_assert(static_cast<int>(s::TokenOrigin::LEGACY_MIGRATION) ==
              static_cast<int>(TokenOrigin::legacy_migration));
static_assert(static_cast<int>(s::RevokeReason::USER_DELETED) ==
              static_cast<int>(RevokeReason::user_deleted));
static_assert(static_cast<int>(s::LockReason::FAILED_LOGINS) ==
              static_cast<int>(LockReason::failed_logins));
static_assert(static_cast<int>(s::UnlockReason::SUPERUSER) ==
              static_cast<int>(UnlockReason::superuser));
static_assert(static_cast<int>(s::LoginFailureReason::ACCOUNT_LOCKED) ==
              static_cast<int>(LoginFailureReason::account_locked));

s::Role to_schema(Role role) {
  return static_cast<s::Role>(role);
}
s::UserKind to_schema(UserKind kind) {
  return static_cast<s::UserKind>(kind);
}
s::Scope to_schema(Scope scope) {
  return static_cast<s::Scope>(scope);
}
s::TokenOrigin to_schema(TokenOrigin origin) {
  return static_cast<s::TokenOrigin>(origin);
}
s::RevokeReason to_schema(RevokeReason reason) {
  return static_cast<s::RevokeReason>(reason);
}
s::LockReason to_schema(LockReason reason) {
  return static_cast<s::LockReason>(reason);
}
s::UnlockReason to_schema(UnlockReason reason) {
  return static_cast<s::UnlockReason>(reason);
}
s::LoginFailureReason to_schema(LoginFailureReason reason) {
  return static_cast<s::LoginFailureReason>(reason);
}

void encode_actor(const Actor& actor, s::Actor::Builder out) {
  set_text([&](auto v) { out.setUserId(v); }, actor.user_id);
  set_text([&](auto v) { out.setTokenId(v); }, actor.token_id);
  set_text([&](auto v) { out.setClientIp(v); }, actor.client_ip);
  set_text([&](auto v) { out.setUserAgent(v); }, actor.user_agent);
  set_text([&](auto v) { out.setRequestId(v); }, actor.request_id);
}

struct BodyEncoder {
  s::Record::Event::Builder out;

  void operator()(const CustomerCreated& e) {
    auto b = out.initCustomerCreated();
    b.setCustomerId(text(e.customer_id));
    b.setName(text(e.name));
  }
  void operator()(const UserCreated& e) {
    auto b = out.initUserCreated();
    b.setUserId(text(e.user_id));
    b.setCustomerId(text(e.customer_id));
    b.setLogin(text(e.login));
    b.setName(text(e.name));
    b.setRole(to_schema(e.role));
    set_text([&](auto v) { b.setPasswordHash(v); }, e.password_hash);
    b.setKind(to_schema(e.kind));
  }
  void operator()(const UserUpdated& e) {
    auto b = out.initUserUpdated();
    b.setUserId(text(e.user_id));
    if (e.name)
      b.getName().setSet(text(*e.name));
    else
      b.getName().setUnchanged();
    if (e.role)
      b.getRole().setSet(to_schema(*e.role));
    else
      b.getRole().setUnchanged();
    if (e.locked)
      b.getLocked().setSet(*e.locked);
    else
      b.getLocked().setUnchanged();
    b.setLockReason(to_schema(e.lock_reason));
    if (const auto* sealed = std::get_if<SealedSecret>(&e.two_factor)) {
      auto secret = b.getTwoFactor().initEnabled();
      secret.setKeyId(text(sealed->key_id));
      secret.setNonce(as_data(sealed->nonce));
      secret.setCiphertext(as_data(sealed->ciphertext));
    } else if (std::holds_alternative<TwoFactorDisabled>(e.two_factor)) {
      b.getTwoFactor().setDisabled();
    } else {
      b.getTwoFactor().setUnchanged();
    }
    b.setOneTimePasswordStep(e.one_time_password_step);
  }
  void operator()(const PasswordChanged& e) {
    auto b = out.initPasswordChanged();
    b.setUserId(text(e.user_id));
    b.setPasswordHash(text(e.password_hash));
  }
  void operator()(const UserDeleted& e) {
    auto b = out.initUserDeleted();
    b.setUserId(text(e.user_id));
    b.setForced(e.forced);
  }
  void operator()(const LoginFailed& e) {
    auto b = out.initLoginFailed();
    b.setUserId(text(e.user_id));
    b.setReason(to_schema(e.reason));
    b.setConsecutiveFailures(e.consecutive_failures);
  }
  void operator()(const TokenCreated& e) {
    auto b = out.initTokenCreated();
    b.setTokenId(text(e.token_id));
    b.setUserId(text(e.user_id));
    b.setCustomerId(text(e.customer_id));
    b.setName(text(e.name));
    auto scopes = b.initScopes(static_cast<unsigned>(e.scopes.size()));
    for (unsigned i = 0; i < e.scopes.size(); ++i) scopes.set(i, to_schema(e.scopes[i]));
    auto services = b.initServices(static_cast<unsigned>(e.services.size()));
    for (unsigned i = 0; i < e.services.size(); ++i) services.set(i, text(e.services[i]));
    if (e.expires_at_ns)
      b.getExpiry().setAtNs(*e.expires_at_ns);
    else
      b.getExpiry().setNever();
    b.setSecretSha256(as_data(e.secret_sha256));
    b.setOrigin(to_schema(e.origin));
    b.setCreatedAtNs(e.created_at_ns);
  }
  void operator()(const TokenRevoked& e) {
    auto b = out.initTokenRevoked();
    b.setTokenId(text(e.token_id));
    set_text([&](auto v) { b.setRevokedByUserId(v); }, e.revoked_by_user_id);
    b.setReason(to_schema(e.reason));
  }
  void operator()(const TokenExpired& e) {
    auto b = out.initTokenExpired();
    b.setTokenId(text(e.token_id));
    b.setExpiresAtNs(e.expires_at_ns);
  }
  void operator()(const TokenUsed& e) {
    auto b = out.initTokenUsed();
    b.setTokenId(text(e.token_id));
    b.setLastUsedAtNs(e.last_used_at_ns);
    set_text([&](auto v) { b.setClientIp(v); }, e.client_ip);
    set_text([&](auto v) { b.setUserAgent(v); }, e.user_agent);
    b.setUseCount(e.use_count);
  }
  void operator()(const LoginSucceeded& e) {
    auto b = out.initLoginSucceeded();
    b.setUserId(text(e.user_id));
    b.setOneTimePasswordUsed(e.one_time_password_used);
    b.setOneTimePasswordStep(e.one_time_password_step);
  }
  void operator()(const LoginLocked& e) {
    auto b = out.initLoginLocked();
    b.setUserId(text(e.user_id));
    b.setUntilNs(e.until_ns);
    b.setFailures(e.failures);
  }
  void operator()(const LoginUnlocked& e) {
    auto b = out.initLoginUnlocked();
    b.setUserId(text(e.user_id));
    b.setReason(to_schema(e.reason));
  }
  void operator()(const SnapshotTaken& e) {
    auto b = out.initSnapshotTaken();
    b.setCoversSequence(e.covers_sequence);
    b.setPayloadSha256(as_data(e.payload_sha256));
  }
  void operator()(const SudoGranted& e) {
    auto b = out.initSudoGranted();
    b.setTokenId(text(e.token_id));
    b.setUserId(text(e.user_id));
    b.setExpiresAtNs(e.expires_at_ns);
  }
  void operator()(const LegacyKeyMigrated& e) {
    auto b = out.initLegacyKeyMigrated();
    b.setCustomerId(text(e.customer_id));
    b.setUserId(text(e.user_id));
    b.setTokenId(text(e.token_id));
  }
};

}  // namespace

std::uint16_t current_schema_version() {
  return s::CURRENT_SCHEMA_VERSION;
}

Result<std::string> encode_record(const Record& record) {
  // Records are built in a zeroed first segment on the stack rather than one capnp allocates on
  // the heap (every record of every write passes here). It has capnp's own first-segment size
  // (SUGGESTED_FIRST_SEGMENT_WORDS, 8 KiB), so a record is laid out in the same segments, to the
  // byte, as before; larger ones continue on the heap.
  constexpr std::size_t first_segment_words = capnp::SUGGESTED_FIRST_SEGMENT_WORDS;
  std::array<capnp::word, first_segment_words> first_segment;
  std::memset(first_segment.data(), 0, sizeof first_segment);
  capnp::MallocMessageBuilder message(kj::arrayPtr(first_segment.data(), first_segment.size()));
  auto root = message.initRoot<s::Record>();
  root.setSequence(record.sequence);
  root.setRecordedAtNs(record.recorded_at_ns);
  root.setPrevHash(as_data(record.prev_hash));
  root.setSchemaVersion(s::CURRENT_SCHEMA_VERSION);
  encode_actor(record.event.actor, root.initActor());
  std::visit(BodyEncoder{root.initEvent()}, record.event.body);

  const std::size_t size_bytes = capnp::computeSerializedSizeInWords(message) * sizeof(capnp::word);
  if (size_bytes > record_size_max_bytes) {
    return Status::invalid_argument("sequence " + std::to_string(record.sequence) + ": record of " +
                                    std::to_string(size_bytes) + " bytes exceeds the limit of " +
                                    std::to_string(record_size_max_bytes));
  }
  // Framed straight into the string that is returned, without an intermediate array.
  std::string bytes(size_bytes, '\0');
  kj::ArrayOutputStream out(kj::arrayPtr(reinterpret_cast<kj::byte*>(bytes.data()), bytes.size()));
  capnp::writeMessage(out, message);
  TL_ASSERT(out.getArray().size() == size_bytes);
  return bytes;
}

}  // namespace tokenledger
