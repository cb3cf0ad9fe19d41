#include "api/init_command.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "ledger/log.h"
#include "ledger/test_support.h"
#include "projections/data_dir.h"
#include "projections/token_service.h"

namespace tokenledger::api {
namespace {

TEST(InitCommand, CreatesACustomerAndASuperuserWhoCanLogIn) {
  tokenledger::testing::ScratchDirectory dir;
  const std::string password = "first-password-3f9a";
  Result<InitResult> init =
      initialize_data(dir.path(), "Demo Co", "root@example.com", password, PasswordCost::minimum());
  ASSERT_TRUE(init.is_ok()) << init.status().to_string();
  EXPECT_EQ(init->customer_id.size(), 22u);

  LogOptions log_options;
  log_options.path = log_path(dir.path());
  auto log = Log::open(log_options).value();
  TokenServiceOptions options;
  options.snapshot_path = snapshot_path(dir.path());
  auto service = TokenService::open(*log, options).value();
  EXPECT_TRUE(service->startup_report().snapshot_used);
  const bool superuser = service->read([&](const Views& views) {
    const User* user = views.user_by_login("root@example.com");
    return user != nullptr && user->id == init->user_id && user->role == Role::superuser &&
           views.customer(user->customer).id == init->customer_id;
  });
  EXPECT_TRUE(superuser);
  EXPECT_EQ(
      service->verify_login("root@example.com", password, {}, Caller::system_caller())->outcome,
      LoginOutcome::ok);
  ASSERT_TRUE(service->stop().is_ok());
  service.reset();
  ASSERT_TRUE(log->close().is_ok());

  // The password is nowhere in the data directory.
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path())) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string content((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
    EXPECT_EQ(content.find(password), std::string::npos) << entry.path();
  }
  EXPECT_TRUE(std::filesystem::exists(sealing_key_path(dir.path())));
}

TEST(InitCommand, RefusesToRunTwiceOnTheSameLog) {
  tokenledger::testing::ScratchDirectory dir;
  ASSERT_TRUE(
      initialize_data(dir.path(), "A", "a@example.com", "password-one", PasswordCost::minimum())
          .is_ok());
  Result<InitResult> again =
      initialize_data(dir.path(), "B", "b@example.com", "password-two", PasswordCost::minimum());
  ASSERT_FALSE(again.is_ok());
  EXPECT_EQ(again.status().code(), StatusCode::invalid_argument);
  EXPECT_NE(again.status().message().find("init runs once"), std::string::npos);
}

TEST(InitCommand, RefusesBadInputBeforeWritingAnything) {
  tokenledger::testing::ScratchDirectory dir;
  EXPECT_EQ(initialize_data(dir.path(), "A", "a@example.com", "short", PasswordCost::minimum())
                .status()
                .code(),
            StatusCode::invalid_argument);
  EXPECT_FALSE(std::filesystem::exists(log_path(dir.path())));
  Result<InitResult> bad_login =
      initialize_data(dir.path(), "A", "has space", "password-one", PasswordCost::minimum());
  ASSERT_FALSE(bad_login.is_ok());
  EXPECT_NE(bad_login.status().message().find("invalid_login"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(log_path(dir.path())));  // nothing was written
  EXPECT_TRUE(
      initialize_data(dir.path(), "A", "a@example.com", "password-one", PasswordCost::minimum())
          .is_ok());
}

}  // namespace
}  // namespace tokenledger::api
