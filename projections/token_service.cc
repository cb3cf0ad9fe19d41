#include "projections/token_service.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <future>

#include "base/assert.h"
#include "base/clock.h"
#include "ledger/chain_verifier.h"

#include "projections/apply.h"
#include "projections/replay.h"
#include "projections/snapshot.h"

namespace tokenledger {
namespace {

TokenServiceOptions with_defaults(TokenServiceOptions options) {
  if (!options.clock) options.clock = system_clock_ns;
  if (!options.log) options.log = [](LogLevel, std::string_view) {};
  return options;
}

}  // namespace

TokenService::TokenService(Log& log, TokenServiceOptions options)
    : log_(log),
      options_(with_defaults(std::move(options))),
      views_(std::make_shared<Views>()),
      usage_(options_.usage_window_ns, options_.usage_tracked_tokens_max),
      unknown_logins_(options_.policy.login_failures_max, options_.policy.login_lock_duration_ns) {}

TokenService::~TokenService() {
  (void)stop();
}

Result<std::unique_ptr<TokenService>> TokenService::open(Log& log, TokenServiceOptions options) {
  std::unique_ptr<TokenService> service(new TokenService(log, std::move(options)));
  // The chain walk and the views' build read the log side by side: start-up takes about the
  // longer of the two, not their sum (docs/benchmarks.md).
  std::future<ChainReport> chain;
  if (service->options_.check_chain_at_open) {
    VerifyOptions verify_options;
    verify_options.threads = std::max(1u, service->options_.chain_check_threads);
    chain = std::async(std::launch::async,
                       [&log, verify_options] { return verify_chain(log, verify_options); });
  }
  Status status = service->load_views();
  if (chain.valid()) {
    const ChainReport report = chain.get();
    if (!report.ok()) {
      const ChainProblem& problem = report.problems.front();
      return Status::corruption(
          "the log's chain is broken at sequence " + std::to_string(problem.sequence) + " (" +
          problem.kind + ": " + problem.message +
          "); `tokenledger-replay verify --report-all` lists every damaged record");
    }
    service->startup_.chain_checked = true;
    service->startup_.chain_checked_records = report.record_count;
  }
  if (!status.is_ok()) return status;
  service->opened_ = true;
  return service;
}

Status TokenService::replay_from_log() {
  std::unique_lock lock(views_mutex_);
  return replay_into(*views_, log_, log_.head().sequence);
}

Result<Executed> TokenService::execute(const Caller& caller, const Command& command) {
  Result<Executed> executed = submit(caller, command);
  if (!executed.is_ok()) return executed;
  Status durable = wait_durable(executed->durable_through);
  if (!durable.is_ok()) return durable;
  return executed;
}

Result<Executed> TokenService::submit(const Caller& caller, const Command& command) {
  Result<Executed> executed = submit_in_order(caller, command);
  if (options_.after_submit && executed.is_ok()) options_.after_submit(*executed);
  return executed;
}

Result<Executed> TokenService::submit_in_order(const Caller& caller, const Command& command) {
  Executed executed;
  std::lock_guard command_lock(command_mutex_);
  // Only this thread changes the views while it holds the command mutex, so reading them here
  // without the shared lock is safe.
  const TimeNs now = options_.clock();
  Decision decision = decide(*views_, caller, command, now, options_.policy);
  // Even a rejection or a no-op was decided on what the views hold, which may include records
  // not yet on disk: the answer waits for those, so it never rests on a write that could fail.
  executed.durable_through = views_->sequence();
  if (auto* rejection = std::get_if<Rejection>(&decision)) {
    executed.rejection = std::move(*rejection);
  } else if (const auto& events = std::get<std::vector<Event>>(decision); !events.empty()) {
    Result<AppendResult> submitted = log_.submit(events);
    if (!submitted.is_ok()) return submitted.status();
    // Fold the events in now, in log order, so that the next command decides on them; the
    // exclusive lock covers only this in-memory work, never the sync (ADR 0006).
    std::unique_lock views_lock(views_mutex_);
    // decide() produced these from the same views, so apply() cannot refuse them; if it does,
    // the two disagree, which is a bug: stop (restart rebuilds from the log).
    const Status applied =
        apply_events(*views_, events, submitted->first_sequence, submitted->recorded_at_ns);
    if (!applied.is_ok()) {
      note(LogLevel::error, "decide and apply disagree: " + applied.to_string());
      TL_ASSERT(applied.is_ok());
    }
    executed.first_sequence = submitted->first_sequence;
    executed.last_sequence = executed.durable_through = submitted->last_sequence;
  }
  return executed;
}

Status TokenService::wait_durable(std::uint64_t sequence) {
  if (sequence == 0) return Status::ok();
  Status durable = log_.wait_durable(sequence);
  if (!durable.is_ok()) forget_unwritten_records();
  return durable;
}

void TokenService::when_durable(std::uint64_t sequence, std::function<void(Status)> done) {
  if (sequence == 0) {
    done(Status::ok());
    return;
  }
  log_.when_durable(sequence, std::move(done));
}

void TokenService::note(LogLevel level, const std::string& message) const {
  options_.log(level, message);
}

void TokenService::forget_unwritten_records() {
  // One rebuild at a time; commands never take this mutex, so none waits behind a replay.
  std::lock_guard rebuild_lock(rebuild_mutex_);
  const std::uint64_t durable = log_.head().sequence;
  if (read([](const Views& v) { return v.sequence(); }) <= durable) {
    return;  // another thread rebuilt them already
  }
  // The views hold records the log failed to write. Once a write failed the log refuses every
  // append until it is reopened, so `durable` is final and no command can add to the views
  // meanwhile: the replay runs without the command mutex, and commands (refused by the log) and
  // reads go on beside it.
  TL_ASSERT(!log_.write_status().is_ok());
  note(LogLevel::warning,
       "the log failed to write sequences after " + std::to_string(durable) +
           "; rebuilding the views from the durable log (writes are refused until restart)");
  auto rebuilt = std::make_shared<Views>();
  const Status status = replay_into(*rebuilt, log_, durable);
  if (!status.is_ok()) {
    note(LogLevel::warning, "rebuilding the views failed: " + status.to_string());
    return;
  }
  std::lock_guard command_lock(command_mutex_);  // a command applying its events finishes first
  std::unique_lock views_lock(views_mutex_);
  views_ = std::move(rebuilt);
}

bool snapshot_due(std::uint64_t records_since, std::uint64_t views_things,
                  std::uint64_t interval_records_min) {
  return records_since > 0 && records_since >= std::max(interval_records_min, views_things);
}

std::string_view login_outcome_name(LoginOutcome outcome) {
  switch (outcome) {
    case LoginOutcome::ok:
      return "ok";
    case LoginOutcome::unknown_login:
      return "unknown_login";
    case LoginOutcome::wrong_password:
      return "wrong_password";
    case LoginOutcome::one_time_password_missing:
      return "one_time_password_missing";
    case LoginOutcome::one_time_password_wrong:
      return "one_time_password_wrong";
    case LoginOutcome::locked:
      return "locked";
    case LoginOutcome::cannot_log_in:
      return "cannot_log_in";
  }
  TL_UNREACHABLE();
}

Result<LoginResult> TokenService::verify_login(std::string_view login, std::string_view password,
                                               std::optional<std::string_view> one_time_password,
                                               const Caller& origin) {
  // Over-long passwords are refused before anything is looked up, for every login alike (the
  // API answers 400 before it gets here; this guards other callers).
  if (password.size() > password_size_max_bytes) {
    return Status::invalid_argument("a password is at most " +
                                    std::to_string(password_size_max_bytes) + " bytes");
  }
  struct Snapshot {
    bool found = false;
    std::string user_id;
    bool locked = false;
    TimeNs login_locked_until_ns = no_time;
    std::optional<std::string> password_hash;
    std::optional<SealedSecret> two_factor;
    std::uint64_t last_one_time_password_step = 0;
  };
  const TimeNs now = options_.clock();
  const Snapshot user = read([&](const Views& views) {
    const User* found = views.user_by_login(login);
    if (found == nullptr) return Snapshot{};
    return Snapshot{true,
                    found->id,
                    found->locked,
                    found->login_locked_until_ns,
                    found->password_hash,
                    found->two_factor,
                    found->last_one_time_password_step};
  });
  if (!user.found || !user.password_hash) {
    // A login that does not exist answers as one that does: after login_failures_max failures
    // within the lock's duration it answers "locked" (without argon2, as a locked login does),
    // and before that it costs one argon2id check, as a real one does.
    if (!user.found && unknown_logins_.locked(login, now)) {
      return LoginResult{LoginOutcome::locked, {}};
    }
    static const std::string dummy =
        hash_password("timing equalizer", PasswordCost::interactive()).value();
    (void)verify_password(dummy, password);
    if (!user.found) unknown_logins_.count_failure(login, now);
    return LoginResult{user.found ? LoginOutcome::cannot_log_in : LoginOutcome::unknown_login,
                       user.user_id};
  }
  // A superuser's lock, or a login lock after failures that has not run out: refused before any
  // check, and nothing is recorded.
  if (user.locked || (user.login_locked_until_ns != no_time && user.login_locked_until_ns > now)) {
    return LoginResult{LoginOutcome::locked, user.user_id};
  }

  std::optional<LoginFailureReason> failure;
  LoginOutcome outcome = LoginOutcome::ok;
  std::uint64_t step = 0;
  if (!verify_password(*user.password_hash, password)) {
    failure = LoginFailureReason::wrong_password;
    outcome = LoginOutcome::wrong_password;
  } else if (user.two_factor) {
    if (!one_time_password)
      return LoginResult{LoginOutcome::one_time_password_missing, user.user_id};
    Result<std::string> secret =
        options_.sealing_key
            ? options_.sealing_key->unseal(*user.two_factor)
            : Result<std::string>(Status::invalid_argument("no sealing key loaded"));
    if (!secret.is_ok()) return secret.status();
    const std::optional<std::uint64_t> matched =
        totp_step_of(*secret, *one_time_password, options_.clock());
    // A code of a step already used (or earlier) is wrong, however right it is: a code works
    // once (RFC 6238 section 5.2). decide() checks it again against concurrent logins.
    if (!matched || *matched <= user.last_one_time_password_step) {
      failure = LoginFailureReason::one_time_password_wrong;
      outcome = LoginOutcome::one_time_password_wrong;
    } else {
      step = *matched;
    }
  }
  Caller recorder = origin;
  recorder.kind = Caller::Kind::system;
  if (failure) {
    // A failure is applied at once (the next attempt sees its count and any lock) but its answer
    // does not wait for the disk: a wrong password then costs what an unknown login costs, one
    // argon2id check, so timing does not tell which logins exist. Losing it in a crash loses
    // one count, never a credential.
    // A failure to record it is not shown either: an unknown login cannot fail that way, and
    // the answer must not tell the two apart (the log's own state is on /readyz and its logs).
    Result<Executed> recorded = submit(recorder, RecordLogin{user.user_id, failure, false, 0});
    if (!recorded.is_ok()) {
      note(LogLevel::warning, "a failed login was not recorded: " + recorded.status().to_string());
    }
    return LoginResult{outcome, user.user_id};
  }
  Result<Executed> recorded =
      execute(recorder, RecordLogin{user.user_id, std::nullopt, user.two_factor.has_value(), step});
  if (!recorded.is_ok()) return recorded.status();
  if (recorded->rejection) {
    // The user was deleted or locked while the password was being checked, or a concurrent
    // login used the same code first.
    const std::string& name = recorded->rejection->name;
    const LoginOutcome refused = name == "unknown_user" ? LoginOutcome::unknown_login
                                 : name == "one_time_password_reused"
                                     ? LoginOutcome::one_time_password_wrong
                                     : LoginOutcome::locked;
    return LoginResult{refused, user.user_id};
  }
  return LoginResult{outcome, user.user_id};
}

Result<bool> TokenService::unlock_login(std::string_view login, std::string* user_id) {
  *user_id = read([&](const Views& views) {
    const User* user = views.user_by_login(login);
    return user == nullptr ? std::string() : user->id;
  });
  if (user_id->empty()) return Status::not_found("no user has the login " + std::string(login));
  Result<Executed> executed = execute(Caller::operator_caller(), UnlockLogin{*user_id});
  if (!executed.is_ok()) return executed.status();
  if (executed->rejection) {
    if (executed->rejection->name == "not_locked") return false;
    return Status::invalid_argument(executed->rejection->detail);
  }
  return true;
}

Status TokenService::run_background_once(bool flush_all) {
  const Caller system = Caller::system_caller();
  // Expiries, then login locks whose time has passed (their end is an event too): each command
  // records at most expire_batch_max, so repeat while full batches come back.
  for (const Command& sweep : {Command(ExpireTokens{}), Command(ExpireLoginLocks{})}) {
    while (true) {
      Result<Executed> swept = execute(system, sweep);
      if (!swept.is_ok()) return swept.status();
      const std::uint64_t count =
          swept->last_sequence == 0 ? 0 : swept->last_sequence - swept->first_sequence + 1;
      if (count < options_.policy.expire_batch_max) break;
    }
  }
  // Uses due now, recorded in commands of at most usage_batch_max events.
  std::vector<TokenUse> uses = usage_.drain(options_.clock(), flush_all);
  const std::size_t batch_max = options_.policy.usage_batch_max;
  for (std::size_t first = 0; first < uses.size(); first += batch_max) {
    const std::size_t last = std::min(uses.size(), first + batch_max);
    RecordTokenUses batch{std::vector<TokenUse>(std::make_move_iterator(uses.begin() + first),
                                                std::make_move_iterator(uses.begin() + last))};
    Result<Executed> recorded = execute(system, batch);
    if (!recorded.is_ok()) return recorded.status();
    if (recorded->rejection) {
      note(LogLevel::warning,
           "usage not recorded: " + recorded->rejection->name + " " + recorded->rejection->detail);
    }
  }
  if (options_.snapshot_path) {
    const auto [sequence, things] = read([](const Views& v) {
      return std::pair<std::uint64_t, std::uint64_t>(
          v.sequence(), v.token_count() + v.user_count() + v.customer_count());
    });
    if (snapshot_due(sequence - snapshot_sequence_, things, options_.snapshot_interval_records)) {
      return write_snapshot();
    }
  }
  return Status::ok();
}

void TokenService::start_background() {
  std::lock_guard lock(background_mutex_);
  if (background_.joinable() || stopping_) return;
  background_ = std::thread([this] { run_background(); });
}

void TokenService::run_background() {
  std::unique_lock lock(background_mutex_);
  while (!stopping_) {
    lock.unlock();
    const Status status = run_background_once(false);
    if (!status.is_ok()) {
      note(LogLevel::warning, "background work failed: " + status.to_string());
    }
    lock.lock();
    background_wakeup_.wait_for(lock, options_.background_interval, [&] { return stopping_; });
  }
}

Status TokenService::stop() {
  {
    std::lock_guard lock(background_mutex_);
    if (stopping_ && !background_.joinable()) return Status::ok();
    stopping_ = true;
  }
  background_wakeup_.notify_all();
  if (background_.joinable()) background_.join();
  // A service that never opened holds views of a log it refused: nothing of them is written.
  if (!opened_ || !options_.write_at_stop) return Status::ok();
  // Every use seen so far goes to the log before the service goes away, and a snapshot makes
  // the next start quick.
  if (!log_.write_status().is_ok()) return Status::ok();
  Status status = run_background_once(true);
  // run_background_once may just have written one; do not write the same snapshot twice (its
  // SnapshotTaken record is then the last record).
  const std::uint64_t head = read([](const Views& v) { return v.sequence(); });
  const bool snapshot_current = snapshot_sequence_ == head || snapshot_record_sequence_ == head;
  if (status.is_ok() && options_.snapshot_path && !snapshot_current) status = write_snapshot();
  return status;
}

}  // namespace tokenledger
