#include "projections/unknown_logins.h"

#include <gtest/gtest.h>

#include <string>

namespace tokenledger {
namespace {

constexpr TimeNs minute_ns = 60'000'000'000;
constexpr TimeNs start_ns = 1'700'000'000 * 1'000'000'000LL;

// Found in review: unknown logins were counted in windows aligned to the clock, so four
// failures before :30 and one after left an unknown login unlocked where a real one locked.
// Now they lock exactly as a real login does, whenever the failures come.
TEST(UnknownLogins, LockAfterConsecutiveFailuresForTheLockTimeThenStartAgain) {
  UnknownLogins logins(5, 30 * minute_ns);
  TimeNs now = start_ns + 29 * minute_ns;
  for (int i = 0; i < 4; ++i) {
    EXPECT_FALSE(logins.locked("nobody@example.com", now));
    logins.count_failure("nobody@example.com", now);
  }
  now += 2 * minute_ns;  // across what was a window boundary
  EXPECT_FALSE(logins.locked("nobody@example.com", now));
  logins.count_failure("nobody@example.com", now);
  EXPECT_TRUE(logins.locked("nobody@example.com", now));
  EXPECT_FALSE(logins.locked("other@example.com", now));
  EXPECT_TRUE(logins.locked("nobody@example.com", now + 30 * minute_ns - 1));
  EXPECT_FALSE(logins.locked("nobody@example.com", now + 30 * minute_ns));
  // A fresh count: one failure does not lock again.
  logins.count_failure("nobody@example.com", now + 30 * minute_ns);
  EXPECT_FALSE(logins.locked("nobody@example.com", now + 30 * minute_ns));
}

TEST(UnknownLogins, WhenFullTheOldestGoesFirstAndSizeStaysBounded) {
  UnknownLogins logins(2, 30 * minute_ns, 4);
  logins.count_failure("probe", start_ns);
  for (int i = 0; i < 3; ++i) logins.count_failure("other" + std::to_string(i), start_ns + 1 + i);
  EXPECT_EQ(logins.size(), 4u);
  logins.count_failure("probe", start_ns + 10);  // still remembered: locks
  EXPECT_TRUE(logins.locked("probe", start_ns + 10));
  for (int i = 0; i < 100; ++i)
    logins.count_failure("flood" + std::to_string(i), start_ns + 20 + i);
  EXPECT_EQ(logins.size(), 4u);
}

}  // namespace
}  // namespace tokenledger
