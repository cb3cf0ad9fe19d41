#include "api/request_fields.h"

#include <gtest/gtest.h>

namespace tokenledger::api {
namespace {

TEST(RequestFields, BasicCredentials) {
  std::string user;
  std::string password;
  ASSERT_TRUE(parse_basic_auth("Basic dXNlcjpwYTpzcw==", &user, &password));  // user:pa:ss
  EXPECT_EQ(user, "user");
  EXPECT_EQ(password, "pa:ss");
  EXPECT_TRUE(parse_basic_auth("basic   dXNlcjpwYTpzcw==  ", &user, &password));
  EXPECT_FALSE(parse_basic_auth("Bearer dXNlcjpwYTpzcw==", &user, &password));
  EXPECT_FALSE(parse_basic_auth("Basic dXNlcg==", &user, &password));  // no colon
  EXPECT_FALSE(parse_basic_auth("Basic !!!", &user, &password));
  EXPECT_FALSE(parse_basic_auth("Basic ", &user, &password));
  EXPECT_FALSE(parse_basic_auth("Basic " + std::string(5000, 'A'), &user, &password));
}

TEST(RequestFields, Scopes) {
  std::vector<Scope> scopes;
  std::string unknown;
  ASSERT_TRUE(parse_scopes("", &scopes, &unknown));
  EXPECT_EQ(scopes, std::vector<Scope>{Scope::global});
  ASSERT_TRUE(parse_scopes("global:read  purge_all", &scopes, &unknown));
  EXPECT_EQ(scopes, (std::vector<Scope>{Scope::global_read, Scope::purge_all}));
  EXPECT_FALSE(parse_scopes("global admin", &scopes, &unknown));
  EXPECT_EQ(unknown, "admin");
}

TEST(RequestFields, RolesAndBooleans) {
  Role role = Role::user;
  EXPECT_TRUE(parse_role("superuser", &role));
  EXPECT_EQ(role, Role::superuser);
  EXPECT_FALSE(parse_role("Superuser", &role));
  bool value = false;
  EXPECT_TRUE(parse_bool("1", &value));
  EXPECT_TRUE(value);
  EXPECT_TRUE(parse_bool("false", &value));
  EXPECT_FALSE(value);
  EXPECT_FALSE(parse_bool("yes", &value));
}

}  // namespace
}  // namespace tokenledger::api
