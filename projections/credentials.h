// Secrets that prove who someone is, and how they are kept: token secrets (random, shown once,
// stored as SHA-256), passwords (argon2id through libsodium), and TOTP secrets for two-factor
// logins (RFC 6238 through liboath, kept sealed with libsodium's secretbox under a key that
// lives outside the log). Nothing here writes a secret anywhere.
//
// Threading: free functions are thread-safe. Password hashing and checking are deliberately
// slow (about 55 ms and 64 MiB each at the interactive cost): call them off the I/O threads.
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "ledger/event.h"

namespace tokenledger {

// Random identifiers and secrets, from libsodium's CSPRNG.
std::string random_id();            // 22 characters of base62: token, user and customer ids
std::string random_token_secret();  // 32 characters of [A-Za-z0-9_-]

// The longest key (Fastly-Key, or a legacy key to migrate) anything accepts. A longer one is
// refused before any lookup: no single value may stand for a class of keys.
inline constexpr std::size_t key_size_max_bytes = 256;
// A legacy account API key has a key's form: 16 to 256 printable ASCII characters, no space.
// Anything else (a one-character "key", text with spaces or control characters) is refused
// before it is hashed, so that a guessable value never becomes a global superuser token.
inline constexpr std::size_t legacy_key_size_min_bytes = 16;
bool legacy_key_form_ok(std::string_view key);

inline constexpr std::size_t password_size_min_bytes = 8;
inline constexpr std::size_t password_size_max_bytes = 256;

struct PasswordCost {
  unsigned long long operations;
  std::size_t memory_bytes;
  static PasswordCost interactive();  // libsodium's interactive argon2id limits: 2 passes, 64 MiB
  static PasswordCost minimum();      // for tests only: 1 pass, 8 KiB
};

// An argon2id PHC string. invalid_argument for a password outside the size limits.
Result<std::string> hash_password(std::string_view password, const PasswordCost& cost);
// Constant-time with respect to the password; false for a malformed hash.
bool verify_password(std::string_view password_hash, std::string_view password);

// The key that seals TOTP secrets. Kept in a file of its own (mode 0600) beside the log, never
// in it: a copy of the log alone does not reveal anyone's second factor.
class SealingKey {
 public:
  // Reads the key file, or creates it with a fresh random key when it does not exist.
  static Result<SealingKey> load_or_create(const std::filesystem::path& path);
  static SealingKey from_bytes(std::string_view key_id, const std::array<std::uint8_t, 32>& key);
  const std::string& key_id() const { return key_id_; }

  SealedSecret seal(std::string_view secret) const;
  Result<std::string> unseal(const SealedSecret& sealed) const;

 private:
  std::string key_id_;
  std::array<std::uint8_t, 32> key_{};
};

inline constexpr std::size_t totp_secret_size_bytes = 20;  // 160 bits, RFC 4226's recommendation
inline constexpr TimeNs totp_step_ns = 30'000'000'000;

std::string new_totp_secret();  // raw bytes
std::string base32_encode(std::string_view bytes);
// otpauth://totp/<issuer>:<login>?secret=...&issuer=... for authenticator apps. `secret` is the
// raw secret (bytes, as new_totp_secret() returns it): the URI carries its base32 encoding.
std::string otpauth_uri(std::string_view issuer, std::string_view login, std::string_view secret);
// The 6-digit code for `at_ns` (tests and enrollment checks).
std::string totp_code(std::string_view secret, TimeNs at_ns);
// The time step (Unix seconds / 30) whose code `code` is, among the step at `now_ns` and one
// step before or after it (clock drift); none when it is none of them. The codes are compared
// in constant time. The caller refuses a step at or before the last one accepted (RFC 6238
// section 5.2: a code works once).
std::optional<std::uint64_t> totp_step_of(std::string_view secret, std::string_view code,
                                          TimeNs now_ns);
// totp_step_of(...).has_value().
bool verify_totp(std::string_view secret, std::string_view code, TimeNs now_ns);

}  // namespace tokenledger
