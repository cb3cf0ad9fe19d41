// GET /tokens, GET /customer/{id}/tokens, GET /tokens/self, GET /tokens/{id},
// DELETE /tokens/self, DELETE /tokens/{id}, DELETE /tokens (bulk).
#include "api/api.h"
#include "api/json_bodies.h"
#include "api/render.h"

namespace tokenledger::api {
namespace {

// Live now: not revoked, not recorded as expired, and not past its expiry either (the sweeper
// may not have recorded it yet; the API never shows a token that no longer authenticates).
bool live_at(const Token& token, TimeNs now_ns) {
  return token.state == TokenState::live &&
         (token.expires_at_ns == no_time || token.expires_at_ns > now_ns);
}

// The owner, or a superuser of the token's customer.
bool may_see(const Authenticated& who, const Token& token) {
  return token.user == who.token->user ||
         (who.user->role == Role::superuser && token.customer == who.token->customer);
}

HttpResponse token_list(const Views& views, const std::vector<TokenIndex>& tokens, TimeNs now_ns) {
  JsonWriter json;
  json.begin_array();
  for (const TokenIndex index : tokens) {
    if (live_at(views.token(index), now_ns)) write_token(json, views, index);
  }
  json.end_array();
  return json_response(200, json.take());
}

HttpResponse not_found(std::string_view what) {
  return error_response(404, "Record not found", what);
}

}  // namespace

HttpResponse Api::list_tokens(const Request& request) {
  const TimeNs now = service_.now();
  return with_key(request, needs(Access::read), [&](const Authenticated& who, const Views& views) {
    return token_list(views, who.user->tokens, now);
  });
}

HttpResponse Api::customer_tokens(const Request& request) {
  const TimeNs now = service_.now();
  return with_key(request, needs(Access::read, true),
                  [&](const Authenticated& who, const Views& views) {
                    if (who.customer->id != request.id) return not_found("no such customer");
                    return token_list(views, who.customer->tokens, now);
                  });
}

HttpResponse Api::get_token(const Request& request, bool self) {
  const TimeNs now = service_.now();
  const Requirement requirement = needs(self ? Access::own_token : Access::read);
  return with_key(request, requirement, [&](const Authenticated& who, const Views& views) {
    TokenIndex index = who.token_index;
    if (!self) {
      const Token* token = views.token_by_id(request.id);
      if (token == nullptr || !live_at(*token, now) || !may_see(who, *token)) {
        return not_found("no such token");
      }
      index = views.index_of(*token);
    }
    JsonWriter json;
    write_token(json, views, index);
    return json_response(200, json.take());
  });
}

HttpResponse Api::revoke_token(const Request& request, bool self) {
  auto who = principal(request, needs(self ? Access::own_token : Access::write));
  if (auto* refused = std::get_if<HttpResponse>(&who)) return std::move(*refused);
  const Principal& caller = std::get<Principal>(who);
  const std::string& token_id = self ? caller.token_id : request.id;
  auto done = run(request, caller_of(caller, request), RevokeToken{token_id});
  if (auto* failed = std::get_if<HttpResponse>(&done)) return std::move(*failed);
  return no_content();
}

HttpResponse Api::bulk_revoke(const Request& request) {
  auto who = principal(request, needs(Access::write));
  if (auto* refused = std::get_if<HttpResponse>(&who)) return std::move(*refused);
  std::vector<std::string> ids;
  JsonBodyError error;
  if (!parse_bulk_revoke(request.http.body, service_.policy().bulk_revoke_max, &ids, &error)) {
    return error_response(400, "Bad request", error.message);
  }
  auto done =
      run(request, caller_of(std::get<Principal>(who), request), BulkRevokeTokens{std::move(ids)});
  if (auto* failed = std::get_if<HttpResponse>(&done)) return std::move(*failed);
  return no_content();
}

}  // namespace tokenledger::api
