// Migration of legacy keys against a real data directory: two customers, an idempotent re-run,
// the old keys authenticating as tokens of "Global API Token", and nothing half-applied.
#include "api/migrate_command.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "ledger/sha256.h"
#include "ledger/test_support.h"
#include "projections/data_dir.h"
#include "projections/token_service.h"

namespace tokenledger::api {
namespace {

class MigrateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    with_service([&](TokenService& service) {
      for (const std::string* customer : {&first_, &second_}) {
        ASSERT_FALSE(
            service.execute(Caller::operator_caller(), CreateCustomer{*customer, "C"})->rejection);
      }
    });
  }

  template <typename Function>
  void with_service(Function&& function) {
    LogOptions log_options;
    log_options.path = log_path(dir_.path());
    std::unique_ptr<Log> log = Log::open(log_options).value();
    TokenServiceOptions options;
    options.snapshot_path = snapshot_path(dir_.path());
    std::unique_ptr<TokenService> service = TokenService::open(*log, options).value();
    function(*service);
    ASSERT_TRUE(service->stop().is_ok());
  }

  std::uint64_t head() {
    std::uint64_t sequence = 0;
    with_service([&](TokenService& service) {
      sequence = service.read([](const Views& views) { return views.sequence(); });
    });
    return sequence;
  }

  std::filesystem::path file(const std::string& text) {
    const std::filesystem::path path = dir_.path() / "keys.jsonl";
    std::ofstream(path) << text;
    return path;
  }

  std::string line(const std::string& customer, const std::string& key) {
    return R"({"customer_id":")" + customer + R"(","key":")" + key +
           R"(","created_at":"2016-04-01T10:00:00Z"})" + "\n";
  }

  testing::ScratchDirectory dir_;
  std::string first_ = random_id();
  std::string second_ = random_id();
};

TEST_F(MigrateTest, KeysOfTwoCustomersBecomeTokensOfGlobalApiTokenOnce) {
  const std::filesystem::path keys =
      file(line(first_, "legacy-account-key-one") + line(second_, "legacy-account-key-two"));
  Result<MigrationReport> report = migrate_legacy_keys(dir_.path(), keys);
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  EXPECT_TRUE(report->problems.empty());
  EXPECT_EQ(report->migrated, 2u);
  const std::uint64_t after_first = head();

  Result<MigrationReport> again = migrate_legacy_keys(dir_.path(), keys);
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(again->migrated, 0u);
  EXPECT_EQ(again->unchanged, 2u);
  EXPECT_EQ(head(), after_first);  // nothing appended

  with_service([&](TokenService& service) {
    for (const auto& [customer, key] : {std::pair{first_, "legacy-account-key-one"},
                                        std::pair{second_, "legacy-account-key-two"}}) {
      service.authenticate(sha256(key), Requirement{Access::write, false, std::nullopt},
                           RequestOrigin{"192.0.2.1", "test"}, [&](const AuthResult& result) {
                             ASSERT_TRUE(result.who) << auth_failure_name(result.failure);
                             EXPECT_EQ(result.who->user->name, "Global API Token");
                             EXPECT_EQ(result.who->user->kind, UserKind::global_api_token);
                             EXPECT_EQ(result.who->customer->id, customer);
                             EXPECT_EQ(result.who->token->origin, TokenOrigin::legacy_migration);
                             EXPECT_TRUE(result.who->token->services.empty());
                             EXPECT_EQ(result.who->token->created_at_ns, 1'459'504'800'000'000'000);
                           });
    }
  });
}

TEST_F(MigrateTest, AMalformedLineOrARefusedKeyChangesNothing) {
  const std::uint64_t before = head();
  Result<MigrationReport> malformed = migrate_legacy_keys(
      dir_.path(), file(line(first_, "good-account-key-0001") + "{\"customer_id\":\"x\"}\n"));
  ASSERT_TRUE(malformed.is_ok());
  ASSERT_EQ(malformed->problems.size(), 1u);
  EXPECT_EQ(malformed->problems[0], "line 2: key is missing");
  EXPECT_EQ(head(), before);

  Result<MigrationReport> refused = migrate_legacy_keys(
      dir_.path(),
      file(line(first_, "good-account-key-0001") + line(random_id(), "other-account-key-0001")));
  ASSERT_TRUE(refused.is_ok());
  ASSERT_EQ(refused->problems.size(), 1u);
  EXPECT_TRUE(refused->problems[0].starts_with("line 2: unknown_customer")) << refused->problems[0];
  EXPECT_EQ(head(), before);  // the good first line was not applied either
}

// Issue 15, item 12: the same key under two customers was checked line by line against the views
// before the run, so the second line failed half-way, after the first was written.
TEST_F(MigrateTest, OneKeyUnderTwoCustomersChangesNothing) {
  const std::uint64_t before = head();
  Result<MigrationReport> report = migrate_legacy_keys(
      dir_.path(),
      file(line(first_, "shared-account-key-01") + line(second_, "shared-account-key-01")));
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  ASSERT_EQ(report->problems.size(), 1u);
  EXPECT_EQ(report->problems[0],
            "line 2: the same key as line 1 (a key belongs to one customer, once)");
  EXPECT_EQ(head(), before);
}

// A customer that had several account keys keeps each: both authenticate, as two tokens of its
// one "Global API Token" user.
TEST_F(MigrateTest, SeveralKeysOfOneCustomerEachBecomeAToken) {
  Result<MigrationReport> report = migrate_legacy_keys(
      dir_.path(),
      file(line(first_, "first-account-key-001") + line(first_, "second-account-key-02")));
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  EXPECT_TRUE(report->problems.empty());
  EXPECT_EQ(report->migrated, 2u);
  with_service([&](TokenService& service) {
    std::set<std::string> owners;
    for (const char* key : {"first-account-key-001", "second-account-key-02"}) {
      service.authenticate(sha256(key), Requirement{Access::write, true, std::nullopt},
                           RequestOrigin{}, [&](const AuthResult& result) {
                             ASSERT_TRUE(result.who) << key;
                             owners.insert(result.who->user->id);
                             EXPECT_EQ(result.who->user->kind, UserKind::global_api_token);
                           });
    }
    EXPECT_EQ(owners.size(), 1u);
  });
}

}  // namespace
}  // namespace tokenledger::api
