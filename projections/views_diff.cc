#include "projections/views_diff.h"

#include <algorithm>

namespace tokenledger {
namespace {

class Differences {
 public:
  Differences(std::vector<std::string>* out, std::size_t count_max)
      : out_(out), count_max_(count_max) {}
  void add(std::string line) {
    if (out_->size() < count_max_) out_->push_back(std::move(line));
  }
  template <typename T>
  void field(const std::string& subject, const char* name, const T& a, const T& b) {
    if (!(a == b)) add(subject + ": " + name + " differs");
  }

 private:
  std::vector<std::string>* out_;
  std::size_t count_max_;
};

void compare_tokens(const Views& expected, const Views& actual, Differences& diff) {
  for (std::size_t i = 0; i < expected.token_count(); ++i) {
    const Token& a = expected.token(static_cast<TokenIndex>(i));
    const std::string id(token_id_view(a.id));
    const Token* b = actual.token_by_id(id);
    const std::string subject = "token " + id;
    if (b == nullptr) {
      diff.add(subject + ": missing from the stored views");
      continue;
    }
    diff.field(subject, "state", a.state, b->state);
    diff.field(subject, "scopes", a.scopes, b->scopes);
    diff.field(subject, "owner", expected.user(a.user).id, actual.user(b->user).id);
    diff.field(subject, "created_at", a.created_at_ns, b->created_at_ns);
    diff.field(subject, "expires_at", a.expires_at_ns, b->expires_at_ns);
    diff.field(subject, "ended_at", a.ended_at_ns, b->ended_at_ns);
    diff.field(subject, "sudo_expires_at", a.sudo_expires_at_ns, b->sudo_expires_at_ns);
    diff.field(subject, "name", a.name, b->name);
    diff.field(subject, "services", a.services, b->services);
    diff.field(subject, "secret_sha256", a.secret_sha256, b->secret_sha256);
    diff.field(subject, "revoke_reason", a.revoke_reason, b->revoke_reason);
    const TokenUsage* used_a = expected.usage(static_cast<TokenIndex>(i));
    const TokenUsage* used_b = actual.usage(actual.index_of(*b));
    if ((used_a == nullptr) != (used_b == nullptr) ||
        (used_a != nullptr && !(*used_a == *used_b))) {
      diff.add(subject + ": last use differs");
    }
    const SecretEntry* entry = actual.secret_entry(b->secret_sha256);
    if (entry == nullptr || entry->state != b->state || entry->scopes != b->scopes ||
        entry->expires_at_ns != b->expires_at_ns) {
      diff.add(subject + ": the authentication index disagrees with the token");
    }
  }
  if (actual.token_count() > expected.token_count()) {
    for (std::size_t i = 0; i < actual.token_count(); ++i) {
      const std::string id(token_id_view(actual.token(static_cast<TokenIndex>(i)).id));
      if (expected.token_by_id(id) == nullptr) {
        diff.add("token " + id + ": in the stored views but not in the log");
      }
    }
  }
}

void compare_users(const Views& expected, const Views& actual, Differences& diff) {
  for (std::size_t i = 0; i < expected.user_count(); ++i) {
    const User& a = expected.user(static_cast<UserIndex>(i));
    const User* b = actual.user_by_id(a.id);
    const std::string subject = "user " + a.id;
    if (b == nullptr) {
      diff.add(subject + ": missing from the stored views");
      continue;
    }
    diff.field(subject, "login", a.login, b->login);
    diff.field(subject, "name", a.name, b->name);
    diff.field(subject, "role", a.role, b->role);
    diff.field(subject, "locked", a.locked, b->locked);
    diff.field(subject, "deleted", a.deleted, b->deleted);
    diff.field(subject, "password", a.password_hash, b->password_hash);
    diff.field(subject, "two_factor", a.two_factor, b->two_factor);
    diff.field(subject, "consecutive_failures", a.consecutive_failures, b->consecutive_failures);
    diff.field(subject, "live_token_count", a.live_token_count, b->live_token_count);
    diff.field(subject, "updated_at", a.updated_at_ns, b->updated_at_ns);
    diff.field(subject, "last_login_at", a.last_login_at_ns, b->last_login_at_ns);
  }
  if (actual.user_count() != expected.user_count()) {
    diff.add("users: " + std::to_string(actual.user_count()) + " stored, " +
             std::to_string(expected.user_count()) + " in the log");
  }
}

void compare_customers(const Views& expected, const Views& actual, Differences& diff) {
  for (std::size_t i = 0; i < expected.customer_count(); ++i) {
    const Customer& a = expected.customer(static_cast<CustomerIndex>(i));
    const Customer* b = actual.customer_by_id(a.id);
    const std::string subject = "customer " + a.id;
    if (b == nullptr) {
      diff.add(subject + ": missing from the stored views");
      continue;
    }
    diff.field(subject, "name", a.name, b->name);
    diff.field(subject, "live_token_count", a.live_token_count, b->live_token_count);
    diff.field(subject, "live_user_count", a.live_user_count, b->live_user_count);
  }
  if (actual.customer_count() != expected.customer_count()) {
    diff.add("customers: " + std::to_string(actual.customer_count()) + " stored, " +
             std::to_string(expected.customer_count()) + " in the log");
  }
}

}  // namespace

std::vector<std::string> view_differences(const Views& expected, const Views& actual,
                                          std::size_t count_max) {
  std::vector<std::string> out;
  Differences diff(&out, count_max);
  if (expected.sequence() != actual.sequence()) {
    diff.add("position: the stored views end at sequence " + std::to_string(actual.sequence()) +
             ", the rebuild at " + std::to_string(expected.sequence()));
  }
  compare_tokens(expected, actual, diff);
  compare_users(expected, actual, diff);
  compare_customers(expected, actual, diff);
  if (out.empty() && !expected.same_as(actual)) {
    diff.add("the views differ in their internal indexes (positions or expiry queue)");
  }
  return out;
}

}  // namespace tokenledger
