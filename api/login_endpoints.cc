// The endpoints that check a password: POST /sudo, POST /tokens, POST /current_user/password.
// They run on the password pool (placement_of), never on an I/O thread.
#include "api/api.h"
#include "api/render.h"
#include "api/request_fields.h"
#include "base/rfc3339.h"
#include "ledger/sha256.h"

namespace tokenledger::api {
namespace {

// The token-create 400s carry their code as msg and as code (the contract).
HttpResponse create_error(std::string_view code, std::string_view detail) {
  return error_response(400, code, detail, code);
}

// How a failed login answers on POST /tokens (and, for lock and two-factor, on /sudo).
HttpResponse login_refusal(LoginOutcome outcome) {
  switch (outcome) {
    case LoginOutcome::ok:
      break;
    case LoginOutcome::unknown_login:
    case LoginOutcome::wrong_password:
    case LoginOutcome::cannot_log_in:
      return create_error("invalid_grant", "username/password combination not correct");
    case LoginOutcome::locked:
      return create_error("account_locked", "the account is locked");
    case LoginOutcome::one_time_password_missing:
      return create_error("2fa.verify", "a one-time password is needed in Fastly-OTP");
    case LoginOutcome::one_time_password_wrong:
      return create_error("2fa.verify", "the one-time password is wrong or expired");
  }
  TL_UNREACHABLE();
}

std::optional<std::string_view> one_time_password_of(const HttpRequest& http) {
  return http.header("fastly-otp");
}

}  // namespace

std::variant<LoginResult, HttpResponse> Api::check_password(
    const Request& request, std::string_view login, std::string_view password,
    std::optional<std::string_view> one_time_password, const Caller& caller) {
  if (password.size() > password_size_max_bytes) {
    return error_response(
        400, "Bad request",
        "a password is at most " + std::to_string(password_size_max_bytes) + " bytes");
  }
  const TimeNs now = service_.now();
  std::int64_t retry_at_unix_s = 0;
  if (!rate_limiter_.password_check_allowed(request.context.client_ip, now, &retry_at_unix_s)) {
    HttpResponse refused =
        error_response(429, "Too many requests",
                       "too many failed password checks from this address; the count starts "
                       "again at the next full hour");
    const std::int64_t wait_s = retry_at_unix_s - now / 1'000'000'000;
    refused.add_header("Retry-After", std::to_string(std::max<std::int64_t>(1, wait_s)));
    return refused;
  }
  Result<LoginResult> result = service_.verify_login(login, password, one_time_password, caller);
  if (!result.is_ok()) return storage_failure(result.status());
  switch (result->outcome) {
    case LoginOutcome::unknown_login:
    case LoginOutcome::wrong_password:
    case LoginOutcome::cannot_log_in:
    case LoginOutcome::one_time_password_wrong:
      rate_limiter_.count_password_failure(request.context.client_ip, now);
      break;
    case LoginOutcome::ok:
    case LoginOutcome::locked:
    case LoginOutcome::one_time_password_missing:
      break;
  }
  return *result;
}

std::optional<HttpResponse> Api::recheck_password(
    const Principal& caller, std::string_view password, const Request& request,
    std::string_view wrong_detail, std::optional<std::string_view> one_time_password) {
  auto checked =
      check_password(request, caller.login, password,
                     one_time_password ? one_time_password : one_time_password_of(request.http),
                     caller_of(caller, request));
  if (auto* refused = std::get_if<HttpResponse>(&checked)) return std::move(*refused);
  const LoginResult* login = &std::get<LoginResult>(checked);
  switch (login->outcome) {
    case LoginOutcome::ok:
      return std::nullopt;
    case LoginOutcome::locked:
    case LoginOutcome::one_time_password_missing:
    case LoginOutcome::one_time_password_wrong:
      return login_refusal(login->outcome);
    case LoginOutcome::unknown_login:
    case LoginOutcome::wrong_password:
    case LoginOutcome::cannot_log_in:
      break;
  }
  return error_response(403, "forbidden", wrong_detail);
}

HttpResponse Api::sudo(const Request& request) {
  auto who = principal(request, needs(Access::own_token));
  if (auto* refused = std::get_if<HttpResponse>(&who)) return std::move(*refused);
  const Principal& caller = std::get<Principal>(who);
  Form form;
  if (auto bad = parse_fields(request, &form)) return std::move(*bad);
  const std::optional<std::string_view> password = form.first("password");
  if (!password || password->empty()) {
    return error_response(400, "Bad request", "password is required");
  }
  if (auto refused = recheck_password(caller, *password, request, "")) return std::move(*refused);
  auto done = run(request, caller_of(caller, request), GrantSudo{caller.token_id});
  if (auto* failed = std::get_if<HttpResponse>(&done)) return std::move(*failed);
  const TimeNs expiry = service_.read([&](const Views& views) {
    const Token* token = views.token_by_id(caller.token_id);
    return token == nullptr ? no_time : token->sudo_expires_at_ns;
  });
  // Gone again only when the grant's write failed and the views were rebuilt meanwhile.
  if (expiry == no_time) return storage_failure(Status::write_stopped("the grant's write failed"));
  std::string time = format_rfc3339(expiry);
  time.pop_back();  // "Z": this field is written with an offset, as Fastly writes it
  time += "+00:00";
  JsonWriter json;
  json.begin_object().key("expiry_time").string(time).end_object();
  return json_response(200, json.take());
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
    const bool sudo_active =
        holder.sudo_expires_at_ns != no_time && holder.sudo_expires_at_ns > service_.now();
    if (!sudo_active) {
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

HttpResponse Api::change_password(const Request& request) {
  auto who = principal(request, needs(Access::write));
  if (auto* refused = std::get_if<HttpResponse>(&who)) return std::move(*refused);
  const Principal& caller = std::get<Principal>(who);
  Form form;
  if (auto bad = parse_fields(request, &form)) return std::move(*bad);
  const std::string_view old_password = form.first("old_password").value_or("");
  const std::string_view new_password = form.first("new_password").value_or("");
  if (old_password.empty() || new_password.empty()) {
    return error_response(400, "Bad request", "old_password and new_password are required");
  }
  Result<std::string> hash = hash_password(new_password, options_.password_cost);
  if (!hash.is_ok()) return password_size_refusal("new_password");
  if (auto refused =
          recheck_password(caller, old_password, request, "old_password is not correct")) {
    return std::move(*refused);
  }
  auto done = run(request, caller_of(caller, request), ChangePassword{caller.user_id, *hash});
  if (auto* failed = std::get_if<HttpResponse>(&done)) return std::move(*failed);
  return user_response(caller.user_id);
}

}  // namespace tokenledger::api
