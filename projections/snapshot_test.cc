// load_snapshot's checks of a snapshot's contents: a snapshot whose checksum holds but whose
// rows contradict each other (a duplicate id, login or secret, an index past its list, a field
// out of range, a usage row listed twice) is refused, and a good one round-trips with its usage.
// The damaged files are made by rewriting a real snapshot's message and recomputing its checksum,
// as a bug in a writer would.
#include "projections/snapshot.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <iterator>

#include "ledger/test_support.h"
#include "projections/apply.h"
#include "projections/snapshot.capnp.h"
#include "projections/test_domain.h"

namespace tokenledger {
namespace {

using testing::make_id;
using testing::start_ns;

constexpr std::size_t header_bytes = 8 + 32;  // magic, then the payload's SHA-256

class SnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string customer = make_id("c1");
    const std::string user = make_id("u1");
    // Two of each, so that a row can be made to repeat another.
    std::vector<Event> events = {
        Event{Actor{}, CustomerCreated{customer, "C"}},
        Event{Actor{}, CustomerCreated{make_id("c2"), "D"}},
        Event{Actor{}, UserCreated{user, customer, "u@example.com", "U", Role::engineer,
                                   std::nullopt, UserKind::person}},
        Event{Actor{}, UserCreated{make_id("u2"), make_id("c2"), "v@example.com", "V", Role::user,
                                   std::nullopt, UserKind::person}}};
    for (int i = 0; i < 3; ++i) {
      const std::string id = make_id("t" + std::to_string(i));
      events.push_back(Event{Actor{}, TokenCreated{id,
                                                   user,
                                                   customer,
                                                   "t",
                                                   {Scope::global},
                                                   {},
                                                   std::nullopt,
                                                   sha256(id),
                                                   TokenOrigin::api,
                                                   start_ns}});
    }
    // Tokens 2 and 0 used, in that order: first use decides the order of the usage list.
    events.push_back(Event{Actor{}, TokenUsed{make_id("t2"), start_ns + 5, "192.0.2.1", "ua", 3}});
    events.push_back(Event{Actor{}, TokenUsed{make_id("t0"), start_ns + 7, "192.0.2.2", "ub", 1}});
    // A user with a code's step recorded and its password logins locked: both must round-trip.
    events.push_back(Event{Actor{}, LoginSucceeded{user, true, 56'666'667}});
    events.push_back(Event{Actor{}, LoginLocked{user, start_ns + 1'800'000'000'000, 5}});
    ASSERT_TRUE(apply_events(views_, events, 1, start_ns).is_ok());
    ASSERT_TRUE(write_snapshot(views_, sha256("head"), path()).is_ok());
  }

  std::filesystem::path path() const { return dir_.path() / "views.snapshot"; }

  // Rewrites the snapshot's message with `change`, with a checksum that holds.
  void rewrite(const std::function<void(schema::Snapshot::Builder)>& change) {
    std::ifstream in(path(), std::ios::binary);
    const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_GT(file.size(), header_bytes);
    kj::Array<capnp::word> words =
        kj::heapArray<capnp::word>((file.size() - header_bytes) / sizeof(capnp::word));
    std::memcpy(words.begin(), file.data() + header_bytes, file.size() - header_bytes);
    capnp::FlatArrayMessageReader reader(words);
    capnp::MallocMessageBuilder message;
    message.setRoot(reader.getRoot<schema::Snapshot>());
    change(message.getRoot<schema::Snapshot>());
    const kj::Array<capnp::word> out = capnp::messageToFlatArray(message);
    const auto bytes = out.asBytes();
    const std::string payload(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
    const Hash checksum = sha256(payload);
    std::ofstream file_out(path(), std::ios::binary | std::ios::trunc);
    file_out.write(file.data(), 8);  // the magic, unchanged
    file_out.write(reinterpret_cast<const char*>(checksum.data()), checksum.size());
    file_out.write(payload.data(), static_cast<std::streamsize>(payload.size()));
  }

  // load_snapshot refuses the file as corruption, saying `why`.
  void expect_refused(const std::string& why) {
    Views loaded;
    Hash head{};
    const Status status = load_snapshot(path(), &loaded, &head);
    EXPECT_EQ(status.code(), StatusCode::corruption) << status.to_string();
    EXPECT_NE(status.message().find(why), std::string::npos) << status.to_string();
  }

  testing::ScratchDirectory dir_;
  Views views_;
};

TEST_F(SnapshotTest, AGoodSnapshotComesBackWithItsUsage) {
  rewrite([](schema::Snapshot::Builder) {});  // the same message, framed again
  Views loaded;
  Hash head{};
  ASSERT_TRUE(load_snapshot(path(), &loaded, &head).is_ok());
  EXPECT_TRUE(loaded.same_as(views_));
  ASSERT_NE(loaded.usage(2), nullptr);
  EXPECT_EQ(loaded.usage(2)->use_count, 3u);
  EXPECT_EQ(loaded.usage(0)->client_ip, "192.0.2.2");
  EXPECT_EQ(loaded.usage(1), nullptr);
}

TEST_F(SnapshotTest, AUsageListNamingATokenTwiceIsRefused) {
  rewrite([](schema::Snapshot::Builder root) {
    auto usage = root.getUsage();
    ASSERT_EQ(usage.size(), 2u);
    usage[1].setToken(usage[0].getToken());
  });
  expect_refused("usage of a token listed twice");
}

TEST_F(SnapshotTest, AUsageOfATokenThatDoesNotExistIsRefused) {
  rewrite([](schema::Snapshot::Builder root) { root.getUsage()[0].setToken(3); });
  expect_refused("usage of an unknown token");
}

// Each row check, one damage at a time, on a fresh copy of the good snapshot.
TEST_F(SnapshotTest, RowsThatContradictEachOtherAreRefused) {
  using Change = std::function<void(schema::Snapshot::Builder)>;
  const std::vector<std::pair<std::string, Change>> damages = {
      // The messages are apply()'s: loading adds rows through the same Views::add_*.
      {"customer c1xxxxxxxxxxxxxxxxxxxx already exists",
       [](auto root) { root.getCustomers()[1].setId(root.getCustomers()[0].getId()); }},
      {"user of an unknown customer", [](auto root) { root.getUsers()[1].setCustomer(2); }},
      {"user field out of range", [](auto root) { root.getUsers()[0].setRole(200); }},
      {"user field out of range", [](auto root) { root.getUsers()[0].setKind(200); }},
      {"user field out of range", [](auto root) { root.getUsers()[0].setLockReason(200); }},
      {"user field out of range",
       [](auto root) {
         root.getUsers()[0].setLoginLocked(true);
         root.getUsers()[0].setLoginLockedUntilNs(no_time);
       }},
      {"a deleted user with a login lock",
       [](auto root) {
         root.getUsers()[0].setDeleted(true);
         root.getUsers()[0].setLoginLocked(true);
         root.getUsers()[0].setLoginLockedUntilNs(5);
       }},
      {"user u1xxxxxxxxxxxxxxxxxxxx already exists",
       [](auto root) { root.getUsers()[1].setId(root.getUsers()[0].getId()); }},
      {"login already taken",
       [](auto root) { root.getUsers()[1].setLogin(root.getUsers()[0].getLogin()); }},
      {"token of an unknown user", [](auto root) { root.getTokens()[2].setUser(2); }},
      {"token field out of range", [](auto root) { root.getTokens()[0].setState(200); }},
      {"token field out of range", [](auto root) { root.getTokens()[0].setOrigin(200); }},
      {"token field out of range", [](auto root) { root.getTokens()[0].setRevokeReason(200); }},
      {"token field out of range", [](auto root) { root.getTokens()[0].setScopes(16); }},
      {"token field out of range",
       [](auto root) {
         const std::string short_digest(31, 'x');
         root.getTokens()[0].setSecretSha256(
             kj::arrayPtr(reinterpret_cast<const kj::byte*>(short_digest.data()), 31));
       }},
      {"token id", [](auto root) { root.getTokens()[0].setId("too-short"); }},
      {"token t0xxxxxxxxxxxxxxxxxxxx already exists",
       [](auto root) { root.getTokens()[1].setId(root.getTokens()[0].getId()); }},
      {"token t1xxxxxxxxxxxxxxxxxxxx reuses a secret",
       [](auto root) {
         root.getTokens()[1].setSecretSha256(root.getTokens()[0].getSecretSha256());
       }},
  };
  for (const auto& [why, change] : damages) {
    SCOPED_TRACE(why);
    ASSERT_TRUE(write_snapshot(views_, sha256("head"), path()).is_ok());
    rewrite(change);
    expect_refused(why);
  }
  // The undamaged file still loads: the refusals came from the damage, not the rewriting.
  ASSERT_TRUE(write_snapshot(views_, sha256("head"), path()).is_ok());
  rewrite([](schema::Snapshot::Builder) {});
  Views loaded;
  Hash head{};
  EXPECT_TRUE(load_snapshot(path(), &loaded, &head).is_ok());
}

}  // namespace
}  // namespace tokenledger
