// decide(): every command of the token domain against the views, one pure function. Longer
// than 450 lines on purpose: it is one visitor with a handler per command, and each handler
// holds every rule of its decision together (splitting by command would scatter the shared
// caller checks the handlers use).
#include "projections/decide.h"

#include <algorithm>
#include <set>

#include "base/assert.h"
#include "projections/read_rules.h"

namespace tokenledger {
namespace {

bool valid_text(std::string_view text, std::size_t size_max, bool allow_empty) {
  if (text.size() > size_max || (!allow_empty && text.empty())) return false;
  // No control characters: names and logins end up in logs and exports.
  return std::none_of(text.begin(), text.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

bool valid_login(std::string_view login, std::size_t size_max) {
  return valid_text(login, size_max, false) &&
         std::none_of(login.begin(), login.end(), [](char c) { return c == ' '; });
}

bool valid_service_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  });
}

bool valid_id(std::string_view id) {
  TokenId parsed{};
  return parse_token_id(id, &parsed);  // every id we issue has the token id's form
}

bool valid_password_hash(std::string_view hash) {
  return hash.starts_with("$argon2id$");
}

Rejection reject(std::string name, std::string detail = {}) {
  return Rejection{std::move(name), std::move(detail)};
}

class Decider {
 public:
  Decider(const Views& views, const Caller& caller, TimeNs now, const Policy& policy)
      : v_(views), caller_(caller), now_(now), policy_(policy) {
    actor_.user_id =
        caller.kind == Caller::Kind::user ? std::optional(caller.user_id) : std::nullopt;
    actor_.token_id = caller.token_id;
    actor_.client_ip = caller.client_ip;
    actor_.user_agent = caller.user_agent;
    actor_.request_id = caller.request_id;
  }

  Decision operator()(const CreateCustomer& c) {
    if (!is_operator()) return reject("not_allowed", "only an operator creates customers");
    if (!valid_id(c.customer_id)) return reject("invalid_id", "customer id");
    if (v_.customer_by_id(c.customer_id) != nullptr)
      return reject("customer_exists", c.customer_id);
    if (!valid_text(c.name, policy_.name_size_max_bytes, false)) return reject("invalid_name");
    return one(CustomerCreated{c.customer_id, c.name});
  }

  Decision operator()(const CreateUser& c) {
    const Customer* customer = v_.customer_by_id(c.customer_id);
    if (customer == nullptr) return reject("unknown_customer", c.customer_id);
    if (!is_operator() && !is_superuser_of(v_.customer_by_id(c.customer_id))) {
      return reject("not_allowed", "only a superuser of the customer creates users");
    }
    if (!valid_id(c.user_id)) return reject("invalid_id", "user id");
    if (v_.user_by_id(c.user_id) != nullptr) return reject("user_exists", c.user_id);
    if (!valid_login(c.login, policy_.login_size_max_bytes)) return reject("invalid_login");
    if (v_.user_by_login(c.login) != nullptr) return reject("login_taken", c.login);
    if (!valid_text(c.name, policy_.name_size_max_bytes, false)) return reject("invalid_name");
    if (!valid_password_hash(c.password_hash)) return reject("invalid_password_hash");
    return one(UserCreated{c.user_id, c.customer_id, c.login, c.name, c.role, c.password_hash,
                           UserKind::person});
  }

  Decision operator()(const UpdateUser& c) {
    const User* user = v_.user_by_id(c.user_id);
    if (user == nullptr || user->deleted) return reject("unknown_user", c.user_id);
    if (!is_operator() && !is_superuser_of(&v_.customer(user->customer))) {
      return reject("not_allowed", "only a superuser of the customer changes users");
    }
    if (user->kind != UserKind::person && !is_operator()) return reject("synthetic_user");
    if (c.name && !valid_text(*c.name, policy_.name_size_max_bytes, false))
      return reject("invalid_name");
    UserUpdated update;
    update.user_id = c.user_id;
    if (c.name && *c.name != user->name) update.name = c.name;
    if (c.role && *c.role != user->role) update.role = c.role;
    if (c.locked && *c.locked != user->locked) {
      update.locked = c.locked;
      update.lock_reason = *c.locked ? LockReason::superuser : LockReason::none;
    }
    std::vector<Event> events;
    if (update.name || update.role || update.locked) events.push_back(event(update));
    // locked=false from a superuser also ends a login lock: the superuser confirmed the user's
    // identity (PCI DSS 8.3.4's other way out).
    if (c.locked && !*c.locked && user->login_locked_until_ns != no_time) {
      // Not one's own: a stolen superuser token would otherwise lift the lock that guessing its
      // password (POST /sudo) earned, as often as it liked.
      if (is_self(*user)) {
        return reject("not_allowed",
                      "a superuser's own login lock is ended by another superuser, an operator "
                      "(tokenledger unlock) or its time");
      }
      events.push_back(event(LoginUnlocked{c.user_id, UnlockReason::superuser}));
    }
    return events;
  }

  Decision operator()(const ChangePassword& c) {
    const User* user = v_.user_by_id(c.user_id);
    if (user == nullptr || user->deleted) return reject("unknown_user", c.user_id);
    if (!is_operator() && !is_self(*user))
      return reject("not_allowed", "only the user changes its password");
    if (user->kind != UserKind::person) return reject("synthetic_user");
    if (!valid_password_hash(c.password_hash)) return reject("invalid_password_hash");
    return one(PasswordChanged{c.user_id, c.password_hash});
  }

  Decision operator()(const EnableTwoFactor& c) {
    const User* user = v_.user_by_id(c.user_id);
    if (user == nullptr || user->deleted) return reject("unknown_user", c.user_id);
    if (!is_operator() && !is_self(*user))
      return reject("not_allowed", "only the user enrolls itself");
    if (user->kind != UserKind::person) return reject("synthetic_user");
    // Replacing a second factor takes turning it off first (password and a current code):
    // otherwise a stolen token could swap in the thief's secret.
    if (user->two_factor) return reject("two_factor_enabled");
    if (c.sealed_secret.ciphertext.empty()) return reject("invalid_two_factor_secret");
    UserUpdated update;
    update.user_id = c.user_id;
    update.two_factor = c.sealed_secret;
    update.one_time_password_step = c.one_time_password_step;
    return one(update);
  }

  Decision operator()(const DisableTwoFactor& c) {
    const User* user = v_.user_by_id(c.user_id);
    if (user == nullptr || user->deleted) return reject("unknown_user", c.user_id);
    if (!is_operator() && !is_self(*user) && !is_superuser_of(&v_.customer(user->customer))) {
      return reject("not_allowed");
    }
    if (!user->two_factor) return reject("two_factor_not_enabled");
    UserUpdated update;
    update.user_id = c.user_id;
    update.two_factor = TwoFactorDisabled{};
    return one(update);
  }

  Decision operator()(const DeleteUser& c) {
    const User* user = v_.user_by_id(c.user_id);
    if (user == nullptr || user->deleted) return reject("unknown_user", c.user_id);
    if (!is_operator() && !is_superuser_of(&v_.customer(user->customer))) {
      return reject("not_allowed", "only a superuser of the customer deletes users");
    }
    // The customer's "Global API Token" user carries its migrated keys; only an operator
    // removes it (and no key is migrated for the customer after that).
    if (user->kind != UserKind::person && !is_operator()) return reject("synthetic_user");
    std::vector<Event> events;
    if (user->live_token_count > 0) {
      if (!(c.force && is_operator())) {
        return reject("user_has_live_tokens", std::to_string(user->live_token_count) +
                                                  " live tokens must be revoked first");
      }
      for (TokenIndex index : user->tokens) {
        const Token& token = v_.token(index);
        if (token.state != TokenState::live) continue;
        events.push_back(event(TokenRevoked{std::string(token_id_view(token.id)), std::nullopt,
                                            RevokeReason::user_deleted}));
      }
    }
    events.push_back(event(UserDeleted{c.user_id, !events.empty()}));
    return events;
  }

  Decision operator()(const RecordLogin& c) {
    if (!is_operator() && caller_.kind != Caller::Kind::system) return reject("not_allowed");
    const User* user = v_.user_by_id(c.user_id);
    if (user == nullptr || user->deleted) return reject("unknown_user", c.user_id);
    // Attempts while logins are locked are refused before any check and leave no record: an
    // attacker must not be able to turn guesses into disk writes for free.
    const bool lock_over =
        user->login_locked_until_ns != no_time && user->login_locked_until_ns <= now_;
    if (user->locked || (user->login_locked_until_ns != no_time && !lock_over)) {
      return c.failure ? Decision(std::vector<Event>{}) : reject("user_locked");
    }
    std::vector<Event> events;
    // A lock whose time passed ends here if the background has not recorded it yet.
    if (lock_over) events.push_back(event(LoginUnlocked{c.user_id, UnlockReason::expired}));
    if (!c.failure) {
      if (c.one_time_password_step != 0 &&
          c.one_time_password_step <= user->last_one_time_password_step) {
        return reject("one_time_password_reused");
      }
      events.push_back(
          event(LoginSucceeded{c.user_id, c.one_time_password_used, c.one_time_password_step}));
      return events;
    }
    const std::uint32_t failures = (lock_over ? 0 : user->consecutive_failures) + 1;
    events.push_back(event(LoginFailed{c.user_id, *c.failure, failures}));
    if (failures >= policy_.login_failures_max) {
      events.push_back(
          event(LoginLocked{c.user_id, now_ + policy_.login_lock_duration_ns, failures}));
    }
    return events;
  }

  Decision operator()(const UnlockLogin& c) {
    if (!is_operator()) return reject("not_allowed", "only an operator ends login locks");
    const User* user = v_.user_by_id(c.user_id);
    if (user == nullptr || user->deleted) return reject("unknown_user", c.user_id);
    const bool legacy_lock = user->locked && user->lock_reason == LockReason::failed_logins;
    if (user->login_locked_until_ns == no_time && !legacy_lock) {
      if (user->locked) {
        return reject("locked_by_superuser",
                      "a superuser's lock is lifted by a superuser (PUT /user/{id} locked=false)");
      }
      return reject("not_locked", "logins are not locked");
    }
    return one(LoginUnlocked{c.user_id, UnlockReason::operator_});
  }

  Decision operator()(const ExpireLoginLocks&) {
    if (!is_operator() && caller_.kind != Caller::Kind::system) return reject("not_allowed");
    std::vector<Event> events;
    for (const auto& [until, index] : v_.login_lock_queue()) {
      if (until > now_ || events.size() >= policy_.expire_batch_max) break;
      events.push_back(event(LoginUnlocked{v_.user(index).id, UnlockReason::expired}));
    }
    return events;
  }

  Decision operator()(const RecordSnapshot& c) {
    if (!is_operator() && caller_.kind != Caller::Kind::system) return reject("not_allowed");
    if (c.covers_sequence > v_.sequence()) return reject("unknown_sequence");
    return one(SnapshotTaken{c.covers_sequence, c.payload_sha256});
  }

  Decision operator()(const CreateToken& c) {
    const User* user = v_.user_by_id(c.user_id);
    if (user == nullptr || user->deleted) return reject("unknown_user", c.user_id);
    if (!is_self(*user)) return reject("not_allowed", "tokens are created only by their own user");
    if (user->kind != UserKind::person) return reject("synthetic_user");
    if (user->locked) return reject("user_locked");
    if (user->live_token_count >= policy_.live_tokens_per_user_max)
      return reject("too_many_tokens");
    if (!valid_id(c.token_id)) return reject("invalid_id", "token id");
    if (v_.token_by_id(c.token_id) != nullptr) return reject("token_exists", c.token_id);
    if (v_.token_by_secret(c.secret_sha256) != nullptr) return reject("secret_reused");
    if (!valid_text(c.name, policy_.name_size_max_bytes, true)) return reject("invalid_name");
    if (c.scopes.empty()) return reject("invalid_scope", "at least one scope is needed");
    if (c.services.size() > policy_.services_per_token_max) return reject("too_many_services");
    std::set<std::string> services;
    for (const std::string& service : c.services) {
      if (!valid_service_id(service) || !services.insert(service).second) {
        return reject("invalid_service", service);
      }
    }
    if (c.expires_at_ns && *c.expires_at_ns <= now_) return reject("expires_at_in_past");
    std::vector<Scope> scopes = c.scopes;
    std::sort(scopes.begin(), scopes.end());
    scopes.erase(std::unique(scopes.begin(), scopes.end()), scopes.end());
    return one(TokenCreated{c.token_id, c.user_id, v_.customer(user->customer).id, c.name, scopes,
                            c.services, c.expires_at_ns, c.secret_sha256, TokenOrigin::api, now_});
  }

  Decision operator()(const RevokeToken& c) {
    std::optional<RevokeReason> reason;
    const Token* token = revocable(c.token_id, &reason);
    if (token == nullptr) return reject("unknown_token", c.token_id);
    if (token->state != TokenState::live) return reject("token_not_live", c.token_id);
    return one(TokenRevoked{c.token_id, revoker(), *reason});
  }

  Decision operator()(const BulkRevokeTokens& c) {
    if (c.token_ids.empty()) return reject("empty_request", "no token ids");
    if (c.token_ids.size() > policy_.bulk_revoke_max) return reject("too_many_tokens");
    std::set<std::string_view> seen;
    std::vector<Event> events;
    for (const std::string& id : c.token_ids) {
      if (!seen.insert(id).second) return reject("duplicate_token_id", id);
      std::optional<RevokeReason> reason;
      const Token* token = revocable(id, &reason);
      if (token == nullptr) return reject("unknown_token", id);
      if (token->state != TokenState::live) return reject("token_not_live", id);
      events.push_back(event(TokenRevoked{id, revoker(), RevokeReason::bulk}));
    }
    return events;
  }

  Decision operator()(const ExpireTokens&) {
    if (!is_operator() && caller_.kind != Caller::Kind::system) return reject("not_allowed");
    std::vector<Event> events;
    for (const auto& [expires_at, index] : v_.expiry_queue()) {
      if (expires_at > now_ || events.size() >= policy_.expire_batch_max) break;
      events.push_back(
          event(TokenExpired{std::string(token_id_view(v_.token(index).id)), expires_at}));
    }
    return events;
  }

  Decision operator()(const RecordTokenUses& c) {
    if (!is_operator() && caller_.kind != Caller::Kind::system) return reject("not_allowed");
    if (c.uses.size() > policy_.usage_batch_max) return reject("too_many_tokens");
    std::vector<Event> events;
    for (const TokenUse& use : c.uses) {
      if (v_.token_by_id(use.token_id) == nullptr) return reject("unknown_token", use.token_id);
      Event e{Actor{}, TokenUsed{use.token_id, use.last_used_at_ns, use.client_ip, use.user_agent,
                                 use.use_count}};
      e.actor.token_id = use.token_id;
      e.actor.client_ip = use.client_ip;
      e.actor.user_agent = use.user_agent;
      events.push_back(std::move(e));
    }
    return events;
  }

  Decision operator()(const GrantSudo& c) {
    const Token* token = v_.token_by_id(c.token_id);
    const User* user = caller_user();
    if (token == nullptr || user == nullptr || &v_.user(token->user) != user ||
        caller_.token_id != c.token_id) {
      return reject("unknown_token", c.token_id);
    }
    if (token->state != TokenState::live) return reject("token_not_live", c.token_id);
    if (user->locked || user->login_locked_until_ns > now_) return reject("user_locked");
    return std::vector<Event>{
        event(LoginSucceeded{user->id, user->two_factor.has_value()}),
        event(SudoGranted{c.token_id, user->id, now_ + policy_.sudo_duration_ns})};
  }

  Decision operator()(const MigrateLegacyKey& c) {
    const Customer* customer = v_.customer_by_id(c.customer_id);
    if (customer == nullptr) return reject("unknown_customer", c.customer_id);
    if (!is_operator() && !is_superuser_of(customer)) return reject("not_allowed");
    if (const Token* existing = v_.token_by_secret(c.key_sha256)) {
      const bool same = existing->origin == TokenOrigin::legacy_migration &&
                        &v_.customer(existing->customer) == customer;
      if (same) return std::vector<Event>{};  // migrated before: nothing changes
      return reject("secret_reused");
    }
    std::vector<Event> events;
    std::string user_id;
    // A customer may have had several account keys (Fastly: "an API key (or multiple API
    // keys)"): each becomes a global token of the customer's one synthetic user.
    if (customer->global_api_token_user) {
      const User& synthetic = v_.user(*customer->global_api_token_user);
      // apply() refuses a token for a deleted user: deciding one would stop the service.
      if (synthetic.deleted) {
        return reject("unknown_user", "the customer's Global API Token user was deleted");
      }
      if (synthetic.live_token_count >= policy_.legacy_keys_per_customer_max) {
        return reject("too_many_tokens", "the customer has the most migrated keys allowed");
      }
      user_id = synthetic.id;
    } else {
      if (!valid_id(c.new_user_id)) return reject("invalid_id", "user id");
      if (v_.user_by_id(c.new_user_id) != nullptr) return reject("user_exists", c.new_user_id);
      user_id = c.new_user_id;
      events.push_back(
          event(UserCreated{user_id, c.customer_id, "", "Global API Token", Role::superuser,
                            std::nullopt, UserKind::global_api_token}));
    }
    if (!valid_id(c.new_token_id)) return reject("invalid_id", "token id");
    if (v_.token_by_id(c.new_token_id) != nullptr) return reject("token_exists", c.new_token_id);
    events.push_back(event(TokenCreated{c.new_token_id,
                                        user_id,
                                        c.customer_id,
                                        "Global API Token",
                                        {Scope::global},
                                        {},
                                        std::nullopt,
                                        c.key_sha256,
                                        TokenOrigin::legacy_migration,
                                        c.key_created_at_ns}));
    events.push_back(event(LegacyKeyMigrated{c.customer_id, user_id, c.new_token_id}));
    return events;
  }

 private:
  bool is_operator() const { return caller_.kind == Caller::Kind::operator_; }

  const User* caller_user() const {
    if (caller_.kind != Caller::Kind::user) return nullptr;
    const User* user = v_.user_by_id(caller_.user_id);
    return user == nullptr || user->deleted ? nullptr : user;
  }

  bool is_self(const User& user) const { return caller_user() == &user; }

  bool is_superuser_of(const Customer* customer) const {
    const User* user = caller_user();
    return user != nullptr && customer != nullptr && &v_.customer(user->customer) == customer &&
           tokenledger::is_superuser_of(*user, user->customer);
  }

  // The token if the caller may revoke it, with the reason; null when it does not exist or is
  // not the caller's to see (the two answer alike, so other customers' ids do not leak).
  const Token* revocable(std::string_view id, std::optional<RevokeReason>* reason) const {
    const Token* token = v_.token_by_id(id);
    if (token == nullptr) return nullptr;
    if (is_operator()) {
      *reason = RevokeReason::superuser;
      return token;
    }
    const User* user = caller_user();
    if (user == nullptr) return nullptr;
    switch (token_relation(v_, *user, *token)) {
      case TokenRelation::owner:
        *reason = RevokeReason::owner;
        return token;
      case TokenRelation::customer_superuser:
        *reason = RevokeReason::superuser;
        return token;
      case TokenRelation::none:
        return nullptr;
    }
    TL_UNREACHABLE();
  }

  std::optional<std::string> revoker() const {
    return caller_.kind == Caller::Kind::user ? std::optional(caller_.user_id) : std::nullopt;
  }

  Event event(EventBody body) const { return Event{actor_, std::move(body)}; }
  Decision one(EventBody body) const { return std::vector<Event>{event(std::move(body))}; }

  const Views& v_;
  const Caller& caller_;
  const TimeNs now_;
  const Policy& policy_;
  Actor actor_;
};

}  // namespace

Decision decide(const Views& views, const Caller& caller, const Command& command, TimeNs now_ns,
                const Policy& policy) {
  return std::visit(Decider(views, caller, now_ns, policy), command);
}

std::string_view command_name(const Command& command) {
  static constexpr std::string_view names[] = {
      "create_customer",    "create_user",        "update_user",        "change_password",
      "enable_two_factor",  "disable_two_factor", "delete_user",        "record_login",
      "create_token",       "revoke_token",       "bulk_revoke_tokens", "expire_tokens",
      "record_token_uses",  "grant_sudo",         "migrate_legacy_key", "unlock_login",
      "expire_login_locks", "record_snapshot"};
  static_assert(std::size(names) == std::variant_size_v<Command>);
  return names[command.index()];
}

}  // namespace tokenledger
