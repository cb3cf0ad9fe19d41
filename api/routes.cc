#include "api/routes.h"

#include <array>

#include "base/assert.h"

namespace tokenledger::api {
namespace {

struct Entry {
  std::string_view method;
  std::string_view pattern;  // "{id}" stands for one non-empty segment
  Route route;
};

constexpr std::array<Entry, 25> table = {{
    {"POST", "/sudo", Route::sudo},
    {"GET", "/tokens", Route::tokens_list},
    {"POST", "/tokens", Route::tokens_create},
    {"DELETE", "/tokens", Route::tokens_bulk_revoke},
    {"GET", "/tokens/self", Route::token_self_get},
    {"DELETE", "/tokens/self", Route::token_self_revoke},
    {"GET", "/tokens/{id}", Route::token_get},
    {"DELETE", "/tokens/{id}", Route::token_revoke},
    {"GET", "/customer/{id}/tokens", Route::customer_tokens},
    {"GET", "/customer/{id}/users", Route::customer_users},
    {"POST", "/customer/{id}/legacy_key", Route::legacy_key_migrate},
    {"GET", "/current_user", Route::current_user},
    {"POST", "/current_user/password", Route::current_user_password},
    {"POST", "/current_user/two_factor", Route::two_factor_enroll},
    {"POST", "/current_user/two_factor/confirm", Route::two_factor_confirm},
    {"POST", "/user", Route::user_create},
    {"GET", "/user/{id}", Route::user_get},
    {"PUT", "/user/{id}", Route::user_update},
    {"DELETE", "/user/{id}", Route::user_delete},
    {"GET", "/verify", Route::verify},
    {"GET", "/healthz", Route::healthz},
    {"GET", "/readyz", Route::readyz},
    {"GET", "/metrics", Route::metrics},
    {"DELETE", "/current_user/two_factor", Route::two_factor_disable},
    {"DELETE", "/user/{id}/two_factor", Route::user_two_factor_reset},
}};

// A path's segments, in place: every request is routed, and no route has more than
// segments_max segments, so a longer path fits none and needs no more room.
constexpr std::size_t segments_max = 4;
struct Segments {
  std::array<std::string_view, segments_max> parts;
  std::size_t count = 0;
  bool too_many = false;  // fits no route
};

Segments segments(std::string_view path) {
  Segments out;
  if (path.empty() || path.front() != '/') return out;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (out.count == segments_max) {
      out.too_many = true;
      return out;
    }
    out.parts[out.count++] = path.substr(start, end - start);
    start = end + 1;
  }
  return out;
}

// The table's patterns split into segments once: they never change, and every request is
// matched against all of them.
const std::array<Segments, table.size()>& pattern_segments() {
  static const std::array<Segments, table.size()> split = [] {
    std::array<Segments, table.size()> out;
    for (std::size_t i = 0; i < table.size(); ++i) {
      out[i] = segments(table[i].pattern);
      TL_ASSERT(out[i].count > 0 && !out[i].too_many);
    }
    return out;
  }();
  return split;
}

// -1 when the pattern does not fit the path; otherwise its number of literal segments.
int fit(const Segments& parts, const Segments& path, std::string_view* id) {
  if (parts.count != path.count) return -1;
  int literals = 0;
  for (std::size_t i = 0; i < parts.count; ++i) {
    if (parts.parts[i] == "{id}") {
      if (path.parts[i].empty()) return -1;
      *id = path.parts[i];
    } else if (parts.parts[i] == path.parts[i]) {
      ++literals;
    } else {
      return -1;
    }
  }
  return literals;
}

}  // namespace

std::string_view route_name(Route route) {
  static constexpr std::array<std::string_view, 25> names = {"sudo",
                                                             "tokens_list",
                                                             "tokens_create",
                                                             "tokens_bulk_revoke",
                                                             "token_self_get",
                                                             "token_self_revoke",
                                                             "token_get",
                                                             "token_revoke",
                                                             "customer_tokens",
                                                             "customer_users",
                                                             "legacy_key_migrate",
                                                             "current_user",
                                                             "current_user_password",
                                                             "two_factor_enroll",
                                                             "two_factor_confirm",
                                                             "user_create",
                                                             "user_get",
                                                             "user_update",
                                                             "user_delete",
                                                             "verify",
                                                             "healthz",
                                                             "readyz",
                                                             "metrics",
                                                             "two_factor_disable",
                                                             "user_two_factor_reset"};
  const auto index = static_cast<std::size_t>(route);
  TL_ASSERT(index < names.size());
  return names[index];
}

RouteMatch match_route(std::string_view method, std::string_view path) {
  const Segments parts = segments(path);
  RouteMatch match;
  if (parts.count == 0 || parts.too_many) return match;
  const std::array<Segments, table.size()>& patterns = pattern_segments();
  int best = -1;
  for (std::size_t i = 0; i < table.size(); ++i) {
    const Entry& entry = table[i];
    std::string_view id;
    const int literals = fit(patterns[i], parts, &id);
    if (literals < 0 || literals < best) continue;
    if (literals > best) {  // a more specific path: forget what less specific ones said
      best = literals;
      match = RouteMatch{RouteMatch::Outcome::method_not_allowed, Route::healthz, {}, {}};
    }
    if (match.outcome == RouteMatch::Outcome::found) continue;
    if (entry.method == method) {
      match.outcome = RouteMatch::Outcome::found;
      match.route = entry.route;
      match.id = id;
    } else {
      if (!match.allowed.empty()) match.allowed += ", ";
      match.allowed += entry.method;
    }
  }
  return match;
}

}  // namespace tokenledger::api
