#include "projections/read_rules.h"

#include <gtest/gtest.h>

#include "projections/test_domain.h"

namespace tokenledger {
namespace {

using testing::make_id;
using testing::second_ns;
using testing::start_ns;

TEST(ReadRules, ALiveTokenStopsBeingLiveAtItsExpiryNotAfter) {
  const TimeNs expiry = start_ns + 10 * second_ns;
  EXPECT_TRUE(live_at(TokenState::live, no_time, start_ns));
  EXPECT_TRUE(live_at(TokenState::live, expiry, expiry - 1));
  EXPECT_FALSE(live_at(TokenState::live, expiry, expiry));  // the instant it expires
  EXPECT_FALSE(live_at(TokenState::live, expiry, expiry + 1));
  EXPECT_FALSE(live_at(TokenState::revoked, no_time, start_ns));
  EXPECT_FALSE(live_at(TokenState::expired, expiry, expiry - 1));  // recorded as expired
}

TEST(ReadRules, SudoIsInForceUntilItsExpiry) {
  EXPECT_FALSE(sudo_active(no_time, start_ns));
  EXPECT_TRUE(sudo_active(start_ns + 1, start_ns));
  EXPECT_FALSE(sudo_active(start_ns, start_ns));
}

class ReadRulesDomain : public ::testing::Test {
 protected:
  void SetUp() override {
    const Caller op = Caller::operator_caller();
    for (const char* customer : {"c1", "c2"}) {
      d.accept(op, CreateCustomer{make_id(customer), customer});
    }
    d.accept(op, CreateUser{make_id("owner"), make_id("c1"), "owner@one", "Owner", Role::user,
                            testing::fake_password_hash("o")});
    d.accept(op, CreateUser{make_id("root"), make_id("c1"), "root@one", "Root", Role::superuser,
                            testing::fake_password_hash("r")});
    d.accept(op, CreateUser{make_id("peer"), make_id("c1"), "peer@one", "Peer", Role::engineer,
                            testing::fake_password_hash("p")});
    d.accept(op, CreateUser{make_id("other"), make_id("c2"), "root@two", "Other root",
                            Role::superuser, testing::fake_password_hash("x")});
    d.accept(
        Caller::user_caller(make_id("owner")),
        CreateToken{
            make_id("t1"), sha256("s"), make_id("owner"), "ci", {Scope::global}, {}, std::nullopt});
  }
  const User& user(const char* label) { return *d.views().user_by_id(make_id(label)); }
  const Token& token() { return *d.views().token_by_id(make_id("t1")); }

  testing::Domain d;
};

TEST_F(ReadRulesDomain, TheOwnerAndTheCustomersSuperusersStandToATokenNobodyElse) {
  EXPECT_EQ(token_relation(d.views(), user("owner"), token()), TokenRelation::owner);
  EXPECT_EQ(token_relation(d.views(), user("root"), token()), TokenRelation::customer_superuser);
  EXPECT_EQ(token_relation(d.views(), user("peer"), token()), TokenRelation::none);
  // A superuser of another customer learns nothing of it.
  EXPECT_EQ(token_relation(d.views(), user("other"), token()), TokenRelation::none);
}

TEST_F(ReadRulesDomain, ALockedSuperuserIsNoSuperuserOfItsCustomer) {
  d.accept(Caller::operator_caller(),
           UpdateUser{make_id("root"), std::nullopt, std::nullopt, true});
  EXPECT_FALSE(is_superuser_of(user("root"), user("root").customer));
  EXPECT_EQ(token_relation(d.views(), user("root"), token()), TokenRelation::none);
  // A locked superuser cannot revoke it either: decide asks the same rule.
  EXPECT_EQ(d.rejection(Caller::user_caller(make_id("root")), RevokeToken{make_id("t1")}),
            "unknown_token");
}

TEST_F(ReadRulesDomain, AUserSeesTheLiveUsersOfItsOwnCustomerOnly) {
  EXPECT_EQ(visible_user(d.views(), user("peer"), make_id("owner")), &user("owner"));
  EXPECT_EQ(visible_user(d.views(), user("peer"), make_id("other")), nullptr);
  EXPECT_EQ(visible_user(d.views(), user("peer"), make_id("nobody")), nullptr);
  d.accept(Caller::operator_caller(), DeleteUser{make_id("owner"), true});
  EXPECT_EQ(visible_user(d.views(), user("peer"), make_id("owner")), nullptr);
}

}  // namespace
}  // namespace tokenledger
