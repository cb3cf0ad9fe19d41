// Authentication answers who a key belongs to, or exactly why not.
#include "projections/authenticate.h"

#include <gtest/gtest.h>

#include "projections/test_domain.h"

namespace tokenledger {
namespace {

using testing::make_id;
using testing::second_ns;

class AuthenticateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const Caller op = Caller::operator_caller();
    d.accept(op, CreateCustomer{make_id("c1"), "One"});
    d.accept(op, CreateUser{su, make_id("c1"), "su@one", "Su", Role::superuser,
                            testing::fake_password_hash("s")});
    d.accept(op, CreateUser{eng, make_id("c1"), "eng@one", "Eng", Role::engineer,
                            testing::fake_password_hash("e")});
  }

  Hash token(const std::string& user, const std::string& label, std::vector<Scope> scopes,
             std::vector<std::string> services = {}, std::optional<TimeNs> expires = {}) {
    CreateToken c{make_id("t" + label), sha256(label),       user,   label,
                  std::move(scopes),    std::move(services), expires};
    d.accept(Caller::user_caller(user), c);
    return sha256(label);
  }

  AuthResult auth(const Hash& key, Access access, bool superuser = false,
                  std::optional<std::string> service = {}) {
    return authenticate(d.views(), key, Requirement{access, superuser, std::move(service)},
                        d.now_ns);
  }

  static std::string failure(const AuthResult& result) {
    return result.who ? "ok" : std::string(auth_failure_name(result.failure));
  }

  testing::Domain d;
  const std::string su = make_id("su");
  const std::string eng = make_id("eng");
};

TEST_F(AuthenticateTest, AKnownLiveKeyIsItsTokenAndUser) {
  const Hash key = token(eng, "k1", {Scope::global});
  const AuthResult result = auth(key, Access::write);
  ASSERT_TRUE(result.who);
  EXPECT_EQ(token_id_view(result.who->token->id), make_id("tk1"));
  EXPECT_EQ(result.who->user->id, eng);
  EXPECT_EQ(result.who->customer->id, make_id("c1"));
  EXPECT_EQ(failure(auth(sha256("nobody's key"), Access::read)), "unknown_key");
}

TEST_F(AuthenticateTest, RevokedAndExpiredKeysAreRefused) {
  const Hash revoked = token(eng, "k1", {Scope::global});
  d.accept(Caller::user_caller(eng), RevokeToken{make_id("tk1")});
  EXPECT_EQ(failure(auth(revoked, Access::own_token)), "revoked");
  const Hash expiring = token(eng, "k2", {Scope::global}, {}, d.now_ns + 10 * second_ns);
  EXPECT_EQ(failure(auth(expiring, Access::read)), "ok");
  d.now_ns += 10 * second_ns;  // the expiry is not recorded yet, and still refuses at once
  const AuthResult result = auth(expiring, Access::read);
  EXPECT_EQ(failure(result), "expired");
  EXPECT_EQ(result.detail, "Token " + make_id("tk2") + " expired at 2023-11-14T22:13:30Z");
  d.accept(Caller::system_caller(), ExpireTokens{});
  EXPECT_EQ(failure(auth(expiring, Access::read)), "expired");
}

TEST_F(AuthenticateTest, LockedUsersAreRefused) {
  const Hash key = token(eng, "k1", {Scope::global});
  d.accept(Caller::user_caller(su), UpdateUser{eng, {}, {}, true});
  EXPECT_EQ(failure(auth(key, Access::read)), "user_locked");
  d.accept(Caller::operator_caller(), UpdateUser{eng, {}, {}, false});
  EXPECT_EQ(failure(auth(key, Access::read)), "ok");
}

TEST_F(AuthenticateTest, ScopesDecideWhatATokenMayDo) {
  const Hash read_only = token(eng, "r", {Scope::global_read});
  const Hash purge_select = token(eng, "ps", {Scope::purge_select});
  const Hash purge_all = token(eng, "pa", {Scope::purge_all});
  const Hash global = token(eng, "g", {Scope::global});
  struct Row {
    const Hash& key;
    Access access;
    const char* expected;
  };
  const Row rows[] = {
      {read_only, Access::own_token, "ok"},
      {read_only, Access::read, "ok"},
      {read_only, Access::write, "scope"},
      {read_only, Access::purge_select, "scope"},
      {purge_select, Access::own_token, "ok"},
      {purge_select, Access::read, "scope"},
      {purge_select, Access::purge_select, "ok"},
      {purge_select, Access::purge_all, "scope"},
      {purge_all, Access::purge_select, "ok"},
      {purge_all, Access::purge_all, "ok"},
      {purge_all, Access::write, "scope"},
      {global, Access::read, "ok"},
      {global, Access::write, "ok"},
      {global, Access::purge_all, "ok"},
      {global, Access::user_management, "ok"},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(failure(auth(row.key, row.access)), row.expected) << static_cast<int>(row.access);
  }
}

TEST_F(AuthenticateTest, ATokenNeverGrantsMoreThanItsUsersRole) {
  const Hash engineer = token(eng, "e", {Scope::global});
  const Hash superuser = token(su, "s", {Scope::global});
  EXPECT_EQ(failure(auth(engineer, Access::read, /*superuser=*/true)), "role");
  EXPECT_EQ(failure(auth(superuser, Access::read, /*superuser=*/true)), "ok");
}

TEST_F(AuthenticateTest, ServiceLimitedTokensReachOnlyTheirServicesAndNeverManageUsers) {
  const Hash limited = token(su, "l", {Scope::global}, {"svcA"});
  EXPECT_EQ(failure(auth(limited, Access::read)), "ok");  // non-service endpoints
  EXPECT_EQ(failure(auth(limited, Access::write, false, "svcA")), "ok");
  EXPECT_EQ(failure(auth(limited, Access::write, false, "svcB")), "service");
  EXPECT_EQ(failure(auth(limited, Access::user_management, true)), "service");
  const Hash unlimited = token(su, "u", {Scope::global});
  EXPECT_EQ(failure(auth(unlimited, Access::write, false, "svcB")), "ok");
}

}  // namespace
}  // namespace tokenledger
