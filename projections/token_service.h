// TokenService: the token domain running against a live log. It owns the views, decides each
// command against them, appends the events durably, folds them in, and answers reads and
// authentications from memory. Background work (expiry, usage recording) runs on one thread of
// its own.
//
// Concurrency (docs/adr/0006-command-processing.md):
// - Commands are serialized by one mutex held while deciding, submitting the events to the log
//   and applying them to the views, but not while the log syncs: concurrent commands share one
//   sync (group commit), and every decision sees every earlier command, in log order.
// - The views are guarded by a shared mutex. Readers and authentications take it shared and
//   never block each other. A command takes it exclusively only for the in-memory apply, so no
//   reader ever waits for a disk sync.
// - execute() answers only once everything its decision rested on is durable. Read-after-write:
//   every read after the answer sees the change. Readers may see a change up to one sync early;
//   if that sync fails, the log refuses all further writes and the views are rebuilt from the
//   durable log, so what never reached the disk disappears again.
#pragma once

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <thread>

#include "base/logger.h"
#include "ledger/log.h"
#include "projections/authenticate.h"
#include "projections/credentials.h"
#include "projections/decide.h"
#include "projections/unknown_logins.h"
#include "projections/usage_tracker.h"
#include "projections/views.h"

namespace tokenledger {

struct Executed;

struct TokenServiceOptions {
  Policy policy;
  // Opens sealed TOTP secrets at login; without it two-factor users cannot log in.
  std::optional<SealingKey> sealing_key;
  std::function<TimeNs()> clock;            // default: the system clock
  TimeNs usage_window_ns = 60'000'000'000;  // one token_used per token per minute
  std::size_t usage_tracked_tokens_max = 1'000'000;
  std::chrono::milliseconds background_interval{1000};  // expiry and usage, about once a second
  // Where the views' snapshot lives (none: always replay the whole log). It is loaded at open,
  // written by stop(), and rewritten in the background (snapshot_due).
  std::optional<std::filesystem::path> snapshot_path;
  std::uint64_t snapshot_interval_records = 100'000;  // the least; see snapshot_due
  // open() walks the whole chain (verify_chain) beside building the views, and refuses a log
  // whose chain is broken, naming the first bad sequence: a damaged or rewritten record is never
  // served, even one the snapshot already covers. Off only where start-up time must not grow
  // with the log (an operator's explicit choice); `chain_check_threads` walk it.
  bool check_chain_at_open = true;
  // False: stop() appends nothing (no pending usage, no snapshot and its SnapshotTaken). Only for
  // a second service that reads a log another one writes, as tests do to see what a restart
  // would load; a server never sets it.
  bool write_at_stop = true;
  // Fault injection for tests: runs after submit() applied a command's events and let go of
  // every lock, before its caller goes on; tests force a rebuild (forget_unwritten_records)
  // into that window. A server never sets it.
  std::function<void(const Executed&)> after_submit;
  unsigned chain_check_threads = 1;
  // Where the service reports what an operator should see (snapshots written, background work
  // failing, views rebuilt after a failed sync); never a secret. Called from the service's
  // threads, one line per call.
  Logger log = stderr_logger();
};

// How open() got its views, for start-up logs and tests.
struct StartupReport {
  bool snapshot_used = false;
  std::string snapshot_note;  // why a snapshot was not used, if it was not
  std::uint64_t snapshot_sequence = 0;
  std::uint64_t replayed_records = 0;
  bool chain_checked = false;  // the whole chain verified at open
  std::uint64_t chain_checked_records = 0;
};

struct Executed {
  std::optional<Rejection> rejection;  // set when the command was refused; nothing was written
  std::uint64_t first_sequence = 0;    // the appended records (0 when nothing was appended)
  std::uint64_t last_sequence = 0;
  // The answer may be given once the log is durable through this sequence (0: at once). It is
  // the last appended record, or for a rejection or a no-op the last record the decision saw.
  std::uint64_t durable_through = 0;
};

enum class LoginOutcome : std::uint8_t {
  ok,
  unknown_login,  // no such user (checked as slowly as a real one)
  wrong_password,
  one_time_password_missing,  // right password; ask for the code (not counted as a failure)
  one_time_password_wrong,
  locked,
  cannot_log_in,  // a user without a password, such as "Global API Token"
};
std::string_view login_outcome_name(LoginOutcome outcome);

// Whether the background writes a snapshot now: once the records since the last one are at
// least one, at least `interval_records_min`, and at least the number of things the views hold
// (tokens, users, customers). A snapshot costs in proportion to the views, and each record
// written since adds one record to replay at start-up; so snapshot bytes written stay about the
// log's own (a token is about 160 bytes in a snapshot, a record about 300 in the log), and
// start-up replays at most as many records as the snapshot holds things. A fixed interval would
// rewrite large views every few seconds under heavy writes, slowing the log's syncs
// (docs/adr/0027-snapshot-cadence.md).
bool snapshot_due(std::uint64_t records_since, std::uint64_t views_things,
                  std::uint64_t interval_records_min);

struct LoginResult {
  LoginOutcome outcome = LoginOutcome::unknown_login;
  std::string user_id;  // set when the login names a user
};

// Who made a request, for usage records.
struct RequestOrigin {
  std::string_view client_ip;
  std::string_view user_agent;
};

class TokenService {
 public:
  // Builds the views from the log (from the snapshot when it matches the log, replaying the rest)
  // and returns a running service. The log must outlive the service. corruption, naming the
  // sequence, when the chain is broken or a record does not fit the views; nothing is written
  // then (no snapshot, no usage).
  static Result<std::unique_ptr<TokenService>> open(Log& log, TokenServiceOptions options);
  ~TokenService();
  TokenService(const TokenService&) = delete;
  TokenService& operator=(const TokenService&) = delete;

  // Decides the command; if accepted, appends its events durably and applies them.
  // Errors are the log's (write_stopped, busy, closed...): nothing was applied then.
  // It is submit() followed by wait_durable().
  Result<Executed> execute(const Caller& caller, const Command& command);

  // The first half of execute(), which never waits for the disk: decides, submits the events to
  // the log and applies them. Nothing may be answered before wait_durable() or when_durable()
  // for `durable_through` says ok.
  Result<Executed> submit(const Caller& caller, const Command& command);
  // The second half: blocks until the log is durable through `sequence`. On a failure the views
  // are rebuilt from the durable log first, so that nothing unwritten stays visible.
  Status wait_durable(std::uint64_t sequence);
  // The same without blocking: `done` runs once the log is durable through `sequence` (ok), or
  // with the failure, on the thread that finished the write, or at once (Log::when_durable). A
  // failure must be followed by forget_unwritten_records() before it is answered; that is slow
  // (a replay) and must not run on the log's thread, hence not inside `done`.
  void when_durable(std::uint64_t sequence, std::function<void(Status)> done);
  // After a failed write: rebuilds the views from what is durable (once; later calls return at
  // once). The replay holds no lock that a command or a read takes; only the final swap of the
  // views takes the command mutex and the views' lock, briefly.
  void forget_unwritten_records();

  // Runs `read` over the current views under the shared lock, and returns what it returns.
  template <typename Function>
  auto read(Function&& read_views) const {
    std::shared_lock lock(views_mutex_);
    return read_views(*views_);
  }

  // Authenticates a key's hash for a request and, on success, records the use (in memory; it
  // reaches the log coalesced, off this path). The result's pointers are valid only inside
  // `on_result`, which runs under the shared lock.
  template <typename Function>
  auto authenticate(const Hash& key_sha256, const Requirement& requirement,
                    const RequestOrigin& origin, Function&& on_result) const {
    return authenticate_and_read(
        key_sha256, requirement, origin,
        [&](const AuthResult& result, const Views&) { return on_result(result); });
  }

  // The same, with the views passed on too, so that a request can render its answer under the
  // lock it authenticated under (one consistent state per request).
  template <typename Function>
  auto authenticate_and_read(const Hash& key_sha256, const Requirement& requirement,
                             const RequestOrigin& origin, Function&& on_result) const {
    const TimeNs now = options_.clock();
    std::shared_lock lock(views_mutex_);
    AuthResult result = tokenledger::authenticate(*views_, key_sha256, requirement, now);
    if (result.who) {
      usage_.record(result.who->token_index, *result.who->token, now, origin.client_ip,
                    origin.user_agent);
    }
    return on_result(result, static_cast<const Views&>(*views_));
  }

  // Checks a login's password (and one-time password for two-factor users) and records the
  // outcome: a failure counts toward the lock, a success resets the count. Slow by design
  // (argon2id): call it from a bounded worker pool, never from an I/O thread. No lock is held
  // while the password is checked.
  // A failure is applied at once but not waited for (see the .cc); a success is durable before
  // it is answered. A login that does not exist is counted in memory (unknown_login_failures_)
  // and answers "locked" as a real one would after as many failures. invalid_argument for a
  // password over password_size_max_bytes.
  Result<LoginResult> verify_login(std::string_view login, std::string_view password,
                                   std::optional<std::string_view> one_time_password,
                                   const Caller& origin);

  // An operator ends the login lock of the user with `login` (UnlockLogin): true when it ended
  // one, false when logins were not locked; not_found for no such login; invalid_argument for a
  // superuser's lock, which only a superuser lifts.
  // `*user_id` receives the user's id when the login names one.
  Result<bool> unlock_login(std::string_view login, std::string* user_id);

  // Starts the background thread: records expiries about once a second (at once for anything
  // that expired while the server was down) and flushes coalesced usage.
  void start_background();
  // One round of background work now (tests drive time with it). `flush_all` writes every
  // pending use regardless of the coalescing window.
  Status run_background_once(bool flush_all);
  // Stops the background thread and writes every pending use. Idempotent.
  Status stop();

  // Writes a snapshot of the current views now. Commands wait only while what can change is
  // captured (snapshot.h), not while tokens are encoded or the file written; readers never wait.
  Status write_snapshot();

  const StartupReport& startup_report() const { return startup_; }
  TimeNs now() const { return options_.clock(); }
  const Policy& policy() const { return options_.policy; }
  std::uint64_t dropped_use_count() const { return usage_.dropped_use_count(); }

 private:
  TokenService(Log& log, TokenServiceOptions options);
  Status load_views();
  // At open: the snapshot is not used, for `why` (logged as a warning when `warn`).
  void refuse_snapshot(const std::string& why, bool warn);
  // At open, after a snapshot was loaded and then refused: the views rebuilt from the whole log.
  Status rebuild_without_snapshot(const std::string& why);
  Result<Executed> submit_in_order(const Caller& caller, const Command& command);
  Status replay_from_log();
  void run_background();
  void note(LogLevel level, const std::string& message) const;

  Log& log_;
  const TokenServiceOptions options_;
  std::mutex command_mutex_;
  std::mutex snapshot_mutex_;  // serializes write_snapshot(); taken before command_mutex_
  mutable std::shared_mutex views_mutex_;
  // Shared with a snapshot being finished, which reads tokens' unchanging fields after the
  // views were rebuilt (forget_unwritten_records) just as before.
  std::shared_ptr<Views> views_;
  StartupReport startup_;
  std::atomic<std::uint64_t> snapshot_sequence_{0};         // the last snapshot written or loaded
  std::atomic<std::uint64_t> snapshot_record_sequence_{0};  // the SnapshotTaken of the last one
  std::mutex rebuild_mutex_;  // serializes forget_unwritten_records(); no command takes it
  mutable UsageTracker usage_;
  // Failed logins of logins that do not exist, locking as a real login's do.
  UnknownLogins unknown_logins_;

  std::mutex background_mutex_;
  std::condition_variable background_wakeup_;
  bool stopping_ = false;  // (background_mutex_)
  bool opened_ = false;    // open() succeeded: stop() may write (usage, snapshot)
  std::thread background_;
};

}  // namespace tokenledger
