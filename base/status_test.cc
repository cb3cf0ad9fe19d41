#include "base/status.h"

#include <gtest/gtest.h>

namespace tokenledger {
namespace {

TEST(Status, NamesAreStableAndPrinted) {
  EXPECT_TRUE(Status::ok().is_ok());
  EXPECT_EQ(Status::ok().to_string(), "ok");
  const Status status = Status::corruption("sequence 17: bad");
  EXPECT_EQ(status.code(), StatusCode::corruption);
  EXPECT_EQ(status.to_string(), "corruption: sequence 17: bad");
  EXPECT_EQ(status_code_name(StatusCode::write_stopped), "write_stopped");
}

TEST(Result, HoldsAValueOrAnError) {
  Result<int> value = 4;
  ASSERT_TRUE(value.is_ok());
  EXPECT_EQ(*value, 4);
  Result<int> error = Status::busy("full");
  ASSERT_FALSE(error.is_ok());
  EXPECT_EQ(error.status().code(), StatusCode::busy);
}

TEST(ResultDeathTest, AnOkStatusIsNotAnError) {
  EXPECT_DEATH({ Result<int> r = Status::ok(); }, "assertion failed");
}

}  // namespace
}  // namespace tokenledger
