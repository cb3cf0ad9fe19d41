// SHA-256 through OpenSSL's libcrypto, which uses the CPU's SHA instructions where present.
// It calls libcrypto's SHA256_Init/Update/Final on a context on the stack rather than the EVP
// interface: for the inputs hashed here (32-byte keys, ~300-byte records) EVP's per-digest set-up
// costs more than the hashing itself (docs/adr/0015-sha256-low-level-calls.md).
// Thread-safety: a pure function.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace tokenledger {

using Hash = std::array<std::uint8_t, 32>;

Hash sha256(std::string_view bytes);

// Lower-case hex, 64 characters.
std::string hash_to_hex(const Hash& hash);
// Parses 64 hex characters (either case); false on anything else.
bool hash_from_hex(std::string_view hex, Hash* out);

}  // namespace tokenledger
