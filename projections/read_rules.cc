#include "projections/read_rules.h"

namespace tokenledger {

bool live_at(TokenState state, TimeNs expires_at_ns, TimeNs time_ns) {
  return state == TokenState::live && (expires_at_ns == no_time || expires_at_ns > time_ns);
}

bool is_superuser_of(const User& user, CustomerIndex customer) {
  return !user.deleted && !user.locked && user.role == Role::superuser && user.customer == customer;
}

TokenRelation token_relation(const Views& views, const User& user, const Token& token) {
  if (&views.user(token.user) == &user) return TokenRelation::owner;
  if (is_superuser_of(user, token.customer)) return TokenRelation::customer_superuser;
  return TokenRelation::none;
}

const User* visible_user(const Views& views, const User& viewer, std::string_view id) {
  const User* user = views.user_by_id(id);
  if (user == nullptr || user->deleted || user->customer != viewer.customer) return nullptr;
  return user;
}

}  // namespace tokenledger
