#include "projections/apply.h"

#include <algorithm>

namespace tokenledger {

// The only code that changes a Views as the log goes on. What adds a customer, user or token
// goes through Views::add_* (which a snapshot's loading uses too); the rest changes fields in
// place. Each handler checks everything first and changes the views only when the event fits,
// so a failed apply leaves them as they were.
class ViewsWriter {
 public:
  ViewsWriter(Views& views, const Record& record) : v_(views), record_(record) {}

  Status operator()(const CustomerCreated& e) {
    Customer customer;
    customer.id = e.customer_id;
    customer.name = e.name;
    customer.created_at_ns = now();
    CustomerIndex index = 0;
    std::string problem;
    if (!v_.add_customer(std::move(customer), &index, &problem)) return bad(problem);
    return Status::ok();
  }

  Status operator()(const UserCreated& e) {
    const auto customer = v_.customers_by_id_.find(e.customer_id);
    if (customer == v_.customers_by_id_.end()) return bad("unknown customer " + e.customer_id);
    User user;
    user.id = e.user_id;
    user.customer = customer->second;
    user.login = e.login;
    user.name = e.name;
    user.role = e.role;
    user.kind = e.kind;
    user.password_hash = e.password_hash;
    user.created_at_ns = user.updated_at_ns = now();
    UserIndex index = 0;
    std::string problem;
    if (!v_.add_user(std::move(user), &index, &problem)) return bad(problem);
    return Status::ok();
  }

  Status operator()(const UserUpdated& e) {
    User* user = live_user(e.user_id);
    if (user == nullptr) return bad("unknown or deleted user " + e.user_id);
    if (e.name) user->name = *e.name;
    if (e.role) user->role = *e.role;
    if (e.locked) {
      user->locked = *e.locked;
      user->lock_reason = *e.locked ? e.lock_reason : LockReason::none;
      if (!*e.locked) user->consecutive_failures = 0;
    }
    if (const auto* sealed = std::get_if<SealedSecret>(&e.two_factor)) {
      user->two_factor = *sealed;
      user->last_one_time_password_step = e.one_time_password_step;  // of the confirming code
    }
    if (std::holds_alternative<TwoFactorDisabled>(e.two_factor)) {
      user->two_factor.reset();
      user->last_one_time_password_step = 0;
    }
    user->updated_at_ns = now();
    return Status::ok();
  }

  Status operator()(const PasswordChanged& e) {
    User* user = live_user(e.user_id);
    if (user == nullptr) return bad("unknown or deleted user " + e.user_id);
    user->password_hash = e.password_hash;
    user->updated_at_ns = now();
    return Status::ok();
  }

  Status operator()(const UserDeleted& e) {
    User* user = live_user(e.user_id);
    if (user == nullptr) return bad("unknown or deleted user " + e.user_id);
    if (user->live_token_count != 0) return bad("user " + e.user_id + " still has live tokens");
    user->deleted = true;
    user->updated_at_ns = now();
    if (user->login_locked_until_ns != no_time) {
      v_.login_lock_queue_.erase({user->login_locked_until_ns, index_of(*user)});
      user->login_locked_until_ns = no_time;
    }
    v_.users_by_login_.erase(user->login);
    --v_.customers_[user->customer].live_user_count;
    return Status::ok();
  }

  Status operator()(const LoginFailed& e) {
    User* user = live_user(e.user_id);
    if (user == nullptr) return bad("unknown or deleted user " + e.user_id);
    user->consecutive_failures = e.consecutive_failures;
    return Status::ok();
  }

  Status operator()(const LoginSucceeded& e) {
    User* user = live_user(e.user_id);
    if (user == nullptr) return bad("unknown or deleted user " + e.user_id);
    user->consecutive_failures = 0;
    user->last_login_at_ns = now();
    if (e.one_time_password_step != 0) {
      if (e.one_time_password_step <= user->last_one_time_password_step) {
        return bad("one-time password step " + std::to_string(e.one_time_password_step) +
                   " accepted again");
      }
      user->last_one_time_password_step = e.one_time_password_step;
    }
    return Status::ok();
  }

  Status operator()(const LoginLocked& e) {
    User* user = live_user(e.user_id);
    if (user == nullptr) return bad("unknown or deleted user " + e.user_id);
    if (e.until_ns == no_time) return bad("a login lock without an end");
    if (user->login_locked_until_ns != no_time) {
      v_.login_lock_queue_.erase({user->login_locked_until_ns, index_of(*user)});
    }
    user->login_locked_until_ns = e.until_ns;
    v_.login_lock_queue_.emplace(e.until_ns, index_of(*user));
    return Status::ok();
  }

  Status operator()(const LoginUnlocked& e) {
    User* user = live_user(e.user_id);
    if (user == nullptr) return bad("unknown or deleted user " + e.user_id);
    const bool legacy_lock = user->locked && user->lock_reason == LockReason::failed_logins;
    if (user->login_locked_until_ns == no_time && !legacy_lock) {
      return bad("user " + e.user_id + " has no login lock to end");
    }
    if (user->login_locked_until_ns != no_time) {
      v_.login_lock_queue_.erase({user->login_locked_until_ns, index_of(*user)});
      user->login_locked_until_ns = no_time;
    }
    // Before schema version 2 a run of failures locked the whole user (tokens too); ending a
    // login lock ends that kind as well.
    if (legacy_lock) {
      user->locked = false;
      user->lock_reason = LockReason::none;
    }
    user->consecutive_failures = 0;
    user->updated_at_ns = now();
    return Status::ok();
  }

  Status operator()(const SnapshotTaken& e) {
    if (e.covers_sequence >= record_.sequence) {
      return bad("a snapshot recorded before the records it covers");
    }
    if (v_.recorded_snapshots_.size() == Views::recorded_snapshots_max) {
      v_.recorded_snapshots_.pop_front();
    }
    v_.recorded_snapshots_.push_back(
        Views::RecordedSnapshot{e.covers_sequence, e.payload_sha256, record_.sequence});
    return Status::ok();
  }

  Status operator()(const TokenCreated& e) {
    TokenId id{};
    if (!parse_token_id(e.token_id, &id))
      return bad("token id '" + e.token_id + "' is not 22 base62 characters");
    const auto user_found = v_.users_by_id_.find(e.user_id);
    if (user_found == v_.users_by_id_.end() || v_.users_[user_found->second].deleted) {
      return bad("unknown or deleted user " + e.user_id);
    }
    User& user = v_.users_[user_found->second];
    Customer& customer = v_.customers_[user.customer];
    if (customer.id != e.customer_id) return bad("token customer differs from its user's");
    if (e.scopes.empty()) return bad("token " + e.token_id + " has no scope");
    Token token;
    token.id = id;
    for (Scope scope : e.scopes) token.scopes |= scope_bit(scope);
    token.origin = e.origin;
    token.user = user_found->second;
    token.secret_sha256 = e.secret_sha256;
    token.created_at_ns = e.created_at_ns;
    token.expires_at_ns = e.expires_at_ns.value_or(no_time);
    token.name = e.name;
    token.services = e.services;
    TokenIndex index = 0;
    std::string problem;
    if (!v_.add_token(std::move(token), &index, &problem)) return bad(problem);
    return Status::ok();
  }

  Status operator()(const TokenRevoked& e) {
    return end_token(e.token_id, TokenState::revoked, e.reason);
  }
  Status operator()(const TokenExpired& e) {
    return end_token(e.token_id, TokenState::expired, RevokeReason::owner);
  }

  Status operator()(const TokenUsed& e) {
    const auto found = v_.tokens_by_id_.find(std::string_view(e.token_id));
    if (found == v_.tokens_by_id_.end()) return bad("unknown token " + e.token_id);
    bool first_use = false;
    TokenUsage& usage = v_.usage_of(*found, &first_use);
    if (e.last_used_at_ns >= usage.last_used_at_ns) {
      usage.last_used_at_ns = e.last_used_at_ns;
      usage.client_ip = e.client_ip.value_or("");
      usage.user_agent = e.user_agent.value_or("");
    }
    usage.use_count += e.use_count;
    return Status::ok();
  }

  Status operator()(const LegacyKeyMigrated& e) {
    if (!v_.customers_by_id_.contains(e.customer_id))
      return bad("unknown customer " + e.customer_id);
    if (!v_.users_by_id_.contains(e.user_id)) return bad("unknown user " + e.user_id);
    if (!v_.tokens_by_id_.contains(std::string_view(e.token_id)))
      return bad("unknown token " + e.token_id);
    return Status::ok();
  }

  Status operator()(const SudoGranted& e) {
    const auto found = v_.tokens_by_id_.find(std::string_view(e.token_id));
    if (found == v_.tokens_by_id_.end() || v_.tokens_[*found].state != TokenState::live) {
      return bad("unknown or ended token " + e.token_id);
    }
    v_.tokens_[*found].sudo_expires_at_ns = e.expires_at_ns;
    return Status::ok();
  }

 private:
  TimeNs now() const { return record_.recorded_at_ns; }

  Status bad(const std::string& why) const {
    return Status::corruption("sequence " + std::to_string(record_.sequence) + " (" +
                              std::string(event_kind_name(record_.event.body)) + "): " + why);
  }

  UserIndex index_of(const User& user) const {
    const auto found = v_.users_by_id_.find(user.id);
    TL_ASSERT(found != v_.users_by_id_.end());
    return found->second;
  }

  User* live_user(const std::string& id) {
    const auto found = v_.users_by_id_.find(id);
    if (found == v_.users_by_id_.end() || v_.users_[found->second].deleted) return nullptr;
    return &v_.users_[found->second];
  }

  Status end_token(const std::string& token_id, TokenState state, RevokeReason reason) {
    const auto found = v_.tokens_by_id_.find(std::string_view(token_id));
    if (found == v_.tokens_by_id_.end()) return bad("unknown token " + token_id);
    Token& token = v_.tokens_[*found];
    if (token.state != TokenState::live) return bad("token " + token_id + " is not live");
    token.state = state;
    SecretEntry* entry = v_.tokens_by_secret_.find(token.secret_sha256);
    TL_ASSERT(entry != nullptr);
    entry->state = state;
    token.revoke_reason = reason;
    token.ended_at_ns = now();
    if (token.expires_at_ns != no_time) v_.expiry_queue_.erase({token.expires_at_ns, *found});
    --v_.users_[token.user].live_token_count;
    --v_.customers_[token.customer].live_token_count;
    --v_.live_token_count_;
    return Status::ok();
  }

  Views& v_;
  const Record& record_;
};

Status apply(Views& views, const Record& record) {
  if (record.sequence != views.sequence() + 1) {
    return Status::corruption("sequence " + std::to_string(record.sequence) + " applied after " +
                              std::to_string(views.sequence()) +
                              ": records must be applied in order without gaps");
  }
  Status status = std::visit(ViewsWriter(views, record), record.event.body);
  if (!status.is_ok()) return status;
  views.set_position(record.sequence, record.recorded_at_ns);
  return Status::ok();
}

// Reads the same indexes as ViewsWriter; a friend of Views for that.
class ViewsPrefetcher {
 public:
  explicit ViewsPrefetcher(const Views& views) : v_(views) {}
  void operator()(const TokenCreated& e) const {
    v_.tokens_by_id_.prefetch(std::string_view(e.token_id));
    v_.tokens_by_secret_.prefetch(e.secret_sha256);
  }
  void operator()(const TokenRevoked& e) const { by_id(e.token_id); }
  void operator()(const TokenExpired& e) const { by_id(e.token_id); }
  void operator()(const TokenUsed& e) const { by_id(e.token_id); }
  void operator()(const SudoGranted& e) const { by_id(e.token_id); }
  template <typename Other>
  void operator()(const Other&) const {}  // users and customers: few, and in cache

 private:
  void by_id(const std::string& token_id) const {
    v_.tokens_by_id_.prefetch(std::string_view(token_id));
  }
  const Views& v_;
};

void prefetch_for_apply(const Views& views, const Record& record) {
  std::visit(ViewsPrefetcher(views), record.event.body);
}

Status apply_events(Views& views, std::span<const Event> events, std::uint64_t first_sequence,
                    TimeNs recorded_at_ns) {
  for (std::size_t i = 0; i < events.size(); ++i) {
    Record record;
    record.sequence = first_sequence + i;
    record.recorded_at_ns = recorded_at_ns;
    record.event = events[i];  // prev_hash and schema_version do not matter to apply()
    Status applied = apply(views, record);
    if (!applied.is_ok()) return applied;
  }
  return Status::ok();
}

}  // namespace tokenledger
