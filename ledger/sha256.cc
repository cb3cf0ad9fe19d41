#include "ledger/sha256.h"

#include <openssl/evp.h>

#include "ledger/assert.h"
#include "ledger/hex.h"

namespace tokenledger {

void Sha256::ContextDeleter::operator()(evp_md_ctx_st* context) const {
  EVP_MD_CTX_free(context);
}

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
  TL_ASSERT(context_ != nullptr);
}

Sha256::~Sha256() = default;

Hash Sha256::digest(std::string_view bytes) {
  Hash hash{};
  unsigned int size = 0;
  // Failures here mean a broken libcrypto, not bad input: any byte string has a digest.
  TL_ASSERT(EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr) == 1);
  TL_ASSERT(EVP_DigestUpdate(context_.get(), bytes.data(), bytes.size()) == 1);
  TL_ASSERT(EVP_DigestFinal_ex(context_.get(), hash.data(), &size) == 1);
  TL_ASSERT(size == hash.size());
  return hash;
}

Hash sha256(std::string_view bytes) {
  Hash hash{};
  unsigned int size = 0;
  TL_ASSERT(EVP_Digest(bytes.data(), bytes.size(), hash.data(), &size, EVP_sha256(), nullptr) == 1);
  TL_ASSERT(size == hash.size());
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

namespace {}  // namespace

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
