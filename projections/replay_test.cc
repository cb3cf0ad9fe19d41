// The replay loop on a log long enough for its two-thread form (read and decode on one thread,
// apply on the other): the same views as applying record by record, its limits in sequence and
// time, and a missing record named.
#include "projections/replay.h"

#include <gtest/gtest.h>

#include "ledger/tamper.h"
#include "ledger/test_support.h"
#include "projections/apply.h"
#include "projections/test_domain.h"

namespace tokenledger {
namespace {

using testing::make_id;
using testing::second_ns;
using testing::start_ns;

constexpr int batch_count = 120;
constexpr int tokens_per_batch = 250;  // 30,000 tokens: past the two-thread threshold

std::string numbered(const char* prefix, int n) {
  return make_id(prefix + std::to_string(n));
}

class ReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LogOptions options;
    options.path = dir_.path();
    // Each append is one second after the one before: time limits fall between batches.
    options.clock = [this] { return start_ns + second_ns * appends_++; };
    log_ = Log::open(options).value();
    const std::string customer = make_id("c1");
    const std::string user = make_id("u1");
    std::vector<Event> setup = {
        Event{Actor{}, CustomerCreated{customer, "C"}},
        Event{Actor{}, UserCreated{user, customer, "u@example.com", "U", Role::engineer,
                                   std::nullopt, UserKind::person}}};
    ASSERT_TRUE(log_->append(setup).is_ok());
    for (int b = 0; b < batch_count; ++b) {
      std::vector<Event> batch;
      for (int i = 0; i < tokens_per_batch; ++i) {
        const int n = b * tokens_per_batch + i;
        batch.push_back(Event{Actor{}, TokenCreated{numbered("t", n),
                                                    user,
                                                    customer,
                                                    "t",
                                                    {Scope::global},
                                                    {},
                                                    std::nullopt,
                                                    sha256(numbered("s", n)),
                                                    TokenOrigin::api,
                                                    start_ns}});
        if (i % 5 == 4) {
          batch.push_back(
              Event{Actor{}, TokenRevoked{numbered("t", n), std::nullopt, RevokeReason::owner}});
        }
      }
      ASSERT_TRUE(log_->append(batch).is_ok());
    }
    head_ = log_->head().sequence;
  }

  // The reference: every record applied in order, one at a time.
  void apply_one_by_one(Views& views, std::uint64_t up_to_sequence) {
    for (auto cursor = log_->cursor(1); cursor->valid() && cursor->sequence() <= up_to_sequence;
         cursor->next()) {
      ASSERT_TRUE(apply(views, *cursor->record()).is_ok());
    }
  }

  testing::ScratchDirectory dir_;
  std::int64_t appends_ = 0;
  std::unique_ptr<Log> log_;
  std::uint64_t head_ = 0;
};

TEST_F(ReplayTest, TheWholeLogGivesTheViewsOfApplyingRecordByRecord) {
  ASSERT_GT(head_, 30'000u);
  Views replayed;
  ASSERT_TRUE(replay_into(replayed, *log_, head_).is_ok());
  Views reference;
  apply_one_by_one(reference, head_);
  EXPECT_EQ(replayed.sequence(), head_);
  EXPECT_EQ(replayed.token_count(), 30'000u);
  EXPECT_EQ(replayed.live_token_count(), 24'000u);
  EXPECT_TRUE(replayed.same_as(reference));
}

TEST_F(ReplayTest, ASequenceLimitStopsExactlyThere) {
  Views views;
  ReplayLimits limits;
  limits.up_to_sequence = 25'001;
  std::uint64_t last_progress = 0;
  limits.progress = [&](std::uint64_t sequence) { last_progress = sequence; };
  limits.progress_interval_records = 1000;
  ASSERT_TRUE(replay_within(views, *log_, limits).is_ok());
  EXPECT_EQ(views.sequence(), 25'001u);
  EXPECT_EQ(last_progress, 25'000u);
  Views reference;
  apply_one_by_one(reference, 25'001);
  EXPECT_TRUE(views.same_as(reference));
}

// Append k (k >= 1) holds the setup at time start + 0 s and batch b at start + (b + 1) s.
TEST_F(ReplayTest, ATimeLimitStopsAfterTheLastRecordAtOrBeforeIt) {
  Views views;
  ReplayLimits limits;
  limits.up_to_time_ns = start_ns + 100 * second_ns;  // through batch 99
  ASSERT_TRUE(replay_within(views, *log_, limits).is_ok());
  EXPECT_EQ(views.token_count(), 100u * tokens_per_batch);
  EXPECT_EQ(views.sequence(), 2u + 100u * (tokens_per_batch + tokens_per_batch / 5));
}

// The log repeats every six records (five creations, a revoke), and a sample taken at a fixed
// stride (70 here) would land on creations only and guess every record creates a token; the
// estimate must stay near the truth, a little over it, within a time limit too.
TEST_F(ReplayTest, TheTokenEstimateIsNearTheTruthOnAPeriodicLog) {
  const auto near_over = [](std::size_t estimate, double truth) {
    return static_cast<double>(estimate) >= truth && static_cast<double>(estimate) <= truth * 1.1;
  };
  const std::size_t whole = estimate_token_creations(*log_, 1, head_, INT64_MAX);
  EXPECT_TRUE(near_over(whole, 30'000)) << whole;
  const std::size_t half =
      estimate_token_creations(*log_, 1, head_, start_ns + 60 * second_ns);  // batches 0..59
  EXPECT_TRUE(near_over(half, 15'000)) << half;
  EXPECT_EQ(estimate_token_creations(*log_, 10, 9, INT64_MAX), 0u);  // an empty range
  EXPECT_EQ(estimate_token_creations(*log_, 1, 2, INT64_MAX), 0u);   // customer and user only
}

TEST_F(ReplayTest, AMissingRecordIsNamedAndEverythingBeforeItApplied) {
  log_.reset();
  ASSERT_TRUE(testing::tamper_remove_record(dir_.path(), 22'222).is_ok());
  LogOptions options;
  options.path = dir_.path();
  options.read_only = true;
  log_ = Log::open(options).value();
  Views views;
  const Status status = replay_into(views, *log_, head_);
  ASSERT_FALSE(status.is_ok());
  EXPECT_EQ(status.code(), StatusCode::corruption);
  EXPECT_NE(status.message().find("sequence 22223 applied after 22221"), std::string::npos)
      << status.to_string();
  EXPECT_EQ(views.sequence(), 22'221u);
}

}  // namespace
}  // namespace tokenledger
