#include "projections/views.h"

#include <cstring>
#include <limits>

#include "base/assert.h"

namespace tokenledger {

// Three million tokens are half a gigabyte; a field added to Token should fill padding, not add
// a word to every one (usage_slot did).
static_assert(sizeof(Token) <= 160, "Token grew");
namespace {
// Debian's abseil keeps its own string_view type; its string maps look up by that one.
absl::string_view as_absl(std::string_view text) {
  return absl::string_view(text.data(), text.size());
}
}  // namespace

std::string_view token_id_view(const TokenId& id) {
  return std::string_view(id.data(), id.size());
}

bool parse_token_id(std::string_view text, TokenId* id) {
  if (text.size() != token_id_size) return false;
  for (char c : text) {
    const bool base62 = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    if (!base62) return false;
  }
  std::memcpy(id->data(), text.data(), token_id_size);
  return true;
}

std::string_view token_state_name(TokenState state) {
  switch (state) {
    case TokenState::live:
      return "live";
    case TokenState::revoked:
      return "revoked";
    case TokenState::expired:
      return "expired";
  }
  TL_UNREACHABLE();
}

std::vector<Scope> scope_list(ScopeSet set) {
  std::vector<Scope> scopes;
  for (Scope scope : {Scope::global, Scope::global_read, Scope::purge_select, Scope::purge_all}) {
    if (has_scope(set, scope)) scopes.push_back(scope);
  }
  return scopes;
}

std::string scope_string(ScopeSet set) {
  std::string text;
  for (Scope scope : scope_list(set)) {
    if (!text.empty()) text.push_back(' ');
    text.append(scope_name(scope));
  }
  return text;
}

std::size_t Views::TokenIdHash::other_length_hash(std::string_view id) {
  return absl::Hash<absl::string_view>{}(as_absl(id));
}
bool Views::TokenIdEq::operator()(std::string_view id, TokenIndex b) const {
  return id == token_id_view((*tokens)[b].id);
}

Views::Views() : tokens_by_id_(0, TokenIdHash{&tokens_}, TokenIdEq{&tokens_}) {}

const Token* Views::token_by_id(std::string_view id) const {
  const auto found = tokens_by_id_.find(id);
  return found == tokens_by_id_.end() ? nullptr : &tokens_[*found];
}

const Token* Views::token_by_secret(const Hash& secret_sha256) const {
  const SecretEntry* entry = tokens_by_secret_.find(secret_sha256);
  return entry == nullptr ? nullptr : &tokens_[entry->token];
}

std::optional<TokenIndex> Views::token_index_by_secret(const Hash& secret_sha256) const {
  const SecretEntry* entry = tokens_by_secret_.find(secret_sha256);
  if (entry == nullptr) return std::nullopt;
  return entry->token;
}

const SecretEntry* Views::secret_entry(const Hash& secret_sha256) const {
  return tokens_by_secret_.find(secret_sha256);
}

const User* Views::user_by_id(std::string_view id) const {
  const auto found = users_by_id_.find(as_absl(id));
  return found == users_by_id_.end() ? nullptr : &users_[found->second];
}

const User* Views::user_by_login(std::string_view login) const {
  const auto found = users_by_login_.find(as_absl(login));
  return found == users_by_login_.end() ? nullptr : &users_[found->second];
}

const Customer* Views::customer_by_id(std::string_view id) const {
  const auto found = customers_by_id_.find(as_absl(id));
  return found == customers_by_id_.end() ? nullptr : &customers_[found->second];
}

bool Views::add_customer(Customer customer, CustomerIndex* index, std::string* problem) {
  if (customers_by_id_.contains(customer.id)) {
    *problem = "customer " + customer.id + " already exists";
    return false;
  }
  *index = static_cast<CustomerIndex>(customers_.size());
  customers_by_id_.emplace(customer.id, *index);
  customers_.push_back(std::move(customer));
  return true;
}

bool Views::add_user(User user, UserIndex* index, std::string* problem) {
  TL_ASSERT(user.customer < customers_.size());
  TL_ASSERT(user.tokens.empty() && user.live_token_count == 0);
  Customer& owner = customers_[user.customer];
  const bool listed_by_login = !user.deleted && !user.login.empty();
  problem->clear();
  if (users_by_id_.contains(user.id)) {
    *problem = "user " + user.id + " already exists";
  } else if (listed_by_login && users_by_login_.contains(user.login)) {
    *problem = "login already taken";
  } else if (user.kind == UserKind::global_api_token && owner.global_api_token_user) {
    *problem = "customer " + owner.id + " already has a Global API Token user";
  } else if (user.login_locked_until_ns != no_time && user.deleted) {
    *problem = "a deleted user with a login lock";
  }
  if (!problem->empty()) return false;
  *index = static_cast<UserIndex>(users_.size());
  users_by_id_.emplace(user.id, *index);
  if (listed_by_login) users_by_login_.emplace(user.login, *index);
  owner.users.push_back(*index);
  if (!user.deleted) ++owner.live_user_count;
  if (user.kind == UserKind::global_api_token) owner.global_api_token_user = *index;
  if (user.login_locked_until_ns != no_time) {
    login_lock_queue_.emplace(user.login_locked_until_ns, *index);
  }
  users_.push_back(std::move(user));
  return true;
}

bool Views::add_token(Token token, TokenIndex* index, std::string* problem) {
  TL_ASSERT(token.user < users_.size());
  TL_ASSERT(token.usage_slot == no_usage_slot);
  const std::string_view id = token_id_view(token.id);
  problem->clear();
  if (tokens_by_id_.contains(id)) {
    *problem = "token " + std::string(id) + " already exists";
  } else if (tokens_by_secret_.contains(token.secret_sha256)) {
    *problem = "token " + std::string(id) + " reuses a secret";
  } else if (tokens_.size() >= std::numeric_limits<TokenIndex>::max()) {
    *problem = "too many tokens";
  }
  if (!problem->empty()) return false;
  User& user = users_[token.user];
  token.customer = user.customer;
  Customer& customer = customers_[token.customer];
  *index = static_cast<TokenIndex>(tokens_.size());
  Token& stored = tokens_.emplace_back();
  stored = std::move(token);
  tokens_by_id_.insert(*index);
  const bool indexed =
      tokens_by_secret_.insert(stored.secret_sha256, secret_entry_of(stored, *index));
  TL_ASSERT(indexed);  // checked above: no token reuses a secret
  user.tokens.push_back(*index);
  customer.tokens.push_back(*index);
  if (stored.state == TokenState::live) {
    ++user.live_token_count;
    ++customer.live_token_count;
    ++live_token_count_;
    if (stored.expires_at_ns != no_time) expiry_queue_.emplace(stored.expires_at_ns, *index);
  }
  return true;
}

TokenUsage& Views::usage_of(TokenIndex index, bool* created) {
  Token& token = tokens_[index];
  *created = token.usage_slot == no_usage_slot;
  if (*created) {
    token.usage_slot = static_cast<std::uint32_t>(usages_.size());
    usages_.emplace_back().token = index;
  }
  return usages_[token.usage_slot].usage;
}

void Views::set_position(std::uint64_t sequence, TimeNs recorded_at_ns) {
  sequence_ = sequence;
  recorded_at_ns_ = recorded_at_ns;
}

const TokenUsage* Views::usage(TokenIndex index) const {
  const std::uint32_t slot = tokens_[index].usage_slot;
  if (slot == no_usage_slot) return nullptr;
  TL_ASSERT(slot < usages_.size() && usages_[slot].token == index);
  return &usages_[slot].usage;
}

TokenIndex Views::index_of(const Token& token) const {
  const auto found = tokens_by_id_.find(token_id_view(token.id));
  TL_ASSERT(found != tokens_by_id_.end() && &tokens_[*found] == &token);
  return *found;
}

namespace {
bool same_token(const Token& a, const Token& b) {
  return a.id == b.id && a.state == b.state && a.scopes == b.scopes && a.origin == b.origin &&
         a.revoke_reason == b.revoke_reason && a.user == b.user && a.customer == b.customer &&
         a.secret_sha256 == b.secret_sha256 && a.created_at_ns == b.created_at_ns &&
         a.expires_at_ns == b.expires_at_ns && a.ended_at_ns == b.ended_at_ns &&
         a.sudo_expires_at_ns == b.sudo_expires_at_ns && a.name == b.name &&
         a.services == b.services;
}
}  // namespace

const Hash* Views::recorded_snapshot(std::uint64_t sequence, std::uint64_t* record_sequence) const {
  for (const RecordedSnapshot& recorded : recorded_snapshots_) {
    if (recorded.covers_sequence == sequence) {
      if (record_sequence != nullptr) *record_sequence = recorded.record_sequence;
      return &recorded.payload_sha256;
    }
  }
  return nullptr;
}

bool Views::same_as(const Views& other) const {
  if (sequence_ != other.sequence_ || recorded_at_ns_ != other.recorded_at_ns_ ||
      tokens_.size() != other.tokens_.size() || users_ != other.users_ ||
      customers_ != other.customers_ || usages_.size() != other.usages_.size() ||
      expiry_queue_ != other.expiry_queue_ || login_lock_queue_ != other.login_lock_queue_ ||
      live_token_count_ != other.live_token_count_) {
    return false;
  }
  const auto same_entry = [](const SecretEntry* a, const SecretEntry* b) {
    return a != nullptr && b != nullptr && a->token == b->token && a->user == b->user &&
           a->expires_at_ns == b->expires_at_ns && a->state == b->state && a->scopes == b->scopes &&
           a->service_limited == b->service_limited;
  };
  for (std::size_t i = 0; i < tokens_.size(); ++i) {
    if (!same_token(tokens_[i], other.tokens_[i])) return false;
    const TokenUsage* used = usage(static_cast<TokenIndex>(i));
    const TokenUsage* other_used = other.usage(static_cast<TokenIndex>(i));
    if ((used == nullptr) != (other_used == nullptr) || (used != nullptr && *used != *other_used)) {
      return false;
    }
    // The secret index carries copies of token fields: they must agree too.
    const SecretEntry* mine = secret_entry(tokens_[i].secret_sha256);
    if (!same_entry(mine, other.secret_entry(tokens_[i].secret_sha256)) ||
        mine->state != tokens_[i].state || mine->token != i) {
      return false;
    }
  }
  return true;
}

}  // namespace tokenledger
