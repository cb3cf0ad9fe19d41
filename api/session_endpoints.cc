// Sessions: the endpoints that check the password of a caller known by its key: POST /sudo and
// POST /current_user/password, with the password checks POST /tokens, two-factor and legacy-key
// migration share. They run on the password pool (the route table's placement), never on an
// I/O thread.
#include "api/api.h"
#include "base/rfc3339.h"
#include "projections/render.h"

namespace tokenledger::api {

// The token-create 400s carry their code as msg and as code (the contract).
HttpResponse Api::create_error(std::string_view code, std::string_view detail) {
  return error_response(400, code, detail, code);
}

HttpResponse Api::login_refusal(LoginOutcome outcome) {
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
