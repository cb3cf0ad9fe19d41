// The domain against a real log: durability, read-after-write, rebuild on restart, usage
// coalescing off the request path, expiry, logins with passwords and one-time passwords, and no
// secret in any file. Longer than 450 lines on purpose: one fixture (a service on a log with a
// fault-injecting disk) shared by every test of the service's behaviour.
#include "projections/token_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <future>
#include <iterator>
#include <mutex>
#include <thread>

#include "ledger/fault_injection.h"
#include "ledger/tamper.h"
#include "ledger/test_support.h"
#include "projections/replay.h"
#include "projections/snapshot.h"
#include "projections/test_domain.h"

namespace tokenledger {
namespace {

using testing::make_id;
using testing::second_ns;

class TokenServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { open(); }

  void open() {
    LogOptions log_options;
    log_options.path = dir_.path() / "log";
    log_options.env = faults_.env();
    log_ = Log::open(log_options).value();
    TokenServiceOptions options;
    options.clock = [this] { return now_.load(); };
    options.sealing_key = SealingKey::from_bytes("test-key", {1, 2, 3});
    options.snapshot_path = snapshot_path();
    options.log = [this](LogLevel, std::string_view message) {
      std::lock_guard lock(notes_mutex_);
      notes_.emplace_back(message);
    };
    Result<std::unique_ptr<TokenService>> service = TokenService::open(*log_, std::move(options));
    ASSERT_TRUE(service.is_ok()) << service.status().to_string();
    service_ = std::move(service).value();
  }

  std::filesystem::path snapshot_path() const { return dir_.path() / "views.snapshot"; }

  std::string snapshot_bytes() const {
    std::ifstream in(snapshot_path(), std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  // Rewrites the stored snapshot as someone who can write the data directory would: `from`
  // replaced in the payload by `to` (the same length), and the checksum recomputed to hold.
  void edit_snapshot(std::string_view from, std::string_view to) {
    ASSERT_EQ(from.size(), to.size());
    constexpr std::size_t header_bytes = 8 + 32;  // magic, then the payload's SHA-256
    std::string file = snapshot_bytes();
    const std::size_t at = file.find(from, header_bytes);
    ASSERT_NE(at, std::string::npos);
    file.replace(at, from.size(), to);
    const Hash checksum = sha256(std::string_view(file).substr(header_bytes));
    std::copy(checksum.begin(), checksum.end(), file.begin() + 8);
    std::ofstream(snapshot_path(), std::ios::binary | std::ios::trunc) << file;
  }

  Result<std::unique_ptr<TokenService>> second_service() {
    TokenServiceOptions options;
    options.clock = [this] { return now_.load(); };
    options.snapshot_path = snapshot_path();
    options.write_at_stop = false;  // service_ writes this log
    return TokenService::open(*log_, std::move(options));
  }

  void reopen() {
    ASSERT_TRUE(service_->stop().is_ok());
    service_.reset();
    ASSERT_TRUE(log_->close().is_ok());
    log_.reset();
    open();
  }

  Executed run(const Caller& caller, const Command& command) {
    Result<Executed> executed = service_->execute(caller, command);
    EXPECT_TRUE(executed.is_ok()) << executed.status().to_string();
    if (!executed.is_ok()) return {};
    EXPECT_FALSE(executed->rejection) << executed->rejection->name;
    return *executed;
  }

  // A customer with a superuser whose password is `password`.
  void create_superuser(const std::string& password) {
    run(Caller::operator_caller(), CreateCustomer{customer_, "Customer"});
    run(Caller::operator_caller(),
        CreateUser{user_, customer_, "root@example.com", "Root", Role::superuser,
                   hash_password(password, PasswordCost::minimum()).value()});
  }

  std::string create_token(const std::string& secret, std::optional<TimeNs> expires = {}) {
    const std::string id = random_id();
    run(Caller::user_caller(user_),
        CreateToken{id, sha256(secret), user_, "t", {Scope::global}, {}, expires});
    return id;
  }

  AuthFailure auth(const std::string& secret, bool* ok) {
    return service_->authenticate(sha256(secret), Requirement{Access::read, false, {}},
                                  RequestOrigin{"192.0.2.1", "test-agent/1"},
                                  [&](const AuthResult& result) {
                                    *ok = result.who.has_value();
                                    return result.failure;
                                  });
  }

  bool authenticates(const std::string& secret) {
    bool ok = false;
    auth(secret, &ok);
    return ok;
  }

  std::uint64_t count_events(std::string_view kind) {
    std::uint64_t count = 0;
    for (auto cursor = log_->cursor(1); cursor->valid(); cursor->next()) {
      if (event_kind_name(cursor->record()->event.body) == kind) ++count;
    }
    return count;
  }

  std::vector<std::string> notes() {
    std::lock_guard lock(notes_mutex_);
    return notes_;
  }

  testing::ScratchDirectory dir_;
  testing::FaultInjection faults_;
  std::mutex notes_mutex_;
  std::vector<std::string> notes_;  // (notes_mutex_) what the service logged
  std::atomic<TimeNs> now_{testing::start_ns};
  std::unique_ptr<Log> log_;
  std::unique_ptr<TokenService> service_;
  const std::string customer_ = random_id();
  const std::string user_ = random_id();
};

TEST(SnapshotDue, AfterTheLeastIntervalOrAsManyRecordsAsTheViewsHoldThings) {
  EXPECT_FALSE(snapshot_due(99'999, 10, 100'000));
  EXPECT_TRUE(snapshot_due(100'000, 10, 100'000));        // small views: the least interval
  EXPECT_FALSE(snapshot_due(100'000, 400'000, 100'000));  // large views: wait longer
  EXPECT_FALSE(snapshot_due(399'999, 400'000, 100'000));
  EXPECT_TRUE(snapshot_due(400'000, 400'000, 100'000));
  EXPECT_FALSE(snapshot_due(0, 0, 0));  // nothing new since the last: no rewrite
}

TEST_F(TokenServiceTest, AcknowledgedCommandsAreVisibleAndSurviveARestart) {
  create_superuser("a good password");
  const std::string token = create_token("secret-1");
  EXPECT_TRUE(service_->read([&](const Views& v) { return v.token_by_id(token) != nullptr; }));
  EXPECT_TRUE(authenticates("secret-1"));
  const std::uint64_t sequence = service_->read([](const Views& v) { return v.sequence(); });
  EXPECT_EQ(sequence, log_->head().sequence);
  reopen();
  EXPECT_TRUE(authenticates("secret-1"));
  EXPECT_EQ(service_->read([](const Views& v) { return v.live_token_count(); }), 1u);
  // The live views equal a rebuild of the log from scratch.
  Views rebuilt;
  ASSERT_TRUE(replay_into(rebuilt, *log_, log_->head().sequence).is_ok());
  EXPECT_TRUE(service_->read([&](const Views& v) { return v.same_as(rebuilt); }));
}

TEST_F(TokenServiceTest, RejectionsWriteNothing) {
  create_superuser("a good password");
  const std::uint64_t head = log_->head().sequence;
  Result<Executed> refused =
      service_->execute(Caller::user_caller(user_), RevokeToken{make_id("tnone")});
  ASSERT_TRUE(refused.is_ok());
  ASSERT_TRUE(refused->rejection);
  EXPECT_EQ(refused->rejection->name, "unknown_token");
  EXPECT_EQ(log_->head().sequence, head);
}

TEST_F(TokenServiceTest, UsageIsCoalescedToOneRecordPerTokenPerMinute) {
  create_superuser("a good password");
  create_token("secret-1");
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(authenticates("secret-1"));
  EXPECT_EQ(count_events("token_used"), 0u);  // authentication itself never writes
  ASSERT_TRUE(service_->run_background_once(false).is_ok());
  EXPECT_EQ(count_events("token_used"), 1u);
  now_ += 10 * second_ns;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(authenticates("secret-1"));
  ASSERT_TRUE(service_->run_background_once(false).is_ok());
  EXPECT_EQ(count_events("token_used"), 1u);  // within the minute: held back
  now_ += 50 * second_ns;
  ASSERT_TRUE(service_->run_background_once(false).is_ok());
  EXPECT_EQ(count_events("token_used"), 2u);
  const auto usage = service_->read([](const Views& v) { return *v.usage(0); });
  EXPECT_EQ(usage.use_count, 15u);
  EXPECT_EQ(usage.client_ip, "192.0.2.1");
  EXPECT_EQ(usage.user_agent, "test-agent/1");
  EXPECT_EQ(usage.last_used_at_ns, testing::start_ns + 10 * second_ns);
  // Stopping writes whatever is pending, whatever the window.
  ASSERT_TRUE(authenticates("secret-1"));
  ASSERT_TRUE(service_->stop().is_ok());
  EXPECT_EQ(count_events("token_used"), 3u);
}

TEST_F(TokenServiceTest, ExpiriesAreRecordedByTheBackgroundWorkAndRefusedAtOnce) {
  create_superuser("a good password");
  create_token("secret-1", now_.load() + 5 * second_ns);
  EXPECT_TRUE(authenticates("secret-1"));
  now_ += 5 * second_ns;
  bool ok = true;
  EXPECT_EQ(auth("secret-1", &ok), AuthFailure::expired);  // before the event is written
  EXPECT_EQ(count_events("token_expired"), 0u);
  ASSERT_TRUE(service_->run_background_once(false).is_ok());
  EXPECT_EQ(count_events("token_expired"), 1u);
}

TEST_F(TokenServiceTest, ExpiriesThatPassedWhileStoppedAreRecordedAtStart) {
  create_superuser("a good password");
  create_token("secret-1", now_.load() + 5 * second_ns);
  reopen();
  now_ += 3600 * second_ns;  // the server was down for an hour
  service_->start_background();
  for (int i = 0; i < 500 && count_events("token_expired") == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(count_events("token_expired"), 1u);
}

TEST_F(TokenServiceTest, LoginsCheckPasswordsAndCountFailures) {
  create_superuser("a good password");
  const Caller origin = Caller::system_caller();
  EXPECT_EQ(service_->verify_login("root@example.com", "a good password", {}, origin)->outcome,
            LoginOutcome::ok);
  EXPECT_EQ(service_->verify_login("nobody@example.com", "x", {}, origin)->outcome,
            LoginOutcome::unknown_login);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(service_->verify_login("root@example.com", "wrong password", {}, origin)->outcome,
              LoginOutcome::wrong_password);
  }
  EXPECT_EQ(service_->verify_login("root@example.com", "a good password", {}, origin)->outcome,
            LoginOutcome::ok);
  for (int i = 0; i < 5; ++i)
    (void)service_->verify_login("root@example.com", "wrong password", {}, origin);
  EXPECT_EQ(service_->verify_login("root@example.com", "a good password", {}, origin)->outcome,
            LoginOutcome::locked);
  // Failures are applied at once but answered without waiting for their sync.
  ASSERT_TRUE(
      log_->wait_durable(service_->read([](const Views& v) { return v.sequence(); })).is_ok());
  EXPECT_EQ(count_events("login_failed"), 9u);
  EXPECT_EQ(count_events("login_succeeded"), 2u);
  EXPECT_EQ(count_events("login_locked"), 1u);
}

TEST_F(TokenServiceTest, TwoFactorUsersNeedTheirCurrentCode) {
  create_superuser("a good password");
  const std::string secret = new_totp_secret();
  const SealingKey key = SealingKey::from_bytes("test-key", {1, 2, 3});
  run(Caller::user_caller(user_), EnableTwoFactor{user_, key.seal(secret)});
  const Caller origin = Caller::system_caller();
  EXPECT_EQ(service_->verify_login("root@example.com", "a good password", {}, origin)->outcome,
            LoginOutcome::one_time_password_missing);
  EXPECT_EQ(
      service_->verify_login("root@example.com", "a good password", "000000", origin)->outcome,
      LoginOutcome::one_time_password_wrong);
  const std::string code = totp_code(secret, now_.load());
  EXPECT_EQ(service_->verify_login("root@example.com", "a good password", code, origin)->outcome,
            LoginOutcome::ok);
  EXPECT_EQ(count_events("login_failed"), 1u);  // the missing code was not counted
}

TEST_F(TokenServiceTest, StartupLoadsTheSnapshotInsteadOfReplaying) {
  EXPECT_FALSE(service_->startup_report().snapshot_used);
  create_superuser("a good password");
  for (int i = 0; i < 50; ++i) create_token("secret-" + std::to_string(i));
  ASSERT_TRUE(authenticates("secret-7"));
  reopen();  // stop() records usage and writes the snapshot
  const StartupReport& report = service_->startup_report();
  EXPECT_TRUE(report.snapshot_used) << report.snapshot_note;
  // Only the record that binds the snapshot to the log (SnapshotTaken) follows it.
  EXPECT_EQ(report.replayed_records, 1u);
  EXPECT_EQ(report.snapshot_sequence, log_->head().sequence - 1);
  EXPECT_TRUE(authenticates("secret-7"));
  Views rebuilt;
  ASSERT_TRUE(replay_into(rebuilt, *log_, log_->head().sequence).is_ok());
  EXPECT_TRUE(service_->read([&](const Views& v) { return v.same_as(rebuilt); }));
}

TEST_F(TokenServiceTest, RecordsAfterTheSnapshotAreReplayed) {
  create_superuser("a good password");
  ASSERT_TRUE(service_->write_snapshot().is_ok());
  const std::uint64_t snapshot_sequence = log_->head().sequence;
  for (int i = 0; i < 5; ++i) create_token("secret-" + std::to_string(i));
  auto second = second_service();
  ASSERT_TRUE(second.is_ok()) << second.status().to_string();
  EXPECT_TRUE((*second)->startup_report().snapshot_used);
  // The snapshot covers the records before its SnapshotTaken, which is replayed with the rest.
  EXPECT_EQ((*second)->startup_report().snapshot_sequence, snapshot_sequence - 1);
  EXPECT_EQ((*second)->startup_report().replayed_records, 6u);
  const bool same = service_->read([&](const Views& live) {
    return (*second)->read([&](const Views& loaded) { return live.same_as(loaded); });
  });
  EXPECT_TRUE(same);
}

// Snapshots capture what can change under the command mutex and encode the rest while commands
// go on (snapshot.h): each must still hold exactly the views at its sequence. Under TSan this
// also checks that the encoding reads nothing a command writes.
TEST_F(TokenServiceTest, SnapshotsWrittenWhileCommandsRunHoldExactlyTheirSequence) {
  create_superuser("a good password");
  // Commands submitted without waiting for each sync, so that many land while a snapshot of
  // thousands of tokens is being encoded.
  const auto submit = [&](const Command& command) {
    Result<Executed> executed = service_->submit(Caller::user_caller(user_), command);
    EXPECT_TRUE(executed.is_ok() && !executed->rejection)
        << (executed.is_ok() ? executed->rejection->name : executed.status().to_string());
    return executed.is_ok() ? executed->durable_through : 0;
  };
  std::vector<std::string> ids;
  std::uint64_t last = 0;
  for (int i = 0; i < 8'000; ++i) {  // below the live tokens per user limit
    ids.push_back(random_id());
    last = submit(CreateToken{
        ids.back(), sha256("secret-" + std::to_string(i)), user_, "t", {Scope::global}, {}, {}});
    if (i % 1000 == 999) {
      ASSERT_TRUE(service_->wait_durable(last).is_ok());
    }
  }
  std::atomic<bool> done{false};
  std::thread commands([&] {
    // Revokes of the old tokens, and as many new ones, until the snapshots are done.
    for (std::size_t i = 0; i < ids.size() && !done.load(); ++i) {
      submit(RevokeToken{ids[i]});
      const std::uint64_t sequence = submit(CreateToken{
          random_id(), sha256("later-" + std::to_string(i)), user_, "t", {Scope::global}, {}, {}});
      if (i % 100 == 99) {
        EXPECT_TRUE(service_->wait_durable(sequence).is_ok());
      }
    }
  });
  struct JoinAtEnd {  // also when an assertion below returns early
    std::atomic<bool>& done;
    std::thread& thread;
    ~JoinAtEnd() {
      done = true;
      thread.join();
    }
  };
  std::vector<std::uint64_t> covered;
  {
    JoinAtEnd join_at_end{done, commands};
    for (int round = 0; round < 5; ++round) {
      ASSERT_TRUE(service_->write_snapshot().is_ok());
      Views loaded;
      Hash head_hash{};
      ASSERT_TRUE(load_snapshot(snapshot_path(), &loaded, &head_hash).is_ok());
      Views rebuilt;
      ASSERT_TRUE(replay_into(rebuilt, *log_, loaded.sequence()).is_ok());
      EXPECT_TRUE(loaded.same_as(rebuilt)) << "snapshot at sequence " << loaded.sequence();
      EXPECT_EQ(sha256(log_->read_raw(loaded.sequence())->bytes), head_hash);
      covered.push_back(loaded.sequence());
    }
  }
  EXPECT_LT(covered.front(), covered.back());  // commands went on between the snapshots
  std::size_t written = 0;
  for (const std::string& note : notes()) {
    if (note.starts_with("snapshot written at sequence ") &&
        note.find("commands held") != std::string::npos) {
      ++written;
    }
  }
  EXPECT_EQ(written, 5u);
}

TEST_F(TokenServiceTest, ADamagedSnapshotIsIgnoredAndTheLogRebuildsTheViews) {
  create_superuser("a good password");
  create_token("secret-1");
  ASSERT_TRUE(service_->write_snapshot().is_ok());
  {
    std::fstream file(snapshot_path(), std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(100);
    file.put('\x5a');
  }
  auto second = second_service();
  ASSERT_TRUE(second.is_ok()) << second.status().to_string();
  EXPECT_FALSE((*second)->startup_report().snapshot_used);
  EXPECT_NE((*second)->startup_report().snapshot_note.find("checksum"), std::string::npos)
      << (*second)->startup_report().snapshot_note;
  EXPECT_EQ((*second)->read([](const Views& v) { return v.live_token_count(); }), 1u);
}

TEST_F(TokenServiceTest, ASnapshotFromAnotherLogIsIgnored) {
  create_superuser("a good password");
  create_token("secret-1");
  ASSERT_TRUE(service_->write_snapshot().is_ok());
  const std::filesystem::path saved = dir_.path() / "saved.snapshot";
  std::filesystem::copy_file(snapshot_path(), saved);
  // Another history of the same length: a fresh log with other ids.
  ASSERT_TRUE(service_->stop().is_ok());
  service_.reset();
  ASSERT_TRUE(log_->close().is_ok());
  log_.reset();
  std::filesystem::remove_all(dir_.path() / "log");
  std::filesystem::remove(snapshot_path());
  open();
  run(Caller::operator_caller(), CreateCustomer{random_id(), "Other"});
  run(Caller::operator_caller(), CreateCustomer{random_id(), "Other"});
  run(Caller::operator_caller(), CreateCustomer{random_id(), "Other"});
  std::filesystem::copy_file(saved, snapshot_path(),
                             std::filesystem::copy_options::overwrite_existing);
  auto second = second_service();
  ASSERT_TRUE(second.is_ok()) << second.status().to_string();
  EXPECT_FALSE((*second)->startup_report().snapshot_used);
  EXPECT_NE((*second)->startup_report().snapshot_note.find("another log"), std::string::npos)
      << (*second)->startup_report().snapshot_note;
  EXPECT_EQ((*second)->read([](const Views& v) { return v.customer_count(); }), 3u);
}

// A record the snapshot covers is never read by the views' build; the chain walk beside it still
// finds it changed, and the service refuses to open, naming it and writing nothing.
TEST_F(TokenServiceTest, AChangedRecordTheSnapshotCoversStopsTheStart) {
  create_superuser("a good password");
  for (int i = 0; i < 5; ++i) create_token("secret-" + std::to_string(i));
  ASSERT_TRUE(service_->stop().is_ok());  // writes the snapshot, covering every record
  service_.reset();
  const std::uint64_t head = log_->head().sequence;
  ASSERT_TRUE(log_->close().is_ok());
  log_.reset();
  ASSERT_TRUE(testing::tamper_flip_byte(dir_.path() / "log", 3, -3).is_ok());
  const std::string snapshot_before = snapshot_bytes();

  LogOptions log_options;
  log_options.path = dir_.path() / "log";
  log_ = Log::open(log_options).value();
  TokenServiceOptions options;
  options.clock = [this] { return now_.load(); };
  options.snapshot_path = snapshot_path();
  Result<std::unique_ptr<TokenService>> refused = TokenService::open(*log_, options);
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.status().code(), StatusCode::corruption);
  EXPECT_NE(refused.status().message().find("chain is broken at sequence 3 (hash_mismatch"),
            std::string::npos)
      << refused.status().to_string();
  EXPECT_EQ(log_->head().sequence, head);        // no usage or expiry was recorded
  EXPECT_EQ(snapshot_bytes(), snapshot_before);  // nor a snapshot of what was refused

  // Without the walk, the snapshot alone would have served the damaged history unnoticed.
  options.check_chain_at_open = false;
  Result<std::unique_ptr<TokenService>> unchecked = TokenService::open(*log_, options);
  ASSERT_TRUE(unchecked.is_ok()) << unchecked.status().to_string();
  EXPECT_TRUE((*unchecked)->startup_report().snapshot_used);
  EXPECT_FALSE((*unchecked)->startup_report().chain_checked);
}

TEST_F(TokenServiceTest, AnIntactChainIsCheckedAtOpen) {
  create_superuser("a good password");
  create_token("secret-1");
  reopen();
  EXPECT_TRUE(service_->startup_report().chain_checked);
  EXPECT_EQ(service_->startup_report().chain_checked_records, log_->head().sequence);
}

TEST_F(TokenServiceTest, ConcurrentCommandsShareOneSync) {
  create_superuser("a good password");
  constexpr int thread_count = 8;
  faults_.set_block_syncs(true);
  const int syncs_before = faults_.sync_count();
  std::vector<std::thread> threads;
  std::atomic<int> accepted{0};
  for (int t = 0; t < thread_count; ++t) {
    threads.emplace_back([&, t] {
      Result<Executed> executed = service_->execute(
          Caller::user_caller(user_), CreateToken{random_id(),
                                                  sha256("concurrent " + std::to_string(t)),
                                                  user_,
                                                  "t",
                                                  {Scope::global},
                                                  {},
                                                  {}});
      if (executed.is_ok() && !executed->rejection) accepted.fetch_add(1);
    });
  }
  // Every command decides and submits while the first sync is held up...
  for (int i = 0; i < 500 && service_->read([](const Views& v) { return v.live_token_count(); }) <
                                 thread_count;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_EQ(accepted.load(), 0);  // ...but none is answered before its sync
  faults_.set_block_syncs(false);
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(accepted.load(), thread_count);
  EXPECT_LE(faults_.sync_count() - syncs_before, 3) << "the commands did not share syncs";
  Views rebuilt;
  ASSERT_TRUE(replay_into(rebuilt, *log_, log_->head().sequence).is_ok());
  EXPECT_TRUE(service_->read([&](const Views& v) { return v.same_as(rebuilt); }));
}

TEST_F(TokenServiceTest, AFailedSyncLeavesNothingOfTheFailedCommandInTheViews) {
  create_superuser("a good password");
  create_token("kept");
  faults_.set_fail_syncs(true);
  Result<Executed> failed = service_->execute(
      Caller::user_caller(user_),
      CreateToken{random_id(), sha256("lost"), user_, "t", {Scope::global}, {}, {}});
  ASSERT_FALSE(failed.is_ok());
  EXPECT_EQ(failed.status().code(), StatusCode::write_stopped);
  EXPECT_FALSE(authenticates("lost"));
  EXPECT_TRUE(authenticates("kept"));  // reads keep working
  EXPECT_EQ(service_->read([](const Views& v) { return v.sequence(); }), log_->head().sequence);
  faults_.set_fail_syncs(false);
  Result<Executed> refused =
      service_->execute(Caller::user_caller(user_), RevokeToken{make_id("tnone")});
  ASSERT_TRUE(refused.is_ok());  // a rejection writes nothing and still answers
  Result<Executed> stopped = service_->execute(
      Caller::user_caller(user_),
      CreateToken{random_id(), sha256("later"), user_, "t", {Scope::global}, {}, {}});
  ASSERT_FALSE(stopped.is_ok());
  EXPECT_EQ(stopped.status().code(), StatusCode::write_stopped);
}

// submit() applies at once and never waits; when_durable() answers after the sync, and on a
// failed sync reports it, after which forget_unwritten_records() takes the change back out.
TEST_F(TokenServiceTest, SubmittedCommandsAreAnsweredThroughWhenDurable) {
  create_superuser("a good password");
  Result<Executed> submitted = service_->submit(
      Caller::user_caller(user_),
      CreateToken{random_id(), sha256("async"), user_, "t", {Scope::global}, {}, {}});
  ASSERT_TRUE(submitted.is_ok());
  ASSERT_FALSE(submitted->rejection);
  EXPECT_EQ(submitted->durable_through, submitted->last_sequence);
  EXPECT_TRUE(authenticates("async"));  // applied before it is durable (ADR 0006)
  std::promise<Status> answered;
  service_->when_durable(submitted->durable_through,
                         [&](Status status) { answered.set_value(std::move(status)); });
  EXPECT_TRUE(answered.get_future().get().is_ok());
  EXPECT_GE(log_->head().sequence, submitted->durable_through);

  faults_.set_fail_syncs(true);
  Result<Executed> doomed = service_->submit(
      Caller::user_caller(user_),
      CreateToken{random_id(), sha256("doomed"), user_, "t", {Scope::global}, {}, {}});
  ASSERT_TRUE(doomed.is_ok());
  std::promise<Status> failed;
  service_->when_durable(doomed->durable_through,
                         [&](Status status) { failed.set_value(std::move(status)); });
  EXPECT_EQ(failed.get_future().get().code(), StatusCode::write_stopped);
  service_->forget_unwritten_records();
  EXPECT_FALSE(authenticates("doomed"));
  EXPECT_TRUE(authenticates("async"));
}

// No file the system writes may hold a token secret, a password or a TOTP secret.
TEST_F(TokenServiceTest, NoSecretReachesAnyFile) {
  const std::string password = "Password-7f3c9a1e";
  create_superuser(password);
  std::vector<std::string> secrets = {password};
  for (int i = 0; i < 20; ++i) {
    secrets.push_back(random_token_secret());
    create_token(secrets.back());
    ASSERT_TRUE(authenticates(secrets.back()));
  }
  const std::string totp_secret = new_totp_secret();
  run(Caller::user_caller(user_),
      EnableTwoFactor{user_, SealingKey::from_bytes("test-key", {1, 2, 3}).seal(totp_secret)});
  secrets.push_back(totp_secret);
  secrets.push_back(base32_encode(totp_secret));
  reopen();  // flushes usage and memtables go to the WAL and tables
  ASSERT_TRUE(service_->stop().is_ok());
  service_.reset();
  ASSERT_TRUE(log_->close().is_ok());
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_.path())) {
    if (!entry.is_regular_file()) continue;
    ++files;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string content((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
    for (const std::string& secret : secrets) {
      EXPECT_EQ(content.find(secret), std::string::npos) << "a secret is in " << entry.path();
    }
  }
  EXPECT_GT(files, 3u);
}

}  // namespace
}  // namespace tokenledger

namespace tokenledger {
namespace {

// Issue 15, item 11: a snapshot whose payload was edited and whose checksum was recomputed (what
// anyone who can write the data directory can do) was loaded and served, while `verify` still
// found the chain intact. Now the log records each stored snapshot's digest, and a snapshot it
// does not record is refused at start-up: the views are rebuilt from the log instead.
TEST_F(TokenServiceTest, AnEditedSnapshotWithAValidChecksumIsRefused) {
  create_superuser("a good password");
  create_token("secret-1");
  ASSERT_TRUE(service_->write_snapshot().is_ok());
  edit_snapshot("root@example.com", "ROOT@example.com");  // rename the superuser in place
  {
    // The edit itself is well-formed: the snapshot loads on its own.
    Views loaded;
    Hash head{};
    ASSERT_TRUE(load_snapshot(snapshot_path(), &loaded, &head).is_ok());
    ASSERT_NE(loaded.user_by_login("ROOT@example.com"), nullptr);
  }
  auto second = second_service();
  ASSERT_TRUE(second.is_ok()) << second.status().to_string();
  EXPECT_FALSE((*second)->startup_report().snapshot_used);
  EXPECT_NE((*second)->startup_report().snapshot_note.find("differ"), std::string::npos)
      << (*second)->startup_report().snapshot_note;
  (*second)->read([](const Views& views) {
    EXPECT_EQ(views.user_by_login("ROOT@example.com"), nullptr);
    EXPECT_NE(views.user_by_login("root@example.com"), nullptr);
  });
}

// A snapshot the log does not record at all (written before schema version 2, or placed there
// by someone) is refused too, and the start says why.
TEST_F(TokenServiceTest, ASnapshotTheLogDoesNotRecordIsRefused) {
  create_superuser("a good password");
  create_token("secret-1");
  const std::uint64_t head = log_->head().sequence;
  Views rebuilt;
  ASSERT_TRUE(replay_into(rebuilt, *log_, head).is_ok());
  ASSERT_TRUE(write_snapshot(rebuilt, log_->record_hash(head).value(), snapshot_path()).is_ok());
  auto second = second_service();
  ASSERT_TRUE(second.is_ok()) << second.status().to_string();
  EXPECT_FALSE((*second)->startup_report().snapshot_used);
  EXPECT_NE((*second)->startup_report().snapshot_note.find("records no snapshot"),
            std::string::npos)
      << (*second)->startup_report().snapshot_note;
  EXPECT_EQ((*second)->read([](const Views& v) { return v.live_token_count(); }), 1u);
}

// Issue 15, item 8: write_snapshot held the command mutex while it waited for the disk, so with
// a sync stalled every command waited, and in the server the I/O threads running them (and the
// reads queued behind them). Now a snapshot waits for the disk holding nothing a command takes.
TEST_F(TokenServiceTest, CommandsAndReadsGoOnWhileASnapshotWaitsForAStalledSync) {
  create_superuser("a good password");
  create_token("secret-1");
  faults_.set_block_syncs(true);
  // A command whose sync stalls: submitted, not durable.
  Result<Executed> pending = service_->submit(Caller::operator_caller(),
                                              CreateCustomer{random_id(), "waiting for the disk"});
  ASSERT_TRUE(pending.is_ok());
  std::future<Status> snapshot =
      std::async(std::launch::async, [&] { return service_->write_snapshot(); });
  // The snapshot is waiting for the stalled sync; commands and reads must not wait with it.
  EXPECT_EQ(snapshot.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  std::future<Result<Executed>> command = std::async(std::launch::async, [&] {
    return service_->submit(Caller::operator_caller(), CreateCustomer{random_id(), "another"});
  });
  EXPECT_EQ(command.wait_for(std::chrono::seconds(10)), std::future_status::ready)
      << "a command waited behind a snapshot waiting for the disk";
  EXPECT_TRUE(authenticates("secret-1"));
  faults_.set_block_syncs(false);
  EXPECT_TRUE(snapshot.get().is_ok());
  EXPECT_TRUE(command.get().is_ok());
}

// `tokenledger unlock`'s service call: an operator ends a login lock, as an event.
TEST_F(TokenServiceTest, AnOperatorUnlocksALogin) {
  create_superuser("a good password");
  const Caller origin = Caller::system_caller();
  std::string user_id;
  EXPECT_EQ(service_->unlock_login("root@example.com", &user_id).value(), false);
  EXPECT_EQ(user_id, user_);
  EXPECT_EQ(service_->unlock_login("nobody@example.com", &user_id).status().code(),
            StatusCode::not_found);
  for (int i = 0; i < 5; ++i)
    (void)service_->verify_login("root@example.com", "wrong password", {}, origin);
  EXPECT_EQ(service_->verify_login("root@example.com", "a good password", {}, origin)->outcome,
            LoginOutcome::locked);
  EXPECT_EQ(service_->unlock_login("root@example.com", &user_id).value(), true);
  EXPECT_EQ(service_->verify_login("root@example.com", "a good password", {}, origin)->outcome,
            LoginOutcome::ok);
  EXPECT_EQ(count_events("login_unlocked"), 1u);
}

// Issue 15, item 7: a known login with a wrong password waited for a synced failure record, an
// unknown one did not. Now a failure is answered without waiting for the disk (shown here with
// every sync stalled), and an unknown login locks after as many failures as a real one.
TEST_F(TokenServiceTest, AFailedLoginNeverWaitsForTheDiskAndUnknownLoginsLockAlike) {
  create_superuser("a good password");
  const Caller origin = Caller::system_caller();
  faults_.set_block_syncs(true);
  std::future<Result<LoginResult>> known = std::async(std::launch::async, [&] {
    return service_->verify_login("root@example.com", "wrong password", {}, origin);
  });
  EXPECT_EQ(known.wait_for(std::chrono::seconds(10)), std::future_status::ready)
      << "a wrong password waited for its record's sync";
  faults_.set_block_syncs(false);
  EXPECT_EQ(known.get()->outcome, LoginOutcome::wrong_password);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(service_->verify_login("nobody@example.com", "wrong password", {}, origin)->outcome,
              LoginOutcome::unknown_login);
  }
  EXPECT_EQ(service_->verify_login("nobody@example.com", "wrong password", {}, origin)->outcome,
            LoginOutcome::unknown_login);
  EXPECT_EQ(service_->verify_login("nobody@example.com", "any password", {}, origin)->outcome,
            LoginOutcome::locked);
  // An over-long password is refused before any lookup.
  EXPECT_EQ(
      service_->verify_login("root@example.com", std::string(257, 'p'), {}, origin).status().code(),
      StatusCode::invalid_argument);
}

}  // namespace
}  // namespace tokenledger

namespace tokenledger {
namespace {

// Found in review: an edited snapshot that the records after it contradict made start-up fail
// on their replay, instead of being refused like any other unusable snapshot.
TEST_F(TokenServiceTest, AnEditedSnapshotTheLaterRecordsContradictIsRefusedNotFatal) {
  create_superuser("a good password");
  ASSERT_TRUE(service_->write_snapshot().is_ok());
  // After the snapshot, a user with the login the edit will give the superuser.
  run(Caller::operator_caller(),
      CreateUser{random_id(), customer_, "zoot@example.com", "Z", Role::user,
                 hash_password("another password", PasswordCost::minimum()).value()});
  edit_snapshot("root@example.com", "zoot@example.com");
  auto second = second_service();
  ASSERT_TRUE(second.is_ok()) << second.status().to_string();
  EXPECT_FALSE((*second)->startup_report().snapshot_used);
  EXPECT_NE((*second)->startup_report().snapshot_note.find("do not fit"), std::string::npos)
      << (*second)->startup_report().snapshot_note;
  (*second)->read([](const Views& views) {
    EXPECT_NE(views.user_by_login("root@example.com"), nullptr);
    EXPECT_NE(views.user_by_login("zoot@example.com"), nullptr);
  });
}

}  // namespace
}  // namespace tokenledger

namespace tokenledger {
namespace {

// The snapshot file in place is always one the log records: a snapshot whose record cannot be
// appended (here the log refuses writes after a failed sync) leaves the previous file, which
// the next start still uses.
TEST_F(TokenServiceTest, ASnapshotWhoseRecordFailsLeavesThePreviousOneInPlace) {
  create_superuser("a good password");
  create_token("secret-1");
  ASSERT_TRUE(service_->write_snapshot().is_ok());
  const std::string before = snapshot_bytes();
  create_token("secret-2");
  faults_.set_fail_syncs(true);
  EXPECT_FALSE(service_->write_snapshot().is_ok());
  faults_.set_fail_syncs(false);
  EXPECT_EQ(snapshot_bytes(), before);
  EXPECT_FALSE(std::filesystem::exists(snapshot_path().string() + ".tmp"));
  // Restarting on the same log (reopened: it refuses writes until then) uses the old snapshot.
  (void)service_->stop();
  service_.reset();
  (void)log_->close();  // reports the failed write
  log_.reset();
  open();
  EXPECT_TRUE(service_->startup_report().snapshot_used) << service_->startup_report().snapshot_note;
}

}  // namespace
}  // namespace tokenledger
