#include "ledger/sha256.h"

// SHA256_Init and friends are deprecated in OpenSSL 3 in favour of EVP, whose per-digest set-up
// costs more than hashing a 32-byte key (docs/adr/0015-sha256-low-level-calls.md); they remain in
// every OpenSSL 3 release.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "base/assert.h"
#include "base/hex.h"

namespace tokenledger {

Hash sha256(std::string_view bytes) {
  Hash hash{};
  SHA256_CTX context;
  // Failures here mean a broken libcrypto, not bad input: any byte string has a digest.
  TL_ASSERT(SHA256_Init(&context) == 1);
  TL_ASSERT(SHA256_Update(&context, bytes.data(), bytes.size()) == 1);
  TL_ASSERT(SHA256_Final(hash.data(), &context) == 1);
  return hash;
}

std::string hash_to_hex(const Hash& hash) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(hash.size() * 2);
  for (std::uint8_t byte : hash) {
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 0xf]);
  }
  return hex;
}

bool hash_from_hex(std::string_view hex, Hash* out) {
  if (hex.size() != out->size() * 2) return false;
  Hash hash{};
  for (std::size_t i = 0; i < hash.size(); ++i) {
    const int high = hex_digit_value(hex[2 * i]);
    const int low = hex_digit_value(hex[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    hash[i] = static_cast<std::uint8_t>(high * 16 + low);
  }
  *out = hash;
  return true;
}

}  // namespace tokenledger
