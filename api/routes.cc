#include "api/routes.h"

#include <array>
#include <vector>

#include "api/api.h"

#include "base/assert.h"

namespace tokenledger::api {
namespace {

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
const std::vector<Segments>& pattern_segments() {
  static const std::vector<Segments> split = [] {
    std::vector<Segments> out(routes().size());
    for (std::size_t i = 0; i < out.size(); ++i) {
      out[i] = segments(routes()[i].pattern);
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

// A friend of Api: the table names its handlers, which are private to it.
std::span<const Route> routes() {
  using enum Placement;
  // Reads and writes on the I/O thread; whatever checks or hashes a password on the pool.
  static constexpr Route table[] = {
      {"POST", "/sudo", "sudo", password, &Api::sudo},
      {"GET", "/tokens", "tokens_list", io_thread, &Api::list_tokens},
      {"POST", "/tokens", "tokens_create", password, &Api::create_token},
      {"DELETE", "/tokens", "tokens_bulk_revoke", io_thread, &Api::bulk_revoke},
      {"GET", "/tokens/self", "token_self_get", io_thread, &Api::get_own_token},
      {"DELETE", "/tokens/self", "token_self_revoke", io_thread, &Api::revoke_own_token},
      {"GET", "/tokens/{id}", "token_get", io_thread, &Api::get_token},
      {"DELETE", "/tokens/{id}", "token_revoke", io_thread, &Api::revoke_token},
      {"GET", "/customer/{id}/tokens", "customer_tokens", io_thread, &Api::customer_tokens},
      {"GET", "/customer/{id}/users", "customer_users", io_thread, &Api::customer_users},
      // Checks the password unless sudo is active.
      {"POST", "/customer/{id}/legacy_key", "legacy_key_migrate", password,
       &Api::migrate_legacy_key},
      {"GET", "/current_user", "current_user", io_thread, &Api::current_user},
      {"POST", "/current_user/password", "current_user_password", password, &Api::change_password},
      {"POST", "/current_user/two_factor", "two_factor_enroll", password, &Api::enroll_two_factor},
      {"POST", "/current_user/two_factor/confirm", "two_factor_confirm", io_thread,
       &Api::confirm_two_factor},
      {"POST", "/user", "user_create", password, &Api::create_user},
      {"GET", "/user/{id}", "user_get", io_thread, &Api::get_user},
      {"PUT", "/user/{id}", "user_update", io_thread, &Api::update_user},
      {"DELETE", "/user/{id}", "user_delete", io_thread, &Api::delete_user},
      {"GET", "/verify", "verify", io_thread, &Api::verify},
      {"GET", "/healthz", "healthz", io_thread, &Api::healthz},
      {"GET", "/readyz", "readyz", io_thread, &Api::readyz},
      {"GET", "/metrics", "metrics", io_thread, &Api::render_metrics},
      // Checks the password and a current code.
      {"DELETE", "/current_user/two_factor", "two_factor_disable", password,
       &Api::disable_two_factor},
      {"DELETE", "/user/{id}/two_factor", "user_two_factor_reset", io_thread,
       &Api::reset_two_factor},
  };
  return table;
}

std::size_t route_index(const Route& route) {
  const std::span<const Route> all = routes();
  TL_ASSERT(&route >= all.data() && &route < all.data() + all.size());
  return static_cast<std::size_t>(&route - all.data());
}

RouteMatch match_route(std::string_view method, std::string_view path) {
  const Segments parts = segments(path);
  RouteMatch match;
  if (parts.count == 0 || parts.too_many) return match;
  const std::span<const Route> table = routes();
  const std::vector<Segments>& patterns = pattern_segments();
  int best = -1;
  for (std::size_t i = 0; i < table.size(); ++i) {
    const Route& entry = table[i];
    std::string_view id;
    const int literals = fit(patterns[i], parts, &id);
    if (literals < 0 || literals < best) continue;
    if (literals > best) {  // a more specific path: forget what less specific ones said
      best = literals;
      match = RouteMatch{RouteMatch::Outcome::method_not_allowed, nullptr, {}, {}};
    }
    if (match.outcome == RouteMatch::Outcome::found) continue;
    if (entry.method == method) {
      match.outcome = RouteMatch::Outcome::found;
      match.route = &entry;
      match.id = id;
    } else {
      if (!match.allowed.empty()) match.allowed += ", ";
      match.allowed += entry.method;
    }
  }
  return match;
}

}  // namespace tokenledger::api
