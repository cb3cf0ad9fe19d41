#include "projections/digest_index.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace tokenledger {
namespace {

struct Entry {
  std::uint32_t value = 0;
};

Hash digest_of(std::uint64_t n) {
  return sha256("key " + std::to_string(n));
}

// A digest whose walk starts at slot `position` of a table of `capacity` slots: collisions on
// purpose. The first 8 bytes, scaled to the capacity, give the position (digest_index.h).
Hash digest_at(std::uint64_t position, std::uint64_t capacity, std::uint8_t tail) {
  const Uint128 scaled = (static_cast<Uint128>(position) << 64) + capacity - 1;
  const auto value = static_cast<std::uint64_t>(scaled / capacity);
  Hash digest{};
  std::memcpy(digest.data(), &value, sizeof value);
  digest[31] = tail;
  return digest;
}

TEST(DigestIndex, FindsWhatWasInsertedAndNothingElse) {
  DigestIndex<Entry> index;
  EXPECT_EQ(index.find(digest_of(1)), nullptr);  // empty: no table yet
  index.prefetch(digest_of(1));                  // a hint only, with or without a table
  EXPECT_TRUE(index.insert(digest_of(1), Entry{10}));
  EXPECT_TRUE(index.insert(digest_of(2), Entry{20}));
  ASSERT_NE(index.find(digest_of(1)), nullptr);
  EXPECT_EQ(index.find(digest_of(1))->value, 10u);
  EXPECT_EQ(index.find(digest_of(2))->value, 20u);
  EXPECT_EQ(index.find(digest_of(3)), nullptr);
  EXPECT_EQ(index.size(), 2u);
}

TEST(DigestIndex, ADuplicateIsRefusedAndChangesNothing) {
  DigestIndex<Entry> index;
  EXPECT_TRUE(index.insert(digest_of(1), Entry{10}));
  EXPECT_FALSE(index.insert(digest_of(1), Entry{99}));
  EXPECT_EQ(index.find(digest_of(1))->value, 10u);
  EXPECT_EQ(index.size(), 1u);
}

TEST(DigestIndex, EntriesCanBeChangedInPlace) {
  DigestIndex<Entry> index;
  ASSERT_TRUE(index.insert(digest_of(1), Entry{10}));
  index.find(digest_of(1))->value = 11;
  EXPECT_EQ(index.find(digest_of(1))->value, 11u);
}

// Digests that share a position, including the last slot (the walk wraps to slot 0), and a
// digest that differs from a stored one in its last byte only.
TEST(DigestIndex, CollisionsAndWrapAroundAreWalked) {
  DigestIndex<Entry> index;
  const std::size_t last = 15;  // the 16-slot table before any growth
  for (std::uint8_t tail = 0; tail < 5; ++tail) {
    ASSERT_TRUE(index.insert(digest_at(last, 16, tail), Entry{tail}));
  }
  ASSERT_EQ(index.capacity(), 16u);
  for (std::uint8_t tail = 0; tail < 5; ++tail) {
    ASSERT_NE(index.find(digest_at(last, 16, tail)), nullptr);
    EXPECT_EQ(index.find(digest_at(last, 16, tail))->value, tail);
  }
  EXPECT_EQ(index.find(digest_at(last, 16, 5)), nullptr);
  EXPECT_EQ(index.find(digest_at(0, 16, 0)), nullptr);  // slot 0 holds a wrapped neighbour
}

// reserve() sizes the table to the load limit exactly, so its capacity is rarely a power of
// two; the walk must still wrap from its last slot to slot 0, and growth must keep every entry.
TEST(DigestIndex, ATableOfAnySizeWrapsAndGrows) {
  DigestIndex<Entry> index;
  index.reserve(100);
  const std::size_t capacity = index.capacity();
  ASSERT_EQ(capacity, 144u);  // ceil(100 / 0.7) + 1: one slot always stays empty
  const std::size_t last = capacity - 1;
  for (std::uint8_t tail = 0; tail < 5; ++tail) {
    ASSERT_TRUE(index.insert(digest_at(last, capacity, tail), Entry{tail}));
  }
  for (std::uint8_t tail = 0; tail < 5; ++tail) {
    ASSERT_NE(index.find(digest_at(last, capacity, tail)), nullptr);
    EXPECT_EQ(index.find(digest_at(last, capacity, tail))->value, tail);
  }
  EXPECT_EQ(index.find(digest_at(last, capacity, 5)), nullptr);
  EXPECT_EQ(index.find(digest_at(0, capacity, 0)), nullptr);  // wrapped neighbours in slot 0..3
  EXPECT_EQ(index.find(digest_at(3, capacity, 4)), nullptr);
  for (std::uint32_t n = 0; n < 1'000; ++n) ASSERT_TRUE(index.insert(digest_of(n), Entry{n}));
  EXPECT_EQ(index.capacity(), capacity * 16);  // 1005 entries: doubled four times
  for (std::uint8_t tail = 0; tail < 5; ++tail) {
    ASSERT_NE(index.find(digest_at(last, capacity, tail)), nullptr);
  }
  for (std::uint32_t n = 0; n < 1'000; ++n) ASSERT_EQ(index.find(digest_of(n))->value, n);
}

TEST(DigestIndex, GrowsKeepingEveryEntryAndStaysUnderItsLoadLimit) {
  DigestIndex<Entry> index;
  for (std::uint32_t n = 0; n < 100'000; ++n) {
    ASSERT_TRUE(index.insert(digest_of(n), Entry{n}));
    ASSERT_LE(index.size() * 10, index.capacity() * 7);
  }
  for (std::uint32_t n = 0; n < 100'000; ++n) {
    const Entry* entry = index.find(digest_of(n));
    ASSERT_NE(entry, nullptr) << n;
    ASSERT_EQ(entry->value, n);
  }
  EXPECT_EQ(index.find(digest_of(100'000)), nullptr);
}

TEST(DigestIndex, ReserveMakesRoomOnce) {
  DigestIndex<Entry> index;
  index.reserve(1000);
  const std::size_t capacity = index.capacity();
  EXPECT_GE(capacity * 7, 1000u * 10);
  for (std::uint32_t n = 0; n < 1000; ++n) ASSERT_TRUE(index.insert(digest_of(n), Entry{n}));
  EXPECT_EQ(index.capacity(), capacity);
  index.reserve(10);  // never shrinks
  EXPECT_EQ(index.capacity(), capacity);
}

// Against std::map, with many digests crowded into few positions.
TEST(DigestIndex, AgreesWithAMapOnRandomInserts) {
  std::mt19937_64 random(7);
  DigestIndex<Entry> index;
  std::map<Hash, std::uint32_t> model;
  for (std::uint32_t n = 0; n < 4'000; ++n) {
    const Hash digest = digest_at(random() % 64, 64, static_cast<std::uint8_t>(random() % 256));
    const bool inserted = index.insert(digest, Entry{n});
    EXPECT_EQ(inserted, model.emplace(digest, n).second);
  }
  EXPECT_EQ(index.size(), model.size());
  for (const auto& [digest, value] : model) {
    const Entry* entry = index.find(digest);
    ASSERT_NE(entry, nullptr);
    EXPECT_EQ(entry->value, value);
  }
}

}  // namespace
}  // namespace tokenledger
