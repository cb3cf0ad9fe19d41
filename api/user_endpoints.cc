// Users: GET /current_user, GET /user/{id}, GET /customer/{id}/users, POST /user,
// PUT /user/{id}, DELETE /user/{id}.
#include "api/api.h"
#include "api/request_fields.h"
#include "base/rfc3339.h"
#include "ledger/sha256.h"
#include "projections/read_rules.h"
#include "projections/render.h"

namespace tokenledger::api {
namespace {

HttpResponse render_user(const Views& views, const User& user) {
  JsonWriter json;
  write_user(json, user, views.customer(user.customer));
  return json_response(200, json.take());
}

}  // namespace

HttpResponse Api::current_user(const Request& request) {
  return with_key(request, needs(Access::read), [&](const Authenticated& who, const Views& views) {
    return render_user(views, *who.user);
  });
}

HttpResponse Api::get_user(const Request& request) {
  return with_key(request, needs(Access::read), [&](const Authenticated& who, const Views& views) {
    const User* user = visible_user(views, *who.user, request.id);
    return user == nullptr ? not_found("no such user") : render_user(views, *user);
  });
}

HttpResponse Api::customer_users(const Request& request) {
  return with_key(request, needs(Access::read, true),
                  [&](const Authenticated& who, const Views& views) {
                    if (who.customer->id != request.id) return not_found("no such customer");
                    JsonWriter json;
                    json.begin_array();
                    for (const UserIndex index : who.customer->users) {
                      const User& user = views.user(index);
                      if (!user.deleted) write_user(json, user, *who.customer);
                    }
                    json.end_array();
                    return json_response(200, json.take());
                  });
}

HttpResponse Api::create_user(const Request& request) {
  auto who = principal(request, needs(Access::user_management, true));
  if (auto* refused = std::get_if<HttpResponse>(&who)) return std::move(*refused);
  const Principal& caller = std::get<Principal>(who);
  Form form;
  if (auto bad = parse_fields(request, &form)) return std::move(*bad);
  const std::string_view login = form.first("login").value_or("");
  const std::string_view password = form.first("password").value_or("");
  if (login.empty() || password.empty()) {
    return error_response(400, "Bad request", "login and password are required");
  }
  Role role = Role::user;
  if (auto text = form.first("role"); text && !parse_role(*text, &role)) {
    return role_refusal();
  }
  Result<std::string> hash = hash_password(password, options_.password_cost);
  if (!hash.is_ok()) return password_size_refusal("password");
  const std::string user_id = random_id();
  CreateUser command{user_id,
                     caller.customer_id,
                     std::string(login),
                     std::string(form.first("name").value_or(login)),
                     role,
                     *hash};
  auto done = run(request, caller_of(caller, request), command);
  if (auto* failed = std::get_if<HttpResponse>(&done)) return std::move(*failed);
  return user_response(user_id);
}

std::variant<Api::Principal, HttpResponse> Api::user_manager(const Request& request) {
  // Visibility first: a user of another customer is not found, not forbidden.
  std::optional<Principal> caller;
  HttpResponse refused = with_key(request, needs(Access::user_management, true),
                                  [&](const Authenticated& who, const Views& views) {
                                    if (visible_user(views, *who.user, request.id) == nullptr) {
                                      return not_found("no such user");
                                    }
                                    caller = principal_of(who);
                                    return HttpResponse{};
                                  });
  if (caller) return std::move(*caller);
  return refused;
}

HttpResponse Api::update_user(const Request& request) {
  auto manager = user_manager(request);
  if (auto* refused = std::get_if<HttpResponse>(&manager)) return std::move(*refused);
  const Principal* caller = &std::get<Principal>(manager);
  Form form;
  if (auto bad = parse_fields(request, &form)) return std::move(*bad);
  UpdateUser command{request.id, std::nullopt, std::nullopt, std::nullopt};
  if (auto name = form.first("name")) command.name = std::string(*name);
  if (auto text = form.first("role")) {
    Role role = Role::user;
    if (!parse_role(*text, &role)) {
      return role_refusal();
    }
    command.role = role;
  }
  if (auto text = form.first("locked")) {
    bool locked = false;
    if (!parse_bool(*text, &locked)) {
      return error_response(400, "Bad request", "locked must be true or false");
    }
    command.locked = locked;
  }
  auto done = run(request, caller_of(*caller, request), command);
  if (auto* failed = std::get_if<HttpResponse>(&done)) return std::move(*failed);
  return user_response(request.id);
}

HttpResponse Api::delete_user(const Request& request) {
  auto manager = user_manager(request);
  if (auto* refused = std::get_if<HttpResponse>(&manager)) return std::move(*refused);
  const Principal* caller = &std::get<Principal>(manager);
  auto done = run(request, caller_of(*caller, request), DeleteUser{request.id, false});
  if (auto* failed = std::get_if<HttpResponse>(&done)) return std::move(*failed);
  return no_content();
}

}  // namespace tokenledger::api
