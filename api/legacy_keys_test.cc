#include "api/legacy_keys.h"

#include <gtest/gtest.h>

namespace tokenledger::api {
namespace {

TEST(LegacyKeys, AGoodLine) {
  LegacyKey key;
  std::string error;
  ASSERT_TRUE(parse_legacy_key_line(
      R"({"customer_id":"c1","key":"old-account-key-value","created_at":"2016-04-01T10:00:00Z"})",
      &key, &error))
      << error;
  EXPECT_EQ(key.customer_id, "c1");
  EXPECT_EQ(key.key, "old-account-key-value");
  EXPECT_EQ(key.created_at_ns, 1'459'504'800'000'000'000);
}

TEST(LegacyKeys, BadLinesSayWhatIsWrongWithoutTheKey) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "not a JSON object"},
      {"[1,2]", "not a JSON object"},
      {R"({"key":"k","created_at":"2016-04-01T10:00:00Z"})", "customer_id is missing"},
      {R"({"customer_id":"c","created_at":"2016-04-01T10:00:00Z"})", "key is missing"},
      {R"({"customer_id":"c","key":"secret-value-0123456","created_at":"yesterday"})",
       "created_at is not an RFC 3339 time"},
      {R"({"customer_id":"c","key":1,"created_at":"2016-04-01T10:00:00Z"})",
       "field \"key\" must be a string"},
      {R"({"customer_id":"c","key":"k","created_at":"2016-04-01T10:00:00Z","x":"y"})",
       "unknown field \"x\""},
      {R"({"customer_id":"c","key":"k","created_at":"2016-04-01T10:00:00Z"})",
       "key must be 16 to 256 printable ASCII characters without spaces"},
      {R"({"customer_id":"c","key":"secret-value with space","created_at":"2016-04-01T10:00:00Z"})",
       "key must be 16 to 256 printable ASCII characters without spaces"},
      {R"({"customer_id":"c","key":"secret-value\ttabbed-key","created_at":"2016-04-01T10:00:00Z"})",
       "key must be 16 to 256 printable ASCII characters without spaces"},
      {R"({"customer_id":"c","key":"secret-value-\u00e9-not-ascii","created_at":"2016-04-01T10:00:00Z"})",
       "key must be 16 to 256 printable ASCII characters without spaces"},
      {R"({"customer_id":"c","key":")" + std::string(257, 'k') +
           R"(","created_at":"2016-04-01T10:00:00Z"})",
       "key must be 16 to 256 printable ASCII characters without spaces"},
  };
  for (const auto& [line, message] : cases) {
    LegacyKey key;
    std::string error;
    EXPECT_FALSE(parse_legacy_key_line(line, &key, &error)) << line;
    EXPECT_EQ(error, message) << line;
    EXPECT_EQ(error.find("secret-value"), std::string::npos);
  }
}

TEST(LegacyKeys, AFileListsEveryBadLineByNumber) {
  const std::string text =
      R"({"customer_id":"c1","key":"key-one-of-c1-0001","created_at":"2016-04-01T10:00:00Z"})"
      "\n\n"
      R"({"customer_id":"c2","key":"key-one-of-c2-0001","created_at":"soon"})"
      "\r\n"
      R"({"customer_id":"c1","key":"key-two-of-c1-0002","created_at":"2016-04-01T10:00:00Z"})"
      "\n"
      R"({"customer_id":"c3","key":"key-one-of-c1-0001","created_at":"2016-04-01T10:00:00Z"})"
      "\n"
      R"({"customer_id":"c1","key":"key-two-of-c1-0002","created_at":"2017-04-01T10:00:00Z"})"
      "\n";
  std::vector<std::string> errors;
  std::vector<LegacyKey> keys = parse_legacy_key_file(text, LegacyKeyLimits{}, &errors);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0], "line 3: created_at is not an RFC 3339 time");
  // One key under two customers, or twice under one, is refused; two keys of c1 are not.
  EXPECT_EQ(errors[1], "line 5: the same key as line 1 (a key belongs to one customer, once)");
  EXPECT_EQ(errors[2], "line 6: the same key as line 4 (a key belongs to one customer, once)");
  for (const std::string& error : errors) EXPECT_EQ(error.find("key-"), std::string::npos);
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].line, 1u);
  EXPECT_EQ(keys[1].line, 4u);
  LegacyKeyLimits small;
  small.file_size_max_bytes = 10;
  errors.clear();
  parse_legacy_key_file(text, small, &errors);
  EXPECT_EQ(errors.size(), 1u);
}

}  // namespace
}  // namespace tokenledger::api
