// Two-factor authentication: enrolment (POST /current_user/two_factor, then .../confirm with a
// first code), turning it off (DELETE /current_user/two_factor with the password and a current
// code), and a superuser's reset of a user's lost second factor (DELETE /user/{id}/two_factor).
//
// What a stolen token must not do (issue 15, item 4): enrol or replace a second factor, or turn
// it off. So enrolment asks for the password, is refused while two-factor is on (decide refuses
// EnableTwoFactor then, too), and turning it off asks for the password and a current code; every
// route needs a global token that is not service-limited.
#include "api/api.h"
#include "api/request_fields.h"
#include "base/rfc3339.h"
#include "projections/render.h"

namespace tokenledger::api {
namespace {

HttpResponse code_refusal(std::string_view detail) {
  return error_response(400, "2fa.verify", detail, "2fa.verify");
}

// The code from the form's `otp`, else from the Fastly-OTP header.
std::string_view code_of(const Form& form, const HttpRequest& http) {
  std::string_view code = form.first("otp").value_or("");
  if (code.empty()) code = http.header("fastly-otp").value_or("");
  return code;
}

}  // namespace

HttpResponse Api::enroll_two_factor(const Request& request) {
  auto who = principal(request, needs(Access::user_management));
  if (auto* refused = std::get_if<HttpResponse>(&who)) return std::move(*refused);
  const Principal& caller = std::get<Principal>(who);
  if (!options_.sealing_key) {
    return error_response(503, "Service unavailable", "two-factor enrollment is not configured");
  }
  Form form;
  if (auto bad = parse_fields(request, &form)) return std::move(*bad);
  const std::string_view password = form.first("password").value_or("");
  if (password.empty()) return error_response(400, "Bad request", "password is required");
  const bool enabled = service_.read([&](const Views& views) {
    const User* user = views.user_by_id(caller.user_id);
    return user != nullptr && user->two_factor.has_value();
  });
  if (enabled) {
    return error_response(409, "Conflict",
                          "two-factor authentication is enabled; turn it off first "
                          "(DELETE /current_user/two_factor with the password and a code)");
  }
  if (auto refused = recheck_password(caller, password, request, "password is not correct")) {
    return std::move(*refused);
  }
  const std::string secret = new_totp_secret();
  const TimeNs now = service_.now();
  {
    std::lock_guard lock(enrollments_mutex_);
    std::erase_if(enrollments_,
                  [now](const auto& entry) { return entry.second.expires_at_ns <= now; });
    if (enrollments_.size() >= options_.enrollments_max &&
        enrollments_.find(caller.user_id) == enrollments_.end()) {
      return error_response(503, "Service unavailable", "too many enrollments in progress");
    }
    enrollments_[caller.user_id] =
        Enrollment{options_.sealing_key->seal(secret), now + options_.enrollment_ttl_ns};
  }
  // The secret is shown this once; the log will only ever hold it sealed. The URI carries the
  // same base32 text as `secret` (otpauth_uri encodes the raw secret itself).
  JsonWriter json;
  json.begin_object().key("secret").string(base32_encode(secret));
  json.key("uri").string(otpauth_uri(options_.totp_issuer, caller.login, secret));
  json.key("expires_at").string(format_rfc3339(now + options_.enrollment_ttl_ns));
  json.end_object();
  return json_response(200, json.take());
}

HttpResponse Api::confirm_two_factor(const Request& request) {
  auto who = principal(request, needs(Access::user_management));
  if (auto* refused = std::get_if<HttpResponse>(&who)) return std::move(*refused);
  const Principal& caller = std::get<Principal>(who);
  Form form;
  if (auto bad = parse_fields(request, &form)) return std::move(*bad);
  const std::string_view code = code_of(form, request.http);
  if (code.empty()) return code_refusal("otp is required");
  std::optional<SealedSecret> sealed;
  const TimeNs now = service_.now();
  {
    std::lock_guard lock(enrollments_mutex_);
    auto found = enrollments_.find(caller.user_id);
    if (found != enrollments_.end() && found->second.expires_at_ns > now) {
      sealed = found->second.sealed_secret;
    }
  }
  if (!sealed || !options_.sealing_key) {
    return not_found("no two-factor enrollment in progress");
  }
  Result<std::string> secret = options_.sealing_key->unseal(*sealed);
  if (!secret.is_ok()) return storage_failure(secret.status());
  const std::optional<std::uint64_t> step = totp_step_of(*secret, code, now);
  if (!step) return code_refusal("the one-time password is wrong or expired");
  // The confirming code's step is recorded: that code cannot log in a second time.
  auto done =
      run(request, caller_of(caller, request), EnableTwoFactor{caller.user_id, *sealed, *step});
  if (auto* failed = std::get_if<HttpResponse>(&done)) return std::move(*failed);
  {
    std::lock_guard lock(enrollments_mutex_);
    enrollments_.erase(caller.user_id);
  }
  return user_response(caller.user_id);
}

HttpResponse Api::disable_two_factor(const Request& request) {
  auto who = principal(request, needs(Access::user_management));
  if (auto* refused = std::get_if<HttpResponse>(&who)) return std::move(*refused);
  const Principal& caller = std::get<Principal>(who);
  Form form;
  if (auto bad = parse_fields(request, &form)) return std::move(*bad);
  const std::string_view password = form.first("password").value_or("");
  const std::string_view code = code_of(form, request.http);
  if (password.empty()) return error_response(400, "Bad request", "password is required");
  const bool enabled = service_.read([&](const Views& views) {
    const User* user = views.user_by_id(caller.user_id);
    return user != nullptr && user->two_factor.has_value();
  });
  if (!enabled) {
    return error_response(409, "Conflict", "two-factor authentication is not enabled");
  }
  if (code.empty()) return code_refusal("otp is required");
  // The password and the code are checked as a login (recorded, counted toward the lock, the
  // code used up), then the second factor goes.
  if (auto refused = recheck_password(caller, password, request, "password is not correct", code)) {
    return std::move(*refused);
  }
  auto done = run(request, caller_of(caller, request), DisableTwoFactor{caller.user_id});
  if (auto* failed = std::get_if<HttpResponse>(&done)) return std::move(*failed);
  return user_response(caller.user_id);
}

HttpResponse Api::reset_two_factor(const Request& request) {
  // A superuser of the user's customer, for a user who lost its second factor: the events say
  // who did it (the actor) and when.
  auto manager = user_manager(request);
  if (auto* refused = std::get_if<HttpResponse>(&manager)) return std::move(*refused);
  const Principal& caller = std::get<Principal>(manager);
  // One's own second factor goes only with the password and a current code (DELETE
  // /current_user/two_factor): a stolen superuser token must not remove it here.
  if (request.id == caller.user_id) {
    return error_response(403, "Forbidden",
                          "turn your own two-factor authentication off with DELETE "
                          "/current_user/two_factor (password and a current code)");
  }
  auto done = run(request, caller_of(caller, request), DisableTwoFactor{request.id});
  if (auto* failed = std::get_if<HttpResponse>(&done)) return std::move(*failed);
  return user_response(request.id);
}

}  // namespace tokenledger::api
