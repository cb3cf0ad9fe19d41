// SHA-256 through OpenSSL's libcrypto, which uses the CPU's SHA instructions where present.
// `Sha256` keeps one digest context for reuse (about twice as fast for small inputs); it is a
// resource owned by one thread at a time. `sha256()` is the convenient one-shot form.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX, kept out of this header

namespace tokenledger {

using Hash = std::array<std::uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  Hash digest(std::string_view bytes);

 private:
  struct ContextDeleter {
    void operator()(evp_md_ctx_st* context) const;
  };
  std::unique_ptr<evp_md_ctx_st, ContextDeleter> context_;
};

Hash sha256(std::string_view bytes);

// Lower-case hex, 64 characters.
std::string hash_to_hex(const Hash& hash);
// Parses 64 hex characters (either case); false on anything else.
bool hash_from_hex(std::string_view hex, Hash* out);

}  // namespace tokenledger
