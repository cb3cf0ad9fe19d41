// DigestIndex: a map from SHA-256 digests to small entries, read in one random memory access.
// The views use it for the authentication lookup (secret digest -> SecretEntry).
//
// A general-purpose hash table (absl's flat_hash_map) keeps its control bytes apart from its
// slots, so every lookup among hundreds of megabytes misses the cache twice. This table is open
// addressing with linear probing over 64-byte slots, one per cache line, each holding the full
// digest and the entry: a lookup reads one line, and on a collision the next (which the hardware
// prefetches); docs/benchmarks.md compares it with absl's map and ADR 0025 says why. It can
// be this simple because it only grows: a token's secret is never removed (a revoked or expired
// token keeps its entry, with its state), so there is no deletion and no tombstone.
//
// Keys are SHA-256 digests: their first 8 bytes are uniform and serve as the hash. A presented
// key is hashed with SHA-256 before the lookup, so nobody can aim lookups at one cluster of the
// table. Every comparison of digests is constant-time. Not thread-safe: the views' lock guards it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <new>
#include <type_traits>

#include "base/assert.h"
#include "ledger/sha256.h"
#include "projections/huge_pages.h"
#include "projections/wide_multiply.h"

namespace tokenledger {

// Compares two digests in constant time (libsodium's crypto_verify_32).
bool same_digest(const Hash& a, const Hash& b);

template <typename Entry>
class DigestIndex {
  static_assert(std::is_trivially_copyable_v<Entry> && sizeof(Entry) <= 31,
                "an entry must fit beside its digest in one 64-byte slot");

 public:
  DigestIndex() = default;
  ~DigestIndex() { free_large(slots_, capacity_ * sizeof(Slot)); }
  DigestIndex(const DigestIndex&) = delete;
  DigestIndex& operator=(const DigestIndex&) = delete;

  // The entry for `digest`, or null.
  const Entry* find(const Hash& digest) const {
    if (size_ == 0) return nullptr;
    const Slot& slot = slots_[probe(digest)];
    return slot.used ? &slot.entry : nullptr;
  }
  Entry* find(const Hash& digest) {
    return const_cast<Entry*>(static_cast<const DigestIndex*>(this)->find(digest));
  }
  bool contains(const Hash& digest) const { return find(digest) != nullptr; }

  // Starts loading the slot where a walk for `digest` begins; changes nothing. For callers
  // that know their next keys, so that the cache misses of several lookups overlap.
  void prefetch(const Hash& digest) const {
    if (capacity_ != 0) __builtin_prefetch(&slots_[home_of(digest)]);
  }

  // Adds the entry; false, changing nothing, when the digest is already present.
  bool insert(const Hash& digest, const Entry& entry) {
    if ((size_ + 1) * load_denominator > capacity_ * load_numerator) {
      grow_to(capacity_ == 0 ? capacity_min : capacity_ * 2);
    }
    Slot& slot = slots_[probe(digest)];
    if (slot.used) return false;
    slot.key = digest;
    slot.entry = entry;
    slot.used = true;
    ++size_;
    return true;
  }

  // Makes room for `count` entries without growing again: exactly the slots the load limit
  // asks for, not the next power of two (at millions of tokens that is hundreds of megabytes
  // the kernel would have to zero and nobody would use).
  void reserve(std::size_t count) {
    TL_ASSERT(count <= std::numeric_limits<std::size_t>::max() / load_denominator);
    const std::size_t needed = (count * load_denominator + load_numerator - 1) / load_numerator + 1;
    if (needed > capacity_) grow_to(std::max(needed, capacity_min));
  }

  std::size_t size() const { return size_; }
  std::size_t capacity() const { return capacity_; }
  std::size_t memory_bytes() const { return capacity_ * sizeof(Slot); }

 private:
  struct alignas(64) Slot {
    Hash key;
    Entry entry;
    bool used;
  };
  static_assert(sizeof(Slot) == 64, "one slot per cache line");

  // Grows past this share of used slots: linear probing stays short below it (about 2 slots
  // for a hit and 6 for a miss at the limit, adjacent cache lines).
  static constexpr std::size_t load_numerator = 7;
  static constexpr std::size_t load_denominator = 10;
  static constexpr std::size_t capacity_min = 16;

  // Where the walk for `digest` starts: its first 8 bytes, a uniform 64-bit number, scaled to
  // the capacity by a multiply and shift (Lemire's "fastrange"), so the capacity can be any
  // size rather than a power of two.
  std::size_t home_of(const Hash& digest) const {
    std::uint64_t value = 0;
    std::memcpy(&value, digest.data(), sizeof value);
    return static_cast<std::size_t>(multiply_high(value, capacity_));
  }

  // The slot holding `digest`, or the empty slot where it would go. There is always an empty
  // slot (the load limit), so the walk ends.
  std::size_t probe(const Hash& digest) const {
    std::size_t i = home_of(digest);
    // Constant time for each comparison: how much of a presented digest matched never shows.
    while (slots_[i].used && !same_digest(slots_[i].key, digest)) {
      i = i + 1 == capacity_ ? 0 : i + 1;
    }
    return i;
  }

  void grow_to(std::size_t capacity) {
    TL_ASSERT(capacity >= capacity_min && capacity > capacity_);
    Slot* old_slots = slots_;
    const std::size_t old_capacity = capacity_;
    slots_ = static_cast<Slot*>(allocate_large(capacity * sizeof(Slot)));
    std::memset(static_cast<void*>(slots_), 0, capacity * sizeof(Slot));
    capacity_ = capacity;
    for (std::size_t i = 0; i < old_capacity; ++i) {
      if (!old_slots[i].used) continue;
      Slot& slot = slots_[probe(old_slots[i].key)];
      TL_ASSERT(!slot.used);  // keys are unique
      slot = old_slots[i];
    }
    free_large(old_slots, old_capacity * sizeof(Slot));
  }

  Slot* slots_ = nullptr;
  std::size_t capacity_ = 0;  // zero or at least capacity_min
  std::size_t size_ = 0;
};

}  // namespace tokenledger
