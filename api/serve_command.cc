#include "api/serve_command.h"

#include <charconv>
#include <chrono>
#include <cstdlib>

#include "ledger/log.h"
#include "projections/data_dir.h"
#include "projections/token_service.h"

namespace tokenledger::api {
namespace {

bool parse_listen(std::string_view text, std::string* host, std::uint16_t* port) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::uint32_t parsed = 0;
  const std::string_view digits = text.substr(colon + 1);
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), parsed);
  if (error != std::errc() || end != digits.data() + digits.size() || parsed > 65535) return false;
  std::string_view name = text.substr(0, colon);
  if (name.size() > 2 && name.front() == '[' && name.back() == ']') {
    name = name.substr(1, name.size() - 2);  // [::1]:8080
  }
  *host = std::string(name);
  *port = static_cast<std::uint16_t>(parsed);
  return true;
}

const CLI::Validator listen_address(
    [](const std::string& text) -> std::string {
      std::string host;
      std::uint16_t port = 0;
      return parse_listen(text, &host, &port) ? "" : "must be HOST:PORT, such as 127.0.0.1:8080";
    },
    "HOST:PORT", "listen_address");

}  // namespace

void add_serve_flags(CLI::App& command, ServeOptions* options) {
  ServerOptions& server = options->server;
  command.add_option("--data", options->data, "data directory made by `tokenledger init`")
      ->capture_default_str();
  command
      .add_option_function<std::string>(
          "--listen",
          [&server](const std::string& text) { parse_listen(text, &server.host, &server.port); },
          "address to serve on (default 127.0.0.1:8080)")
      ->check(listen_address);
  command.add_option("--io-threads", server.io_threads, "I/O threads (default: the cores)")
      ->check(number_between(1, 256));
  command.add_option("--connections-max", server.connections_max, "open connections at most")
      ->capture_default_str()
      ->check(number_between(1, 1'000'000));
  command
      .add_option_function<std::uint64_t>(
          "--request-timeout-ms",
          [&server](std::uint64_t ms) { server.request_timeout = std::chrono::milliseconds(ms); },
          "a request must arrive within this (default 10000)")
      ->check(number_between(100, 3'600'000));
  command.add_option("--password-threads", server.password_threads, "threads for password checks")
      ->capture_default_str()
      ->check(number_between(1, 64));
  command
      .add_option("--password-queue", server.password_queue_max,
                  "password checks waiting at most; then 503")
      ->capture_default_str()
      ->check(number_between(1, 100'000));
  command
      .add_option("--rate-limit-per-hour", options->api.rate_limit.requests_per_hour,
                  "non-read requests per token per hour, and per address for requests no token "
                  "stands behind")
      ->capture_default_str()
      ->check(number_between(1, 1'000'000'000));
  // PCI DSS 4.0.1 requirement 8.3.4: locked after at most 10 attempts, for at least 30 minutes;
  // the bounds keep the settings within it (docs/adr/0011-login-lockout.md).
  command
      .add_option("--login-failures-max", options->policy.login_failures_max,
                  "consecutive failed password logins that lock a login's password logins, not "
                  "its tokens")
      ->capture_default_str()
      ->check(number_between(1, 10));
  Policy& policy = options->policy;
  command
      .add_option_function<std::uint64_t>(
          "--login-lock-minutes",
          [&policy](std::uint64_t minutes) {
            policy.login_lock_duration_ns = static_cast<TimeNs>(minutes) * 60'000'000'000;
          },
          "how long such a lock lasts (default 30)")
      ->check(number_between(30, 1440));
  command
      .add_option("--login-failures-per-address", options->api.rate_limit.login_failures_per_hour,
                  "failed password checks per client address per hour; then 429")
      ->capture_default_str()
      ->check(number_between(1, 1'000'000'000));
  CLI::Option* certificate = command.add_option_function<std::string>(
      "--tls-cert", [&server](const std::string& file) { server.tls_certificate = file; },
      "serve HTTPS with this PEM certificate chain (with --tls-key)");
  CLI::Option* key = command.add_option_function<std::string>(
      "--tls-key", [&server](const std::string& file) { server.tls_private_key = file; },
      "the PEM private key of --tls-cert");
  certificate->needs(key);
  key->needs(certificate);
  command.add_flag_callback(
      "--no-request-log", [&server] { server.log_requests = false; },
      "no line per request (start-up, shutdown and errors still)");
  command.add_flag_callback(
      "--skip-chain-check", [options] { options->check_chain = false; },
      "start without walking the whole chain first (faster on a big log; a damaged record the "
      "snapshot covers then goes unnoticed: run `tokenledger-replay verify` instead)");
}

bool parse_serve_arguments(const std::vector<std::string>& args, ServeOptions* options,
                           std::string* error) {
  CLI::App command("serve", "serve");
  add_serve_flags(command, options);
  return !parse_command_line(command, args, error).has_value();
}

int serve(ServeOptions options) {
  const auto started = std::chrono::steady_clock::now();
  // One logger for the whole process: the service, the API and the server get the same one.
  const Logger say = stderr_logger();
  options.server.log = say;
  options.api.log = say;
  options.server.handle_signals = true;
  std::error_code missing;
  if (!std::filesystem::exists(log_path(options.data), missing)) {
    say(LogLevel::error, "no ledger in " + options.data.string() +
                             ": create one with `tokenledger init --data " + options.data.string() +
                             " --customer NAME --login EMAIL`");
    return 1;
  }
  Result<std::size_t> restricted = restrict_data_directory(options.data);
  if (!restricted.is_ok()) {
    say(LogLevel::error,
        "cannot restrict the data directory to its owner: " + restricted.status().to_string());
    return 1;
  }
  if (*restricted > 0) {
    say(LogLevel::warning, "restricted " + std::to_string(*restricted) + " files in " +
                               options.data.string() +
                               " to their owner (0600, directories 0700); they were readable "
                               "by others");
  }
  Result<SealingKey> key = SealingKey::load_or_create(sealing_key_path(options.data));
  if (!key.is_ok()) {
    say(LogLevel::error, "cannot load the TOTP sealing key: " + key.status().to_string());
    return 1;
  }
  LogOptions log_options;
  log_options.path = log_path(options.data);
  log_options.create_if_missing = false;
  Result<std::unique_ptr<Log>> log = Log::open(log_options);
  if (!log.is_ok()) {
    say(LogLevel::error, "cannot open the log: " + log.status().to_string());
    return 1;
  }
  TokenServiceOptions service_options;
  service_options.sealing_key = *key;
  service_options.policy = options.policy;
  service_options.snapshot_path = snapshot_path(options.data);
  service_options.check_chain_at_open = options.check_chain;
  service_options.log = say;
  if (!options.check_chain) {
    say(LogLevel::warning,
        "--skip-chain-check: the chain is not verified at start-up; records the snapshot "
        "covers are not read");
  }
  Result<std::unique_ptr<TokenService>> service = TokenService::open(**log, service_options);
  if (!service.is_ok()) {
    // A damaged log is never served: the message names the record.
    say(LogLevel::error, "refusing to start: " + service.status().to_string());
    return 1;
  }
  const StartupReport& report = (*service)->startup_report();
  (*service)->start_background();

  options.api.sealing_key = *key;
  Api api(**service, **log, options.api);
  Result<std::unique_ptr<Server>> server = Server::create(api, options.server);
  if (!server.is_ok()) {
    say(LogLevel::error, "cannot start the server: " + server.status().to_string());
    (void)(*service)->stop();
    return 1;
  }
  const std::size_t live_tokens =
      (*service)->read([](const Views& views) { return views.live_token_count(); });
  const double startup_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  char line[512];
  std::snprintf(
      line, sizeof line,
      "serving on %s://%s:%u (data %s; log head %llu; %zu live tokens; %s; "
      "replayed %llu records; %s; ready in %.2f s)",
      options.server.tls_certificate ? "https" : "http", options.server.host.c_str(),
      static_cast<unsigned>((*server)->port()), options.data.string().c_str(),
      static_cast<unsigned long long>((*log)->head().sequence), live_tokens,
      report.snapshot_used ? "from snapshot" : ("no snapshot: " + report.snapshot_note).c_str(),
      static_cast<unsigned long long>(report.replayed_records),
      report.chain_checked
          ? ("chain verified, " + std::to_string(report.chain_checked_records) + " records").c_str()
          : "chain not checked",
      startup_s);
  say(LogLevel::info, line);

  const Status served = (*server)->run();
  if (!served.is_ok()) {
    // The disk stopped answering: destroying the server or stopping the service would wait on
    // it again, without a bound. Nothing unsynced was acknowledged; the next start replays the
    // log (no snapshot is written now).
    say(LogLevel::error, "exiting at once: " + served.to_string());
    std::_Exit(1);
  }
  server->reset();
  Status stopped = (*service)->stop();
  service->reset();
  Status closed = (*log)->close();
  const std::uint64_t head = (*log)->head().sequence;
  if (!stopped.is_ok() || !closed.is_ok()) {
    say(LogLevel::error,
        "stopped with errors: " + (stopped.is_ok() ? closed : stopped).to_string() +
            " (every acknowledged write was durable when acknowledged)");
    return 1;
  }
  say(LogLevel::info, "stopped cleanly; log head " + std::to_string(head) + ", snapshot written");
  return 0;
}

}  // namespace tokenledger::api
