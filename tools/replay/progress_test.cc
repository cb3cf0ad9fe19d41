// The progress line: nothing in the first second or when disabled (stderr not a terminal), at
// most one redraw per half second, records done, rate and time left, and a newline at the end.
#include "tools/replay/progress.h"

#include <gtest/gtest.h>

#include <string>

namespace tokenledger::replay {
namespace {

using std::chrono::milliseconds;

std::string read_back(std::FILE* file) {
  std::fflush(file);
  std::rewind(file);
  std::string text;
  for (int c = std::fgetc(file); c != EOF; c = std::fgetc(file))
    text.push_back(static_cast<char>(c));
  return text;
}

TEST(Progress, DrawsAfterASecondAtMostTwiceASecondAndEndsTheLine) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  const auto start = Progress::Clock::now();
  {
    Progress progress("verify", 1000, out, true, start);
    progress.update(100, start + milliseconds(500));   // under a second: nothing
    progress.update(500, start + milliseconds(2000));  // 250/s, 500 left: 2 s
    progress.update(600, start + milliseconds(2200));  // within half a second: nothing
    progress.update(900, start + milliseconds(3000));  // 300/s, 100 left
  }
  EXPECT_EQ(read_back(out),
            "\rverify: 500 of 1000 records, 250/s, 2 s left   "
            "\rverify: 900 of 1000 records, 300/s, 0 s left   \n");
  std::fclose(out);
}

TEST(Progress, DisabledDrawsNothing) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  const auto start = Progress::Clock::now();
  {
    Progress progress("rebuild", 1000, out, false, start);
    progress.update(900, start + milliseconds(3000));
  }
  EXPECT_EQ(read_back(out), "");
  std::fclose(out);
}

}  // namespace
}  // namespace tokenledger::replay
