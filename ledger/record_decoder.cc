// bytes -> Record. The bytes come from disk and are untrusted: every failure to parse becomes a
// `corruption` Status naming the sequence, and anything from a newer schema (a higher version, an
// unknown event kind or enumerant) becomes `unsupported` rather than being skipped.
// Longer than 450 lines on purpose: one decoding function per event kind, each beside the others
// so that a new kind's decoding is written the way the existing ones are.
#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <array>
#include <cstdint>
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

// The C++ enum a schema enum stands for, through enum_from_number (event.h): a value past what
// this build knows was written by a newer one. The schema's last value must be the C++ enum's
// last, which is checked at compile time.
template <typename Enum, auto last_known>
Enum checked_enum(decltype(last_known) value, std::uint64_t sequence, const char* what) {
  static_assert(static_cast<std::uint16_t>(last_known) + 1 == enum_value_count<Enum>,
                "the schema and event.h disagree on this enum's values");
  Enum decoded{};
  if (!enum_from_number(static_cast<std::uint16_t>(value), &decoded)) {
    unsupported(sequence, std::string("unknown ") + what + " value " +
                              std::to_string(static_cast<std::uint16_t>(value)));
  }
  return decoded;
}

// The setters below assign into fields that may hold an earlier record's values: they reuse
// the memory already there (std::string::assign keeps its capacity) and leave nothing stale.
void set_text(std::string& out, capnp::Text::Reader text) {
  out.assign(text.cStr(), text.size());
}

void set_bytes(std::string& out, capnp::Data::Reader data) {
  out.assign(reinterpret_cast<const char*>(data.begin()), data.size());
}

template <typename Reader>
void set_optional_text(std::optional<std::string>& out, bool present, Reader reader) {
  if (!present) {
    out.reset();
    return;
  }
  if (!out) out.emplace();
  set_text(*out, reader);
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

struct Decoder {
  std::uint64_t sequence;
  RecordDecoder::SpareBodies* spares;  // null: a one-off decode keeps nothing
  bool with_actor = true;

  Role role(s::Role v) { return checked_enum<Role, s::Role::SUPERUSER>(v, sequence, "role"); }
  UserKind kind(s::UserKind v) {
    return checked_enum<UserKind, s::UserKind::GLOBAL_API_TOKEN>(v, sequence, "user kind");
  }
  Scope scope(s::Scope v) { return checked_enum<Scope, s::Scope::PURGE_ALL>(v, sequence, "scope"); }
  TokenOrigin origin(s::TokenOrigin v) {
    return checked_enum<TokenOrigin, s::TokenOrigin::LEGACY_MIGRATION>(v, sequence, "token origin");
  }
  RevokeReason revoke_reason(s::RevokeReason v) {
    return checked_enum<RevokeReason, s::RevokeReason::USER_DELETED>(v, sequence, "revoke reason");
  }
  UnlockReason unlock_reason(s::UnlockReason v) {
    return checked_enum<UnlockReason, s::UnlockReason::SUPERUSER>(v, sequence, "unlock reason");
  }

  LockReason lock_reason(s::LockReason v) {
    return checked_enum<LockReason, s::LockReason::FAILED_LOGINS>(v, sequence, "lock reason");
  }
  LoginFailureReason failure_reason(s::LoginFailureReason v) {
    return checked_enum<LoginFailureReason, s::LoginFailureReason::ACCOUNT_LOCKED>(
        v, sequence, "login failure reason");
  }

  // `body` made to hold a T, reusing it when it holds one already; otherwise its old body is
  // parked among the spares and a spare T (or a new one) takes its place. Every field of the
  // returned T is then assigned by the caller.
  template <typename T>
  T& reuse(EventBody& body) {
    if (T* held = std::get_if<T>(&body)) return *held;
    if (spares == nullptr) return body.emplace<T>();
    std::vector<EventBody>& parked = (*spares)[body.index()];
    if (parked.size() < RecordDecoder::spares_per_kind_max) parked.push_back(std::move(body));
    std::vector<EventBody>& wanted = (*spares)[variant_index<T>()];
    if (wanted.empty()) return body.emplace<T>();
    body = std::move(wanted.back());
    wanted.pop_back();
    return std::get<T>(body);
  }

  template <typename T, std::size_t I = 0>
  static constexpr std::size_t variant_index() {
    if constexpr (std::is_same_v<std::variant_alternative_t<I, EventBody>, T>) {
      return I;
    } else {
      return variant_index<T, I + 1>();
    }
  }

  void actor(s::Actor::Reader r, Actor& a) {
    set_optional_text(a.user_id, r.hasUserId(), r.getUserId());
    set_optional_text(a.token_id, r.hasTokenId(), r.getTokenId());
    set_optional_text(a.client_ip, r.hasClientIp(), r.getClientIp());
    set_optional_text(a.user_agent, r.hasUserAgent(), r.getUserAgent());
    set_optional_text(a.request_id, r.hasRequestId(), r.getRequestId());
  }

  void user_updated(s::UserUpdated::Reader r, UserUpdated& e) {
    set_text(e.user_id, r.getUserId());
    if (r.getName().isSet()) {
      if (!e.name) e.name.emplace();
      set_text(*e.name, r.getName().getSet());
    } else {
      e.name.reset();
    }
    e.role.reset();
    if (r.getRole().isSet()) e.role = role(r.getRole().getSet());
    e.locked.reset();
    if (r.getLocked().isSet()) e.locked = r.getLocked().getSet();
    e.lock_reason = lock_reason(r.getLockReason());
    switch (r.getTwoFactor().which()) {
      case s::UserUpdated::TwoFactor::UNCHANGED:
        e.two_factor = std::monostate{};
        break;
      case s::UserUpdated::TwoFactor::ENABLED: {
        auto sealed = r.getTwoFactor().getEnabled();
        SealedSecret& secret = std::holds_alternative<SealedSecret>(e.two_factor)
                                   ? std::get<SealedSecret>(e.two_factor)
                                   : e.two_factor.emplace<SealedSecret>();
        set_text(secret.key_id, sealed.getKeyId());
        set_bytes(secret.nonce, sealed.getNonce());
        set_bytes(secret.ciphertext, sealed.getCiphertext());
        break;
      }
      case s::UserUpdated::TwoFactor::DISABLED:
        e.two_factor = TwoFactorDisabled{};
        break;
      default:
        unsupported(sequence, "unknown two-factor change");
    }
    e.one_time_password_step = r.getOneTimePasswordStep();
  }

  void token_created(s::TokenCreated::Reader r, TokenCreated& e) {
    set_text(e.token_id, r.getTokenId());
    set_text(e.user_id, r.getUserId());
    set_text(e.customer_id, r.getCustomerId());
    set_text(e.name, r.getName());
    const auto scopes = r.getScopes();
    e.scopes.resize(scopes.size());
    for (unsigned i = 0; i < scopes.size(); ++i) e.scopes[i] = scope(scopes[i]);
    const auto services = r.getServices();
    e.services.resize(services.size());
    for (unsigned i = 0; i < services.size(); ++i) set_text(e.services[i], services[i]);
    switch (r.getExpiry().which()) {
      case s::TokenCreated::Expiry::NEVER:
        e.expires_at_ns.reset();
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
  }

  void body(s::Record::Event::Reader r, EventBody& out) {
    using W = s::Record::Event;
    switch (r.which()) {
      case W::CUSTOMER_CREATED: {
        auto b = r.getCustomerCreated();
        auto& e = reuse<CustomerCreated>(out);
        set_text(e.customer_id, b.getCustomerId());
        set_text(e.name, b.getName());
        return;
      }
      case W::USER_CREATED: {
        auto b = r.getUserCreated();
        auto& e = reuse<UserCreated>(out);
        set_text(e.user_id, b.getUserId());
        set_text(e.customer_id, b.getCustomerId());
        set_text(e.login, b.getLogin());
        set_text(e.name, b.getName());
        e.role = role(b.getRole());
        set_optional_text(e.password_hash, b.hasPasswordHash(), b.getPasswordHash());
        e.kind = kind(b.getKind());
        return;
      }
      case W::USER_UPDATED:
        user_updated(r.getUserUpdated(), reuse<UserUpdated>(out));
        return;
      case W::PASSWORD_CHANGED: {
        auto b = r.getPasswordChanged();
        auto& e = reuse<PasswordChanged>(out);
        set_text(e.user_id, b.getUserId());
        set_text(e.password_hash, b.getPasswordHash());
        return;
      }
      case W::USER_DELETED: {
        auto b = r.getUserDeleted();
        auto& e = reuse<UserDeleted>(out);
        set_text(e.user_id, b.getUserId());
        e.forced = b.getForced();
        return;
      }
      case W::LOGIN_FAILED: {
        auto b = r.getLoginFailed();
        auto& e = reuse<LoginFailed>(out);
        set_text(e.user_id, b.getUserId());
        e.reason = failure_reason(b.getReason());
        e.consecutive_failures = b.getConsecutiveFailures();
        return;
      }
      case W::TOKEN_CREATED:
        token_created(r.getTokenCreated(), reuse<TokenCreated>(out));
        return;
      case W::TOKEN_REVOKED: {
        auto b = r.getTokenRevoked();
        auto& e = reuse<TokenRevoked>(out);
        set_text(e.token_id, b.getTokenId());
        set_optional_text(e.revoked_by_user_id, b.hasRevokedByUserId(), b.getRevokedByUserId());
        e.reason = revoke_reason(b.getReason());
        return;
      }
      case W::TOKEN_EXPIRED: {
        auto b = r.getTokenExpired();
        auto& e = reuse<TokenExpired>(out);
        set_text(e.token_id, b.getTokenId());
        e.expires_at_ns = b.getExpiresAtNs();
        return;
      }
      case W::TOKEN_USED: {
        auto b = r.getTokenUsed();
        auto& e = reuse<TokenUsed>(out);
        set_text(e.token_id, b.getTokenId());
        e.last_used_at_ns = b.getLastUsedAtNs();
        set_optional_text(e.client_ip, b.hasClientIp(), b.getClientIp());
        set_optional_text(e.user_agent, b.hasUserAgent(), b.getUserAgent());
        e.use_count = b.getUseCount();
        return;
      }
      case W::LEGACY_KEY_MIGRATED: {
        auto b = r.getLegacyKeyMigrated();
        auto& e = reuse<LegacyKeyMigrated>(out);
        set_text(e.customer_id, b.getCustomerId());
        set_text(e.user_id, b.getUserId());
        set_text(e.token_id, b.getTokenId());
        return;
      }
      case W::LOGIN_SUCCEEDED: {
        auto b = r.getLoginSucceeded();
        auto& e = reuse<LoginSucceeded>(out);
        set_text(e.user_id, b.getUserId());
        e.one_time_password_used = b.getOneTimePasswordUsed();
        e.one_time_password_step = b.getOneTimePasswordStep();
        return;
      }
      case W::LOGIN_LOCKED: {
        auto b = r.getLoginLocked();
        auto& e = reuse<LoginLocked>(out);
        set_text(e.user_id, b.getUserId());
        e.until_ns = b.getUntilNs();
        e.failures = b.getFailures();
        return;
      }
      case W::LOGIN_UNLOCKED: {
        auto b = r.getLoginUnlocked();
        auto& e = reuse<LoginUnlocked>(out);
        set_text(e.user_id, b.getUserId());
        e.reason = unlock_reason(b.getReason());
        return;
      }
      case W::SNAPSHOT_TAKEN: {
        auto b = r.getSnapshotTaken();
        auto& e = reuse<SnapshotTaken>(out);
        e.covers_sequence = b.getCoversSequence();
        e.payload_sha256 = to_hash(b.getPayloadSha256(), sequence, "payloadSha256");
        return;
      }
      case W::SUDO_GRANTED: {
        auto b = r.getSudoGranted();
        auto& e = reuse<SudoGranted>(out);
        set_text(e.token_id, b.getTokenId());
        set_text(e.user_id, b.getUserId());
        e.expires_at_ns = b.getExpiresAtNs();
        return;
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
    if (static_cast<unsigned>(kind) > static_cast<unsigned>(s::Record::Event::SNAPSHOT_TAKEN)) {
      unsupported(sequence, "unknown event kind " + std::to_string(static_cast<unsigned>(kind)));
    }
    out.sequence = r.getSequence();
    out.recorded_at_ns = r.getRecordedAtNs();
    out.prev_hash = to_hash(r.getPrevHash(), sequence, "prevHash");
    return out;
  }

  void record(s::Record::Reader r, Record& out) {
    const RecordEnvelope head = envelope(r);
    out.schema_version = head.schema_version;
    out.sequence = head.sequence;
    out.recorded_at_ns = head.recorded_at_ns;
    out.prev_hash = head.prev_hash;
    if (with_actor) {
      actor(r.getActor(), out.event.actor);
    } else {
      out.event.actor = Actor{};
    }
    body(r.getEvent(), out.event.body);
  }
};

Status corruption(std::uint64_t sequence, const std::string& reason) {
  return Status::corruption("sequence " + std::to_string(sequence) + ": " + reason);
}

// Frames `bytes` as a Cap'n Proto message and hands its root to `read`, turning every failure
// into a Status naming the sequence.
template <typename Read>
Status read_root(std::string_view bytes, std::uint64_t sequence, Read read) {
  if (bytes.size() > record_size_max_bytes) {
    return corruption(sequence, "record of " + std::to_string(bytes.size()) +
                                    " bytes exceeds the limit of " +
                                    std::to_string(record_size_max_bytes));
  }
  if (bytes.empty() || bytes.size() % sizeof(capnp::word) != 0) {
    return corruption(sequence, "record size " + std::to_string(bytes.size()) +
                                    " is not a whole number of 8-byte words");
  }
  // Cap'n Proto reads words in place. Bytes that are already word-aligned (a RecordPipeline
  // batch lays records out so) are read where they are; other stored values carry no alignment
  // promise, so copy them: onto the stack for the usual few hundred bytes, the heap beyond.
  const std::size_t word_count = bytes.size() / sizeof(capnp::word);
  std::array<capnp::word, small_record_words> small;
  kj::Array<capnp::word> large;
  const capnp::word* words = reinterpret_cast<const capnp::word*>(bytes.data());
  if (reinterpret_cast<std::uintptr_t>(bytes.data()) % alignof(capnp::word) != 0) {
    capnp::word* copy = small.data();
    if (word_count > small.size()) {
      large = kj::heapArray<capnp::word>(word_count);
      copy = large.begin();
    }
    std::memcpy(copy, bytes.data(), bytes.size());
    words = copy;
  }
  try {
    capnp::ReaderOptions options;
    options.traversalLimitInWords = traversal_limit_words;
    options.nestingLimit = nesting_limit;
    capnp::FlatArrayMessageReader reader(kj::arrayPtr(words, word_count), options);
    if (reader.getEnd() != words + word_count) {
      return corruption(sequence, "trailing bytes after the record's message");
    }
    read(reader.getRoot<s::Record>());
    return Status::ok();
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

Status RecordDecoder::decode(std::string_view bytes, std::uint64_t sequence_for_messages,
                             Record* out) {
  return read_root(bytes, sequence_for_messages, [&](s::Record::Reader r) {
    Decoder{sequence_for_messages, &spares_, fields_ == Fields::all}.record(r, *out);
  });
}

Result<Record> decode_record(std::string_view bytes, std::uint64_t sequence_for_messages) {
  Record record;
  Status status = read_root(bytes, sequence_for_messages, [&](s::Record::Reader r) {
    Decoder{sequence_for_messages, nullptr}.record(r, record);
  });
  if (!status.is_ok()) return status;
  return record;
}

Result<RecordEnvelope> decode_envelope(std::string_view bytes,
                                       std::uint64_t sequence_for_messages) {
  RecordEnvelope envelope;
  Status status = read_root(bytes, sequence_for_messages, [&](s::Record::Reader r) {
    envelope = Decoder{sequence_for_messages, nullptr}.envelope(r);
  });
  if (!status.is_ok()) return status;
  return envelope;
}

}  // namespace tokenledger
