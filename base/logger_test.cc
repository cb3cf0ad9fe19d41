#include "base/logger.h"

#include <gtest/gtest.h>

namespace tokenledger {
namespace {

TEST(Logger, ALineIsUtcWithMillisecondsTheLevelAndTheMessage) {
  const TimeNs time_ns = 1'764'488'822'123'456'789;  // 2025-11-30T07:47:02.123456789Z
  EXPECT_EQ(format_log_line(time_ns, LogLevel::info, "serving"),
            "2025-11-30T07:47:02.123Z info serving\n");
  EXPECT_EQ(format_log_line(time_ns, LogLevel::warning, "slow"),
            "2025-11-30T07:47:02.123Z warn slow\n");
  EXPECT_EQ(format_log_line(time_ns, LogLevel::error, "x"), "2025-11-30T07:47:02.123Z error x\n");
}

}  // namespace
}  // namespace tokenledger
