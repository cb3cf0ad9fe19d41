#include "base/rfc3339.h"

#include <gtest/gtest.h>

namespace tokenledger {
namespace {

TEST(Rfc3339, FormatsUtcWithWholeSecondsAndZ) {
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(1'610'624'866'999'999'999), "2021-01-14T11:47:46Z");
  EXPECT_EQ(format_rfc3339(951'782'400'000'000'000), "2000-02-29T00:00:00Z");
  EXPECT_EQ(format_rfc3339(-1), "1969-12-31T23:59:59Z");
}

TEST(Rfc3339, ParsesZonesFractionsAndTheFormsRfc3339Allows) {
  TimeNs t = 0;
  ASSERT_TRUE(parse_rfc3339("2021-01-14T11:47:46Z", &t));
  EXPECT_EQ(t, 1'610'624'866'000'000'000);
  ASSERT_TRUE(parse_rfc3339("2021-01-14t11:47:46z", &t));
  EXPECT_EQ(t, 1'610'624'866'000'000'000);
  ASSERT_TRUE(parse_rfc3339("2021-01-14 12:47:46+01:00", &t));
  EXPECT_EQ(t, 1'610'624'866'000'000'000);
  ASSERT_TRUE(parse_rfc3339("2021-01-14T06:17:46-05:30", &t));
  EXPECT_EQ(t, 1'610'624'866'000'000'000);
  ASSERT_TRUE(parse_rfc3339("2021-01-14T11:47:46.5Z", &t));
  EXPECT_EQ(t, 1'610'624'866'500'000'000);
  ASSERT_TRUE(parse_rfc3339("2021-01-14T11:47:46.123456789123Z", &t));  // beyond ns: cut
  EXPECT_EQ(t, 1'610'624'866'123'456'789);
  ASSERT_TRUE(parse_rfc3339("2000-02-29T00:00:00Z", &t));
  ASSERT_TRUE(parse_rfc3339("1969-12-31T23:59:59Z", &t));
  EXPECT_EQ(t, -1'000'000'000);
  ASSERT_TRUE(parse_rfc3339("2016-12-31T23:59:60Z", &t));  // a leap second
  EXPECT_EQ(format_rfc3339(t), "2017-01-01T00:00:00Z");
}

TEST(Rfc3339, RefusesWhatNamesNoInstant) {
  TimeNs t = 7;
  for (const char* bad :
       {"",
        "2021-01-14",
        "2021-01-14T11:47:46",
        "2021-01-14T11:47Z",
        "2021-02-29T00:00:00Z",
        "2021-13-01T00:00:00Z",
        "2021-00-10T00:00:00Z",
        "2021-01-32T00:00:00Z",
        "2021-01-14T24:00:00Z",
        "2021-01-14T11:60:00Z",
        "2021-01-14T11:47:61Z",
        "2021-01-14T11:47:46.Z",
        "2021-01-14T11:47:46+0100",
        "2021-01-14T11:47:46+24:00",
        "2021-01-14T11:47:46Zjunk",
        "21-01-14T11:47:46Z",
        "2021-1-14T11:47:46Z",
        "2021/01/14T11:47:46Z",
        "tomorrow",
        "2021-01-14T11:47:46.000000000000000000000000000000000000000000000000000Z"}) {
    EXPECT_FALSE(parse_rfc3339(bad, &t)) << bad;
  }
  EXPECT_EQ(t, 7);
}

TEST(Rfc3339, FormattingAndParsingRoundTrip) {
  for (TimeNs seconds : {0LL, 1'610'624'866LL, 4'102'444'800LL, -86'400LL}) {
    TimeNs parsed = 0;
    ASSERT_TRUE(parse_rfc3339(format_rfc3339(seconds * 1'000'000'000), &parsed));
    EXPECT_EQ(parsed, seconds * 1'000'000'000);
  }
}

}  // namespace
}  // namespace tokenledger

namespace tokenledger {
namespace {

// Found by fuzz_rfc3339: a year past 2262 overflowed the nanosecond count.
TEST(Rfc3339, RefusesTimesOutsideWhatNanosecondsHold) {
  TimeNs time = 0;
  EXPECT_FALSE(parse_rfc3339("2497-11-30T08:00:00Z", &time));
  EXPECT_FALSE(parse_rfc3339("9999-12-31T23:59:59Z", &time));
  EXPECT_FALSE(parse_rfc3339("1600-01-01T00:00:00Z", &time));
  ASSERT_TRUE(parse_rfc3339("2262-04-10T00:00:00.999999999Z", &time));
  EXPECT_EQ(format_rfc3339(time), "2262-04-10T00:00:00Z");
  ASSERT_TRUE(parse_rfc3339("1678-01-01T00:00:00Z", &time));
  EXPECT_EQ(format_rfc3339(time), "1678-01-01T00:00:00Z");
}

}  // namespace
}  // namespace tokenledger
