// Tokens: POST /tokens (a login, or a key with sudo or the password, makes a token), GET /tokens,
// GET /customer/{id}/tokens, GET /tokens/self, GET /tokens/{id}, DELETE /tokens/self,
// DELETE /tokens/{id}, DELETE /tokens (bulk), and GET /verify (what a key is).
#include "api/api.h"
#include "api/json_bodies.h"
#include "api/request_fields.h"
#include "base/rfc3339.h"
#include "ledger/sha256.h"
#include "projections/read_rules.h"
#include "projections/render.h"

namespace tokenledger::api {
namespace {

HttpResponse token_list(const Views& views, const std::vector<TokenIndex>& tokens, TimeNs now_ns) {
  JsonWriter json;
  json.begin_array();
  for (const TokenIndex index : tokens) {
    if (token_live_at(views.token(index), now_ns)) write_token(json, views, index);
  }
  json.end_array();
  return json_response(200, json.take());
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

HttpResponse Api::get_token_of(const Request& request, bool self) {
  const TimeNs now = service_.now();
  const Requirement requirement = needs(self ? Access::own_token : Access::read);
  return with_key(request, requirement, [&](const Authenticated& who, const Views& views) {
    TokenIndex index = who.token_index;
    if (!self) {
      const Token* token = views.token_by_id(request.id);
      if (token == nullptr || !token_live_at(*token, now) ||
          token_relation(views, *who.user, *token) == TokenRelation::none) {
        return not_found("no such token");
      }
      index = views.index_of(*token);
    }
    JsonWriter json;
    write_token(json, views, index);
    return json_response(200, json.take());
  });
}

HttpResponse Api::revoke_token_of(const Request& request, bool self) {
  auto who = principal(request, needs(self ? Access::own_token : Access::write));
  if (auto* refused = std::get_if<HttpResponse>(&who)) return std::move(*refused);
  const Principal& caller = std::get<Principal>(who);
  const std::string& token_id = self ? caller.token_id : request.id;
  auto done = run(request, caller_of(caller, request), RevokeToken{token_id});
  if (auto* failed = std::get_if<HttpResponse>(&done)) return std::move(*failed);
  return no_content();
}

HttpResponse Api::get_own_token(const Request& request) {
  return get_token_of(request, true);
}

HttpResponse Api::get_token(const Request& request) {
  return get_token_of(request, false);
}

HttpResponse Api::revoke_own_token(const Request& request) {
  return revoke_token_of(request, true);
}

HttpResponse Api::revoke_token(const Request& request) {
  return revoke_token_of(request, false);
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

HttpResponse Api::create_token(const Request& request) {
  Form form;
  if (auto bad = parse_fields(request, &form)) return std::move(*bad);

  // What the token will be, checked before any password work.
  std::vector<Scope> scopes;
  std::string unknown;
  if (!parse_scopes(form.first("scope").value_or(""), &scopes, &unknown)) {
    return create_error("invalid_scope", "unknown scope \"" + unknown + "\"");
  }
  std::vector<std::string> services;
  for (std::string_view name : {"services[]", "services"}) {
    for (std::string_view service : form.all(name)) {
      if (!service.empty()) services.emplace_back(service);
    }
  }
  std::optional<TimeNs> expires_at;
  if (auto text = form.first("expires_at"); text && !text->empty()) {
    TimeNs parsed = 0;
    if (!parse_rfc3339(*text, &parsed)) {
      return error_response(422, "Unprocessable entity",
                            "expires_at must be an RFC 3339 date-time, such as "
                            "2030-01-02T03:04:05Z");
    }
    expires_at = parsed;
  }

  // Who asks: a key (with sudo, or with the password repeated), HTTP Basic, or the form.
  std::string user_id;
  Caller caller = anonymous_caller(request);
  if (request.http.header("fastly-key")) {
    auto who = principal(request, needs(Access::write));
    if (auto* refused = std::get_if<HttpResponse>(&who)) return std::move(*refused);
    const Principal& holder = std::get<Principal>(who);
    caller = caller_of(holder, request);
    user_id = holder.user_id;
    if (!sudo_active(holder.sudo_expires_at_ns, service_.now())) {
      const std::optional<std::string_view> password = form.first("password");
      if (!password || password->empty()) {
        return error_response(403, "forbidden",
                              "creating a token with a key needs sudo (POST /sudo) or the "
                              "password");
      }
      auto checked = check_password(request, holder.login, *password,
                                    one_time_password_of(request.http), caller);
      if (auto* refused = std::get_if<HttpResponse>(&checked)) return std::move(*refused);
      const LoginOutcome outcome = std::get<LoginResult>(checked).outcome;
      if (outcome != LoginOutcome::ok) return login_refusal(outcome);
    }
  } else {
    std::string username;
    std::string password;
    bool supplied = false;
    if (auto authorization = request.http.header("authorization")) {
      supplied = parse_basic_auth(*authorization, &username, &password);
    }
    if (!supplied) {
      username = std::string(form.first("username").value_or(""));
      password = std::string(form.first("password").value_or(""));
    }
    if (username.empty() || password.empty()) {
      return create_error("invalid_request", "username and password are required");
    }
    auto checked =
        check_password(request, username, password, one_time_password_of(request.http), caller);
    if (auto* refused = std::get_if<HttpResponse>(&checked)) return std::move(*refused);
    const LoginResult& login = std::get<LoginResult>(checked);
    if (login.outcome != LoginOutcome::ok) return login_refusal(login.outcome);
    user_id = login.user_id;
    caller.kind = Caller::Kind::user;
    caller.user_id = user_id;
  }

  const std::string secret = random_token_secret();
  const std::string token_id = random_id();
  CreateToken command{token_id,          sha256(secret),
                      user_id,           std::string(form.first("name").value_or("")),
                      std::move(scopes), std::move(services),
                      expires_at};
  auto done = run(request, caller, command);
  if (auto* failed = std::get_if<HttpResponse>(&done)) return std::move(*failed);
  return service_.read([&](const Views& views) {
    const Token* token = views.token_by_id(token_id);
    // Gone again only when its write failed and the views were rebuilt from the durable log
    // in between (another request's recovery): the write is not acknowledged, as its own wait
    // for durability will also say.
    if (token == nullptr) return storage_failure(Status::write_stopped("the token's write failed"));
    JsonWriter json;
    write_created_token(json, views, views.index_of(*token), secret);
    return json_response(200, json.take());
  });
}

HttpResponse Api::verify(const Request& request) {
  return with_key(request, needs(Access::read), [&](const Authenticated& who, const Views&) {
    JsonWriter json;
    write_verify(json, *who.token, *who.user, *who.customer);
    return json_response(200, json.take());
  });
}

}  // namespace tokenledger::api
