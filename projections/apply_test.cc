// apply() refuses records that do not fit the views and leaves them unchanged.
#include "projections/apply.h"

#include <gtest/gtest.h>

#include "projections/test_domain.h"

namespace tokenledger {
namespace {

using testing::make_id;

Record record(std::uint64_t sequence, EventBody body) {
  Record r;
  r.sequence = sequence;
  r.recorded_at_ns = testing::start_ns;
  r.event.body = std::move(body);
  return r;
}

TEST(Apply, RecordsMustComeInOrderWithoutGaps) {
  Views views;
  const Status status = apply(views, record(2, CustomerCreated{make_id("c"), "C"}));
  EXPECT_EQ(status.code(), StatusCode::corruption);
  EXPECT_EQ(views.sequence(), 0u);
  ASSERT_TRUE(apply(views, record(1, CustomerCreated{make_id("c"), "C"})).is_ok());
  EXPECT_EQ(apply(views, record(1, CustomerCreated{make_id("d"), "D"})).code(),
            StatusCode::corruption);
}

TEST(Apply, EventsThatDoNotFitAreCorruptionNamingTheSequence) {
  Views views;
  ASSERT_TRUE(apply(views, record(1, CustomerCreated{make_id("c"), "C"})).is_ok());
  const EventBody misfits[] = {
      CustomerCreated{make_id("c"), "again"},
      UserCreated{make_id("u"), make_id("nocustomer"), "l", "n", Role::user, std::nullopt,
                  UserKind::person},
      TokenRevoked{make_id("tnone"), std::nullopt, RevokeReason::owner},
      TokenCreated{"short",
                   make_id("u"),
                   make_id("c"),
                   "n",
                   {Scope::global},
                   {},
                   std::nullopt,
                   {},
                   TokenOrigin::api,
                   0},
      TokenUsed{make_id("tnone"), 0, std::nullopt, std::nullopt, 1},
      UserDeleted{make_id("u"), false},
  };
  for (const EventBody& body : misfits) {
    const Status status = apply(views, record(2, body));
    EXPECT_EQ(status.code(), StatusCode::corruption) << event_kind_name(body);
    EXPECT_NE(status.message().find("sequence 2"), std::string::npos) << status.message();
    EXPECT_EQ(views.sequence(), 1u);
  }
}

TEST(Apply, RebuildingFromTheSameRecordsGivesTheSameViews) {
  testing::Domain d;
  d.accept(Caller::operator_caller(), CreateCustomer{make_id("c"), "C"});
  d.accept(Caller::operator_caller(), CreateUser{make_id("u"), make_id("c"), "u@c", "U", Role::user,
                                                 testing::fake_password_hash("u")});
  d.accept(
      Caller::user_caller(make_id("u")),
      CreateToken{make_id("t"), sha256("s"), make_id("u"), "t", {Scope::global}, {}, std::nullopt});
  Views rebuilt;
  for (const Record& r : d.log) ASSERT_TRUE(apply(rebuilt, r).is_ok());
  EXPECT_TRUE(rebuilt.same_as(d.views()));
  ASSERT_TRUE(apply(rebuilt, record(4, TokenUsed{make_id("t"), 5, "ip", "ua", 1})).is_ok());
  EXPECT_FALSE(rebuilt.same_as(d.views()));
}

}  // namespace
}  // namespace tokenledger
