// bytes -> Record. The bytes come from disk and are untrusted: every failure to parse becomes a
// `corruption` Status naming the sequence, and anything from a newer schema (a higher version, an
// unknown event kind or enumerant) becomes `unsupported` rather than being skipped.
#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <array>
#include <cstring>
#include <exception>

#include "ledger/events.capnp.h"
#include "ledger/record_codec.h"

namespace tokenledger {
namespace {

namespace s = schema;

// Cap'n Proto's traversal limit bounds the work a hostile message can cause; a record is at most
// record_size_max_bytes, so twice its words is ample for a legitimate one.
constexpr std::uint64_t traversal_limit_words = 2 * record_size_max_bytes / sizeof(capnp::word);
constexpr int nesting_limit = 16;
// Records up to this many words (2 KiB; most are a few hundred bytes) are decoded from a copy on
// the stack rather than the heap.
constexpr std::size_t small_record_words = 256;

// Thrown inside the decoder only, and caught in decode_record: turns into a Status there.
struct DecodeError {
  Status status;
};

[[noreturn]] void unsupported(std::uint64_t sequence, const std::string& what) {
  throw DecodeError{Status::unsupported("sequence " + std::to_string(sequence) + ": " + what +
                                        " (written by a newer tokenledger?)")};
}

template <typename Enum>
Enum checked_enum(Enum value, Enum last_known, std::uint64_t sequence, const char* what) {
  if (static_cast<std::uint16_t>(value) > static_cast<std::uint16_t>(last_known)) {
    unsupported(sequence, std::string("unknown ") + what + " value " +
                              std::to_string(static_cast<std::uint16_t>(value)));
  }
  return value;
}

std::string to_string(capnp::Text::Reader text) {
  return std::string(text.cStr(), text.size());
}

std::string to_bytes(capnp::Data::Reader data) {
  return std::string(reinterpret_cast<const char*>(data.begin()), data.size());
}

Hash to_hash(capnp::Data::Reader data, std::uint64_t sequence, const char* what) {
  Hash hash{};
  if (data.size() != hash.size()) {
    throw DecodeError{Status::corruption("sequence " + std::to_string(sequence) + ": " + what +
                                         " has " + std::to_string(data.size()) +
                                         " bytes instead of 32")};
  }
  std::memcpy(hash.data(), data.begin(), hash.size());
  return hash;
}

template <typename Reader>
std::optional<std::string> optional_text(bool present, Reader reader) {
  if (!present) return std::nullopt;
  return to_string(reader);
}

struct Decoder {
  std::uint64_t sequence;

  Role role(s::Role v) {
    return static_cast<Role>(checked_enum(v, s::Role::SUPERUSER, sequence, "role"));
  }
  UserKind kind(s::UserKind v) {
    return static_cast<UserKind>(
        checked_enum(v, s::UserKind::GLOBAL_API_TOKEN, sequence, "user kind"));
  }
  Scope scope(s::Scope v) {
    return static_cast<Scope>(checked_enum(v, s::Scope::PURGE_ALL, sequence, "scope"));
  }
  TokenOrigin origin(s::TokenOrigin v) {
    return static_cast<TokenOrigin>(
        checked_enum(v, s::TokenOrigin::LEGACY_MIGRATION, sequence, "token origin"));
  }
  RevokeReason revoke_reason(s::RevokeReason v) {
    return static_cast<RevokeReason>(
        checked_enum(v, s::RevokeReason::USER_DELETED, sequence, "revoke reason"));
  }
  LockReason lock_reason(s::LockReason v) {
    return static_cast<LockReason>(
        checked_enum(v, s::LockReason::FAILED_LOGINS, sequence, "lock reason"));
  }
  LoginFailureReason failure_reason(s::LoginFailureReason v) {
    return static_cast<LoginFailureReason>(
        checked_enum(v, s::LoginFailureReason::ACCOUNT_LOCKED, sequence, "login failure reason"));
  }

  Actor actor(s::Actor::Reader r) {
    Actor a;
    a.user_id = optional_text(r.hasUserId(), r.getUserId());
    a.token_id = optional_text(r.hasTokenId(), r.getTokenId());
    a.client_ip = optional_text(r.hasClientIp(), r.getClientIp());
    a.user_agent = optional_text(r.hasUserAgent(), r.getUserAgent());
    a.request_id = optional_text(r.hasRequestId(), r.getRequestId());
    return a;
  }

  UserUpdated user_updated(s::UserUpdated::Reader r) {
    UserUpdated e;
    e.user_id = to_string(r.getUserId());
    if (r.getName().isSet()) e.name = to_string(r.getName().getSet());
    if (r.getRole().isSet()) e.role = role(r.getRole().getSet());
    if (r.getLocked().isSet()) e.locked = r.getLocked().getSet();
    e.lock_reason = lock_reason(r.getLockReason());
    switch (r.getTwoFactor().which()) {
      case s::UserUpdated::TwoFactor::UNCHANGED:
        break;
      case s::UserUpdated::TwoFactor::ENABLED: {
        auto sealed = r.getTwoFactor().getEnabled();
        e.two_factor = SealedSecret{to_string(sealed.getKeyId()), to_bytes(sealed.getNonce()),
                                    to_bytes(sealed.getCiphertext())};
        break;
      }
      case s::UserUpdated::TwoFactor::DISABLED:
        e.two_factor = TwoFactorDisabled{};
        break;
      default:
        unsupported(sequence, "unknown two-factor change");
    }
    return e;
  }

  TokenCreated token_created(s::TokenCreated::Reader r) {
    TokenCreated e;
    e.token_id = to_string(r.getTokenId());
    e.user_id = to_string(r.getUserId());
    e.customer_id = to_string(r.getCustomerId());
    e.name = to_string(r.getName());
    for (auto v : r.getScopes()) e.scopes.push_back(scope(v));
    for (auto v : r.getServices()) e.services.push_back(to_string(v));
    switch (r.getExpiry().which()) {
      case s::TokenCreated::Expiry::NEVER:
        break;
      case s::TokenCreated::Expiry::AT_NS:
        e.expires_at_ns = r.getExpiry().getAtNs();
        break;
      default:
        unsupported(sequence, "unknown token expiry form");
    }
    e.secret_sha256 = to_hash(r.getSecretSha256(), sequence, "secretSha256");
    e.origin = origin(r.getOrigin());
    e.created_at_ns = r.getCreatedAtNs();
    return e;
  }

  EventBody body(s::Record::Event::Reader r) {
    using W = s::Record::Event;
    switch (r.which()) {
      case W::CUSTOMER_CREATED: {
        auto b = r.getCustomerCreated();
        return CustomerCreated{to_string(b.getCustomerId()), to_string(b.getName())};
      }
      case W::USER_CREATED: {
        auto b = r.getUserCreated();
        return UserCreated{
            to_string(b.getUserId()), to_string(b.getCustomerId()),
            to_string(b.getLogin()),  to_string(b.getName()),
            role(b.getRole()),        optional_text(b.hasPasswordHash(), b.getPasswordHash()),
            kind(b.getKind())};
      }
      case W::USER_UPDATED:
        return user_updated(r.getUserUpdated());
      case W::PASSWORD_CHANGED: {
        auto b = r.getPasswordChanged();
        return PasswordChanged{to_string(b.getUserId()), to_string(b.getPasswordHash())};
      }
      case W::USER_DELETED: {
        auto b = r.getUserDeleted();
        return UserDeleted{to_string(b.getUserId()), b.getForced()};
      }
      case W::LOGIN_FAILED: {
        auto b = r.getLoginFailed();
        return LoginFailed{to_string(b.getUserId()), failure_reason(b.getReason()),
                           b.getConsecutiveFailures()};
      }
      case W::TOKEN_CREATED:
        return token_created(r.getTokenCreated());
      case W::TOKEN_REVOKED: {
        auto b = r.getTokenRevoked();
        return TokenRevoked{to_string(b.getTokenId()),
                            optional_text(b.hasRevokedByUserId(), b.getRevokedByUserId()),
                            revoke_reason(b.getReason())};
      }
      case W::TOKEN_EXPIRED: {
        auto b = r.getTokenExpired();
        return TokenExpired{to_string(b.getTokenId()), b.getExpiresAtNs()};
      }
      case W::TOKEN_USED: {
        auto b = r.getTokenUsed();
        return TokenUsed{to_string(b.getTokenId()), b.getLastUsedAtNs(),
                         optional_text(b.hasClientIp(), b.getClientIp()),
                         optional_text(b.hasUserAgent(), b.getUserAgent()), b.getUseCount()};
      }
      case W::LEGACY_KEY_MIGRATED: {
        auto b = r.getLegacyKeyMigrated();
        return LegacyKeyMigrated{to_string(b.getCustomerId()), to_string(b.getUserId()),
                                 to_string(b.getTokenId())};
      }
      case W::LOGIN_SUCCEEDED: {
        auto b = r.getLoginSucceeded();
        return LoginSucceeded{to_string(b.getUserId()), b.getOneTimePasswordUsed()};
      }
      case W::SUDO_GRANTED: {
        auto b = r.getSudoGranted();
        return SudoGranted{to_string(b.getTokenId()), to_string(b.getUserId()), b.getExpiresAtNs()};
      }
    }
    unsupported(sequence, "unknown event kind " + std::to_string(static_cast<unsigned>(r.which())));
  }

  // The fields every record carries, checked as decode_record checks them, without the body.
  RecordEnvelope envelope(s::Record::Reader r) {
    RecordEnvelope out;
    out.schema_version = r.getSchemaVersion();
    if (out.schema_version > s::CURRENT_SCHEMA_VERSION) {
      unsupported(sequence, "schema version " + std::to_string(out.schema_version) +
                                " is newer than this build's " +
                                std::to_string(s::CURRENT_SCHEMA_VERSION));
    }
    if (out.schema_version == 0) {
      throw DecodeError{Status::corruption("sequence " + std::to_string(sequence) +
                                           ": schema version 0 is not a valid version")};
    }
    const auto kind = r.getEvent().which();
    if (static_cast<unsigned>(kind) > static_cast<unsigned>(s::Record::Event::SUDO_GRANTED)) {
      unsupported(sequence, "unknown event kind " + std::to_string(static_cast<unsigned>(kind)));
    }
    out.sequence = r.getSequence();
    out.recorded_at_ns = r.getRecordedAtNs();
    out.prev_hash = to_hash(r.getPrevHash(), sequence, "prevHash");
    return out;
  }

  Record record(s::Record::Reader r) {
    const RecordEnvelope head = envelope(r);
    Record out;
    out.schema_version = head.schema_version;
    out.sequence = head.sequence;
    out.recorded_at_ns = head.recorded_at_ns;
    out.prev_hash = head.prev_hash;
    out.event.actor = actor(r.getActor());
    out.event.body = body(r.getEvent());
    return out;
  }
};

Status corruption(std::uint64_t sequence, const std::string& reason) {
  return Status::corruption("sequence " + std::to_string(sequence) + ": " + reason);
}

// Frames `bytes` as a Cap'n Proto message and hands its root to `read`, turning every failure
// into a Status naming the sequence.
template <typename Out, typename Read>
Result<Out> read_root(std::string_view bytes, std::uint64_t sequence, Read read) {
  if (bytes.size() > record_size_max_bytes) {
    return corruption(sequence, "record of " + std::to_string(bytes.size()) +
                                    " bytes exceeds the limit of " +
                                    std::to_string(record_size_max_bytes));
  }
  if (bytes.empty() || bytes.size() % sizeof(capnp::word) != 0) {
    return corruption(sequence, "record size " + std::to_string(bytes.size()) +
                                    " is not a whole number of 8-byte words");
  }
  // Cap'n Proto reads words in place; stored values carry no alignment promise, so copy: onto
  // the stack for the usual few hundred bytes, the heap beyond.
  const std::size_t word_count = bytes.size() / sizeof(capnp::word);
  std::array<capnp::word, small_record_words> small;
  kj::Array<capnp::word> large;
  capnp::word* words = small.data();
  if (word_count > small.size()) {
    large = kj::heapArray<capnp::word>(word_count);
    words = large.begin();
  }
  std::memcpy(words, bytes.data(), bytes.size());
  try {
    capnp::ReaderOptions options;
    options.traversalLimitInWords = traversal_limit_words;
    options.nestingLimit = nesting_limit;
    capnp::FlatArrayMessageReader reader(kj::arrayPtr(words, word_count), options);
    if (reader.getEnd() != words + word_count) {
      return corruption(sequence, "trailing bytes after the record's message");
    }
    return read(Decoder{sequence}, reader.getRoot<s::Record>());
  } catch (const DecodeError& error) {
    return error.status;
  } catch (const kj::Exception& error) {
    return corruption(sequence,
                      "record does not parse: " + std::string(error.getDescription().cStr()));
  } catch (const std::exception& error) {
    return corruption(sequence, std::string("record does not parse: ") + error.what());
  }
}

}  // namespace

Result<Record> decode_record(std::string_view bytes, std::uint64_t sequence_for_messages) {
  return read_root<Record>(bytes, sequence_for_messages,
                           [](Decoder decoder, s::Record::Reader r) { return decoder.record(r); });
}

Result<RecordEnvelope> decode_envelope(std::string_view bytes,
                                       std::uint64_t sequence_for_messages) {
  return read_root<RecordEnvelope>(
      bytes, sequence_for_messages,
      [](Decoder decoder, s::Record::Reader r) { return decoder.envelope(r); });
}

}  // namespace tokenledger
