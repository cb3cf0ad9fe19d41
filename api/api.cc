#include "api/api.h"

#include "base/assert.h"

namespace tokenledger::api {

Api::Api(TokenService& service, const Log& log, ApiOptions options)
    : service_(service),
      log_(log),
      options_(std::move(options)),
      rate_limiter_(options_.rate_limit),
      head_at_start_sequence_(log.head().sequence) {}

std::optional<RateDecision> Api::take_rate(const HttpRequest& http, const std::optional<Hash>& key,
                                           const RequestContext& context) {
  if (http.method == "GET" || http.method == "HEAD") return std::nullopt;
  const TimeNs now = service_.now();
  // Per token when the key is one a token has (revoked or not: it was issued, and the tokens
  // that exist bound the table); otherwise per client address, so that keys made up by a
  // stranger spend only the stranger's address's budget, never a token's.
  if (key) {
    const std::optional<TokenId> token_id = service_.read([&](const Views& views) {
      const SecretEntry* entry = views.secret_entry(*key);
      return entry == nullptr ? std::nullopt : std::optional(views.token(entry->token).id);
    });
    if (token_id) return rate_limiter_.take_token(token_id_view(*token_id), now);
  }
  return rate_limiter_.take_address(context.client_ip, now);
}

void Api::add_rate_headers(const RateDecision& rate, HttpResponse* response) {
  response->add_header("Fastly-RateLimit-Remaining", std::to_string(rate.remaining));
  response->add_header("Fastly-RateLimit-Reset", std::to_string(rate.reset_unix_s));
}

HttpResponse Api::handle(const HttpRequest& http, const RouteMatch& match,
                         const RequestContext& context) {
  DeferredResponse deferred = handle_deferred(http, match, context);
  // On a failure TokenService::wait_durable has rebuilt the views from the durable log already.
  const Status durable = service_.wait_durable(deferred.durable_through);
  if (!durable.is_ok()) return write_refused(deferred.response, durable);
  return std::move(deferred.response);
}

HttpResponse Api::failed_write(const HttpResponse& deferred, const Status& status) {
  service_.forget_unwritten_records();
  return write_refused(deferred, status);
}

HttpResponse Api::write_refused(const HttpResponse& deferred, const Status& status) const {
  HttpResponse response = storage_failure(status);
  for (const auto& [name, value] : deferred.headers) {
    if (name.starts_with("Fastly-RateLimit")) response.add_header(name, value);
  }
  return response;
}

DeferredResponse Api::handle_deferred(const HttpRequest& http, const RouteMatch& match,
                                      const RequestContext& context) {
  HttpResponse response;
  std::uint64_t durable_through = 0;
  const std::optional<Hash> key = presented_key(http);
  const std::optional<RateDecision> rate = take_rate(http, key, context);
  if (http.header("fastly-key").value_or("").size() > key_size_max_bytes) {
    response = error_response(
        401, "Provided credentials are missing or invalid",
        "Fastly-Key is longer than any key (" + std::to_string(key_size_max_bytes) + " bytes)");
  } else if (match.outcome == RouteMatch::Outcome::not_found) {
    response = not_found("no such path");
  } else if (match.outcome == RouteMatch::Outcome::method_not_allowed) {
    response = error_response(405, "Method not allowed", "allowed: " + match.allowed);
    response.add_header("Allow", match.allowed);
  } else if (rate && !rate->allowed) {
    response =
        error_response(429, "Too many requests",
                       "the limit is " + std::to_string(options_.rate_limit.requests_per_hour) +
                           " non-read requests per hour");
    const std::int64_t wait_s = rate->reset_unix_s - service_.now() / 1'000'000'000;
    response.add_header("Retry-After", std::to_string(std::max<std::int64_t>(1, wait_s)));
  } else {
    response =
        (this->*match.route->handler)(Request{http, context, match.id, key, &durable_through});
  }
  if (rate) add_rate_headers(*rate, &response);
  return DeferredResponse{std::move(response), durable_through};
}

HttpResponse Api::overloaded(const HttpRequest& http, const RequestContext& context) {
  HttpResponse response =
      error_response(503, "Service unavailable", "the server is busy; try again shortly");
  response.add_header("Retry-After", "1");
  if (const std::optional<RateDecision> rate = take_rate(http, presented_key(http), context)) {
    add_rate_headers(*rate, &response);
  }
  return response;
}

}  // namespace tokenledger::api
