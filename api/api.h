// The API's handlers: one HTTP request in, one response out, over a TokenService. Everything
// docs/api.md says about endpoints, statuses, bodies and headers
// is decided here; the server (server.h) only moves bytes, enforces connection limits and
// runs each request on the thread its route's placement names (routes.h).
//
// Every write answers only after its events are durable (handle() waits; handle_deferred() leaves
// the wait to the server); every read answers from the views, rendered under the same lock the
// key was authenticated under.
// Threading: handle() from any number of threads at once.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "api/form.h"
#include "api/http_request_parser.h"
#include "api/http_response.h"
#include "api/metrics.h"
#include "api/rate_limiter.h"
#include "api/routes.h"
#include "base/logger.h"
#include "ledger/log.h"
#include "projections/token_service.h"

namespace tokenledger::api {

struct ApiOptions {
  RateLimitOptions rate_limit;
  PasswordCost password_cost = PasswordCost::interactive();  // for new and changed passwords
  std::string totp_issuer = "tokenledger";
  TimeNs enrollment_ttl_ns = 600'000'000'000;  // a two-factor enrollment waits 10 minutes
  std::size_t enrollments_max = 10'000;        // pending enrollments held in memory
  FormLimits form_limits;
  // Seals TOTP secrets during enrollment (the same key the service unseals them with); without
  // it, two-factor enrollment answers 503.
  std::optional<SealingKey> sealing_key;
  Logger log = stderr_logger();  // writes refused for a storage failure are logged
};

// Per request, from the connection.
struct RequestContext {
  std::string client_ip;
  std::string request_id;
};

// What a handler gets: the request, where it came from, and what routing and authentication
// found so far.
struct Request {
  const HttpRequest& http;
  const RequestContext& context;
  const std::string& id;           // the route's {id}
  const std::optional<Hash>& key;  // the Fastly-Key's hash (presented_key), hashed once
  std::uint64_t* durable_through;  // raised by run() to what the answer must wait for
};

// A response that may be sent only once the log is durable through `durable_through` (0: at
// once). Until then it must not leave the server: the write it reports may still fail.
struct DeferredResponse {
  HttpResponse response;
  std::uint64_t durable_through = 0;
};

inline Requirement needs(Access access, bool superuser = false) {
  return Requirement{access, superuser, std::nullopt};
}

class Api {
 public:
  Api(TokenService& service, const Log& log, ApiOptions options);
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  // Handles a request and answers once everything it wrote is durable (blocking for the sync).
  HttpResponse handle(const HttpRequest& request, const RouteMatch& match,
                      const RequestContext& context);
  // The same without waiting for the sync: the caller sends the response after when_durable()
  // answers ok, or sends failed_write()'s instead.
  DeferredResponse handle_deferred(const HttpRequest& request, const RouteMatch& match,
                                   const RequestContext& context);
  // TokenService::when_durable: `done` runs on the log's thread (or at once) and must be short.
  void when_durable(std::uint64_t sequence, std::function<void(Status)> done) {
    service_.when_durable(sequence, std::move(done));
  }
  // The answer to a write whose sync failed: 503, carrying the deferred response's rate-limit
  // headers. Rebuilds the views first (slow, once): not for an I/O thread.
  HttpResponse failed_write(const HttpResponse& deferred, const Status& status);

  // The answer when the pool a request needs is full: 503 with Retry-After (and, for non-GET
  // requests, the rate-limit headers every such answer carries).
  HttpResponse overloaded(const HttpRequest& request, const RequestContext& context);

  Metrics& metrics() { return metrics_; }
  // Values the server adds to /metrics (open connections, queue depths).
  void set_extra_metrics(std::function<std::vector<Metrics::Value>()> values) {
    extra_metrics_ = std::move(values);
  }
  // /readyz answers 503 until the server is listening, and again once it is stopping.
  void set_ready(bool ready) { ready_.store(ready); }

 private:
  // Who a key authenticated as, copied out of the views for work done after the lock.
  struct Principal {
    std::string user_id;
    std::string token_id;
    std::string customer_id;
    std::string login;
    Role role = Role::user;
    TimeNs sudo_expires_at_ns = no_time;
  };
  // The route table (routes.cc) names the handlers below.
  friend std::span<const Route> routes();

  std::optional<RateDecision> take_rate(const HttpRequest& request, const std::optional<Hash>& key,
                                        const RequestContext& context);
  static void add_rate_headers(const RateDecision& rate, HttpResponse* response);

  // Authentication and command helpers (api_support.cc).
  std::optional<Hash> presented_key(const HttpRequest& request) const;
  static HttpResponse refusal(const AuthResult& result);
  // A 400 of token creation: its code as msg and as code.
  static HttpResponse create_error(std::string_view code, std::string_view detail);
  // How a failed login answers on POST /tokens (and, for lock and two-factor, on /sudo).
  static HttpResponse login_refusal(LoginOutcome outcome);
  // The one-time password a request carries in its Fastly-OTP header.
  static std::optional<std::string_view> one_time_password_of(const HttpRequest& http) {
    return http.header("fastly-otp");
  }
  // Authenticates the request's key for `requirement` and, on success, runs
  // read(who, views) under the views' lock.
  HttpResponse with_key(
      const Request& request, const Requirement& requirement,
      const std::function<HttpResponse(const Authenticated&, const Views&)>& read);
  std::variant<Principal, HttpResponse> principal(const Request& request,
                                                  const Requirement& requirement);
  static Principal principal_of(const Authenticated& who);
  // The caller, when it may manage the user named by the route's {id} (a superuser of the same
  // customer with a global, unlimited token); otherwise the answer (401, 403, or 404).
  std::variant<Principal, HttpResponse> user_manager(const Request& request);
  Caller caller_of(const Principal& who, const Request& request) const;
  Caller anonymous_caller(const Request& request) const;
  std::optional<HttpResponse> parse_fields(const Request& request, Form* form) const;
  // Submits a command (TokenService::submit) and records in `request` what its answer must wait
  // for; on a rejection or a storage error, the response to send.
  std::variant<Executed, HttpResponse> run(const Request& request, const Caller& caller,
                                           const Command& command);
  static HttpResponse rejection_response(const Rejection& rejection);
  HttpResponse storage_failure(const Status& status) const;
  // failed_write's answer, without the rebuild (done already or by the caller).
  HttpResponse write_refused(const HttpResponse& deferred, const Status& status) const;
  // 400 for a new password outside the size limits, naming the field; 400 for an unknown role.
  static HttpResponse password_size_refusal(std::string_view field);
  static HttpResponse role_refusal();
  // Checks a login's password (and one-time password) through the service, or answers why no
  // check is made: 400 for a password over password_size_max_bytes (before any lookup, for
  // every login alike), 429 once the client's address spent its budget of failed checks
  // (RateLimiter). A failed check counts against that budget.
  std::variant<LoginResult, HttpResponse> check_password(
      const Request& request, std::string_view login, std::string_view password,
      std::optional<std::string_view> one_time_password, const Caller& caller);
  // Checks the password (and one-time password) of a caller already known by its key, as sudo,
  // password and two-factor changes do: nothing when right; the lock or two-factor answer of
  // token creation; otherwise 403 "forbidden" with `wrong_detail`. The one-time password is
  // the Fastly-OTP header's unless `one_time_password` is given.
  std::optional<HttpResponse> recheck_password(
      const Principal& caller, std::string_view password, const Request& request,
      std::string_view wrong_detail,
      std::optional<std::string_view> one_time_password = std::nullopt);

  // Handlers, one per route of the table (routes.cc), in files named after their resource.
  // Tokens (token_endpoints.cc).
  HttpResponse create_token(const Request& request);
  HttpResponse list_tokens(const Request& request);
  HttpResponse customer_tokens(const Request& request);
  HttpResponse get_own_token(const Request& request);
  HttpResponse get_token(const Request& request);
  HttpResponse revoke_own_token(const Request& request);
  HttpResponse revoke_token(const Request& request);
  HttpResponse bulk_revoke(const Request& request);
  HttpResponse verify(const Request& request);
  // Sessions: sudo and password changes (session_endpoints.cc); two-factor
  // (two_factor_endpoints.cc).
  HttpResponse sudo(const Request& request);
  HttpResponse change_password(const Request& request);
  HttpResponse enroll_two_factor(const Request& request);
  HttpResponse confirm_two_factor(const Request& request);
  HttpResponse disable_two_factor(const Request& request);
  HttpResponse reset_two_factor(const Request& request);
  // Users (user_endpoints.cc).
  HttpResponse current_user(const Request& request);
  HttpResponse get_user(const Request& request);
  HttpResponse customer_users(const Request& request);
  HttpResponse create_user(const Request& request);
  HttpResponse update_user(const Request& request);
  HttpResponse delete_user(const Request& request);
  // Legacy account keys (legacy_key_endpoints.cc).
  HttpResponse migrate_legacy_key(const Request& request);
  // Probes (probe_endpoints.cc).
  HttpResponse healthz(const Request& request);
  HttpResponse readyz(const Request& request);
  HttpResponse render_metrics(const Request& request);

  HttpResponse get_token_of(const Request& request, bool self);
  HttpResponse revoke_token_of(const Request& request, bool self);
  HttpResponse user_response(const std::string& user_id);

  TokenService& service_;
  const Log& log_;
  const ApiOptions options_;
  RateLimiter rate_limiter_;
  Metrics metrics_;
  std::function<std::vector<Metrics::Value>()> extra_metrics_;
  std::atomic<bool> ready_{false};
  // The log's durable head when the Api was made: appends since then are what the log made
  // durable, counted where durability is decided rather than where a request submitted them.
  const std::uint64_t head_at_start_sequence_;

  struct Enrollment {
    SealedSecret sealed_secret;
    TimeNs expires_at_ns = 0;
  };
  std::mutex enrollments_mutex_;
  std::unordered_map<std::string, Enrollment> enrollments_;  // by user id (enrollments_mutex_)
};

}  // namespace tokenledger::api
