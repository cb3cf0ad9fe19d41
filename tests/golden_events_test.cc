// The golden file: records encoded by schema version 1, committed to the repository, that every
// later build must decode to exactly the same values. It is what makes "the schema evolves only
// by adding" a tested promise rather than a hope (docs/adr/0005-schema-evolution.md).
//
// File format (tests/golden/events_v1.bin): repeated { sequence: 8 bytes BE, size: 4 bytes BE,
// record bytes }. The records form a valid chain starting at sequence 1.
//
// The file was written once with TOKENLEDGER_WRITE_GOLDEN=1; never rewrite it to make this test
// pass. A new schema version adds a new golden file beside it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "ledger/record_codec.h"
#include "ledger/test_support.h"

namespace tokenledger {
namespace {

std::string golden_path(int version) {
  return std::string(TOKENLEDGER_GOLDEN_DIR) + "/events_v" + std::to_string(version) + ".bin";
}

// What a golden file holds: the sample events of its version, chained (as the build of that
// version encoded them), at fixed times.
std::vector<Record> expected_records(int version) {
  std::vector<Record> records;
  Hash prev{};
  const std::vector<Event> events =
      version == 1 ? testing::sample_events_v1() : testing::sample_events();
  for (std::size_t i = 0; i < events.size(); ++i) {
    Record record;
    record.sequence = i + 1;
    record.recorded_at_ns = 1'610'624'866'123'456'789 + static_cast<TimeNs>(i) * 1'000;
    record.prev_hash = prev;
    record.schema_version = static_cast<std::uint16_t>(version);
    record.event = events[i];
    prev = sha256(encode_record(record).value());
    records.push_back(std::move(record));
  }
  return records;
}

void put_be(std::string* out, std::uint64_t value, int size) {
  for (int i = size - 1; i >= 0; --i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

std::uint64_t get_be(const std::string& in, std::size_t offset, int size) {
  std::uint64_t value = 0;
  for (int i = 0; i < size; ++i) value = (value << 8) | static_cast<std::uint8_t>(in[offset + i]);
  return value;
}

// Every golden file decodes, by this build, to exactly the values its version wrote. A file is
// written once (TOKENLEDGER_WRITE_GOLDEN=N writes version N's, and only when it is missing).
void check_golden(int version) {
  const std::string path = golden_path(version);
  const char* write = std::getenv("TOKENLEDGER_WRITE_GOLDEN");
  if (write != nullptr && std::to_string(version) == write && !std::ifstream(path)) {
    ASSERT_EQ(version, current_schema_version()) << "only the current version can be written";
    std::string file;
    for (const Record& record : expected_records(version)) {
      const std::string bytes = encode_record(record).value();
      put_be(&file, record.sequence, 8);
      put_be(&file, bytes.size(), 4);
      file += bytes;
    }
    std::ofstream(path, std::ios::binary) << file;
    GTEST_SKIP() << "wrote " << path;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << "missing " << path;
  const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::vector<Record> expected = expected_records(version);
  std::size_t offset = 0;
  std::size_t index = 0;
  Hash prev{};
  while (offset < file.size()) {
    ASSERT_LE(offset + 12, file.size());
    const std::uint64_t sequence = get_be(file, offset, 8);
    const std::uint64_t size = get_be(file, offset + 8, 4);
    ASSERT_LE(offset + 12 + size, file.size());
    const std::string bytes = file.substr(offset + 12, size);
    offset += 12 + size;
    ASSERT_LT(index, expected.size());
    Result<Record> record = decode_record(bytes, sequence);
    ASSERT_TRUE(record.is_ok()) << record.status().to_string();
    EXPECT_EQ(record->sequence, sequence);
    EXPECT_EQ(record->prev_hash, prev) << "the golden chain is broken at " << sequence;
    // The chain is the file's own (checked above): a later build encodes the same values into
    // other bytes (a struct that gained a field is longer), so only the writer's hashes match.
    Record want = expected[index];
    want.prev_hash = prev;
    EXPECT_EQ(*record, want) << "golden record " << sequence << " ("
                             << event_kind_name(expected[index].event.body)
                             << ") decodes differently";
    prev = sha256(bytes);
    ++index;
  }
  EXPECT_EQ(index, expected.size());
}

TEST(GoldenEvents, Version1RecordsDecodeForever) {
  check_golden(1);
}

TEST(GoldenEvents, Version2RecordsDecodeForever) {
  check_golden(2);
}

}  // namespace
}  // namespace tokenledger
