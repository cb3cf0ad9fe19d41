#include "api/routes.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "api/metrics.h"

namespace tokenledger::api {
namespace {

using Outcome = RouteMatch::Outcome;

TEST(Routes, EveryEndpointOfTheContractIsFound) {
  struct Row {
    const char* method;
    const char* path;
    const char* name;
    const char* id;
  };
  const Row rows[] = {
      {"POST", "/sudo", "sudo", ""},
      {"GET", "/tokens", "tokens_list", ""},
      {"POST", "/tokens", "tokens_create", ""},
      {"DELETE", "/tokens", "tokens_bulk_revoke", ""},
      {"GET", "/tokens/self", "token_self_get", ""},
      {"DELETE", "/tokens/self", "token_self_revoke", ""},
      {"GET", "/tokens/2j1hEyxXOEqYaSipeZHaW4", "token_get", "2j1hEyxXOEqYaSipeZHaW4"},
      {"DELETE", "/tokens/abc", "token_revoke", "abc"},
      {"GET", "/customer/c1/tokens", "customer_tokens", "c1"},
      {"GET", "/customer/c1/users", "customer_users", "c1"},
      {"GET", "/current_user", "current_user", ""},
      {"POST", "/current_user/password", "current_user_password", ""},
      {"POST", "/current_user/two_factor", "two_factor_enroll", ""},
      {"POST", "/current_user/two_factor/confirm", "two_factor_confirm", ""},
      {"POST", "/user", "user_create", ""},
      {"GET", "/user/u1", "user_get", "u1"},
      {"PUT", "/user/u1", "user_update", "u1"},
      {"DELETE", "/user/u1", "user_delete", "u1"},
      {"GET", "/verify", "verify", ""},
      {"GET", "/healthz", "healthz", ""},
      {"GET", "/readyz", "readyz", ""},
      {"GET", "/metrics", "metrics", ""},
      {"POST", "/customer/c1/legacy_key", "legacy_key_migrate", "c1"},
      {"DELETE", "/current_user/two_factor", "two_factor_disable", ""},
      {"DELETE", "/user/u1/two_factor", "user_two_factor_reset", "u1"},
  };
  for (const Row& row : rows) {
    const RouteMatch match = match_route(row.method, row.path);
    ASSERT_EQ(match.outcome, Outcome::found) << row.method << " " << row.path;
    EXPECT_EQ(match.route->name, row.name) << row.path;
    EXPECT_EQ(match.id, row.id) << row.path;
  }
}

TEST(Routes, TheTableNamesEachRouteOnceWithAHandler) {
  std::set<std::string_view> names;
  std::set<std::pair<std::string_view, std::string_view>> endpoints;
  for (const Route& route : routes()) {
    EXPECT_FALSE(route.name.empty());
    EXPECT_TRUE(names.insert(route.name).second) << "twice: " << route.name;
    EXPECT_TRUE(endpoints.insert({route.method, route.pattern}).second) << route.pattern;
    EXPECT_NE(route.handler, nullptr) << route.name;
    // Every route is reachable: matching its own pattern finds it.
    std::string path(route.pattern);
    if (const std::size_t at = path.find("{id}"); at != std::string::npos) path.replace(at, 4, "x");
    const RouteMatch match = match_route(route.method, path);
    ASSERT_EQ(match.outcome, Outcome::found) << route.pattern;
    EXPECT_EQ(match.route, &route);
    EXPECT_EQ(&routes()[route_index(route)], &route);
  }
}

// Every route counts under its own name: the metrics read the same table as the router (the
// two-factor routes once fell outside a hand-sized array and were counted as "unmatched", or
// past its end).
TEST(Routes, MetricsCountEveryRouteUnderItsName) {
  Metrics metrics;
  for (const Route& route : routes()) metrics.record(&route, 200, 1'000);
  metrics.record(nullptr, 404, 1'000);
  const std::string text = metrics.render({});
  for (const Route& route : routes()) {
    const std::string line = "tokenledger_http_requests_total{route=\"" + std::string(route.name) +
                             "\",status=\"200\"} 1\n";
    EXPECT_NE(text.find(line), std::string::npos) << route.name;
  }
  EXPECT_NE(text.find("{route=\"unmatched\",status=\"404\"} 1\n"), std::string::npos);
  EXPECT_EQ(metrics.request_count(), routes().size() + 1);
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
