// User management, password changes and the operator probes, through Api::handle.
#include "api/api_test_fixture.h"

namespace tokenledger::api::testing {
namespace {

TEST_F(ApiTest, SuperusersCreateChangeAndDeleteUsers) {
  const auto [root_id, root] = login_token("root%40example.com", "root-password");
  HttpResponse created = with_key(root, "POST", "/user",
                                  "login=new%40example.com&name=New+Person&role=engineer&"
                                  "password=new-password");
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string user_id = field(created.body, "id");
  EXPECT_EQ(field(created.body, "role"), "engineer");
  EXPECT_EQ(field(created.body, "name"), "New Person");
  EXPECT_EQ(created.body.find("new-password"), std::string::npos);
  EXPECT_EQ(
      with_key(root, "POST", "/user", "login=new%40example.com&password=other-password").status,
      409);
  EXPECT_EQ(with_key(root, "POST", "/user", "login=x%40example.com&password=short").status, 400);
  EXPECT_EQ(
      with_key(root, "POST", "/user", "login=y%40example.com&password=long-enough&role=god").status,
      400);

  // The new user logs in and holds a token: it cannot be deleted until that is revoked.
  const auto [new_token_id, new_key] = login_token("new%40example.com", "new-password");
  HttpResponse refused = with_key(root, "DELETE", "/user/" + user_id);
  EXPECT_EQ(refused.status, 409);
  EXPECT_NE(field(refused.body, "detail").find("user_has_live_tokens"), std::string::npos);

  HttpResponse renamed = with_key(root, "PUT", "/user/" + user_id, "name=Renamed&role=user");
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(field(renamed.body, "name"), "Renamed");
  EXPECT_EQ(field(renamed.body, "role"), "user");
  EXPECT_EQ(with_key(root, "PUT", "/user/" + user_id, "locked=maybe").status, 400);
  HttpResponse locked = with_key(root, "PUT", "/user/" + user_id, "locked=true");
  ASSERT_EQ(locked.status, 200);
  EXPECT_NE(locked.body.find(R"("locked":true)"), std::string::npos);
  EXPECT_EQ(with_key(new_key, "GET", "/tokens/self").status, 401);  // a locked user's keys stop
  ASSERT_EQ(with_key(root, "PUT", "/user/" + user_id, "locked=false").status, 200);

  ASSERT_EQ(with_key(root, "DELETE", "/tokens/" + new_token_id).status, 204);
  EXPECT_EQ(with_key(root, "DELETE", "/user/" + user_id).status, 204);
  EXPECT_EQ(with_key(root, "GET", "/user/" + user_id).status, 404);
  HttpResponse users = with_key(root, "GET", "/customer/" + customer_ + "/users");
  ASSERT_EQ(users.status, 200);
  EXPECT_EQ(users.body.find(user_id), std::string::npos);
  EXPECT_NE(users.body.find(root_), std::string::npos);
}

TEST_F(ApiTest, OnlySuperusersWithUnlimitedGlobalTokensManageUsers) {
  add_user("eng@example.com", Role::engineer, "eng-password");
  const auto [eng_id, eng] = login_token("eng%40example.com", "eng-password");
  EXPECT_EQ(with_key(eng, "POST", "/user", "login=z%40example.com&password=zzzzzzzzz").status, 403);
  EXPECT_EQ(with_key(eng, "GET", "/customer/" + customer_ + "/users").status, 403);
  EXPECT_EQ(with_key(eng, "GET", "/user/" + root_).status, 200);  // same customer: visible

  const auto [limited_id, limited] =
      login_token("root%40example.com", "root-password", "&services[]=svc1");
  HttpResponse refused =
      with_key(limited, "POST", "/user", "login=z%40example.com&password=zzzzzzzzz");
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(with_key(limited, "GET", "/tokens").status, 200);  // reads still work

  const auto [read_id, read_only] =
      login_token("root%40example.com", "root-password", "&scope=global%3Aread");
  EXPECT_EQ(with_key(read_only, "DELETE", "/user/" + root_).status, 403);
}

TEST_F(ApiTest, PasswordChangeNeedsTheOldPassword) {
  const auto [id, key] = login_token("root%40example.com", "root-password");
  HttpResponse wrong = with_key(key, "POST", "/current_user/password",
                                "old_password=not-it-at-all&new_password=brand-new-password");
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(with_key(key, "POST", "/current_user/password", "old_password=root-password").status,
            400);
  HttpResponse changed = with_key(key, "POST", "/current_user/password",
                                  "old_password=root-password&new_password=brand-new-password");
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(
      call("POST", "/tokens", {}, "username=root%40example.com&password=root-password").status,
      400);
  login_token("root%40example.com", "brand-new-password");
}

TEST_F(ApiTest, CurrentUserIsTheKeysOwner) {
  const auto [id, key] = login_token("root%40example.com", "root-password");
  HttpResponse me = with_key(key, "GET", "/current_user");
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(field(me.body, "id"), root_);
  EXPECT_EQ(field(me.body, "login"), "root@example.com");
  EXPECT_EQ(field(me.body, "customer_id"), customer_);
  EXPECT_EQ(with_key(key, "GET", "/user/" + random_id()).status, 404);
}

TEST_F(ApiTest, ProbesReportReadinessAndMetrics) {
  EXPECT_EQ(call("GET", "/healthz").status, 200);
  EXPECT_EQ(call("GET", "/readyz").status, 200);
  api_->set_ready(false);
  EXPECT_EQ(call("GET", "/readyz").status, 503);
  api_->set_ready(true);
  api_->metrics().record(match_route("GET", "/tokens").route, 200, 1'000'000);
  HttpResponse metrics = call("GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.content_type, "text/plain; version=0.0.4");
  EXPECT_NE(
      metrics.body.find(R"(tokenledger_http_requests_total{route="tokens_list",status="200"} 1)"),
      std::string::npos);
  EXPECT_NE(metrics.body.find("tokenledger_log_head_sequence 2"), std::string::npos);
  EXPECT_NE(metrics.body.find("tokenledger_live_tokens 0"), std::string::npos);
  EXPECT_NE(metrics.body.find("tokenledger_http_request_duration_seconds_bucket{le=\"+Inf\"} 1"),
            std::string::npos);
  // The fixture's customer and superuser are the two records made durable since the Api began.
  EXPECT_NE(metrics.body.find("# TYPE tokenledger_appended_records_total counter\n"
                              "tokenledger_appended_records_total 2\n"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("# TYPE tokenledger_live_tokens gauge\n"), std::string::npos);
  EXPECT_NE(metrics.body.find("# TYPE tokenledger_dropped_uses_total counter\n"),
            std::string::npos);

  // A login with a password records the login and the token it creates: two more.
  login_token("root%40example.com", "root-password");
  metrics = call("GET", "/metrics");
  EXPECT_NE(metrics.body.find("tokenledger_appended_records_total 4\n"), std::string::npos);
  EXPECT_NE(metrics.body.find("tokenledger_log_head_sequence 4\n"), std::string::npos);
  EXPECT_NE(metrics.body.find("tokenledger_live_tokens 1\n"), std::string::npos);
}

TEST(HttpResponse, SerializationCarriesLengthTypeAndClose) {
  HttpResponse response = error_response(404, "Record not found", "no such token");
  response.add_header("X-Request-Id", "r-1");
  const std::string wire = serialize_response(response, false);
  EXPECT_TRUE(wire.starts_with("HTTP/1.1 404 Not Found\r\n"));
  EXPECT_NE(wire.find("Content-Type: application/json\r\n"), std::string::npos);
  EXPECT_NE(wire.find("Content-Length: " + std::to_string(response.body.size()) + "\r\n"),
            std::string::npos);
  EXPECT_NE(wire.find("Connection: close\r\n"), std::string::npos);
  EXPECT_TRUE(wire.ends_with("\r\n\r\n" + response.body));
  const std::string empty = serialize_response(no_content(), true);
  EXPECT_EQ(empty, "HTTP/1.1 204 No Content\r\n\r\n");
}

}  // namespace
}  // namespace tokenledger::api::testing

namespace tokenledger::api::testing {
namespace {

TEST_F(ApiTest, ASuperuserMigratesTheCustomersLegacyKeyWhileTheServerRuns) {
  const auto [root_id, root] = login_token("root%40example.com", "root-password");
  const std::string form =
      "key=legacy-account-key-123&created_at=2016-04-01T10:00:00Z&password=root-password";
  HttpResponse migrated = with_key(root, "POST", "/customer/" + customer_ + "/legacy_key", form);
  ASSERT_EQ(migrated.status, 200) << migrated.body;
  const std::string token_id = field(migrated.body, "id");
  EXPECT_EQ(field(migrated.body, "created_at"), "2016-04-01T10:00:00Z");
  EXPECT_EQ(field(migrated.body, "scope"), "global");

  // The old key works as the migrated token, owned by the synthetic user.
  HttpResponse self = with_key("legacy-account-key-123", "GET", "/tokens/self");
  ASSERT_EQ(self.status, 200) << self.body;
  EXPECT_EQ(field(self.body, "id"), token_id);
  HttpResponse owner = with_key("legacy-account-key-123", "GET", "/current_user");
  EXPECT_EQ(field(owner.body, "name"), "Global API Token");

  // Again: nothing changes, the same token answers.
  HttpResponse again = with_key(root, "POST", "/customer/" + customer_ + "/legacy_key", form);
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(field(again.body, "id"), token_id);

  add_user("eng2@example.com", Role::engineer, "eng-password");
  const auto [eng_id, eng] = login_token("eng2%40example.com", "eng-password");
  EXPECT_EQ(
      with_key(eng, "POST", "/customer/" + customer_ + "/legacy_key",
               "key=legacy-account-key-123&created_at=2016-04-01T10:00:00Z&password=eng-password")
          .status,
      403);
  EXPECT_EQ(with_key(root, "POST", "/customer/" + random_id() + "/legacy_key", form).status, 404);
  EXPECT_EQ(with_key(root, "POST", "/customer/" + customer_ + "/legacy_key",
                     "key=x&password=root-password")
                .status,
            400);

  // A second key of the same customer becomes a second token of the same synthetic user.
  HttpResponse second = with_key(root, "POST", "/customer/" + customer_ + "/legacy_key",
                                 "key=second-account-key-45&created_at=2017-04-01T10:00:00Z&"
                                 "password=root-password");
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_NE(field(second.body, "id"), token_id);
  EXPECT_EQ(field(with_key("second-account-key-45", "GET", "/current_user").body, "id"),
            field(owner.body, "id"));
}

// Issue 15, item 5: every key over 256 bytes was hashed as one marker, and the migration endpoint
// took any string, that marker included; after which any 300-byte Fastly-Key was a global
// superuser token. Now an over-long key is refused before any lookup, and a legacy key must look
// like a key.
TEST_F(ApiTest, NoValueStandsForAClassOfKeys) {
  const auto [root_id, root] = login_token("root%40example.com", "root-password");
  const std::string path = "/customer/" + customer_ + "/legacy_key";
  for (const std::string& key :
       {std::string("\n(over-long key)\n"), std::string("k"), std::string("fifteen-chars-x"),
        std::string("has a space in it"), std::string(257, 'k')}) {
    HttpResponse refused = with_key(
        root, "POST", path,
        "key=" + form_escape(key) + "&created_at=2016-04-01T10:00:00Z&password=root-password");
    EXPECT_EQ(refused.status, 400) << key.size() << ": " << refused.body;
  }
  for (const std::string& key :
       {std::string(257, 'a'), std::string(300, 'b'), std::string(300, 'a')}) {
    HttpResponse response = with_key(key, "GET", "/tokens/self");
    EXPECT_EQ(response.status, 401) << response.body;
    EXPECT_NE(response.body.find("longer than any key"), std::string::npos) << response.body;
  }
  // A key of exactly 256 bytes is still looked up (and here simply unknown).
  EXPECT_EQ(with_key(std::string(256, 'a'), "GET", "/tokens/self").status, 401);
  EXPECT_EQ(with_key(root, "POST", path,
                     "key=" + std::string(256, 'a') +
                         "&created_at=2016-04-01T10:00:00Z&password=root-password")
                .status,
            200);
  EXPECT_EQ(with_key(std::string(256, 'a'), "GET", "/tokens/self").status, 200);
}

}  // namespace
}  // namespace tokenledger::api::testing
