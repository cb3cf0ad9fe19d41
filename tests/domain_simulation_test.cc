// A seeded simulation of the token domain: thousands of random commands from random callers,
// with time moving forward in jumps, against the live TokenService on a real log. A small,
// independent reference model predicts every accept and reject; at the end the views rebuilt
// from the log equal the live ones.
//
// TOKENLEDGER_SIM_SEED reproduces a run (the seed is printed); TOKENLEDGER_SIM_STEPS sets its
// length (default 3000; the long mode runs hundreds of thousands).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <random>
#include <set>

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

TEST(DomainSimulation, RandomCommandsAgreeWithTheModelAndTheRebuild) {
  const std::uint64_t seed = env_number("TOKENLEDGER_SIM_SEED", std::random_device{}());
  const std::uint64_t steps = env_number("TOKENLEDGER_SIM_STEPS", 3000);
  std::printf("domain simulation: %llu steps, seed %llu (TOKENLEDGER_SIM_SEED reproduces it)\n",
              static_cast<unsigned long long>(steps), static_cast<unsigned long long>(seed));
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 random(seed);
  auto chance = [&](int percent) { return static_cast<int>(random() % 100) < percent; };

  testing::ScratchDirectory dir;
  LogOptions log_options;
  log_options.path = dir.path() / "log";
  auto log = Log::open(log_options).value();
  std::atomic<TimeNs> now{testing::start_ns};
  TokenServiceOptions options;
  options.clock = [&] { return now.load(); };
  auto service = TokenService::open(*log, options).value();

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

  for (std::uint64_t step = 0; step < steps; ++step) {
    if (chance(10)) now += static_cast<TimeNs>(random() % 120) * second_ns;  // time jumps
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

    Result<Executed> executed = service->execute(caller, command);
    ASSERT_TRUE(executed.is_ok()) << executed.status().to_string();
    const bool was_accepted = !executed->rejection.has_value();
    ASSERT_EQ(was_accepted, expect_accept)
        << "step " << step << ": " << command_name(command) << " "
        << (executed->rejection ? executed->rejection->name + " " + executed->rejection->detail
                                : "accepted");
    (was_accepted ? accepted : rejected) += 1;
  }

  // The live views agree with the model on every token's state ...
  service->read([&](const Views& views) {
    for (const auto& [id, token] : model.tokens) {
      const Token* live = views.token_by_id(id);
      ASSERT_NE(live, nullptr);
      const bool expired_unrecorded =
          token.live && token.expires != 0 && token.expires <= now.load();
      if (!expired_unrecorded) {
        EXPECT_EQ(live->state == TokenState::live, token.live) << id;
      }
    }
  });
  // ... and equal the views rebuilt from scratch out of the log.
  ASSERT_TRUE(service->stop().is_ok());
  Views rebuilt;
  ASSERT_TRUE(replay_into(rebuilt, *log, log->head().sequence).is_ok());
  EXPECT_TRUE(service->read([&](const Views& v) { return v.same_as(rebuilt); }));
  std::printf("domain simulation: %llu accepted, %llu rejected, %llu records\n",
              static_cast<unsigned long long>(accepted), static_cast<unsigned long long>(rejected),
              static_cast<unsigned long long>(log->head().sequence));
  EXPECT_GT(accepted, steps / 4);
  EXPECT_GT(rejected, steps / 20);
}

}  // namespace
}  // namespace tokenledger
