// tokenledger-replay as an auditor runs it: the real binary on copies of a real data directory
// (written by TokenService, the server's own write path), each tampering kind in its own test,
// plus rebuild against a snapshot that no longer matches the log; and `tokenledger serve` refusing
// to start on such a copy.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "ledger/sha256.h"
#include "ledger/tamper.h"
#include "ledger/test_support.h"
#include "projections/apply.h"
#include "projections/data_dir.h"
#include "projections/replay.h"
#include "projections/snapshot.h"
#include "projections/token_service.h"

namespace tokenledger {
namespace {

struct ToolRun {
  int exit_code = -1;
  std::string out;
};

ToolRun run_binary(const std::string& binary, const std::string& arguments) {
  ToolRun result;
  const std::string command = binary + " " + arguments + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer;
  std::size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    result.out.append(buffer.data(), n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

ToolRun run(const std::string& arguments) {
  return run_binary(TOKENLEDGER_REPLAY, arguments);
}

class ReplayToolTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    original_ = new testing::ScratchDirectory();
    LogOptions log_options;
    log_options.path = log_path(original_->path());
    std::unique_ptr<Log> log = Log::open(log_options).value();
    TokenServiceOptions options;
    options.snapshot_path = snapshot_path(original_->path());
    std::unique_ptr<TokenService> service = TokenService::open(*log, options).value();
    const std::string customer = random_id();
    const std::string user = random_id();
    ASSERT_FALSE(
        service->execute(Caller::operator_caller(), CreateCustomer{customer, "C"})->rejection);
    ASSERT_FALSE(
        service
            ->execute(Caller::operator_caller(),
                      CreateUser{user, customer, "a@example.com", "A", Role::superuser,
                                 hash_password("password-1", PasswordCost::minimum()).value()})
            ->rejection);
    for (int i = 0; i < 20; ++i) {
      const std::string token = random_id();
      ASSERT_FALSE(
          service
              ->execute(Caller::user_caller(user), CreateToken{token,
                                                               sha256(random_token_secret()),
                                                               user,
                                                               "t",
                                                               {Scope::global},
                                                               {},
                                                               std::nullopt})
              ->rejection);
      if (i % 3 == 0) {
        ASSERT_FALSE(service->execute(Caller::user_caller(user), RevokeToken{token})->rejection);
      }
    }
    ASSERT_TRUE(service->stop().is_ok());  // writes the snapshot
    head_ = log->head().sequence;
  }
  static void TearDownTestSuite() { delete original_; }

  // A fresh copy of the data directory for one test to damage.
  std::filesystem::path copy() {
    const std::filesystem::path target = scratch_.path() / "data";
    std::filesystem::copy(original_->path(), target, std::filesystem::copy_options::recursive);
    return target;
  }

  static testing::ScratchDirectory* original_;
  static std::uint64_t head_;
  testing::ScratchDirectory scratch_;
};

testing::ScratchDirectory* ReplayToolTest::original_ = nullptr;
std::uint64_t ReplayToolTest::head_ = 0;

TEST_F(ReplayToolTest, AnIntactCopyVerifiesAndRebuildsToTheSnapshot) {
  const std::filesystem::path data = copy();
  ToolRun verified = run("verify --data " + data.string());
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
  EXPECT_NE(verified.out.find("chain ok: " + std::to_string(head_) + " records"), std::string::npos)
      << verified.out;
  ToolRun rebuilt = run("rebuild --data " + data.string());
  EXPECT_EQ(rebuilt.exit_code, 0) << rebuilt.out;
  EXPECT_NE(rebuilt.out.find("matches a rebuild"), std::string::npos) << rebuilt.out;
}

TEST_F(ReplayToolTest, VerifyNamesAChangedByte) {
  const std::filesystem::path data = copy();
  ASSERT_TRUE(testing::tamper_flip_byte(log_path(data), 7, -3).is_ok());
  ToolRun verified = run("verify --data " + data.string());
  EXPECT_EQ(verified.exit_code, 1) << verified.out;
  EXPECT_NE(verified.out.find("first bad sequence 7"), std::string::npos) << verified.out;
}

TEST_F(ReplayToolTest, VerifyNamesARemovedRecord) {
  const std::filesystem::path data = copy();
  ASSERT_TRUE(testing::tamper_remove_record(log_path(data), 9).is_ok());
  ToolRun verified = run("verify --data " + data.string());
  EXPECT_EQ(verified.exit_code, 1) << verified.out;
  EXPECT_NE(verified.out.find("first bad sequence 9"), std::string::npos) << verified.out;
  EXPECT_NE(verified.out.find("missing_record"), std::string::npos) << verified.out;
}

TEST_F(ReplayToolTest, VerifyNamesSwappedRecords) {
  const std::filesystem::path data = copy();
  ASSERT_TRUE(testing::tamper_swap_records(log_path(data), 5, 6).is_ok());
  ToolRun verified = run("verify --data " + data.string());
  EXPECT_EQ(verified.exit_code, 1) << verified.out;
  EXPECT_NE(verified.out.find("first bad sequence 5"), std::string::npos) << verified.out;
}

TEST_F(ReplayToolTest, VerifyNamesACutTail) {
  const std::filesystem::path data = copy();
  ASSERT_TRUE(testing::tamper_cut_tail(log_path(data), head_ - 2).is_ok());
  ToolRun verified = run("verify --data " + data.string() + " --report-all");
  EXPECT_EQ(verified.exit_code, 1) << verified.out;
  EXPECT_NE(verified.out.find("head"), std::string::npos) << verified.out;
}

TEST_F(ReplayToolTest, RebuildReportsASnapshotThatDoesNotMatchTheLogAndWriteRepairsIt) {
  const std::filesystem::path data = copy();
  // A well-formed snapshot of different views (one token fewer revoked), claiming this log.
  {
    LogOptions log_options;
    log_options.path = log_path(data);
    log_options.read_only = true;
    std::unique_ptr<Log> log = Log::open(log_options).value();
    Views views;
    Hash hash{};
    ASSERT_TRUE(load_snapshot(snapshot_path(data), &views, &hash).is_ok());
    Views other;
    ReplayLimits limits;
    limits.up_to_sequence = views.sequence() - 1;
    ASSERT_TRUE(replay_within(other, *log, limits).is_ok());
    // The last record applied with its token renamed: same position, same claimed hash, one
    // token's content different.
    Record last = log->read(views.sequence()).value();
    auto* created = std::get_if<TokenCreated>(&last.event.body);
    ASSERT_NE(created, nullptr);
    created->name = "renamed by someone";
    ASSERT_TRUE(apply(other, last).is_ok());
    ASSERT_TRUE(write_snapshot(other, hash, snapshot_path(data)).is_ok());
  }
  ToolRun damaged = run("rebuild --data " + data.string());
  EXPECT_EQ(damaged.exit_code, 1) << damaged.out;
  EXPECT_NE(damaged.out.find("DIFFERS"), std::string::npos) << damaged.out;
  EXPECT_NE(damaged.out.find(": name differs"), std::string::npos) << damaged.out;

  ToolRun repaired = run("rebuild --write --data " + data.string());
  EXPECT_EQ(repaired.exit_code, 0) << repaired.out;
  ToolRun again = run("rebuild --data " + data.string());
  EXPECT_EQ(again.exit_code, 0) << again.out;
}

TEST_F(ReplayToolTest, RebuildReportsAnUnusableSnapshotAndWriteReplacesIt) {
  const std::filesystem::path data = copy();
  {
    // The payload's last byte inverted: the checksum no longer holds.
    std::fstream file(snapshot_path(data), std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(-1, std::ios::end);
    const char last = static_cast<char>(file.get());
    file.seekp(-1, std::ios::end);
    file.put(static_cast<char>(~last));
  }
  ToolRun damaged = run("rebuild --data " + data.string());
  EXPECT_EQ(damaged.exit_code, 1) << damaged.out;
  EXPECT_NE(damaged.out.find("stored snapshot unusable"), std::string::npos) << damaged.out;

  ToolRun repaired = run("rebuild --write --data " + data.string());
  EXPECT_EQ(repaired.exit_code, 0) << repaired.out;
  EXPECT_EQ(repaired.out.find("DIFFERS"), std::string::npos) << repaired.out;
  ToolRun again = run("rebuild --data " + data.string());
  EXPECT_EQ(again.exit_code, 0) << again.out;
  EXPECT_NE(again.out.find("stored snapshot matches"), std::string::npos) << again.out;
}

TEST_F(ReplayToolTest, RebuildSaysWhenTheSnapshotCoversNoRecords) {
  const std::filesystem::path data = copy();
  Views empty;
  ASSERT_TRUE(write_snapshot(empty, Hash{}, snapshot_path(data)).is_ok());
  ToolRun rebuilt = run("rebuild --data " + data.string());
  EXPECT_EQ(rebuilt.exit_code, 0) << rebuilt.out;
  EXPECT_NE(rebuilt.out.find("stored snapshot covers no records"), std::string::npos)
      << rebuilt.out;
  EXPECT_EQ(rebuilt.out.find("no stored snapshot"), std::string::npos) << rebuilt.out;
}

TEST_F(ReplayToolTest, UsageMistakesExitWith2) {
  EXPECT_EQ(run("").exit_code, 2);
  EXPECT_EQ(run("state --data /nonexistent").exit_code, 2);
  EXPECT_EQ(run("history --data /nonexistent").exit_code, 2);
  EXPECT_EQ(run("export --since yesterday --until today").exit_code, 2);
  EXPECT_EQ(run("verify --data /nonexistent/dir").exit_code, 3);
}

// The server walks the chain at start-up: a record changed under the snapshot (which the views'
// build never reads) stops it before it listens, with a message naming the sequence. `timeout`
// ends a server that wrongly started.
TEST_F(ReplayToolTest, TheServerRefusesToStartOnAChangedRecord) {
  const std::filesystem::path data = copy();
  ASSERT_TRUE(testing::tamper_flip_byte(log_path(data), 7, -3).is_ok());
  ToolRun served = run_binary("timeout 30 " + std::string(TOKENLEDGER_SERVER),
                              "serve --data " + data.string() + " --listen 127.0.0.1:0");
  EXPECT_EQ(served.exit_code, 1) << served.out;
  EXPECT_NE(served.out.find("refusing to start"), std::string::npos) << served.out;
  EXPECT_NE(served.out.find("broken at sequence 7"), std::string::npos) << served.out;
  EXPECT_EQ(served.out.find("serving on"), std::string::npos) << served.out;
}

TEST_F(ReplayToolTest, TheServerRefusesToStartOnARemovedRecord) {
  const std::filesystem::path data = copy();
  ASSERT_TRUE(testing::tamper_remove_record(log_path(data), 9).is_ok());
  ToolRun served = run_binary("timeout 30 " + std::string(TOKENLEDGER_SERVER),
                              "serve --data " + data.string() + " --listen 127.0.0.1:0");
  EXPECT_EQ(served.exit_code, 1) << served.out;
  EXPECT_NE(served.out.find("broken at sequence 9 (missing_record"), std::string::npos)
      << served.out;
}

}  // namespace
}  // namespace tokenledger

namespace tokenledger {
namespace {

// Issue 15, item 12: history's text output printed a client's raw User-Agent inside quotes, so a
// `"` in it could forge fields of the line (a user, a token). Every actor field is now a JSON
// string literal.
TEST_F(ReplayToolTest, HistoryEscapesWhatClientsSent) {
  const std::filesystem::path data = copy();
  std::string token_id;
  {
    LogOptions log_options;
    log_options.path = log_path(data);
    std::unique_ptr<Log> log = Log::open(log_options).value();
    TokenServiceOptions options;
    options.snapshot_path = snapshot_path(data);
    std::unique_ptr<TokenService> service = TokenService::open(*log, options).value();
    token_id = service->read(
        [](const Views& views) { return std::string(token_id_view(views.token(1).id)); });
    RecordTokenUses uses;
    uses.uses.push_back(TokenUse{token_id, 1'700'000'000'000'000'000, "192.0.2.1",
                                 "curl\" user=forged-admin\nline #999 \\", 1});
    ASSERT_FALSE(service->execute(Caller::system_caller(), uses)->rejection);
    ASSERT_TRUE(service->stop().is_ok());
  }
  ToolRun history = run("history --token " + token_id + " --data " + data.string());
  EXPECT_EQ(history.exit_code, 0) << history.out;
  EXPECT_NE(history.out.find(R"(agent="curl\" user=forged-admin\nline #999 \\")"),
            std::string::npos)
      << history.out;
  EXPECT_EQ(history.out.find(R"(agent="curl" user=forged-admin)"), std::string::npos)
      << history.out;
  EXPECT_EQ(history.out.find("\nline #999"), std::string::npos) << history.out;
}

}  // namespace
}  // namespace tokenledger
