#include "ledger/rfc3339.h"

#include <gtest/gtest.h>

namespace tokenledger {
namespace {

TEST(Rfc3339, FormatsUtcWithWholeSecondsAndZ) {
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(1'610'624'866'999'999'999), "2021-01-14T11:47:46Z");
  EXPECT_EQ(format_rfc3339(951'782'400'000'000'000), "2000-02-29T00:00:00Z");
  EXPECT_EQ(format_rfc3339(-1), "1969-12-31T23:59:59Z");
}

}  // namespace
}  // namespace tokenledger
