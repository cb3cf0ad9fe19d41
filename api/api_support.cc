// The helpers every endpoint shares: reading the key, mapping authentication failures,
// rejections and storage errors to the contract's statuses, and parsing request fields.
#include <algorithm>

#include "api/api.h"
#include "api/json_bodies.h"
#include "ledger/sha256.h"
#include "projections/render.h"

namespace tokenledger::api {
namespace {

constexpr std::string_view invalid_credentials = "Provided credentials are missing or invalid";

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

}  // namespace

std::optional<Hash> Api::presented_key(const HttpRequest& request) const {
  const std::optional<std::string_view> key = request.header("fastly-key");
  if (!key || key->empty()) return std::nullopt;
  // An over-long key is no key at all: handle_deferred refuses it before any lookup (hashing
  // one fixed marker for every such key made that marker a key for all of them).
  if (key->size() > key_size_max_bytes) return std::nullopt;
  return sha256(*key);
}

HttpResponse Api::refusal(const AuthResult& result) {
  switch (result.failure) {
    case AuthFailure::unknown_key:
    case AuthFailure::revoked:
    case AuthFailure::user_deleted:
      return error_response(401, invalid_credentials);
    case AuthFailure::user_locked:
      return error_response(401, invalid_credentials, result.detail);
    case AuthFailure::expired:
      return error_response(401, "Token expired", result.detail);
    case AuthFailure::scope:
    case AuthFailure::role:
    case AuthFailure::service:
      return error_response(403, "Forbidden", result.detail);
  }
  TL_UNREACHABLE();
}

HttpResponse Api::with_key(
    const Request& request, const Requirement& requirement,
    const std::function<HttpResponse(const Authenticated&, const Views&)>& read) {
  const std::optional<Hash>& key = request.key;
  if (!key) return error_response(401, invalid_credentials);
  const std::string_view agent = request.http.header("user-agent").value_or("");
  return service_.authenticate_and_read(*key, requirement,
                                        RequestOrigin{request.context.client_ip, agent},
                                        [&](const AuthResult& result, const Views& views) {
                                          if (!result.who) return refusal(result);
                                          return read(*result.who, views);
                                        });
}

std::variant<Api::Principal, HttpResponse> Api::principal(const Request& request,
                                                          const Requirement& requirement) {
  std::optional<Principal> who;
  HttpResponse response =
      with_key(request, requirement, [&](const Authenticated& found, const Views&) {
        who = principal_of(found);
        return HttpResponse{};
      });
  if (who) return std::move(*who);
  return response;
}

Api::Principal Api::principal_of(const Authenticated& who) {
  return Principal{who.user->id,     std::string(token_id_view(who.token->id)),
                   who.customer->id, who.user->login,
                   who.user->role,   who.token->sudo_expires_at_ns};
}

Caller Api::anonymous_caller(const Request& request) const {
  Caller caller = Caller::system_caller();
  caller.client_ip = request.context.client_ip;
  if (auto agent = request.http.header("user-agent")) {
    caller.user_agent = std::string(agent->substr(0, 256));
  }
  caller.request_id = request.context.request_id;
  return caller;
}

Caller Api::caller_of(const Principal& who, const Request& request) const {
  Caller caller = anonymous_caller(request);
  caller.kind = Caller::Kind::user;
  caller.user_id = who.user_id;
  caller.token_id = who.token_id;
  return caller;
}

std::optional<HttpResponse> Api::parse_fields(const Request& request, Form* form) const {
  const std::string_view type = request.http.header("content-type").value_or("");
  if (starts_with_ignoring_case(type, "application/json") ||
      starts_with_ignoring_case(type, "application/vnd.api+json")) {
    JsonBodyError error;
    if (!parse_json_fields(request.http.body, options_.form_limits, form, &error)) {
      return error_response(400, "Bad request", error.message);
    }
    return std::nullopt;
  }
  // Forms, and bodies without a type (curl -d sends a form; some clients send none).
  if (std::optional<FormError> error = decode_form(request.http.body, options_.form_limits, form)) {
    return error_response(400, "Bad request", error->message);
  }
  return std::nullopt;
}

std::variant<Executed, HttpResponse> Api::run(const Request& request, const Caller& caller,
                                              const Command& command) {
  Result<Executed> executed = service_.submit(caller, command);
  if (!executed.is_ok()) return storage_failure(executed.status());
  *request.durable_through = std::max(*request.durable_through, executed->durable_through);
  if (executed->rejection) return rejection_response(*executed->rejection);
  return *executed;
}

HttpResponse Api::rejection_response(const Rejection& rejection) {
  const std::string& name = rejection.name;
  std::string detail = name;
  if (!rejection.detail.empty()) detail += ": " + rejection.detail;
  if (name == "unknown_token" || name == "unknown_user" || name == "unknown_customer" ||
      name == "token_not_live") {
    return not_found(detail);
  }
  if (name == "not_allowed" || name == "synthetic_user") {
    return error_response(403, "Forbidden", detail);
  }
  if (name == "user_has_live_tokens" || name == "login_taken" || name == "user_exists" ||
      name == "token_exists" || name == "customer_exists" || name == "secret_reused" ||
      name == "two_factor_enabled" || name == "two_factor_not_enabled") {
    return error_response(409, "Conflict", detail);
  }
  if (name == "user_locked") return error_response(400, "account_locked", detail, "account_locked");
  // The token-create codes (the contract sends them as msg and as code).
  if (name == "invalid_scope") return error_response(400, "invalid_scope", detail, "invalid_scope");
  if (name == "expires_at_in_past") {
    return error_response(400, "invalid_request", "expires_at must lie in the future",
                          "invalid_request");
  }
  return error_response(400, "Bad request", detail);
}

HttpResponse Api::password_size_refusal(std::string_view field) {
  return error_response(400, "Bad request",
                        std::string(field) + " must be " + std::to_string(password_size_min_bytes) +
                            " to " + std::to_string(password_size_max_bytes) + " bytes");
}

HttpResponse Api::role_refusal() {
  return error_response(400, "Bad request",
                        "role must be one of user, billing, engineer, superuser");
}

HttpResponse Api::storage_failure(const Status& status) const {
  options_.log(LogLevel::error, "write not acknowledged: " + status.to_string());
  // The write was not acknowledged; nothing the client asked for is known to be durable.
  HttpResponse response = error_response(
      503, "Service unavailable",
      std::string(status_code_name(status.code())) + ": the ledger cannot accept writes right now");
  response.add_header("Retry-After", "5");
  return response;
}

HttpResponse Api::user_response(const std::string& user_id) {
  return service_.read([&](const Views& views) {
    const User* user = views.user_by_id(user_id);
    if (user == nullptr) return not_found("no such user");
    JsonWriter json;
    write_user(json, *user, views.customer(user->customer));
    return json_response(200, json.take());
  });
}

}  // namespace tokenledger::api
