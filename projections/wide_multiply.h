// 64 x 64 -> 128-bit multiplication, for hashing and for scaling a hash to a table's size.
// GCC's and Clang's unsigned __int128 (__extension__: it is not ISO C++).
#pragma once

#include <cstdint>

namespace tokenledger {

__extension__ typedef unsigned __int128 Uint128;

// The top 64 bits of a * b: a uniform `a` scaled into [0, b) (Lemire's "fastrange").
inline std::uint64_t multiply_high(std::uint64_t a, std::uint64_t b) {
  return static_cast<std::uint64_t>((static_cast<Uint128>(a) * b) >> 64);
}

// The two halves of a * b folded by xor (wyhash's mixing step).
inline std::uint64_t multiply_fold(std::uint64_t a, std::uint64_t b) {
  const Uint128 product = static_cast<Uint128>(a) * b;
  return static_cast<std::uint64_t>(product) ^ static_cast<std::uint64_t>(product >> 64);
}

}  // namespace tokenledger
