#include "api/routes.h"

#include <gtest/gtest.h>

namespace tokenledger::api {
namespace {

using Outcome = RouteMatch::Outcome;

TEST(Routes, EveryEndpointOfTheContractIsFound) {
  struct Row {
    const char* method;
    const char* path;
    Route route;
    const char* id;
  };
  const Row rows[] = {
      {"POST", "/sudo", Route::sudo, ""},
      {"GET", "/tokens", Route::tokens_list, ""},
      {"POST", "/tokens", Route::tokens_create, ""},
      {"DELETE", "/tokens", Route::tokens_bulk_revoke, ""},
      {"GET", "/tokens/self", Route::token_self_get, ""},
      {"DELETE", "/tokens/self", Route::token_self_revoke, ""},
      {"GET", "/tokens/2j1hEyxXOEqYaSipeZHaW4", Route::token_get, "2j1hEyxXOEqYaSipeZHaW4"},
      {"DELETE", "/tokens/abc", Route::token_revoke, "abc"},
      {"GET", "/customer/c1/tokens", Route::customer_tokens, "c1"},
      {"GET", "/customer/c1/users", Route::customer_users, "c1"},
      {"GET", "/current_user", Route::current_user, ""},
      {"POST", "/current_user/password", Route::current_user_password, ""},
      {"POST", "/current_user/two_factor", Route::two_factor_enroll, ""},
      {"POST", "/current_user/two_factor/confirm", Route::two_factor_confirm, ""},
      {"POST", "/user", Route::user_create, ""},
      {"GET", "/user/u1", Route::user_get, "u1"},
      {"PUT", "/user/u1", Route::user_update, "u1"},
      {"DELETE", "/user/u1", Route::user_delete, "u1"},
      {"GET", "/verify", Route::verify, ""},
      {"GET", "/healthz", Route::healthz, ""},
      {"GET", "/readyz", Route::readyz, ""},
      {"GET", "/metrics", Route::metrics, ""},
  };
  for (const Row& row : rows) {
    const RouteMatch match = match_route(row.method, row.path);
    ASSERT_EQ(match.outcome, Outcome::found) << row.method << " " << row.path;
    EXPECT_EQ(match.route, row.route) << row.path;
    EXPECT_EQ(match.id, row.id) << row.path;
    EXPECT_FALSE(route_name(match.route).empty());
  }
}

TEST(Routes, AKnownPathWithAnotherMethodIs405WithTheAllowedOnes) {
  RouteMatch match = match_route("PUT", "/tokens");
  EXPECT_EQ(match.outcome, Outcome::method_not_allowed);
  EXPECT_EQ(match.allowed, "GET, POST, DELETE");
  match = match_route("POST", "/tokens/self");  // literal wins: not a token id
  EXPECT_EQ(match.outcome, Outcome::method_not_allowed);
  EXPECT_EQ(match.allowed, "GET, DELETE");
  match = match_route("PATCH", "/user/u1");
  EXPECT_EQ(match.allowed, "GET, PUT, DELETE");
}

TEST(Routes, UnknownPathsAre404) {
  for (const char* path : {"", "/", "/nope", "/tokens/", "/tokens/a/b", "//tokens",
                           "/customer//tokens", "/customer/c1", "tokens", "/TOKENS",
                           // longer than any route (segments are kept in a fixed array)
                           "/customer/c1/tokens/x/y", "/tokens/a/b/c/d/e/f/g/h"}) {
    EXPECT_EQ(match_route("GET", path).outcome, Outcome::not_found) << path;
  }
}

}  // namespace
}  // namespace tokenledger::api
