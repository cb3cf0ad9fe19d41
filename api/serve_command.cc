#include "api/serve_command.h"

#include <algorithm>
#include <charconv>
#include <chrono>

#include "api/server_log.h"
#include "ledger/log.h"
#include "projections/data_dir.h"
#include "projections/token_service.h"

namespace tokenledger::api {
namespace {

bool parse_count(std::string_view text, std::size_t min, std::size_t max, std::size_t* value) {
  std::size_t parsed = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  if (error != std::errc() || end != text.data() + text.size() || parsed < min || parsed > max) {
    return false;
  }
  *value = parsed;
  return true;
}

bool parse_listen(std::string_view text, std::string* host, std::uint16_t* port) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::size_t parsed = 0;
  if (!parse_count(text.substr(colon + 1), 0, 65535, &parsed)) return false;
  std::string_view name = text.substr(0, colon);
  if (name.size() > 2 && name.front() == '[' && name.back() == ']') {
    name = name.substr(1, name.size() - 2);  // [::1]:8080
  }
  *host = std::string(name);
  *port = static_cast<std::uint16_t>(parsed);
  return true;
}

}  // namespace

const char* const serve_usage =
    "usage: tokenledger serve [--data DIR] [--listen HOST:PORT] [options]\n"
    "  --data DIR                 data directory made by `tokenledger init` (default ./data)\n"
    "  --listen HOST:PORT         address to serve on (default 127.0.0.1:8080)\n"
    "  --io-threads N             I/O threads (default: the number of cores)\n"
    "  --connections-max N        open connections at most (default 1024)\n"
    "  --request-timeout-ms N     a request must arrive within this (default 10000)\n"
    "  --password-threads N       threads for password checks (default 2)\n"
    "  --password-queue N         password checks waiting at most; then 503 (default 64)\n"
    "  --rate-limit-per-hour N    non-read requests per token per hour, and per address for\n"
    "                             requests no token stands behind (default 1000)\n"
    "  --login-failures-max N     consecutive failed password logins that lock a login's\n"
    "                             password logins, not its tokens (1-10, default 5)\n"
    "  --login-lock-minutes N     how long such a lock lasts (30-1440, default 30)\n"
    "  --login-failures-per-address N   failed password checks per client address per hour;\n"
    "                             then 429 (default 100)\n"
    "  --tls-cert FILE --tls-key FILE   serve HTTPS with this PEM certificate chain and key\n"
    "  --no-request-log           no line per request (start-up, shutdown and errors still)\n"
    "  --skip-chain-check         start without walking the whole chain first (faster on a\n"
    "                             big log; a damaged record the snapshot covers then goes\n"
    "                             unnoticed: run `tokenledger-replay verify` instead)\n";

bool parse_serve_arguments(int argc, char** argv, ServeOptions* options, std::string* error) {
  for (int i = 0; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--no-request-log") {
      options->server.log_requests = false;
      continue;
    }
    if (arg == "--skip-chain-check") {
      options->check_chain = false;
      continue;
    }
    static constexpr std::string_view valued[] = {"--data",
                                                  "--listen",
                                                  "--io-threads",
                                                  "--connections-max",
                                                  "--request-timeout-ms",
                                                  "--password-threads",
                                                  "--password-queue",
                                                  "--rate-limit-per-hour",
                                                  "--login-failures-max",
                                                  "--login-lock-minutes",
                                                  "--login-failures-per-address",
                                                  "--tls-cert",
                                                  "--tls-key"};
    if (std::find(std::begin(valued), std::end(valued), arg) == std::end(valued)) {
      *error = "unknown option " + std::string(arg);
      return false;
    }
    if (i + 1 >= argc) {
      *error = std::string(arg) + " needs a value";
      return false;
    }
    const std::string_view value = argv[++i];
    std::size_t count = 0;
    const auto count_of = [&](std::size_t min, std::size_t max) {
      if (parse_count(value, min, max, &count)) return true;
      *error = std::string(arg) + " must be a number from " + std::to_string(min) + " to " +
               std::to_string(max);
      return false;
    };
    if (arg == "--data") {
      options->data = std::string(value);
    } else if (arg == "--listen") {
      if (!parse_listen(value, &options->server.host, &options->server.port)) {
        *error = "--listen must be HOST:PORT, such as 127.0.0.1:8080";
        return false;
      }
    } else if (arg == "--io-threads") {
      if (!count_of(1, 256)) return false;
      options->server.io_threads = count;
    } else if (arg == "--connections-max") {
      if (!count_of(1, 1'000'000)) return false;
      options->server.connections_max = count;
    } else if (arg == "--request-timeout-ms") {
      if (!count_of(100, 3'600'000)) return false;
      options->server.request_timeout = std::chrono::milliseconds(count);
    } else if (arg == "--password-threads") {
      if (!count_of(1, 64)) return false;
      options->server.password_threads = count;
    } else if (arg == "--password-queue") {
      if (!count_of(1, 100'000)) return false;
      options->server.password_queue_max = count;
    } else if (arg == "--rate-limit-per-hour") {
      if (!count_of(1, 1'000'000'000)) return false;
      options->api.rate_limit.requests_per_hour = static_cast<std::uint32_t>(count);
    } else if (arg == "--login-failures-max") {
      // PCI DSS 4.0.1 requirement 8.3.4: locked after at most 10 attempts, for at least 30
      // minutes; the bounds keep the settings within it (docs/adr/0011).
      if (!count_of(1, 10)) return false;
      options->policy.login_failures_max = static_cast<std::uint32_t>(count);
    } else if (arg == "--login-lock-minutes") {
      if (!count_of(30, 1440)) return false;
      options->policy.login_lock_duration_ns = static_cast<TimeNs>(count) * 60'000'000'000;
    } else if (arg == "--login-failures-per-address") {
      if (!count_of(1, 1'000'000'000)) return false;
      options->api.rate_limit.login_failures_per_hour = static_cast<std::uint32_t>(count);
    } else if (arg == "--tls-cert") {
      options->server.tls_certificate = std::string(value);
    } else if (arg == "--tls-key") {
      options->server.tls_private_key = std::string(value);
    }
  }
  return true;
}

int serve(ServeOptions options) {
  const auto started = std::chrono::steady_clock::now();
  options.server.handle_signals = true;
  std::error_code missing;
  if (!std::filesystem::exists(log_path(options.data), missing)) {
    log_line(LogLevel::error, "no ledger in " + options.data.string() +
                                  ": create one with `tokenledger init --data " +
                                  options.data.string() + " --customer NAME --login EMAIL`");
    return 1;
  }
  Result<std::size_t> restricted = restrict_data_directory(options.data);
  if (!restricted.is_ok()) {
    log_line(LogLevel::error,
             "cannot restrict the data directory to its owner: " + restricted.status().to_string());
    return 1;
  }
  if (*restricted > 0) {
    log_line(LogLevel::warning, "restricted " + std::to_string(*restricted) + " files in " +
                                    options.data.string() +
                                    " to their owner (0600, directories 0700); they were readable "
                                    "by others");
  }
  Result<SealingKey> key = SealingKey::load_or_create(sealing_key_path(options.data));
  if (!key.is_ok()) {
    log_line(LogLevel::error, "cannot load the TOTP sealing key: " + key.status().to_string());
    return 1;
  }
  LogOptions log_options;
  log_options.path = log_path(options.data);
  log_options.create_if_missing = false;
  Result<std::unique_ptr<Log>> log = Log::open(log_options);
  if (!log.is_ok()) {
    log_line(LogLevel::error, "cannot open the log: " + log.status().to_string());
    return 1;
  }
  TokenServiceOptions service_options;
  service_options.sealing_key = *key;
  service_options.policy = options.policy;
  service_options.snapshot_path = snapshot_path(options.data);
  service_options.check_chain_at_open = options.check_chain;
  service_options.log = [](ServiceLogLevel level, std::string_view message) {
    log_line(level == ServiceLogLevel::info ? LogLevel::info : LogLevel::warning, message);
  };
  if (!options.check_chain) {
    log_line(LogLevel::warning,
             "--skip-chain-check: the chain is not verified at start-up; records the snapshot "
             "covers are not read");
  }
  Result<std::unique_ptr<TokenService>> service = TokenService::open(**log, service_options);
  if (!service.is_ok()) {
    // A damaged log is never served: the message names the record.
    log_line(LogLevel::error, "refusing to start: " + service.status().to_string());
    return 1;
  }
  const StartupReport& report = (*service)->startup_report();
  (*service)->start_background();

  options.api.sealing_key = *key;
  Api api(**service, **log, options.api);
  Result<std::unique_ptr<Server>> server = Server::create(api, options.server);
  if (!server.is_ok()) {
    log_line(LogLevel::error, "cannot start the server: " + server.status().to_string());
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
  log_line(LogLevel::info, line);

  (*server)->run();
  server->reset();
  Status stopped = (*service)->stop();
  service->reset();
  Status closed = (*log)->close();
  const std::uint64_t head = (*log)->head().sequence;
  if (!stopped.is_ok() || !closed.is_ok()) {
    log_line(LogLevel::error,
             "stopped with errors: " + (stopped.is_ok() ? closed : stopped).to_string() +
                 " (every acknowledged write was durable when acknowledged)");
    return 1;
  }
  log_line(LogLevel::info,
           "stopped cleanly; log head " + std::to_string(head) + ", snapshot written");
  return 0;
}

}  // namespace tokenledger::api
