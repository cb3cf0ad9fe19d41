#include "projections/credentials.h"

#include <fcntl.h>
#include <liboath/oath.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <mutex>
#include <sstream>

#include "base/assert.h"
#include "ledger/sha256.h"

namespace tokenledger {
namespace {

void initialize_libraries() {
  static std::once_flag once;
  std::call_once(once, [] {
    TL_ASSERT(sodium_init() >= 0);
    TL_ASSERT(oath_init() == OATH_OK);
  });
}

std::string random_text(std::size_t length, std::string_view alphabet) {
  initialize_libraries();
  std::string text(length, '\0');
  for (char& c : text)
    c = alphabet[randombytes_uniform(static_cast<std::uint32_t>(alphabet.size()))];
  return text;
}

}  // namespace

std::string random_id() {
  return random_text(22, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
}

std::string random_token_secret() {
  return random_text(32, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
}

bool legacy_key_form_ok(std::string_view key) {
  if (key.size() < legacy_key_size_min_bytes || key.size() > key_size_max_bytes) return false;
  return std::all_of(key.begin(), key.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

PasswordCost PasswordCost::interactive() {
  return {crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE};
}

PasswordCost PasswordCost::minimum() {
  return {crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
}

Result<std::string> hash_password(std::string_view password, const PasswordCost& cost) {
  initialize_libraries();
  if (password.size() < password_size_min_bytes || password.size() > password_size_max_bytes) {
    return Status::invalid_argument("a password must be " +
                                    std::to_string(password_size_min_bytes) + " to " +
                                    std::to_string(password_size_max_bytes) + " bytes long");
  }
  char hash[crypto_pwhash_argon2id_STRBYTES];
  if (crypto_pwhash_argon2id_str(hash, password.data(), password.size(), cost.operations,
                                 cost.memory_bytes) != 0) {
    return Status::io_error("argon2id hashing failed (out of memory?)");
  }
  return std::string(hash);
}

bool verify_password(std::string_view password_hash, std::string_view password) {
  initialize_libraries();
  if (password.size() > password_size_max_bytes ||
      password_hash.size() >= crypto_pwhash_argon2id_STRBYTES) {
    return false;
  }
  const std::string hash(password_hash);  // NUL-terminated for libsodium
  return crypto_pwhash_argon2id_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

Result<SealingKey> SealingKey::load_or_create(const std::filesystem::path& path) {
  initialize_libraries();
  std::array<std::uint8_t, 32> key{};
  if (!std::filesystem::exists(path)) {
    randombytes_buf(key.data(), key.size());
    const std::string hex = hash_to_hex(key);
    const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return Status::io_error("cannot create the sealing key file " + path.string());
    const bool written =
        write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) && fsync(fd) == 0;
    close(fd);
    if (!written) return Status::io_error("cannot write the sealing key file " + path.string());
  }
  std::ifstream in(path);
  std::string hex;
  if (!(in >> hex) || !hash_from_hex(hex, &key)) {
    return Status::corruption("the sealing key file " + path.string() + " is not 64 hex digits");
  }
  struct stat info {};
  if (stat(path.c_str(), &info) == 0 && (info.st_mode & 077) != 0) {
    return Status::invalid_argument("the sealing key file " + path.string() +
                                    " is readable by others; chmod 600 it");
  }
  // The id names the key without revealing it: the start of its own SHA-256.
  const std::string key_id = hash_to_hex(sha256(std::string(key.begin(), key.end()))).substr(0, 16);
  return from_bytes(key_id, key);
}

SealingKey SealingKey::from_bytes(std::string_view key_id,
                                  const std::array<std::uint8_t, 32>& key) {
  SealingKey sealing;
  sealing.key_id_ = std::string(key_id);
  sealing.key_ = key;
  return sealing;
}

SealedSecret SealingKey::seal(std::string_view secret) const {
  initialize_libraries();
  SealedSecret sealed;
  sealed.key_id = key_id_;
  sealed.nonce.resize(crypto_secretbox_NONCEBYTES);
  randombytes_buf(sealed.nonce.data(), sealed.nonce.size());
  sealed.ciphertext.resize(secret.size() + crypto_secretbox_MACBYTES);
  TL_ASSERT(crypto_secretbox_easy(
                reinterpret_cast<unsigned char*>(sealed.ciphertext.data()),
                reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                reinterpret_cast<const unsigned char*>(sealed.nonce.data()), key_.data()) == 0);
  return sealed;
}

Result<std::string> SealingKey::unseal(const SealedSecret& sealed) const {
  if (sealed.key_id != key_id_) {
    return Status::invalid_argument("the secret was sealed with key " + sealed.key_id +
                                    ", not with the loaded key " + key_id_);
  }
  if (sealed.nonce.size() != crypto_secretbox_NONCEBYTES ||
      sealed.ciphertext.size() < crypto_secretbox_MACBYTES) {
    return Status::corruption("a sealed secret has the wrong shape");
  }
  std::string secret(sealed.ciphertext.size() - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(secret.data()),
                                 reinterpret_cast<const unsigned char*>(sealed.ciphertext.data()),
                                 sealed.ciphertext.size(),
                                 reinterpret_cast<const unsigned char*>(sealed.nonce.data()),
                                 key_.data()) != 0) {
    return Status::corruption("a sealed secret does not open with its key (altered?)");
  }
  return secret;
}

std::string new_totp_secret() {
  initialize_libraries();
  std::string secret(totp_secret_size_bytes, '\0');
  randombytes_buf(secret.data(), secret.size());
  return secret;
}

std::string base32_encode(std::string_view bytes) {
  initialize_libraries();
  char* encoded = nullptr;
  size_t length = 0;
  TL_ASSERT(oath_base32_encode(bytes.data(), bytes.size(), &encoded, &length) == OATH_OK);
  std::string text(encoded, length);
  free(encoded);                                                // allocated by liboath
  while (!text.empty() && text.back() == '=') text.pop_back();  // authenticator apps omit padding
  return text;
}

namespace {
std::string uri_escape(std::string_view text) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '@') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(digits[c >> 4]);
      out.push_back(digits[c & 15]);
    }
  }
  return out;
}
}  // namespace

std::string otpauth_uri(std::string_view issuer, std::string_view login, std::string_view secret) {
  return "otpauth://totp/" + uri_escape(issuer) + ":" + uri_escape(login) +
         "?secret=" + base32_encode(secret) + "&issuer=" + uri_escape(issuer) +
         "&algorithm=SHA1&digits=6&period=30";
}

std::string totp_code(std::string_view secret, TimeNs at_ns) {
  initialize_libraries();
  char code[7] = {};
  TL_ASSERT(oath_totp_generate(secret.data(), secret.size(),
                               static_cast<time_t>(at_ns / 1'000'000'000),
                               OATH_TOTP_DEFAULT_TIME_STEP_SIZE, OATH_TOTP_DEFAULT_START_TIME, 6,
                               code) == OATH_OK);
  return std::string(code, 6);
}

std::optional<std::uint64_t> totp_step_of(std::string_view secret, std::string_view code,
                                          TimeNs now_ns) {
  initialize_libraries();
  if (code.size() != 6 || now_ns < totp_step_ns) return std::nullopt;
  const std::uint64_t now_step = static_cast<std::uint64_t>(now_ns / totp_step_ns);
  std::optional<std::uint64_t> matched;
  // Every candidate is computed and compared, whichever matches, so that the time taken does
  // not tell which step (or whether any) matched.
  for (std::uint64_t step = now_step - 1; step <= now_step + 1; ++step) {
    const std::string expected = totp_code(secret, static_cast<TimeNs>(step) * totp_step_ns);
    if (sodium_memcmp(expected.data(), code.data(), expected.size()) == 0) matched = step;
  }
  return matched;
}

bool verify_totp(std::string_view secret, std::string_view code, TimeNs now_ns) {
  return totp_step_of(secret, code, now_ns).has_value();
}

}  // namespace tokenledger
