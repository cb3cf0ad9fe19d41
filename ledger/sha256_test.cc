#include "ledger/sha256.h"

#include <gtest/gtest.h>

namespace tokenledger {
namespace {

// FIPS 180-2 test vectors.
TEST(Sha256, MatchesKnownVectors) {
  EXPECT_EQ(hash_to_hex(sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hash_to_hex(sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, ReusedContextGivesTheSameDigests) {
  Sha256 hasher;
  EXPECT_EQ(hasher.digest("abc"), sha256("abc"));
  EXPECT_EQ(hasher.digest(""), sha256(""));
  EXPECT_EQ(hasher.digest(std::string(1000, 'a')), sha256(std::string(1000, 'a')));
}

TEST(Sha256, HexRoundTripsAndRejectsBadInput) {
  const Hash hash = sha256("abc");
  Hash parsed{};
  ASSERT_TRUE(hash_from_hex(hash_to_hex(hash), &parsed));
  EXPECT_EQ(parsed, hash);
  EXPECT_FALSE(hash_from_hex("abc", &parsed));
  EXPECT_FALSE(hash_from_hex(std::string(64, 'g'), &parsed));
  EXPECT_EQ(parsed, hash);  // untouched on failure
}

}  // namespace
}  // namespace tokenledger
