#include "projections/windowed_counter.h"

#include <gtest/gtest.h>

#include <string>

namespace tokenledger {
namespace {

constexpr TimeNs hour_ns = 3'600'000'000'000;
constexpr TimeNs start_ns = 1'700'000'000 * 1'000'000'000LL;

TEST(WindowedCounter, CountsEachKeyWithinItsWindow) {
  WindowedCounter counter;
  EXPECT_EQ(counter.count("198.51.100.1", start_ns), 0u);
  for (std::uint32_t i = 1; i <= 5; ++i) EXPECT_EQ(counter.add("198.51.100.1", start_ns), i);
  EXPECT_EQ(counter.count("198.51.100.1", start_ns), 5u);
  EXPECT_EQ(counter.count("198.51.100.2", start_ns), 0u);
  // The next clock hour starts from zero.
  const TimeNs next = counter.window_end_ns(start_ns);
  EXPECT_EQ(next % hour_ns, 0);
  EXPECT_GT(next, start_ns);
  EXPECT_LE(next - start_ns, hour_ns);
  EXPECT_EQ(counter.count("198.51.100.1", next - 1), 5u);
  EXPECT_EQ(counter.count("198.51.100.1", next), 0u);
}

// The property the rate limits rest on: a flood of distinct keys, many more than the sketch has
// counters, never lowers anyone's count (nothing is evicted), and raises a bystander's count
// only as far as the flood's average load per counter allows.
TEST(WindowedCounter, AFloodOfNewKeysNeitherResetsNorExhaustsAnotherKey) {
  WindowedCounterOptions options;
  options.width = 1 << 10;  // small, so that the flood is 64 times the counters of a row
  WindowedCounter counter(options);
  for (int i = 0; i < 7; ++i) counter.add("victim", start_ns);
  const std::uint32_t flood = 64 * (1 << 10);
  for (std::uint32_t i = 0; i < flood; ++i) counter.add("attacker-" + std::to_string(i), start_ns);
  EXPECT_GE(counter.count("victim", start_ns), 7u);
  // Each row's counters hold flood / width = 64 on average; a bystander who was never counted
  // stays far below a limit of 1,000.
  std::uint32_t worst = 0;
  for (int i = 0; i < 1000; ++i) {
    worst = std::max(worst, counter.count("bystander-" + std::to_string(i), start_ns));
  }
  EXPECT_LT(worst, 200u);
  EXPECT_LT(counter.count("victim", start_ns), 7u + 200u);
}

TEST(WindowedCounter, AddBelowStopsAtTheLimitAndAClockSteppingBackKeepsTheCounts) {
  WindowedCounter counter;
  EXPECT_EQ(counter.add_below("k", start_ns, 2), 1u);
  EXPECT_EQ(counter.add_below("k", start_ns, 2), 2u);
  EXPECT_EQ(counter.add_below("k", start_ns, 2), std::nullopt);
  EXPECT_EQ(counter.count("k", start_ns), 2u);  // a refused add adds nothing
  // A clock stepped back into an earlier window does not hand out a fresh budget.
  EXPECT_EQ(counter.count("k", start_ns - 2 * hour_ns), 2u);
}

TEST(WindowedCounter, TwoCountersHashDifferently) {
  // Keys are hashed with a random key per process: which keys share a counter in one sketch is
  // unrelated to which share one in another, so collisions cannot be computed in advance.
  WindowedCounterOptions options;
  options.width = 2;
  options.depth = 1;
  WindowedCounter one(options);
  WindowedCounter two(options);
  for (int i = 0; i < 100; ++i) {
    one.add("a", start_ns);
    two.add("a", start_ns);
  }
  // Each probe shares "a"'s counter or not, by a coin of each sketch's own key: 64 probes agree
  // in both only with probability 2^-64.
  int differ = 0;
  for (int i = 0; i < 64; ++i) {
    const std::string key = "probe" + std::to_string(i);
    if (one.count(key, start_ns) != two.count(key, start_ns)) ++differ;
  }
  EXPECT_GT(differ, 0);
}

}  // namespace
}  // namespace tokenledger
