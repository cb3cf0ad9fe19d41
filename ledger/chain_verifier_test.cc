// Each way of rewriting history is detected, and the first bad sequence is named. Every test
// writes a real log, closes it, damages it on disk, and verifies it through a read-only open.
#include "ledger/chain_verifier.h"

#include <gtest/gtest.h>

#include "ledger/tamper.h"
#include "ledger/test_support.h"

namespace tokenledger {
namespace {

using testing::ScratchDirectory;

constexpr std::uint64_t record_count = 20;

// Each test runs twice: on one thread, and split over three threads (ranges 1-6, 7-12, 13-20),
// whose report must be the same.
class ChainVerifierTest : public ::testing::TestWithParam<unsigned> {
 protected:
  void SetUp() override {
    LogOptions options;
    options.path = dir_.path();
    auto log = Log::open(options).value();
    const std::vector<Event> samples = testing::sample_events();
    for (std::uint64_t i = 0; i < record_count; ++i) {
      ASSERT_TRUE(log->append(std::span(&samples[i % samples.size()], 1)).is_ok());
    }
  }

  ChainReport verify(bool report_all = false) {
    LogOptions options;
    options.path = dir_.path();
    options.read_only = true;
    auto log = Log::open(options);
    EXPECT_TRUE(log.is_ok()) << log.status().to_string();
    VerifyOptions verify_options;
    verify_options.report_all = report_all;
    verify_options.threads = GetParam();
    verify_options.parallel_records_min = 0;
    return verify_chain(**log, verify_options);
  }

  void expect_first_problem(const ChainReport& report, std::uint64_t sequence,
                            const std::string& kind) {
    ASSERT_FALSE(report.ok()) << "tampering went unnoticed";
    EXPECT_EQ(report.problems.front().sequence, sequence) << report.problems.front().message;
    EXPECT_EQ(report.problems.front().kind, kind) << report.problems.front().message;
  }

  ScratchDirectory dir_;
};

TEST_P(ChainVerifierTest, AnUntouchedLogVerifies) {
  const ChainReport report = verify();
  EXPECT_TRUE(report.ok()) << report.problems.front().message;
  EXPECT_EQ(report.record_count, record_count);
  EXPECT_EQ(report.computed_head, report.stored_head);
  EXPECT_EQ(report.stored_head.sequence, record_count);
}

// A byte in the payload (near the end of the message, where the text lives) changes the
// record's hash: the next record's link no longer matches.
TEST_P(ChainVerifierTest, ChangedByteInTheMiddleIsNamed) {
  ASSERT_TRUE(testing::tamper_flip_byte(dir_.path(), 7, -3).is_ok());
  expect_first_problem(verify(), 7, "hash_mismatch");
}

TEST_P(ChainVerifierTest, ChangedByteInTheLastRecordIsCaughtByTheHead) {
  ASSERT_TRUE(testing::tamper_flip_byte(dir_.path(), record_count, -3).is_ok());
  expect_first_problem(verify(), record_count, "head_mismatch");
}

TEST_P(ChainVerifierTest, ChangedByteInTheFirstRecordIsNamed) {
  ASSERT_TRUE(testing::tamper_flip_byte(dir_.path(), 1, -3).is_ok());
  expect_first_problem(verify(), 1, "hash_mismatch");
}

// Whatever byte of a record changes, that record is the one named (or it no longer decodes).
TEST_P(ChainVerifierTest, EveryChangedByteOfARecordNamesThatRecord) {
  const std::uint64_t target = 9;
  LogOptions options;
  options.path = dir_.path();
  options.read_only = true;
  std::size_t size = 0;
  {
    auto log = Log::open(options).value();
    size = log->read_raw(target)->bytes.size();
  }
  for (std::size_t offset = 0; offset < size; ++offset) {
    ASSERT_TRUE(testing::tamper_flip_byte(dir_.path(), target, static_cast<long>(offset)).is_ok());
    const ChainReport report = verify();
    ASSERT_FALSE(report.ok()) << "offset " << offset;
    EXPECT_EQ(report.problems.front().sequence, target)
        << "offset " << offset << ": " << report.problems.front().message;
    ASSERT_TRUE(testing::tamper_flip_byte(dir_.path(), target, static_cast<long>(offset)).is_ok());
  }
  EXPECT_TRUE(verify().ok());
}

TEST_P(ChainVerifierTest, RemovedRecordIsNamed) {
  ASSERT_TRUE(testing::tamper_remove_record(dir_.path(), 12).is_ok());
  expect_first_problem(verify(), 12, "missing_record");
}

TEST_P(ChainVerifierTest, RemovedFirstRecordIsNamed) {
  ASSERT_TRUE(testing::tamper_remove_record(dir_.path(), 1).is_ok());
  expect_first_problem(verify(), 1, "missing_record");
}

TEST_P(ChainVerifierTest, SwappedPairIsNamed) {
  ASSERT_TRUE(testing::tamper_swap_records(dir_.path(), 5, 6).is_ok());
  expect_first_problem(verify(), 5, "sequence_mismatch");
}

TEST_P(ChainVerifierTest, CutTailBehindTheStoredHeadIsNamed) {
  ASSERT_TRUE(testing::tamper_cut_tail(dir_.path(), 15).is_ok());
  const ChainReport report = verify();
  expect_first_problem(report, 15, "missing_record");
  EXPECT_EQ(report.computed_head.sequence, 14u);
  EXPECT_EQ(report.stored_head.sequence, record_count);
}

TEST_P(ChainVerifierTest, ReportAllListsEveryDamagedPlace) {
  ASSERT_TRUE(testing::tamper_flip_byte(dir_.path(), 3, -3).is_ok());
  ASSERT_TRUE(testing::tamper_remove_record(dir_.path(), 10).is_ok());
  ASSERT_TRUE(testing::tamper_cut_tail(dir_.path(), 18).is_ok());
  const ChainReport report = verify(/*report_all=*/true);
  ASSERT_EQ(report.problems.size(), 3u);
  EXPECT_EQ(report.problems[0].sequence, 3u);
  EXPECT_EQ(report.problems[1].sequence, 10u);
  EXPECT_EQ(report.problems[2].sequence, 18u);
  EXPECT_EQ(report.record_count, 16u);
}

// The last record of the first range changed: only the link into the next range shows it.
TEST_P(ChainVerifierTest, ChangedByteAtTheEndOfARangeIsNamed) {
  ASSERT_TRUE(testing::tamper_flip_byte(dir_.path(), 6, -3).is_ok());
  expect_first_problem(verify(), 6, "hash_mismatch");
}

TEST_P(ChainVerifierTest, ProgressIsReported) {
  LogOptions options;
  options.path = dir_.path();
  options.read_only = true;
  auto log = Log::open(options).value();
  VerifyOptions verify_options;
  verify_options.threads = GetParam();
  verify_options.parallel_records_min = 0;
  verify_options.progress_interval_records = 1;
  std::uint64_t last_reported = 0;
  verify_options.progress = [&](std::uint64_t done) { last_reported = done; };
  ASSERT_TRUE(verify_chain(*log, verify_options).ok());
  EXPECT_EQ(last_reported, record_count);
}

INSTANTIATE_TEST_SUITE_P(Threads, ChainVerifierTest, ::testing::Values(1u, 3u),
                         [](const ::testing::TestParamInfo<unsigned>& param) {
                           return param.param == 1 ? std::string("OneThread")
                                                   : std::string("ThreeThreads");
                         });

}  // namespace
}  // namespace tokenledger
