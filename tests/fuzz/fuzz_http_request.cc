// libFuzzer target: the HTTP request path up to the handler: the bytes of a connection, fed to
// the parser in pieces (as a network delivers them), each request routed and its body decoded
// as the handlers would (form or JSON, Basic credentials, scopes).
#include <cstdint>
#include <string_view>

#include "api/form.h"
#include "api/http_request_parser.h"
#include "api/json_bodies.h"
#include "api/request_fields.h"
#include "api/routes.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tokenledger::api;
  if (size == 0) return 0;
  // The first byte chooses the piece size, so that splits fall everywhere.
  const std::size_t piece = 1 + data[0] % 64;
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  HttpRequestParser parser;
  int requests = 0;
  std::string pending;
  while (!bytes.empty() && requests < 16) {
    pending.append(bytes.substr(0, piece));
    bytes.remove_prefix(std::min(piece, bytes.size()));
    while (!pending.empty()) {
      const std::size_t used = parser.feed(pending);
      pending.erase(0, used);
      if (parser.error()) return 0;
      if (!parser.has_request()) break;
      const HttpRequest request = parser.take();
      ++requests;
      const RouteMatch match = match_route(request.method, request.path());
      (void)match;
      Form form;
      JsonBodyError error;
      if (request.header("content-type").value_or("").starts_with("application/json")) {
        (void)parse_json_fields(request.body, FormLimits{}, &form, &error);
      } else {
        (void)decode_form(request.body, FormLimits{}, &form);
      }
      std::string user;
      std::string password;
      (void)parse_basic_auth(request.header("authorization").value_or(""), &user, &password);
      std::vector<tokenledger::Scope> scopes;
      std::string unknown;
      (void)parse_scopes(form.first("scope").value_or(""), &scopes, &unknown);
      if (used == 0) break;
    }
  }
  return 0;
}
