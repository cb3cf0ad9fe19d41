#include "ledger/log_keys.h"

#include <gtest/gtest.h>

namespace tokenledger::log_keys {
namespace {

TEST(LogKeys, SequenceKeysAreBigEndianSoTheySortInOrder) {
  const auto one = sequence_key(1);
  EXPECT_EQ(std::string(one.data(), one.size()), std::string("\0\0\0\0\0\0\0\1", 8));
  const std::uint64_t sequences[] = {1, 255, 256, 65'535, 1ull << 40, ~0ull};
  for (std::size_t i = 0; i + 1 < std::size(sequences); ++i) {
    const auto a = sequence_key(sequences[i]);
    const auto b = sequence_key(sequences[i + 1]);
    EXPECT_LT(std::string(a.data(), a.size()), std::string(b.data(), b.size()));
    std::uint64_t parsed = 0;
    ASSERT_TRUE(parse_sequence_key(std::string_view(a.data(), a.size()), &parsed));
    EXPECT_EQ(parsed, sequences[i]);
  }
  std::uint64_t parsed = 0;
  EXPECT_FALSE(parse_sequence_key("short", &parsed));
}

TEST(LogKeys, HeadAndSchemaVersionRoundTrip) {
  Hash hash = sha256("x");
  std::uint64_t sequence = 0;
  Hash parsed{};
  ASSERT_TRUE(decode_head(encode_head(42, hash), &sequence, &parsed));
  EXPECT_EQ(sequence, 42u);
  EXPECT_EQ(parsed, hash);
  EXPECT_FALSE(decode_head("too short", &sequence, &parsed));
  std::uint16_t version = 0;
  ASSERT_TRUE(decode_schema_version(encode_schema_version(258), &version));
  EXPECT_EQ(version, 258);
  EXPECT_FALSE(decode_schema_version("abc", &version));
}

}  // namespace
}  // namespace tokenledger::log_keys
