// A seeded fault simulation of the token domain, in the spirit of TigerBeetle's: thousands of
// random commands from random callers, with time moving forward in jumps, against the live
// TokenService on a real log, while the same seed also decides faults at random points:
// - restarts: the service stops (writing its snapshot) and is opened again from the log, loading
//   that snapshot and replaying what follows it;
// - failed syncs: the disk refuses a command's sync; the command is not acknowledged, the log
//   refuses writes, and the service restarts from what the log holds;
// - snapshots taken in between, so that later restarts load them.
// A small, independent reference model predicts every accept and reject. After every restart,
// and at the end, the service's views equal the views rebuilt from the log, and every token's
// state equals the model's: no acknowledged command was lost, and a command that was not
// acknowledged is there only if its record reached the log.
//
// Two runs: a fixed seed (the same every time) and a random one, printed. TOKENLEDGER_SIM_SEED
// replaces the random seed; TOKENLEDGER_SIM_STEPS sets each run's length (default 3000; the
// long mode runs hundreds of thousands).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <random>
#include <set>

#include "ledger/fault_injection.h"
#include "ledger/test_support.h"
#include "projections/replay.h"
#include "projections/test_domain.h"
#include "projections/token_service.h"

namespace tokenledger {
namespace {

using testing::second_ns;

// The reference model: only what decides accept or reject, kept as plainly as possible.
struct Model {
  struct User {
    std::string customer;
    bool superuser = false;
    bool locked = false;  // by a superuser
    bool deleted = false;
    int failures = 0;
    TimeNs login_locked_until = 0;  // 0: password logins not locked
  };
  struct Token {
    std::string user;
    bool live = true;
    TimeNs expires = 0;  // 0: never
  };
  std::set<std::string> customers;
  std::map<std::string, User> users;
  std::map<std::string, Token> tokens;
  int login_failures_max = 5;

  int live_tokens(const std::string& user) const {
    int count = 0;
    for (const auto& [id, token] : tokens) count += token.user == user && token.live;
    return count;
  }
  bool superuser_of(const std::string& caller, const std::string& customer) const {
    const auto it = users.find(caller);
    return it != users.end() && !it->second.deleted && !it->second.locked && it->second.superuser &&
           it->second.customer == customer;
  }
  bool can_revoke(const std::string& caller, const std::string& token_id) const {
    const auto it = tokens.find(token_id);
    if (it == tokens.end()) return false;
    const auto caller_user = users.find(caller);
    if (caller_user == users.end() || caller_user->second.deleted) return false;
    return it->second.user == caller || superuser_of(caller, users.at(it->second.user).customer);
  }
};

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::strtoull(value, nullptr, 10) : fallback;
}

// The service on a log in a scratch directory, with a disk whose syncs can be made to fail, and
// a way to restart it.
class Rig {
 public:
  explicit Rig(std::atomic<TimeNs>* now) : now_(now) { open(); }
  ~Rig() { close(); }

  TokenService& service() { return *service_; }
  Log& log() { return *log_; }
  testing::FaultInjection& faults() { return faults_; }
  std::uint64_t restarts() const { return restarts_; }
  std::uint64_t snapshot_loads() const { return snapshot_loads_; }

  // Stops the service (its snapshot written when the log still takes writes) and opens it again
  // from the log: what a process restart does. With `power_loss`, the log's files lose
  // everything their last sync did not cover first, as a machine losing power would.
  void restart(bool power_loss = false) {
    close();
    faults_.set_fail_syncs(false);
    if (power_loss) {
      const Status cut = testing::simulate_power_loss(dir_.path() / "log", journal());
      ASSERT_TRUE(cut.is_ok()) << cut.to_string();
      ++power_losses_;
    }
    open();
    ++restarts_;
  }
  std::uint64_t power_losses() const { return power_losses_; }

 private:
  void open() {
    LogOptions log_options;
    log_options.path = dir_.path() / "log";
    log_options.env = faults_.env();
    faults_.set_sync_journal(journal());
    Result<std::unique_ptr<Log>> log = Log::open(log_options);
    ASSERT_TRUE(log.is_ok()) << log.status().to_string();
    log_ = std::move(log).value();
    TokenServiceOptions options;
    options.clock = [this] { return now_->load(); };
    options.snapshot_path = dir_.path() / "views.snapshot";
    options.log = [](LogLevel, std::string_view) {};  // failed syncs are expected here
    Result<std::unique_ptr<TokenService>> service = TokenService::open(*log_, options);
    ASSERT_TRUE(service.is_ok()) << service.status().to_string();
    service_ = std::move(service).value();
    if (service_->startup_report().snapshot_used) ++snapshot_loads_;
  }
  void close() {
    if (service_) {
      (void)service_->stop();  // refused by a log whose write failed: nothing more is written
      service_.reset();
    }
    if (log_) {
      (void)log_->close();
      log_.reset();
    }
  }

  std::filesystem::path journal() const { return dir_.path() / "sync.journal"; }

  std::atomic<TimeNs>* now_;
  testing::ScratchDirectory dir_;
  testing::FaultInjection faults_;
  std::unique_ptr<Log> log_;
  std::unique_ptr<TokenService> service_;
  std::uint64_t restarts_ = 0;
  std::uint64_t snapshot_loads_ = 0;
  std::uint64_t power_losses_ = 0;
};

void simulate(const char* seed_variable, std::uint64_t seed) {
  const std::uint64_t steps = env_number("TOKENLEDGER_SIM_STEPS", 3000);
  std::printf("domain simulation: %llu steps, seed %llu (%s=%llu reproduces it)\n",
              static_cast<unsigned long long>(steps), static_cast<unsigned long long>(seed),
              seed_variable, static_cast<unsigned long long>(seed));
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 random(seed);
  auto chance = [&](int percent) { return static_cast<int>(random() % 100) < percent; };
  // Faults are rarer than commands: one in `fault_odds` steps.
  auto fault_now = [&] { return random() % 200 == 0; };

  std::atomic<TimeNs> now{testing::start_ns};
  Rig rig(&now);
  if (::testing::Test::HasFatalFailure()) return;

  Model model;
  std::vector<std::string> customer_ids;
  std::vector<std::string> user_ids;
  std::vector<std::string> token_ids;
  auto pick = [&](const std::vector<std::string>& ids) -> std::string {
    if (ids.empty() || chance(5))
      return testing::make_id("nothing" + std::to_string(random() % 1000));
    return ids[random() % ids.size()];
  };
  std::uint64_t accepted = 0;
  std::uint64_t rejected = 0;
  std::uint64_t failed_syncs = 0;
  std::uint64_t lost_unacknowledged = 0;
  std::uint64_t snapshots_taken = 0;

  // The service's views equal a rebuild from the log, and every token's state the model's.
  const auto check = [&](const char* when) {
    SCOPED_TRACE(when);
    Views rebuilt;
    ASSERT_TRUE(replay_into(rebuilt, rig.log(), rig.log().head().sequence).is_ok());
    EXPECT_TRUE(rig.service().read([&](const Views& v) { return v.same_as(rebuilt); }));
    rig.service().read([&](const Views& views) {
      for (const auto& [id, token] : model.tokens) {
        const Token* live = views.token_by_id(id);
        ASSERT_NE(live, nullptr) << "an acknowledged token is gone: " << id;
        const bool expired_unrecorded =
            token.live && token.expires != 0 && token.expires <= now.load();
        if (!expired_unrecorded) {
          EXPECT_EQ(live->state == TokenState::live, token.live) << id;
        }
      }
      for (const auto& [id, user] : model.users) {
        const User* live = views.user_by_id(id);
        ASSERT_NE(live, nullptr) << "an acknowledged user is gone: " << id;
        EXPECT_EQ(live->deleted, user.deleted) << id;
        EXPECT_EQ(live->locked, user.locked) << id;
      }
      // Nothing more either: a command the model dropped (not acknowledged, its record lost)
      // left no customer, user or token behind.
      EXPECT_EQ(views.customer_count(), model.customers.size());
      EXPECT_EQ(views.user_count(), model.users.size());
      EXPECT_EQ(views.token_count(), model.tokens.size());
    });
  };

  for (std::uint64_t step = 0; step < steps; ++step) {
    if (chance(10)) now += static_cast<TimeNs>(random() % 120) * second_ns;  // time jumps
    // Faults, decided by the same seed: a restart, a snapshot, or this step's sync failing.
    bool fail_this_sync = false;
    if (fault_now()) {
      switch (random() % 3) {
        case 0:
          rig.restart();
          if (::testing::Test::HasFatalFailure()) return;
          check("after a restart");
          break;
        case 1:
          ASSERT_TRUE(rig.service().write_snapshot().is_ok());
          ++snapshots_taken;
          break;
        default:
          fail_this_sync = true;
          break;
      }
    }
    const Model model_before = fail_this_sync ? model : Model{};
    const std::uint64_t head_before = rig.log().head().sequence;
    Caller caller = Caller::user_caller(pick(user_ids));
    Command command;
    bool expect_accept = false;
    const int kind = static_cast<int>(random() % 100);
    if (kind < 5 || customer_ids.empty()) {
      const std::string id = random_id();
      command = CreateCustomer{id, "customer"};
      caller = Caller::operator_caller();
      expect_accept = true;
      model.customers.insert(id);
      customer_ids.push_back(id);
    } else if (kind < 20 || user_ids.empty()) {
      const std::string id = random_id();
      const std::string customer = pick(customer_ids);
      const bool by_operator = user_ids.empty() || chance(30);
      if (by_operator) caller = Caller::operator_caller();
      const bool superuser = chance(40);
      command = CreateUser{id,
                           customer,
                           id + "@example.com",
                           "user",
                           superuser ? Role::superuser : Role::user,
                           testing::fake_password_hash(id)};
      expect_accept = model.customers.contains(customer) &&
                      (by_operator || model.superuser_of(caller.user_id, customer));
      if (expect_accept) {
        model.users[id] = Model::User{customer, superuser};
        user_ids.push_back(id);
      }
    } else if (kind < 45) {
      const std::string id = random_id();
      const std::string user = chance(85) ? caller.user_id : pick(user_ids);
      const std::optional<TimeNs> expires =
          chance(40)
              ? std::optional(now.load() + (static_cast<TimeNs>(random() % 200) - 20) * second_ns)
              : std::nullopt;
      command = CreateToken{id, sha256(id), user, "t", {Scope::global}, {}, expires};
      const auto it = model.users.find(user);
      expect_accept = user == caller.user_id && it != model.users.end() && !it->second.deleted &&
                      !it->second.locked && (!expires || *expires > now.load());
      if (expect_accept) {
        model.tokens[id] = Model::Token{user, true, expires.value_or(0)};
        token_ids.push_back(id);
      }
    } else if (kind < 60) {
      const std::string token = pick(token_ids);
      command = RevokeToken{token};
      expect_accept = model.can_revoke(caller.user_id, token) && model.tokens[token].live;
      if (expect_accept) model.tokens[token].live = false;
    } else if (kind < 65) {
      std::vector<std::string> ids;
      const int count = 1 + static_cast<int>(random() % 3);
      for (int i = 0; i < count; ++i) ids.push_back(pick(token_ids));
      command = BulkRevokeTokens{ids};
      expect_accept = std::set<std::string>(ids.begin(), ids.end()).size() == ids.size();
      for (const std::string& id : ids) {
        expect_accept =
            expect_accept && model.can_revoke(caller.user_id, id) && model.tokens[id].live;
      }
      if (expect_accept) {
        for (const std::string& id : ids) model.tokens[id].live = false;
      }
    } else if (kind < 75) {
      const std::string user = pick(user_ids);
      const bool failure = chance(70);
      caller = Caller::system_caller();
      command = RecordLogin{
          user, failure ? std::optional(LoginFailureReason::wrong_password) : std::nullopt};
      const auto it = model.users.find(user);
      const bool exists = it != model.users.end() && !it->second.deleted;
      // A login lock throttles password logins for 30 minutes; a right password meanwhile (or
      // while a superuser's lock holds) is refused, a wrong one changes nothing.
      const bool login_locked = exists && it->second.login_locked_until > now.load();
      expect_accept = exists && (failure || !(it->second.locked || login_locked));
      if (expect_accept && !it->second.locked && !login_locked) {
        Model::User& u = it->second;
        if (u.login_locked_until != 0) {  // its time passed: it ends, the count starts over
          u.login_locked_until = 0;
          u.failures = 0;
        }
        if (!failure) {
          u.failures = 0;
        } else if (++u.failures >= model.login_failures_max) {
          u.login_locked_until = now.load() + 1800 * second_ns;
        }
      }
    } else if (kind < 82) {
      const std::string user = pick(user_ids);
      const bool lock = chance(50);
      command = UpdateUser{user, std::nullopt, std::nullopt, lock};
      const auto it = model.users.find(user);
      expect_accept = it != model.users.end() && !it->second.deleted &&
                      model.superuser_of(caller.user_id, it->second.customer);
      // A superuser's own login lock is not its to end (a stolen token would lift it).
      if (expect_accept && !lock && it->second.login_locked_until != 0 && user == caller.user_id) {
        expect_accept = false;
      }
      if (expect_accept && it->second.locked != lock) {
        it->second.locked = lock;
        if (!lock) it->second.failures = 0;
      }
      // locked=false also ends a login lock: the superuser confirmed the user.
      if (expect_accept && !lock && it->second.login_locked_until != 0) {
        it->second.login_locked_until = 0;
        it->second.failures = 0;
      }
    } else if (kind < 87) {
      const std::string user = pick(user_ids);
      const bool by_operator = chance(30);
      if (by_operator) caller = Caller::operator_caller();
      command = DeleteUser{user, by_operator && chance(50)};
      const bool force = std::get<DeleteUser>(command).force;
      const auto it = model.users.find(user);
      expect_accept = it != model.users.end() && !it->second.deleted &&
                      (by_operator || model.superuser_of(caller.user_id, it->second.customer)) &&
                      (model.live_tokens(user) == 0 || force);
      if (expect_accept) {
        it->second.deleted = true;
        for (auto& [id, token] : model.tokens) {
          if (token.user == user) token.live = false;
        }
      }
    } else if (chance(50)) {
      // The background's other sweep: login locks whose time has passed end.
      caller = Caller::system_caller();
      command = ExpireLoginLocks{};
      expect_accept = true;
      for (auto& [id, user] : model.users) {
        if (!user.deleted && user.login_locked_until != 0 &&
            user.login_locked_until <= now.load()) {
          user.login_locked_until = 0;
          user.failures = 0;
        }
      }
    } else {
      caller = Caller::system_caller();
      command = ExpireTokens{};
      expect_accept = true;
      std::size_t due = 0;
      for (auto& [id, token] : model.tokens) {
        if (token.live && token.expires != 0 && token.expires <= now.load() && due < 1000) {
          token.live = false;
          ++due;
        }
      }
    }

    if (fail_this_sync) rig.faults().set_fail_syncs(true);
    Result<Executed> executed = rig.service().execute(caller, command);
    if (fail_this_sync) {
      rig.faults().set_fail_syncs(false);
      if (!executed.is_ok()) {
        // Not acknowledged. The model keeps its prediction only if the record reached the log
        // anyway (written, its sync refused): the restart shows which.
        ++failed_syncs;
        const Model model_if_kept = model;
        rig.restart(/*power_loss=*/chance(50));
        if (::testing::Test::HasFatalFailure()) return;
        if (rig.log().head().sequence > head_before) {
          model = model_if_kept;
        } else {
          model = model_before;
          ++lost_unacknowledged;
        }
        check("after a failed sync and a restart");
        continue;
      }
    }
    ASSERT_TRUE(executed.is_ok()) << executed.status().to_string();
    const bool was_accepted = !executed->rejection.has_value();
    ASSERT_EQ(was_accepted, expect_accept)
        << "step " << step << ": " << command_name(command) << " "
        << (executed->rejection ? executed->rejection->name + " " + executed->rejection->detail
                                : "accepted");
    (was_accepted ? accepted : rejected) += 1;
  }

  check("at the end");
  rig.restart();
  if (::testing::Test::HasFatalFailure()) return;
  check("after the last restart");
  std::printf(
      "domain simulation: %llu accepted, %llu rejected, %llu records; %llu restarts (%llu from a "
      "snapshot), %llu snapshots taken, %llu failed syncs (%llu power losses; %llu commands lost, "
      "none acknowledged)\n",
      static_cast<unsigned long long>(accepted), static_cast<unsigned long long>(rejected),
      static_cast<unsigned long long>(rig.log().head().sequence),
      static_cast<unsigned long long>(rig.restarts()),
      static_cast<unsigned long long>(rig.snapshot_loads()),
      static_cast<unsigned long long>(snapshots_taken),
      static_cast<unsigned long long>(failed_syncs),
      static_cast<unsigned long long>(rig.power_losses()),
      static_cast<unsigned long long>(lost_unacknowledged));
  EXPECT_GT(accepted, steps / 4);
  EXPECT_GT(rejected, steps / 20);
  EXPECT_GT(rig.snapshot_loads(), 0u);  // the last restart at least loads the stop's snapshot
}

// The same run every time: a failure here is a regression, reproducible as is.
TEST(DomainSimulation, AFixedSeedAgreesWithTheModelThroughRestartsAndFailedSyncs) {
  simulate("TOKENLEDGER_SIM_FIXED_SEED", env_number("TOKENLEDGER_SIM_FIXED_SEED", 5));
}

// A new seed each run, printed: over many CI runs it explores what the fixed one does not.
TEST(DomainSimulation, ARandomSeedAgreesWithTheModelThroughRestartsAndFailedSyncs) {
  simulate("TOKENLEDGER_SIM_SEED", env_number("TOKENLEDGER_SIM_SEED", std::random_device{}()));
}

}  // namespace
}  // namespace tokenledger
