// The routing table of the API: which (method, path) pairs exist, and for a request whether it
// names a route, a known path with the wrong method (405, with the methods that would do), or
// nothing (404). Literal segments win over {id} segments, so /tokens/self is never a token id.
// Threading: pure.
#pragma once

#include <string>
#include <string_view>

namespace tokenledger::api {

enum class Route {
  sudo,                   // POST /sudo
  tokens_list,            // GET /tokens
  tokens_create,          // POST /tokens
  tokens_bulk_revoke,     // DELETE /tokens
  token_self_get,         // GET /tokens/self
  token_self_revoke,      // DELETE /tokens/self
  token_get,              // GET /tokens/{id}
  token_revoke,           // DELETE /tokens/{id}
  customer_tokens,        // GET /customer/{id}/tokens
  customer_users,         // GET /customer/{id}/users
  legacy_key_migrate,     // POST /customer/{id}/legacy_key
  current_user,           // GET /current_user
  current_user_password,  // POST /current_user/password
  two_factor_enroll,      // POST /current_user/two_factor
  two_factor_confirm,     // POST /current_user/two_factor/confirm
  user_create,            // POST /user
  user_get,               // GET /user/{id}
  user_update,            // PUT /user/{id}
  user_delete,            // DELETE /user/{id}
  verify,                 // GET /verify
  healthz,                // GET /healthz
  readyz,                 // GET /readyz
  metrics,                // GET /metrics
  two_factor_disable,     // DELETE /current_user/two_factor
  user_two_factor_reset,  // DELETE /user/{id}/two_factor
};

// The route's stable name for logs and metrics ("tokens_create").
std::string_view route_name(Route route);

struct RouteMatch {
  enum class Outcome { found, method_not_allowed, not_found };
  Outcome outcome = Outcome::not_found;
  Route route = Route::healthz;  // when found
  std::string id;                // the {id} segment, when the route has one
  std::string allowed;           // for 405: "GET, DELETE"
};

RouteMatch match_route(std::string_view method, std::string_view path);

}  // namespace tokenledger::api
