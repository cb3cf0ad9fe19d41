#include "projections/usage_tracker.h"

#include <gtest/gtest.h>

#include "projections/test_domain.h"

namespace tokenledger {
namespace {

using testing::second_ns;

Token token_numbered(std::uint32_t n) {
  Token token;
  std::string id = std::to_string(n);
  id.resize(token_id_size, 'x');
  EXPECT_TRUE(parse_token_id(id, &token.id));
  return token;
}

TEST(UsageTracker, CoalescesUsesWithinTheWindow) {
  UsageTracker tracker(60 * second_ns, 1000);
  const Token token = token_numbered(1);
  const TimeNs t = testing::start_ns;
  tracker.record(1, token, t, "192.0.2.1", "a");
  tracker.record(1, token, t + second_ns, "192.0.2.2", "b");
  std::vector<TokenUse> uses = tracker.drain(t + 2 * second_ns, false);
  ASSERT_EQ(uses.size(), 1u);
  EXPECT_EQ(uses[0].use_count, 2u);
  EXPECT_EQ(uses[0].client_ip, "192.0.2.2");
  EXPECT_EQ(uses[0].user_agent, "b");
  EXPECT_EQ(uses[0].last_used_at_ns, t + second_ns);
  tracker.record(1, token, t + 3 * second_ns, "192.0.2.2", "b");
  EXPECT_TRUE(tracker.drain(t + 30 * second_ns, false).empty());  // within the minute
  EXPECT_EQ(tracker.drain(t + 30 * second_ns, true).size(), 1u);  // unless everything is due
  tracker.record(1, token, t + 40 * second_ns, "192.0.2.2", "b");
  EXPECT_TRUE(tracker.drain(t + 50 * second_ns, false).empty());
  EXPECT_EQ(tracker.drain(t + 91 * second_ns, false).size(), 1u);
  EXPECT_TRUE(tracker.drain(t + 200 * second_ns, false).empty());
  EXPECT_EQ(tracker.tracked_count(), 0u);  // nothing pending and the window passed: forgotten
}

TEST(UsageTracker, IsBoundedAndCountsWhatItDrops) {
  UsageTracker tracker(60 * second_ns, 64 * 2);  // two per shard
  for (std::uint32_t n = 0; n < 64 * 4; ++n) {
    tracker.record(n, token_numbered(n), testing::start_ns, "ip", "ua");
  }
  EXPECT_EQ(tracker.tracked_count(), 64u * 2);
  EXPECT_EQ(tracker.dropped_use_count(), 64u * 2);
}

TEST(UsageTracker, DrainsManyTokensInOnePass) {
  UsageTracker tracker(60 * second_ns, 1'000'000);
  for (std::uint32_t n = 0; n < 200'000; ++n) {
    tracker.record(n, token_numbered(n), testing::start_ns, "ip", "ua");
  }
  EXPECT_EQ(tracker.drain(testing::start_ns, true).size(), 200'000u);
  EXPECT_TRUE(tracker.drain(testing::start_ns, true).empty());
}

}  // namespace
}  // namespace tokenledger
