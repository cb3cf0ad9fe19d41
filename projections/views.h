// The current state of tokens, users and customers, folded from the log by apply() (apply.h).
// This is what the decision function reads, what authentication looks tokens up in, and what
// the API and the replay tool serve. Everything here is derived: the log is the truth.
//
// Memory: with a million tokens this is the process's main cost, so tokens live in chunks of
// compact records and the two token indexes hold only 4-byte positions, hashing and comparing
// through the chunks (docs/adr/0007-views-and-snapshots.md,
// docs/adr/0025-secret-index-digest-index.md). Threading: a Views is a plain data structure with no
// locking of its own; TokenService (token_service.h) guards it. Not copyable or movable: the
// indexes point into the token chunks.
#pragma once

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <deque>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/event.h"
#include "ledger/sha256.h"
#include "projections/chunked_vector.h"
#include "projections/digest_index.h"
#include "projections/huge_pages.h"
#include "projections/wide_multiply.h"

namespace tokenledger {

using TokenIndex = std::uint32_t;
using UserIndex = std::uint32_t;
using CustomerIndex = std::uint32_t;

// "No time": absent expiry, never used, still live.
inline constexpr TimeNs no_time = std::numeric_limits<TimeNs>::min();

// Token ids are 22 characters of base62 (the wire contract); stored inline.
inline constexpr std::size_t token_id_size = 22;
using TokenId = std::array<char, token_id_size>;
std::string_view token_id_view(const TokenId& id);
// False unless `text` is exactly 22 characters of base62.
bool parse_token_id(std::string_view text, TokenId* id);

enum class TokenState : std::uint8_t { live, revoked, expired };
template <>
inline constexpr std::uint8_t enum_value_count<TokenState> = 3;
std::string_view token_state_name(TokenState state);

// A set of scopes as bits (1 << Scope).
using ScopeSet = std::uint8_t;
inline ScopeSet scope_bit(Scope scope) {
  return static_cast<ScopeSet>(1u << static_cast<int>(scope));
}
inline bool has_scope(ScopeSet set, Scope scope) {
  return (set & scope_bit(scope)) != 0;
}
std::vector<Scope> scope_list(ScopeSet set);  // in enum order
// "global purge_select": the names, space-separated (the contract's "scope" string).
std::string scope_string(ScopeSet set);

inline constexpr std::uint32_t no_usage_slot = std::numeric_limits<std::uint32_t>::max();

// Once apply() has created a token, only state, revoke_reason, ended_at_ns,
// sudo_expires_at_ns and usage_slot ever change: a snapshot reads the rest while commands go on
// (snapshot.h).
struct Token {
  TokenId id{};
  TokenState state = TokenState::live;
  ScopeSet scopes = 0;
  TokenOrigin origin = TokenOrigin::api;
  RevokeReason revoke_reason = RevokeReason::owner;  // meaningful when revoked
  UserIndex user = 0;
  CustomerIndex customer = 0;
  Hash secret_sha256{};
  // Where the views keep this token's last use (Views::usage), set on its first TokenUsed.
  // Internal to the views: it fills what was padding, and a token's use costs no hash lookup.
  std::uint32_t usage_slot = no_usage_slot;
  TimeNs created_at_ns = 0;
  TimeNs expires_at_ns = no_time;
  TimeNs ended_at_ns = no_time;  // when it was revoked or recorded as expired
  TimeNs sudo_expires_at_ns = no_time;
  std::string name;
  std::vector<std::string> services;  // empty: all services
};

// Last use, kept only for tokens that were ever used.
struct TokenUsage {
  TimeNs last_used_at_ns = no_time;
  std::string client_ip;
  std::string user_agent;
  std::uint64_t use_count = 0;
  bool operator==(const TokenUsage&) const = default;
};

struct User {
  std::string id;
  CustomerIndex customer = 0;
  std::string login;
  std::string name;
  Role role = Role::user;
  UserKind kind = UserKind::person;
  bool locked = false;
  LockReason lock_reason = LockReason::none;
  bool deleted = false;
  std::optional<std::string> password_hash;
  std::optional<SealedSecret> two_factor;
  std::uint32_t consecutive_failures = 0;
  // Password logins are refused until then after too many failures (LoginLocked); no_time when
  // not. Unlike `locked`, it leaves the user's tokens working.
  TimeNs login_locked_until_ns = no_time;
  // The time step of the last one-time password accepted: no code of it or an earlier step is
  // accepted again (RFC 6238 section 5.2). 0: none since two-factor was enabled.
  std::uint64_t last_one_time_password_step = 0;
  TimeNs created_at_ns = 0;
  TimeNs updated_at_ns = 0;
  TimeNs last_login_at_ns = no_time;
  std::uint32_t live_token_count = 0;
  std::vector<TokenIndex> tokens;  // every token ever created for the user, in order
  bool operator==(const User&) const = default;
};

struct Customer {
  std::string id;
  std::string name;
  TimeNs created_at_ns = 0;
  std::vector<UserIndex> users;
  std::vector<TokenIndex> tokens;
  std::optional<UserIndex> global_api_token_user;  // after legacy-key migration
  std::uint32_t live_token_count = 0;
  std::uint32_t live_user_count = 0;
  bool operator==(const Customer&) const = default;
};

// What authentication needs of a token, kept in the secret index itself so that a lookup reads
// one hash slot rather than a slot and then the token record (ADR 0007). apply() keeps it in
// step with the token.
struct SecretEntry {
  TokenIndex token = 0;
  UserIndex user = 0;
  TimeNs expires_at_ns = no_time;
  TokenState state = TokenState::live;
  ScopeSet scopes = 0;
  bool service_limited = false;
};

// The secret-index entry of a token: the one place that says which token fields it copies.
inline SecretEntry secret_entry_of(const Token& token, TokenIndex index) {
  return SecretEntry{index,       token.user,   token.expires_at_ns,
                     token.state, token.scopes, !token.services.empty()};
}

class Views {
 public:
  Views();
  Views(const Views&) = delete;
  Views& operator=(const Views&) = delete;

  // The last log sequence folded in, and the recorded time of that record.
  std::uint64_t sequence() const { return sequence_; }
  TimeNs recorded_at_ns() const { return recorded_at_ns_; }

  const Token* token_by_id(std::string_view id) const;
  // The authentication lookup. Compares the full hash in constant time.
  const Token* token_by_secret(const Hash& secret_sha256) const;
  std::optional<TokenIndex> token_index_by_secret(const Hash& secret_sha256) const;
  const SecretEntry* secret_entry(const Hash& secret_sha256) const;
  const User* user_by_id(std::string_view id) const;
  const User* user_by_login(std::string_view login) const;  // live (not deleted) users only
  const Customer* customer_by_id(std::string_view id) const;

  const Token& token(TokenIndex index) const { return tokens_[index]; }
  const User& user(UserIndex index) const { return users_[index]; }
  const Customer& customer(CustomerIndex index) const { return customers_[index]; }

  // Sizes the token-id index for `count` tokens before a long replay. Growing it later costs a
  // random read of every token it holds (its hash is computed from the token record); its
  // slots are 4 bytes, so sizing it from an over-estimate (the records to replay) is cheap.
  void reserve_token_ids(std::size_t count) { tokens_by_id_.reserve(count); }
  // Sizes the secret index for `count` tokens. Its slots are 64 bytes, so this wants a close
  // estimate, not an upper bound; growing it instead allocates, zeroes and refills a table of
  // twice the size each time, which a long replay pays for in page faults (docs/benchmarks.md).
  void reserve_token_secrets(std::size_t count) { tokens_by_secret_.reserve(count); }
  const TokenUsage* usage(TokenIndex index) const;
  std::size_t token_count() const { return tokens_.size(); }
  std::size_t user_count() const { return users_.size(); }
  std::size_t customer_count() const { return customers_.size(); }
  std::size_t live_token_count() const { return live_token_count_; }
  TokenIndex index_of(const Token& token) const;

  // Live tokens with an expiry, earliest first: what the expiry sweeper walks.
  const std::set<std::pair<TimeNs, TokenIndex>>& expiry_queue() const { return expiry_queue_; }
  // Users whose password logins are locked, by the lock's end, earliest first: what the
  // background work walks to record each lock's end.
  const std::set<std::pair<TimeNs, UserIndex>>& login_lock_queue() const {
    return login_lock_queue_;
  }
  // The payload digest of the snapshot covering `sequence`, when a SnapshotTaken record for it
  // was applied to these views (the last few are kept); null otherwise. Start-up binds a
  // loaded snapshot to the log with it. Not part of same_as: it says which records were read,
  // not what they mean.
  // `record_sequence`, when given, receives the sequence of the SnapshotTaken record.
  const Hash* recorded_snapshot(std::uint64_t sequence,
                                std::uint64_t* record_sequence = nullptr) const;

  // Logical equality (same tokens, users, customers, usage and position in the log), for
  // comparing a rebuilt state with a live one.
  bool same_as(const Views& other) const;

  // Adding to the views. apply() (for the events that create things) and a snapshot's loading
  // both go through these, and they keep every index derived from what they add: ids, logins,
  // secrets, each owner's lists, live counts, the expiry and login-lock queues, the customer's
  // Global API Token user. An index added to the views is kept here, so neither of the two can
  // forget it. Each checks first what would break an index and then changes nothing, returns
  // false and names the problem; otherwise `*index` is the new element's.
  bool add_customer(Customer customer, CustomerIndex* index, std::string* problem);
  // `user.customer` must be a customer's index; its lists and counts start empty.
  bool add_user(User user, UserIndex* index, std::string* problem);
  // `token.user` must be a user's index; `token.customer` is taken from that user.
  bool add_token(Token token, TokenIndex* index, std::string* problem);
  // The token's usage, its slot made on first use (`*created` says whether it was).
  TokenUsage& usage_of(TokenIndex index, bool* created);
  // Where in the log these views are: after the record `sequence`, recorded at `recorded_at_ns`.
  void set_position(std::uint64_t sequence, TimeNs recorded_at_ns);

  // For writing a snapshot while commands go on: the token table as of now (views.h's rule on
  // which token fields may change still holds), and the usage slots in order of first use.
  ChunkedVector<Token>::Frozen frozen_tokens() const { return tokens_.frozen(); }
  struct UsageSlot {
    TokenIndex token = 0;
    TokenUsage usage;
  };
  std::size_t usage_slot_count() const { return usages_.size(); }
  const UsageSlot& usage_slot(std::size_t slot) const { return usages_[slot]; }

 private:
  friend class ViewsWriter;
  friend class ViewsPrefetcher;

  // Token ids come from a cryptographic source (no caller chooses what is stored, so nobody can
  // build a cluster), and a stored one is always 22 bytes: those hash with two multiplies over
  // three overlapping 8-byte loads (wyhash's mixing) instead of absl's general string hash, which
  // a replay ran several times per token. Other lengths, looked up but never stored, take
  // absl's.
  struct TokenIdHash {
    using is_transparent = void;
    const ChunkedVector<Token>* tokens;
    std::size_t operator()(TokenIndex index) const {
      return (*this)(token_id_view((*tokens)[index].id));
    }
    std::size_t operator()(std::string_view id) const {
      if (id.size() != token_id_size) return other_length_hash(id);
      std::uint64_t a = 0;
      std::uint64_t b = 0;
      std::uint64_t c = 0;
      std::memcpy(&a, id.data(), 8);
      std::memcpy(&b, id.data() + 8, 8);
      std::memcpy(&c, id.data() + token_id_size - 8, 8);
      return multiply_fold(a ^ 0xa0761d6478bd642full, b ^ 0xe7037ed1a0b428dbull) ^
             multiply_fold(c ^ 0x8ebc6af09c88c6e3ull, 0x589965cc75374cc3ull);
    }
    static std::size_t other_length_hash(std::string_view id);
  };
  struct TokenIdEq {
    using is_transparent = void;
    const ChunkedVector<Token>* tokens;
    // By id, not by index: inserting a second token with an id already present must find the
    // first (load_snapshot relies on insert() refusing it).
    bool operator()(TokenIndex a, TokenIndex b) const {
      return a == b || (*this)(token_id_view((*tokens)[a].id), b);
    }
    bool operator()(std::string_view id, TokenIndex b) const;
    bool operator()(TokenIndex a, std::string_view id) const { return (*this)(id, a); }
  };

  std::uint64_t sequence_ = 0;
  TimeNs recorded_at_ns_ = 0;
  ChunkedVector<Token> tokens_;
  std::deque<User> users_;
  std::deque<Customer> customers_;
  absl::flat_hash_set<TokenIndex, TokenIdHash, TokenIdEq, HugePageAllocator<TokenIndex>>
      tokens_by_id_;
  DigestIndex<SecretEntry> tokens_by_secret_;
  absl::flat_hash_map<std::string, UserIndex> users_by_id_;
  absl::flat_hash_map<std::string, UserIndex> users_by_login_;
  absl::flat_hash_map<std::string, CustomerIndex> customers_by_id_;
  // The last use of every token ever used, in the order of first use; Token::usage_slot points
  // here. A hash map keyed by token needed a lookup per use and, during a replay, grew by
  // doubling through slots of 88 bytes.
  ChunkedVector<UsageSlot> usages_;
  std::set<std::pair<TimeNs, TokenIndex>> expiry_queue_;
  std::set<std::pair<TimeNs, UserIndex>> login_lock_queue_;
  static constexpr std::size_t recorded_snapshots_max = 16;
  struct RecordedSnapshot {
    std::uint64_t covers_sequence = 0;
    Hash payload_sha256{};
    std::uint64_t record_sequence = 0;  // of the SnapshotTaken record
  };
  std::deque<RecordedSnapshot> recorded_snapshots_;  // oldest first
  std::size_t live_token_count_ = 0;
};

}  // namespace tokenledger
