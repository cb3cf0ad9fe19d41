#include "projections/render.h"

#include <gtest/gtest.h>

#include "projections/test_domain.h"

namespace tokenledger {
namespace {

using tokenledger::testing::make_id;
using tokenledger::testing::second_ns;

class RenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    d.accept(Caller::operator_caller(), CreateCustomer{make_id("c1"), "One"});
    d.accept(Caller::operator_caller(),
             CreateUser{make_id("u1"), make_id("c1"), "a@one", "Ann", Role::engineer,
                        tokenledger::testing::fake_password_hash("a")});
  }
  tokenledger::testing::Domain d;
};

TEST_F(RenderTest, ATokenNeverUsedHasNullUsageAndTheContractsFields) {
  d.accept(Caller::user_caller(make_id("u1")),
           CreateToken{
               make_id("t1"), sha256("s"), make_id("u1"), "ci", {Scope::global}, {}, std::nullopt});
  JsonWriter json;
  write_token(json, d.views(), 0);
  EXPECT_EQ(json.text(),
            R"({"id":")" + make_id("t1") + R"(","user_id":")" + make_id("u1") +
                R"(","customer_id":")" + make_id("c1") +
                R"(","name":"ci","last_used_at":null,"created_at":"2023-11-14T22:13:20Z",)"
                R"("expires_at":null,"ip":null,"user_agent":null,"sudo_expires_at":null,)"
                R"("scopes":["global"],"scope":"global","services":[],"service_id":null})");
}

TEST_F(RenderTest, ServiceIdIsTheLastServiceAndUsageIsShown) {
  d.accept(Caller::user_caller(make_id("u1")), CreateToken{make_id("t1"),
                                                           sha256("s"),
                                                           make_id("u1"),
                                                           "p",
                                                           {Scope::purge_select, Scope::global},
                                                           {"svcA", "svcB"},
                                                           d.now_ns + 3600 * second_ns});
  d.accept(Caller::system_caller(),
           RecordTokenUses{{TokenUse{make_id("t1"), d.now_ns + second_ns, "192.0.2.7",
                                     "fastly-js/13.0.0", 2}}});
  JsonWriter json;
  write_token(json, d.views(), 0);
  const std::string& text = json.text();
  EXPECT_NE(text.find(R"("scopes":["global","purge_select"],"scope":"global purge_select")"),
            std::string::npos);
  EXPECT_NE(text.find(R"("services":["svcA","svcB"],"service_id":"svcB")"), std::string::npos);
  EXPECT_NE(text.find(R"("last_used_at":"2023-11-14T22:13:21Z")"), std::string::npos);
  EXPECT_NE(text.find(R"("ip":"192.0.2.7","user_agent":"fastly-js/13.0.0")"), std::string::npos);
  EXPECT_NE(text.find(R"("expires_at":"2023-11-14T23:13:20Z")"), std::string::npos);
}

TEST_F(RenderTest, TheCreationAnswerCarriesTheSecretOnce) {
  d.accept(Caller::user_caller(make_id("u1")),
           CreateToken{
               make_id("t1"), sha256("s"), make_id("u1"), "ci", {Scope::global}, {}, std::nullopt});
  JsonWriter json;
  write_created_token(json, d.views(), 0, "QoU3neoxQQ6IPL8g7eRkkCjyWcwdNI7J");
  EXPECT_NE(json.text().find(R"("access_token":"QoU3neoxQQ6IPL8g7eRkkCjyWcwdNI7J")"),
            std::string::npos);
  EXPECT_NE(json.text().find(R"("updated_at":"2023-11-14T22:13:20Z")"), std::string::npos);
  EXPECT_NE(json.text().find(R"("service_id":null)"), std::string::npos);
}

TEST_F(RenderTest, UsersRenderWithRoleAndState) {
  JsonWriter json;
  const User& user = *d.views().user_by_id(make_id("u1"));
  write_user(json, user, d.views().customer(user.customer));
  EXPECT_EQ(
      json.text(),
      R"({"id":")" + make_id("u1") +
          R"(","login":"a@one","name":"Ann","role":"engineer",)"
          R"("customer_id":")" +
          make_id("c1") +
          R"(","locked":false,"two_factor_auth_enabled":false,)"
          R"("created_at":"2023-11-14T22:13:20Z","updated_at":"2023-11-14T22:13:20Z","deleted_at":null})");
}

}  // namespace
}  // namespace tokenledger
