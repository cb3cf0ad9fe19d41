// The route table of the API, the one place a route is declared: its method, path pattern,
// stable name (for logs and metrics), placement (the thread it runs on) and handler. The router,
// the server's placement, the metrics and the request log all read this table; nothing else
// lists routes.
//
// Matching: for a request, whether it names a route, a known path with the wrong method (405,
// with the methods that would do), or nothing (404). Literal segments win over {id} segments,
// so /tokens/self is never a token id.
// Threading: the table is constant; matching is pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "api/http_response.h"

namespace tokenledger::api {

class Api;
struct Request;

// Where a route's handler runs. Reads and writes run on the I/O thread: a read from memory, a
// write up to submitting its events (Api::handle_deferred), its answer sent once the log says
// they are durable, with no thread waiting meanwhile. Anything that checks or hashes a password
// (argon2id) runs on the small password pool. See docs/adr/0009-http-server.md.
enum class Placement : std::uint8_t { io_thread, password };

struct Route {
  std::string_view method;
  std::string_view pattern;  // "{id}" stands for one non-empty segment
  std::string_view name;     // stable: logs and metrics print it ("tokens_create")
  Placement placement;
  HttpResponse (Api::*handler)(const Request&);
};

// Every route, in a fixed order (metrics count by position).
std::span<const Route> routes();
// The route's position in routes().
std::size_t route_index(const Route& route);

struct RouteMatch {
  enum class Outcome { found, method_not_allowed, not_found };
  Outcome outcome = Outcome::not_found;
  const Route* route = nullptr;  // when found
  std::string id;                // the {id} segment, when the route has one
  std::string allowed;           // for 405: "GET, DELETE"
};

RouteMatch match_route(std::string_view method, std::string_view path);

}  // namespace tokenledger::api
