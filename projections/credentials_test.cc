#include "projections/credentials.h"

#include <gtest/gtest.h>

#include <set>

#include "ledger/test_support.h"

namespace tokenledger {
namespace {

TEST(Credentials, IdsAndSecretsHaveTheContractsFormAndDoNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = random_id();
    const std::string secret = random_token_secret();
    ASSERT_EQ(id.size(), 22u);
    ASSERT_EQ(secret.size(), 32u);
    for (char c : id) ASSERT_TRUE(std::isalnum(static_cast<unsigned char>(c)));
    for (char c : secret)
      ASSERT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
    ASSERT_TRUE(seen.insert(id).second);
    ASSERT_TRUE(seen.insert(secret).second);
  }
}

TEST(Credentials, PasswordsAreStoredAsArgon2idAndVerified) {
  Result<std::string> hash = hash_password("correct horse", PasswordCost::minimum());
  ASSERT_TRUE(hash.is_ok());
  EXPECT_TRUE(hash->starts_with("$argon2id$"));
  EXPECT_EQ(hash->find("correct horse"), std::string::npos);
  EXPECT_TRUE(verify_password(*hash, "correct horse"));
  EXPECT_FALSE(verify_password(*hash, "correct horsf"));
  EXPECT_FALSE(verify_password("not a hash", "correct horse"));
  EXPECT_NE(*hash, hash_password("correct horse", PasswordCost::minimum()).value());  // salted
  EXPECT_EQ(hash_password("short", PasswordCost::minimum()).status().code(),
            StatusCode::invalid_argument);
  EXPECT_EQ(hash_password(std::string(257, 'x'), PasswordCost::minimum()).status().code(),
            StatusCode::invalid_argument);
}

TEST(Credentials, TotpFollowsRfc6238) {
  // RFC 6238 appendix B, SHA-1, secret "12345678901234567890", T = 59 s -> 94287082 (8 digits);
  // its last 6 digits are the 6-digit code.
  const std::string secret = "12345678901234567890";
  EXPECT_EQ(totp_code(secret, 59'000'000'000), "287082");
  EXPECT_EQ(totp_code(secret, 1'111'111'109'000'000'000), "081804");
  const TimeNs now = 1'700'000'000'000'000'000;
  EXPECT_TRUE(verify_totp(secret, totp_code(secret, now), now));
  EXPECT_TRUE(verify_totp(secret, totp_code(secret, now - totp_step_ns), now));  // clock drift
  EXPECT_FALSE(verify_totp(secret, totp_code(secret, now - 3 * totp_step_ns), now));
  EXPECT_FALSE(verify_totp(secret, "12345", now));
  EXPECT_FALSE(verify_totp(secret, "abcdef", now));
  // The step a code belongs to, for refusing it a second time.
  const std::uint64_t step = static_cast<std::uint64_t>(now / totp_step_ns);
  EXPECT_EQ(totp_step_of(secret, totp_code(secret, now), now), step);
  EXPECT_EQ(totp_step_of(secret, totp_code(secret, now - totp_step_ns), now), step - 1);
  EXPECT_EQ(totp_step_of(secret, totp_code(secret, now + totp_step_ns), now), step + 1);
  EXPECT_EQ(totp_step_of(secret, totp_code(secret, now + 2 * totp_step_ns), now), std::nullopt);
  // RFC 6238's T = 59 s is step 1.
  EXPECT_EQ(totp_step_of(secret, "287082", 59'000'000'000), 1u);
}

TEST(Credentials, TotpSecretsAreSealedAndOpenOnlyWithTheirKey) {
  testing::ScratchDirectory dir;
  Result<SealingKey> key = SealingKey::load_or_create(dir.path() / "totp.key");
  ASSERT_TRUE(key.is_ok()) << key.status().to_string();
  Result<SealingKey> again = SealingKey::load_or_create(dir.path() / "totp.key");
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(key->key_id(), again->key_id());
  const std::string secret = new_totp_secret();
  const SealedSecret sealed = key->seal(secret);
  EXPECT_EQ(sealed.ciphertext.find(secret), std::string::npos);
  EXPECT_EQ(again->unseal(sealed).value(), secret);
  SealedSecret altered = sealed;
  altered.ciphertext[0] ^= 1;
  EXPECT_EQ(key->unseal(altered).status().code(), StatusCode::corruption);
  const SealingKey other = SealingKey::from_bytes("other", {});
  EXPECT_FALSE(other.unseal(sealed).is_ok());
}

TEST(Credentials, OtpauthUriCarriesTheBase32Secret) {
  EXPECT_EQ(base32_encode("12345678901234567890"), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  EXPECT_EQ(otpauth_uri("tokenledger", "a b@example.com", "12345678901234567890"),
            "otpauth://totp/tokenledger:a%20b@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            "&issuer=tokenledger&algorithm=SHA1&digits=6&period=30");
}

}  // namespace
}  // namespace tokenledger
