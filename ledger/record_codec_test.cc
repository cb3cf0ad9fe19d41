#include "ledger/record_codec.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <gtest/gtest.h>

#include <cstring>
#include <set>

#include "ledger/test_support.h"
#include "ledger/testdata/future_events.capnp.h"

namespace tokenledger {
namespace {

Record sample_record(std::uint64_t sequence, Event event) {
  Record record;
  record.sequence = sequence;
  record.recorded_at_ns = 1'700'000'000'000'000'000 + static_cast<TimeNs>(sequence);
  record.prev_hash = sha256("previous " + std::to_string(sequence));
  record.schema_version = current_schema_version();
  record.event = std::move(event);
  return record;
}

TEST(RecordCodec, RoundTripsEveryEventKind) {
  const std::vector<Event> events = testing::sample_events();
  std::set<std::size_t> kinds;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Record record = sample_record(i + 1, events[i]);
    Result<std::string> bytes = encode_record(record);
    ASSERT_TRUE(bytes.is_ok()) << bytes.status().to_string();
    Result<Record> decoded = decode_record(*bytes, record.sequence);
    ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
    EXPECT_EQ(*decoded, record) << "event " << i << " (" << event_kind_name(events[i].body) << ")";
    kinds.insert(events[i].body.index());
  }
  EXPECT_EQ(kinds.size(), std::variant_size_v<EventBody>) << "a kind has no sample event";
}

// A RecordDecoder decodes into Records that held other records before. Nothing of an earlier
// record may remain: every pair of sample records (each kind, optional fields present and
// absent), each with a full and an empty actor, decoded one after the other into one Record.
// The pairs also move bodies through the decoder's spares, so spare bodies get reused too.
TEST(RecordCodec, ARecordDecoderLeavesNothingOfTheRecordDecodedBefore) {
  const Actor full_actor{"user-4Lq3C2Xj0pM8d6zYw1Bn5a", "token-2j1hEyxXOEqYaSipeZHaW4", "192.0.2.7",
                         "a user agent longer than any inline string", "req-0009"};
  std::vector<Record> records;
  std::vector<std::string> stored;
  for (const Event& event : testing::sample_events()) {
    for (const Actor& actor : {Actor{}, full_actor}) {
      records.push_back(sample_record(records.size() + 1, Event{actor, event.body}));
      stored.push_back(encode_record(records.back()).value());
    }
  }
  RecordDecoder decoder;
  std::vector<Record> reused(3);  // rotated, so that each is decoded into after varied kinds
  std::size_t decodes = 0;
  for (std::size_t a = 0; a < records.size(); ++a) {
    for (std::size_t b = 0; b < records.size(); ++b) {
      for (std::size_t k : {a, b}) {
        Record& out = reused[decodes++ % reused.size()];
        ASSERT_TRUE(decoder.decode(stored[k], records[k].sequence, &out).is_ok());
        ASSERT_EQ(out, records[k]) << "record " << k << " after " << a << ", " << b << " ("
                                   << event_kind_name(records[k].event.body) << ")";
      }
    }
  }
}

TEST(RecordCodec, ARecordDecoderWithoutTheActorLeavesItEmptyAndDecodesTheRest) {
  const Actor full_actor{"user-4Lq3C2Xj0pM8d6zYw1Bn5a", "token-2j1hEyxXOEqYaSipeZHaW4", "192.0.2.7",
                         "fastly-js/13.0.0", "req-0009"};
  RecordDecoder with_actor;
  RecordDecoder without_actor(RecordDecoder::Fields::without_actor);
  Record out;
  std::uint64_t sequence = 0;
  for (const Event& event : testing::sample_events()) {
    Record record = sample_record(++sequence, Event{full_actor, event.body});
    const std::string stored = encode_record(record).value();
    ASSERT_TRUE(with_actor.decode(stored, sequence, &out).is_ok());  // out holds an actor now
    ASSERT_TRUE(without_actor.decode(stored, sequence, &out).is_ok());
    record.event.actor = Actor{};
    EXPECT_EQ(out, record) << event_kind_name(event.body);
  }
}

TEST(RecordCodec, ARecordDecoderRefusesWhatDecodeRecordRefuses) {
  const std::string bytes = encode_record(sample_record(3, testing::sample_events()[6])).value();
  RecordDecoder decoder;
  Record out;
  for (std::size_t size = 0; size < bytes.size(); ++size) {
    const Status status = decoder.decode(std::string_view(bytes).substr(0, size), 3, &out);
    ASSERT_FALSE(status.is_ok()) << "size " << size;
    EXPECT_EQ(status.to_string(),
              decode_record(std::string_view(bytes).substr(0, size), 3).status().to_string());
  }
  ASSERT_TRUE(decoder.decode(bytes, 3, &out).is_ok());
  EXPECT_EQ(out, decode_record(bytes, 3).value());
}

TEST(RecordCodec, EncodingIsDeterministic) {
  const Record record = sample_record(7, testing::sample_events()[6]);
  EXPECT_EQ(encode_record(record).value(), encode_record(record).value());
}

TEST(RecordCodec, RefusesARecordOverTheSizeLimit) {
  Event event{Actor{}, CustomerCreated{"c", std::string(record_size_max_bytes, 'x')}};
  Result<std::string> bytes = encode_record(sample_record(1, event));
  ASSERT_FALSE(bytes.is_ok());
  EXPECT_EQ(bytes.status().code(), StatusCode::invalid_argument);
  EXPECT_NE(bytes.status().message().find("sequence 1"), std::string::npos);
}

TEST(RecordCodec, TruncatedRecordsAreCorruptionNamingTheSequence) {
  const std::string bytes = encode_record(sample_record(3, testing::sample_events()[6])).value();
  for (std::size_t size = 0; size < bytes.size(); ++size) {
    Result<Record> decoded = decode_record(std::string_view(bytes).substr(0, size), 3);
    ASSERT_FALSE(decoded.is_ok()) << "size " << size;
    EXPECT_EQ(decoded.status().code(), StatusCode::corruption) << "size " << size;
    EXPECT_NE(decoded.status().message().find("sequence 3"), std::string::npos);
  }
}

TEST(RecordCodec, TrailingBytesAreCorruption) {
  std::string bytes = encode_record(sample_record(3, testing::sample_events()[0])).value();
  bytes.append(8, '\0');
  Result<Record> decoded = decode_record(bytes, 3);
  ASSERT_FALSE(decoded.is_ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::corruption);
}

// Any single flipped bit either still decodes or is reported; it never crashes or hangs.
TEST(RecordCodec, FlippedBitsNeverCrashTheDecoder) {
  for (const Event& event : testing::sample_events()) {
    const std::string bytes = encode_record(sample_record(5, event)).value();
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string damaged = bytes;
        damaged[i] = static_cast<char>(damaged[i] ^ (1 << bit));
        Result<Record> decoded = decode_record(damaged, 5);
        if (!decoded.is_ok()) {
          EXPECT_TRUE(decoded.status().code() == StatusCode::corruption ||
                      decoded.status().code() == StatusCode::unsupported)
              << decoded.status().to_string();
        }
      }
    }
  }
}

std::string flat_bytes(capnp::MessageBuilder& message) {
  const kj::Array<capnp::word> words = capnp::messageToFlatArray(message);
  return std::string(reinterpret_cast<const char*>(words.asBytes().begin()),
                     words.asBytes().size());
}

capnp::MallocMessageBuilder& future_record(capnp::MallocMessageBuilder& message,
                                           std::uint16_t schema_version) {
  auto root = message.initRoot<FutureRecord>();
  root.setSequence(9);
  const Hash zero{};
  root.setPrevHash(capnp::Data::Reader(zero.data(), zero.size()));
  root.setSchemaVersion(schema_version);
  return message;
}

TEST(RecordCodec, ANewerSchemaVersionIsUnsupported) {
  capnp::MallocMessageBuilder message;
  future_record(message, current_schema_version() + 1);
  message.getRoot<FutureRecord>().getEvent().setSomethingNew("x");
  Result<Record> decoded = decode_record(flat_bytes(message), 9);
  ASSERT_FALSE(decoded.is_ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::unsupported);
  EXPECT_NE(decoded.status().message().find("schema version"), std::string::npos);
}

TEST(RecordCodec, AnUnknownEventKindIsUnsupportedNotSkipped) {
  capnp::MallocMessageBuilder message;
  future_record(message, current_schema_version());
  message.getRoot<FutureRecord>().getEvent().setSomethingNew("x");
  Result<Record> decoded = decode_record(flat_bytes(message), 9);
  ASSERT_FALSE(decoded.is_ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::unsupported);
  EXPECT_NE(decoded.status().message().find("sequence 9: unknown event kind 16"), std::string::npos)
      << decoded.status().message();
}

TEST(RecordCodec, AnUnknownEnumerantIsUnsupported) {
  capnp::MallocMessageBuilder message;
  future_record(message, current_schema_version());
  auto user = message.getRoot<FutureRecord>().getEvent().initUserCreated();
  user.setUserId("u");
  user.setRole(4);  // a fifth role this build does not know
  Result<Record> decoded = decode_record(flat_bytes(message), 9);
  ASSERT_FALSE(decoded.is_ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::unsupported);
  EXPECT_NE(decoded.status().message().find("unknown role value 4"), std::string::npos);
}

TEST(RecordCodec, TheFutureLayoutMatchesTheRealOne) {
  // Guards the test schema itself: a real record read through FutureRecord keeps its fields.
  const Record record = sample_record(12, testing::sample_events()[1]);
  const std::string bytes = encode_record(record).value();
  kj::Array<capnp::word> words = kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word));
  std::memcpy(words.begin(), bytes.data(), bytes.size());
  capnp::FlatArrayMessageReader reader(words.asPtr());
  auto root = reader.getRoot<FutureRecord>();
  EXPECT_EQ(root.getSequence(), 12u);
  ASSERT_TRUE(root.getEvent().isUserCreated());
  EXPECT_EQ(root.getEvent().getUserCreated().getRole(), 3);  // superuser
  EXPECT_EQ(std::string(root.getEvent().getUserCreated().getLogin().cStr()), "ops@example.com");
}

}  // namespace
}  // namespace tokenledger
