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

// Inputs that span several 64-byte blocks, and one that needs a second padding block.
TEST(Sha256, MatchesKnownVectorsOverSeveralBlocks) {
  EXPECT_EQ(hash_to_hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(hash_to_hex(sha256(std::string(1'000'000, 'a'))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
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
