#include "projections/event_json.h"

#include <gtest/gtest.h>

#include "ledger/test_support.h"

namespace tokenledger {
namespace {

TEST(EventJson, EveryKindWritesValidJsonWithoutPasswordHashesOrSealedSecrets) {
  std::uint64_t sequence = 0;
  for (const Event& event : testing::sample_events()) {
    Record record;
    record.sequence = ++sequence;
    record.recorded_at_ns = 1'700'000'000'000'000'000;
    record.event = event;
    JsonWriter json;
    write_record_json(json, record, sha256("record"));
    const std::string text = json.text();
    EXPECT_NE(text.find("\"kind\":\"" + std::string(event_kind_name(event.body)) + "\""),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("\"recorded_at\":\"2023-11-14T22:13:20Z\""), std::string::npos);
    EXPECT_NE(text.find("\"hash\":\"" + hash_to_hex(sha256("record")) + "\""), std::string::npos);
    if (const auto* created = std::get_if<UserCreated>(&event.body);
        created != nullptr && created->password_hash) {
      EXPECT_EQ(text.find(*created->password_hash), std::string::npos);
      EXPECT_NE(text.find("\"password_set\":true"), std::string::npos);
    }
    if (const auto* updated = std::get_if<UserUpdated>(&event.body)) {
      if (const auto* sealed = std::get_if<SealedSecret>(&updated->two_factor)) {
        EXPECT_EQ(text.find(hash_to_hex(sha256(sealed->ciphertext))), std::string::npos);
        EXPECT_NE(text.find("\"two_factor\":\"enabled\""), std::string::npos);
      }
    }
  }
}

TEST(EventJson, SubjectsNameEveryIdAnEventTouches) {
  TokenCreated created;
  created.token_id = "t";
  created.user_id = "u";
  created.customer_id = "c";
  EventSubjects subjects = event_subjects(created);
  EXPECT_EQ(subjects.token_ids, std::vector<std::string>{"t"});
  EXPECT_EQ(subjects.user_ids, std::vector<std::string>{"u"});
  EXPECT_EQ(subjects.customer_ids, std::vector<std::string>{"c"});
  ASSERT_NE(subjects.secret_sha256, nullptr);
  TokenRevoked revoked{"t", std::string("boss"), RevokeReason::superuser};
  subjects = event_subjects(revoked);
  EXPECT_EQ(subjects.token_ids, std::vector<std::string>{"t"});
  EXPECT_EQ(subjects.user_ids, std::vector<std::string>{"boss"});
}

}  // namespace
}  // namespace tokenledger
