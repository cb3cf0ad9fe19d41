// Every rule of the token domain, each with a test that fails if the rule breaks, including
// every rejection name. The domain runs in memory (test_domain.h): decide, then apply.
// Longer than 450 lines on purpose: it follows decide.cc rule by rule.
#include "projections/decide.h"

#include <gtest/gtest.h>

#include "projections/test_domain.h"

namespace tokenledger {
namespace {

using testing::Domain;
using testing::make_id;
using testing::second_ns;

const std::string c1 = make_id("cust1");
const std::string c2 = make_id("cust2");
const std::string su = make_id("super1");
const std::string su2 = make_id("super2");
const std::string alice = make_id("alice");
const std::string bob = make_id("bob");

Hash secret(const std::string& label) {
  return sha256("secret " + label);
}

class DecideTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const Caller op = Caller::operator_caller();
    d.accept(op, CreateCustomer{c1, "Customer One"});
    d.accept(op, CreateCustomer{c2, "Customer Two"});
    d.accept(op, CreateUser{su, c1, "su@one.example", "Super One", Role::superuser,
                            testing::fake_password_hash("su")});
    d.accept(op, CreateUser{su2, c2, "su@two.example", "Super Two", Role::superuser,
                            testing::fake_password_hash("su2")});
    d.accept(as(su), CreateUser{alice, c1, "alice@one.example", "Alice", Role::engineer,
                                testing::fake_password_hash("a")});
    d.accept(as(su), CreateUser{bob, c1, "bob@one.example", "Bob", Role::user,
                                testing::fake_password_hash("b")});
  }

  static Caller as(const std::string& user, std::optional<std::string> token = {}) {
    return Caller::user_caller(user, std::move(token));
  }

  CreateToken token_for(const std::string& user, const std::string& label) {
    CreateToken create;
    create.token_id = make_id("t" + label);
    create.secret_sha256 = secret(label);
    create.user_id = user;
    create.name = "token " + label;
    create.scopes = {Scope::global};
    return create;
  }

  std::string create_token(const std::string& user, const std::string& label) {
    d.accept(as(user), token_for(user, label));
    return make_id("t" + label);
  }

  Domain d;
};

TEST_F(DecideTest, OnlyOperatorsCreateCustomersWithFreshValidIds) {
  EXPECT_EQ(d.rejection(as(su), CreateCustomer{make_id("c3"), "x"}), "not_allowed");
  EXPECT_EQ(d.rejection(Caller::operator_caller(), CreateCustomer{c1, "again"}), "customer_exists");
  EXPECT_EQ(d.rejection(Caller::operator_caller(), CreateCustomer{"short", "x"}), "invalid_id");
  EXPECT_EQ(d.rejection(Caller::operator_caller(), CreateCustomer{make_id("c3"), ""}),
            "invalid_name");
  EXPECT_EQ(d.rejection(Caller::operator_caller(), CreateCustomer{make_id("c3"), "a\nb"}),
            "invalid_name");
  EXPECT_EQ(d.rejection(Caller::operator_caller(), CreateCustomer{make_id("c3"), "Three"}), "");
}

TEST_F(DecideTest, UsersAreCreatedBySuperusersOfTheirOwnCustomer) {
  const auto create = [](const std::string& id, const std::string& customer,
                         const std::string& login) {
    return CreateUser{id, customer, login, "Name", Role::user, testing::fake_password_hash(id)};
  };
  EXPECT_EQ(d.rejection(as(alice), create(make_id("u3"), c1, "u3@one.example")), "not_allowed");
  EXPECT_EQ(d.rejection(as(su2), create(make_id("u3"), c1, "u3@one.example")), "not_allowed");
  EXPECT_EQ(d.rejection(as(su), create(make_id("u3"), make_id("nope"), "u3@one.example")),
            "unknown_customer");
  EXPECT_EQ(d.rejection(as(su), create(alice, c1, "other@one.example")), "user_exists");
  EXPECT_EQ(d.rejection(as(su), create(make_id("u3"), c1, "alice@one.example")), "login_taken");
  EXPECT_EQ(d.rejection(as(su), create(make_id("u3"), c1, "has space")), "invalid_login");
  EXPECT_EQ(d.rejection(as(su), create(make_id("u3"), c1, std::string(255, 'a'))), "invalid_login");
  CreateUser plain = create(make_id("u3"), c1, "u3@one.example");
  plain.password_hash = "hunter2";  // a password in plain text never reaches an event
  EXPECT_EQ(d.rejection(as(su), plain), "invalid_password_hash");
  EXPECT_EQ(d.rejection(as(su), create(make_id("u3"), c1, "u3@one.example")), "");
  EXPECT_EQ(d.views().user_by_login("u3@one.example")->role, Role::user);
}

TEST_F(DecideTest, SuperusersChangeNameRoleAndLock) {
  EXPECT_EQ(d.rejection(as(alice), UpdateUser{bob, "B", {}, {}}), "not_allowed");
  EXPECT_EQ(d.rejection(as(su2), UpdateUser{bob, "B", {}, {}}), "not_allowed");
  EXPECT_EQ(d.rejection(as(su), UpdateUser{make_id("ghost"), "B", {}, {}}), "unknown_user");
  EXPECT_EQ(d.rejection(as(su), UpdateUser{bob, "", {}, {}}), "invalid_name");
  EXPECT_EQ(d.accept(as(su), UpdateUser{bob, "Robert", Role::billing, true}).size(), 1u);
  const User* user = d.views().user_by_id(bob);
  EXPECT_EQ(user->name, "Robert");
  EXPECT_EQ(user->role, Role::billing);
  EXPECT_TRUE(user->locked);
  EXPECT_EQ(user->lock_reason, LockReason::superuser);
  EXPECT_TRUE(
      d.accept(as(su), UpdateUser{bob, "Robert", Role::billing, true}).empty());  // no change
  d.accept(as(su), UpdateUser{bob, {}, {}, false});
  EXPECT_FALSE(d.views().user_by_id(bob)->locked);
}

TEST_F(DecideTest, PasswordsAreChangedByTheirUserOnly) {
  EXPECT_EQ(d.rejection(as(su), ChangePassword{alice, testing::fake_password_hash("new")}),
            "not_allowed");
  EXPECT_EQ(d.rejection(as(alice), ChangePassword{alice, "plain text"}), "invalid_password_hash");
  d.accept(as(alice), ChangePassword{alice, testing::fake_password_hash("new")});
  EXPECT_EQ(*d.views().user_by_id(alice)->password_hash, testing::fake_password_hash("new"));
  d.accept(Caller::operator_caller(), ChangePassword{alice, testing::fake_password_hash("reset")});
}

TEST_F(DecideTest, TwoFactorIsEnrolledByTheUserAndDisabledByItOrASuperuser) {
  const SealedSecret sealed{"key-1", "nonce", "ciphertext"};
  EXPECT_EQ(d.rejection(as(su), EnableTwoFactor{alice, sealed}), "not_allowed");
  EXPECT_EQ(d.rejection(as(alice), EnableTwoFactor{alice, SealedSecret{}}),
            "invalid_two_factor_secret");
  EXPECT_EQ(d.rejection(as(alice), DisableTwoFactor{alice}), "two_factor_not_enabled");
  d.accept(as(alice), EnableTwoFactor{alice, sealed});
  EXPECT_EQ(d.views().user_by_id(alice)->two_factor, sealed);
  EXPECT_EQ(d.rejection(as(bob), DisableTwoFactor{alice}), "not_allowed");
  d.accept(as(su), DisableTwoFactor{alice});
  EXPECT_FALSE(d.views().user_by_id(alice)->two_factor.has_value());
}

TEST_F(DecideTest, AUserWithLiveTokensCannotBeDeleted) {
  const std::string token = create_token(bob, "b1");
  EXPECT_EQ(d.rejection(as(alice), DeleteUser{bob, false}), "not_allowed");
  EXPECT_EQ(d.rejection(as(su), DeleteUser{bob, false}), "user_has_live_tokens");
  EXPECT_EQ(d.rejection(as(su), DeleteUser{bob, true}),
            "user_has_live_tokens");  // force: operators only
  d.accept(as(bob), RevokeToken{token});
  d.accept(as(su), DeleteUser{bob, false});
  EXPECT_TRUE(d.views().user_by_id(bob)->deleted);
  EXPECT_EQ(d.views().user_by_login("bob@one.example"), nullptr);  // the login is free again
  EXPECT_EQ(d.rejection(as(su), DeleteUser{bob, false}), "unknown_user");
}

TEST_F(DecideTest, AnOperatorMayForceADeleteWhichRevokesTheTokensFirst) {
  const std::string t1 = create_token(bob, "b1");
  const std::string t2 = create_token(bob, "b2");
  const std::vector<Event> events = d.accept(Caller::operator_caller(), DeleteUser{bob, true});
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(std::get<TokenRevoked>(events[0].body).reason, RevokeReason::user_deleted);
  EXPECT_EQ(std::get<TokenRevoked>(events[1].body).token_id, t2);
  EXPECT_TRUE(std::get<UserDeleted>(events[2].body).forced);
  EXPECT_EQ(d.views().token_by_id(t1)->state, TokenState::revoked);
}

// Issue 15, item 1: five failures used to lock the whole user (every token too) until a
// superuser lifted it, so anyone who knew a login could cut its user off for good. Now they lock
// password logins only, for login_lock_duration_ns; the lock and its end are events.
TEST_F(DecideTest, FiveConsecutiveFailuresLockPasswordLoginsForAWhileNotTheUser) {
  const Caller system = Caller::system_caller();
  const std::string a1 = create_token(alice, "a1");
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(d.accept(system, RecordLogin{alice, LoginFailureReason::wrong_password}).size(), 1u);
  }
  EXPECT_EQ(d.views().user_by_id(alice)->login_locked_until_ns, no_time);
  const std::vector<Event> fifth =
      d.accept(system, RecordLogin{alice, LoginFailureReason::wrong_password});
  ASSERT_EQ(fifth.size(), 2u);
  EXPECT_EQ(std::get<LoginFailed>(fifth[0].body).consecutive_failures, 5u);
  const auto& lock = std::get<LoginLocked>(fifth[1].body);
  EXPECT_EQ(lock.until_ns, d.now_ns + 1800 * second_ns);  // 30 minutes
  EXPECT_EQ(lock.failures, 5u);
  const User& locked = *d.views().user_by_id(alice);
  EXPECT_FALSE(locked.locked);  // the user is not locked: its tokens keep working
  EXPECT_EQ(locked.login_locked_until_ns, lock.until_ns);
  // Later attempts write nothing, and a right password is refused as locked.
  EXPECT_TRUE(d.accept(system, RecordLogin{alice, LoginFailureReason::wrong_password}).empty());
  EXPECT_EQ(d.rejection(system, RecordLogin{alice, {}}), "user_locked");
  EXPECT_EQ(d.rejection(as(alice, a1), GrantSudo{a1}), "user_locked");
  // Its tokens still revoke, and sudo-free paths are not blocked by the throttle.
  EXPECT_EQ(d.rejection(as(alice, a1), RevokeToken{a1}), "");
  EXPECT_EQ(d.rejection(as(alice), RecordLogin{alice, {}}), "not_allowed");  // system only

  // The background records the lock's end once its time has passed, not before.
  d.now_ns += 1799 * second_ns;
  EXPECT_TRUE(d.accept(system, ExpireLoginLocks{}).empty());
  d.now_ns += second_ns;
  const std::vector<Event> ended = d.accept(system, ExpireLoginLocks{});
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(std::get<LoginUnlocked>(ended[0].body).reason, UnlockReason::expired);
  EXPECT_EQ(d.views().user_by_id(alice)->login_locked_until_ns, no_time);
  EXPECT_EQ(d.views().user_by_id(alice)->consecutive_failures, 0u);
  EXPECT_TRUE(d.views().login_lock_queue().empty());
  EXPECT_EQ(d.accept(system, RecordLogin{alice, {}}).size(), 1u);
}

// When a login arrives after the lock's time but before the background recorded its end, the
// login's own command records the end first: the count starts again from one.
TEST_F(DecideTest, ALockPastItsTimeEndsWithTheNextLogin) {
  const Caller system = Caller::system_caller();
  d.policy.login_failures_max = 2;
  d.accept(system, RecordLogin{alice, LoginFailureReason::wrong_password});
  d.accept(system, RecordLogin{alice, LoginFailureReason::wrong_password});
  ASSERT_NE(d.views().user_by_id(alice)->login_locked_until_ns, no_time);
  d.now_ns += 1800 * second_ns;
  const std::vector<Event> next =
      d.accept(system, RecordLogin{alice, LoginFailureReason::wrong_password});
  ASSERT_EQ(next.size(), 2u);
  EXPECT_EQ(std::get<LoginUnlocked>(next[0].body).reason, UnlockReason::expired);
  EXPECT_EQ(std::get<LoginFailed>(next[1].body).consecutive_failures, 1u);
}

TEST_F(DecideTest, ASuccessfulLoginResetsTheFailureCount) {
  const Caller system = Caller::system_caller();
  d.policy.login_failures_max = 3;
  d.accept(system, RecordLogin{alice, LoginFailureReason::wrong_password});
  d.accept(system, RecordLogin{alice, LoginFailureReason::one_time_password_wrong});
  d.accept(system, RecordLogin{alice, std::nullopt, true});
  EXPECT_EQ(d.views().user_by_id(alice)->consecutive_failures, 0u);
  d.accept(system, RecordLogin{alice, LoginFailureReason::wrong_password});
  d.accept(system, RecordLogin{alice, LoginFailureReason::wrong_password});
  EXPECT_EQ(d.views().user_by_id(alice)->login_locked_until_ns, no_time);
  d.accept(system, RecordLogin{alice, LoginFailureReason::wrong_password});
  EXPECT_NE(d.views().user_by_id(alice)->login_locked_until_ns, no_time);
  // A superuser's locked=false confirms the user: the login lock ends, as an event.
  const std::vector<Event> lifted = d.accept(as(su), UpdateUser{alice, {}, {}, false});
  ASSERT_EQ(lifted.size(), 1u);
  EXPECT_EQ(std::get<LoginUnlocked>(lifted[0].body).reason, UnlockReason::superuser);
  EXPECT_EQ(d.views().user_by_id(alice)->consecutive_failures, 0u);
  EXPECT_EQ(d.views().user_by_id(alice)->login_locked_until_ns, no_time);
}

// A superuser's deliberate lock blocks everything until lifted, as before; an operator's unlock
// ends only login locks (and the whole-user locks of failed logins written before version 2).
TEST_F(DecideTest, AnOperatorEndsLoginLocksButNotASuperusersLock) {
  const Caller system = Caller::system_caller();
  EXPECT_EQ(d.rejection(Caller::operator_caller(), UnlockLogin{alice}), "not_locked");
  EXPECT_EQ(d.rejection(as(su), UnlockLogin{alice}), "not_allowed");
  for (int i = 0; i < 5; ++i) d.run(system, RecordLogin{alice, LoginFailureReason::wrong_password});
  const std::vector<Event> unlocked = d.accept(Caller::operator_caller(), UnlockLogin{alice});
  ASSERT_EQ(unlocked.size(), 1u);
  EXPECT_EQ(std::get<LoginUnlocked>(unlocked[0].body).reason, UnlockReason::operator_);
  EXPECT_EQ(d.views().user_by_id(alice)->login_locked_until_ns, no_time);
  d.accept(as(su), UpdateUser{alice, {}, {}, true});
  EXPECT_EQ(d.rejection(Caller::operator_caller(), UnlockLogin{alice}), "locked_by_superuser");
  EXPECT_EQ(d.rejection(system, RecordLogin{alice, {}}), "user_locked");
}

// RFC 6238 section 5.2: a one-time password is accepted once; a code of the same or an earlier
// time step is refused even when it is right (issue 15, item 3: one code made three tokens).
TEST_F(DecideTest, AOneTimePasswordStepIsAcceptedOnce) {
  const Caller system = Caller::system_caller();
  EXPECT_EQ(d.accept(system, RecordLogin{alice, std::nullopt, true, 1000}).size(), 1u);
  EXPECT_EQ(d.views().user_by_id(alice)->last_one_time_password_step, 1000u);
  EXPECT_EQ(d.rejection(system, RecordLogin{alice, std::nullopt, true, 1000}),
            "one_time_password_reused");
  EXPECT_EQ(d.rejection(system, RecordLogin{alice, std::nullopt, true, 999}),
            "one_time_password_reused");
  EXPECT_EQ(d.accept(system, RecordLogin{alice, std::nullopt, true, 1001}).size(), 1u);
}

// Issue 15, item 4: enrolment while two-factor was on replaced the user's secret with the
// caller's. Now a second factor is replaced only after it was turned off.
TEST_F(DecideTest, TwoFactorIsEnabledOnlyWhenOff) {
  const SealedSecret first{"k", std::string(24, '1'), std::string(36, 'a')};
  const SealedSecret second{"k", std::string(24, '2'), std::string(36, 'b')};
  EXPECT_EQ(d.rejection(as(bob), EnableTwoFactor{alice, first, 7}), "not_allowed");
  d.accept(as(alice), EnableTwoFactor{alice, first, 7});
  EXPECT_EQ(d.views().user_by_id(alice)->last_one_time_password_step, 7u);
  EXPECT_EQ(d.rejection(as(alice), EnableTwoFactor{alice, second, 9}), "two_factor_enabled");
  EXPECT_EQ(d.views().user_by_id(alice)->two_factor->nonce, first.nonce);
  // The superuser of the customer resets it; then a new one can be enrolled.
  EXPECT_EQ(d.rejection(as(su2), DisableTwoFactor{alice}), "not_allowed");
  d.accept(as(su), DisableTwoFactor{alice});
  EXPECT_FALSE(d.views().user_by_id(alice)->two_factor);
  d.accept(as(alice), EnableTwoFactor{alice, second, 9});
  EXPECT_EQ(d.views().user_by_id(alice)->two_factor->nonce, second.nonce);
}

TEST_F(DecideTest, SnapshotsAreRecordedBySystemOnlyAndForRecordsThatExist) {
  const Hash digest = sha256("payload");
  const std::uint64_t head = d.views().sequence();
  EXPECT_EQ(d.rejection(as(su), RecordSnapshot{head, digest}), "not_allowed");
  EXPECT_EQ(d.rejection(Caller::system_caller(), RecordSnapshot{head + 1, digest}),
            "unknown_sequence");
  d.accept(Caller::system_caller(), RecordSnapshot{head, digest});
  ASSERT_NE(d.views().recorded_snapshot(head), nullptr);
  EXPECT_EQ(*d.views().recorded_snapshot(head), digest);
  EXPECT_EQ(d.views().recorded_snapshot(head + 1), nullptr);
}

TEST_F(DecideTest, TokensAreCreatedOnlyByTheirOwnUser) {
  EXPECT_EQ(d.rejection(as(su), token_for(alice, "a1")), "not_allowed");
  EXPECT_EQ(d.rejection(Caller::operator_caller(), token_for(alice, "a1")), "not_allowed");
  EXPECT_EQ(d.rejection(as(alice), token_for(make_id("ghost"), "a1")), "unknown_user");
  const std::vector<Event> events =
      d.accept(as(alice, make_id("tsession")), token_for(alice, "a1"));
  ASSERT_EQ(events.size(), 1u);
  const auto& created = std::get<TokenCreated>(events[0].body);
  EXPECT_EQ(created.customer_id, c1);
  EXPECT_EQ(created.created_at_ns, d.now_ns);
  EXPECT_EQ(created.origin, TokenOrigin::api);
  EXPECT_EQ(events[0].actor.user_id, alice);
  EXPECT_EQ(events[0].actor.token_id, make_id("tsession"));
  const Token* token = d.views().token_by_secret(secret("a1"));
  ASSERT_NE(token, nullptr);
  EXPECT_EQ(token_id_view(token->id), make_id("ta1"));
  EXPECT_EQ(d.views().user_by_id(alice)->live_token_count, 1u);
}

TEST_F(DecideTest, TokenFieldsAreValidated) {
  CreateToken c = token_for(alice, "a1");
  c.scopes = {};
  EXPECT_EQ(d.rejection(as(alice), c), "invalid_scope");
  c = token_for(alice, "a1");
  c.services = {"svc1", "svc1"};
  EXPECT_EQ(d.rejection(as(alice), c), "invalid_service");
  c.services = {"bad service"};
  EXPECT_EQ(d.rejection(as(alice), c), "invalid_service");
  c.services = std::vector<std::string>(257, "s");
  EXPECT_EQ(d.rejection(as(alice), c), "too_many_services");
  c = token_for(alice, "a1");
  c.expires_at_ns = d.now_ns;
  EXPECT_EQ(d.rejection(as(alice), c), "expires_at_in_past");
  c.expires_at_ns = d.now_ns - second_ns;
  EXPECT_EQ(d.rejection(as(alice), c), "expires_at_in_past");
  c = token_for(alice, "a1");
  c.name = std::string(256, 'n');
  EXPECT_EQ(d.rejection(as(alice), c), "invalid_name");
  c = token_for(alice, "a1");
  c.token_id = "not-an-id";
  EXPECT_EQ(d.rejection(as(alice), c), "invalid_id");
  c = token_for(alice, "a1");
  c.scopes = {Scope::purge_all, Scope::global_read, Scope::purge_all};
  c.services = {"svc1", "svc2"};
  c.expires_at_ns = d.now_ns + second_ns;
  d.accept(as(alice), c);
  const Token* token = d.views().token_by_id(c.token_id);
  EXPECT_EQ(scope_list(token->scopes), (std::vector<Scope>{Scope::global_read, Scope::purge_all}));
  EXPECT_EQ(token->services, (std::vector<std::string>{"svc1", "svc2"}));
  EXPECT_EQ(d.rejection(as(alice), c), "token_exists");
  c.token_id = make_id("tother");
  EXPECT_EQ(d.rejection(as(alice), c), "secret_reused");
}

TEST_F(DecideTest, ALiveTokenLimitPerUserHolds) {
  d.policy.live_tokens_per_user_max = 2;
  create_token(alice, "a1");
  const std::string second = create_token(alice, "a2");
  EXPECT_EQ(d.rejection(as(alice), token_for(alice, "a3")), "too_many_tokens");
  d.accept(as(alice), RevokeToken{second});
  EXPECT_EQ(d.rejection(as(alice), token_for(alice, "a3")), "");
}

TEST_F(DecideTest, TokensAreRevokedByTheirOwnerOrASuperuserOfTheSameCustomer) {
  const std::string a1 = create_token(alice, "a1");
  const std::string a2 = create_token(alice, "a2");
  EXPECT_EQ(d.rejection(as(bob), RevokeToken{a1}), "unknown_token");  // not visible to bob
  EXPECT_EQ(d.rejection(as(su2), RevokeToken{a1}), "unknown_token");  // other customer
  EXPECT_EQ(d.rejection(as(alice), RevokeToken{make_id("tnone")}), "unknown_token");
  const std::vector<Event> by_owner = d.accept(as(alice), RevokeToken{a1});
  EXPECT_EQ(std::get<TokenRevoked>(by_owner[0].body).reason, RevokeReason::owner);
  EXPECT_EQ(std::get<TokenRevoked>(by_owner[0].body).revoked_by_user_id, alice);
  EXPECT_EQ(d.rejection(as(alice), RevokeToken{a1}), "token_not_live");
  const std::vector<Event> by_super = d.accept(as(su), RevokeToken{a2});
  EXPECT_EQ(std::get<TokenRevoked>(by_super[0].body).reason, RevokeReason::superuser);
  EXPECT_EQ(d.views().token_by_id(a2)->state, TokenState::revoked);
  EXPECT_EQ(d.views().token_by_id(a2)->ended_at_ns, d.now_ns);
  EXPECT_EQ(d.views().user_by_id(alice)->live_token_count, 0u);
}

TEST_F(DecideTest, BulkRevokeIsAllOrNothingAndNamesTheFailingId) {
  const std::string a1 = create_token(alice, "a1");
  const std::string a2 = create_token(alice, "a2");
  const std::string b1 = create_token(bob, "b1");
  Decision refused = d.run(as(alice), BulkRevokeTokens{{a1, b1, a2}});
  ASSERT_TRUE(std::holds_alternative<Rejection>(refused));
  EXPECT_EQ(std::get<Rejection>(refused).name, "unknown_token");
  EXPECT_EQ(std::get<Rejection>(refused).detail, b1);
  EXPECT_EQ(d.views().token_by_id(a1)->state, TokenState::live);  // nothing was revoked
  EXPECT_EQ(d.rejection(as(alice), BulkRevokeTokens{{a1, a1}}), "duplicate_token_id");
  EXPECT_EQ(d.rejection(as(alice), BulkRevokeTokens{{}}), "empty_request");
  d.policy.bulk_revoke_max = 2;
  EXPECT_EQ(d.rejection(as(su), BulkRevokeTokens{{a1, a2, b1}}), "too_many_tokens");
  d.policy.bulk_revoke_max = 1000;
  const std::vector<Event> events = d.accept(as(su), BulkRevokeTokens{{a1, b1}});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(std::get<TokenRevoked>(events[0].body).reason, RevokeReason::bulk);
  EXPECT_EQ(d.rejection(as(alice), BulkRevokeTokens{{a2, a1}}), "token_not_live");
}

TEST_F(DecideTest, ExpiryIsRecordedForTokensWhoseTimeHasPassed) {
  CreateToken c = token_for(alice, "a1");
  c.expires_at_ns = d.now_ns + 10 * second_ns;
  d.accept(as(alice), c);
  CreateToken later = token_for(alice, "a2");
  later.expires_at_ns = d.now_ns + 20 * second_ns;
  d.accept(as(alice), later);
  create_token(alice, "a3");  // never expires
  EXPECT_TRUE(d.accept(Caller::system_caller(), ExpireTokens{}).empty());
  d.now_ns += 10 * second_ns;
  const std::vector<Event> expired = d.accept(Caller::system_caller(), ExpireTokens{});
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(std::get<TokenExpired>(expired[0].body).token_id, c.token_id);
  EXPECT_EQ(d.views().token_by_id(c.token_id)->state, TokenState::expired);
  d.now_ns += 3600 * second_ns;
  d.policy.expire_batch_max = 5;
  EXPECT_EQ(d.accept(Caller::system_caller(), ExpireTokens{}).size(), 1u);
  EXPECT_TRUE(d.accept(Caller::system_caller(), ExpireTokens{}).empty());
  EXPECT_EQ(d.views().live_token_count(), 1u);
  EXPECT_EQ(d.rejection(as(alice), ExpireTokens{}), "not_allowed");
}

TEST_F(DecideTest, UsageIsRecordedForKnownTokens) {
  const std::string a1 = create_token(alice, "a1");
  const std::vector<Event> events = d.accept(
      Caller::system_caller(), RecordTokenUses{{TokenUse{a1, d.now_ns, "192.0.2.7", "curl/8", 3}}});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].actor.token_id, a1);
  const TokenUsage* usage = d.views().usage(d.views().index_of(*d.views().token_by_id(a1)));
  ASSERT_NE(usage, nullptr);
  EXPECT_EQ(usage->use_count, 3u);
  EXPECT_EQ(usage->client_ip, "192.0.2.7");
  EXPECT_EQ(d.rejection(Caller::system_caller(),
                        RecordTokenUses{{TokenUse{make_id("tnone"), 0, "", "", 1}}}),
            "unknown_token");
  EXPECT_EQ(d.rejection(as(alice), RecordTokenUses{{}}), "not_allowed");
}

TEST_F(DecideTest, SudoIsGrantedToTheCallersOwnLiveTokenForFiveMinutes) {
  const std::string a1 = create_token(alice, "a1");
  const std::string b1 = create_token(bob, "b1");
  EXPECT_EQ(d.rejection(as(alice, b1), GrantSudo{b1}), "unknown_token");
  EXPECT_EQ(d.rejection(as(alice, a1), GrantSudo{b1}), "unknown_token");
  const std::vector<Event> events = d.accept(as(alice, a1), GrantSudo{a1});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<LoginSucceeded>(events[0].body));
  EXPECT_EQ(d.views().token_by_id(a1)->sudo_expires_at_ns, d.now_ns + 300 * second_ns);
}

TEST_F(DecideTest, LegacyKeysMigrateToTheCustomersOneGlobalApiTokenUser) {
  MigrateLegacyKey migrate{c1, sha256("legacy key of c1"), testing::start_ns - 86'400 * second_ns,
                           make_id("gat1"), make_id("tlegacy1")};
  EXPECT_EQ(d.rejection(as(alice), migrate), "not_allowed");
  EXPECT_EQ(d.rejection(as(su2), migrate), "not_allowed");
  const std::vector<Event> events = d.accept(as(su), migrate);
  ASSERT_EQ(events.size(), 3u);
  const auto& user = std::get<UserCreated>(events[0].body);
  EXPECT_EQ(user.name, "Global API Token");
  EXPECT_EQ(user.kind, UserKind::global_api_token);
  EXPECT_FALSE(user.password_hash.has_value());
  const auto& token = std::get<TokenCreated>(events[1].body);
  EXPECT_EQ(token.origin, TokenOrigin::legacy_migration);
  EXPECT_EQ(token.scopes, std::vector<Scope>{Scope::global});
  EXPECT_TRUE(token.services.empty());
  EXPECT_EQ(token.created_at_ns, migrate.key_created_at_ns);
  EXPECT_EQ(token.secret_sha256, migrate.key_sha256);
  EXPECT_TRUE(std::holds_alternative<LegacyKeyMigrated>(events[2].body));
  // The same key again changes nothing.
  EXPECT_TRUE(d.accept(Caller::operator_caller(), migrate).empty());
  // Another key of the same customer becomes a second token of the same synthetic user; a key
  // already used elsewhere is refused.
  MigrateLegacyKey other = migrate;
  other.key_sha256 = sha256("another key");
  other.new_user_id = make_id("gat9");
  other.new_token_id = make_id("tlegacy2");
  const std::vector<Event> second = d.accept(Caller::operator_caller(), other);
  ASSERT_EQ(second.size(), 2u);
  EXPECT_EQ(std::get<TokenCreated>(second[0].body).user_id, make_id("gat1"));
  EXPECT_EQ(std::get<LegacyKeyMigrated>(second[1].body).user_id, make_id("gat1"));
  EXPECT_EQ(d.views().user_by_id(make_id("gat9")), nullptr);
  EXPECT_EQ(d.views().user_by_id(make_id("gat1"))->live_token_count, 2u);
  MigrateLegacyKey stolen{c2, migrate.key_sha256, 0, make_id("gat2"), make_id("tlegacy3")};
  EXPECT_EQ(d.rejection(Caller::operator_caller(), stolen), "secret_reused");
  // The synthetic user cannot create tokens or change its password.
  EXPECT_EQ(d.rejection(as(make_id("gat1")), token_for(make_id("gat1"), "g")), "synthetic_user");
  EXPECT_EQ(d.rejection(Caller::operator_caller(),
                        ChangePassword{make_id("gat1"), testing::fake_password_hash("x")}),
            "synthetic_user");
}

}  // namespace
}  // namespace tokenledger

namespace tokenledger {
namespace {

// Found in review: a superuser deleted the synthetic user (its migrated token revoked), then
// migrated another key; decide() made a token for the deleted user, which apply() refuses, and
// the service stopped on its assertion. Now only an operator deletes it, and a customer whose
// synthetic user is gone migrates nothing more.
TEST_F(DecideTest, TheGlobalApiTokenUserIsDeletedOnlyByAnOperatorAndStaysGone) {
  const MigrateLegacyKey first{c1, sha256("first legacy key"), 0, make_id("gat1"),
                               make_id("tlegacy1")};
  d.accept(as(su), first);
  d.accept(as(su), RevokeToken{make_id("tlegacy1")});
  EXPECT_EQ(d.rejection(as(su), DeleteUser{make_id("gat1")}), "synthetic_user");
  d.accept(Caller::operator_caller(), DeleteUser{make_id("gat1")});
  const MigrateLegacyKey second{c1, sha256("second legacy key"), 0, make_id("gat2"),
                                make_id("tlegacy2")};
  EXPECT_EQ(d.rejection(as(su), second), "unknown_user");
}

TEST_F(DecideTest, ACustomerMigratesAtMostItsLimitOfKeys) {
  d.policy.legacy_keys_per_customer_max = 2;
  for (int i = 0; i < 2; ++i) {
    d.accept(as(su), MigrateLegacyKey{c1, sha256("key " + std::to_string(i)), 0, make_id("gat1"),
                                      make_id("tl" + std::to_string(i))});
  }
  EXPECT_EQ(d.rejection(as(su),
                        MigrateLegacyKey{c1, sha256("key 2"), 0, make_id("gat1"), make_id("tl2")}),
            "too_many_tokens");
}

// Found in review: a stolen superuser token lifted its own login lock with PUT /user/{self}
// locked=false, and so could guess the password through POST /sudo without a limit.
TEST_F(DecideTest, ASuperuserCannotEndItsOwnLoginLock) {
  const std::string su_b = make_id("superB");
  d.accept(Caller::operator_caller(),
           CreateUser{su_b, c1, "sub@one.example", "Super B", Role::superuser,
                      testing::fake_password_hash("b")});
  for (int i = 0; i < 5; ++i) {
    d.run(Caller::system_caller(), RecordLogin{su, LoginFailureReason::wrong_password});
  }
  ASSERT_NE(d.views().user_by_id(su)->login_locked_until_ns, no_time);
  EXPECT_EQ(d.rejection(as(su), UpdateUser{su, {}, {}, false}), "not_allowed");
  EXPECT_NE(d.views().user_by_id(su)->login_locked_until_ns, no_time);
  d.accept(as(su_b), UpdateUser{su, {}, {}, false});
  EXPECT_EQ(d.views().user_by_id(su)->login_locked_until_ns, no_time);
}

}  // namespace
}  // namespace tokenledger
