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

const std::string golden_path = std::string(TOKENLEDGER_GOLDEN_DIR) + "/events_v1.bin";

// What the golden file holds: the sample events, chained, at fixed times.
std::vector<Record> expected_records() {
  std::vector<Record> records;
  Hash prev{};
  const std::vector<Event> events = testing::sample_events();
  for (std::size_t i = 0; i < events.size(); ++i) {
    Record record;
    record.sequence = i + 1;
    record.recorded_at_ns = 1'610'624'866'123'456'789 + static_cast<TimeNs>(i) * 1'000;
    record.prev_hash = prev;
    record.schema_version = 1;
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

TEST(GoldenEvents, Version1RecordsDecodeForever) {
  if (std::getenv("TOKENLEDGER_WRITE_GOLDEN") != nullptr) {
    std::string file;
    for (const Record& record : expected_records()) {
      const std::string bytes = encode_record(record).value();
      put_be(&file, record.sequence, 8);
      put_be(&file, bytes.size(), 4);
      file += bytes;
    }
    std::ofstream(golden_path, std::ios::binary) << file;
    GTEST_SKIP() << "wrote " << golden_path;
  }
  std::ifstream in(golden_path, std::ios::binary);
  ASSERT_TRUE(in) << "missing " << golden_path;
  const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::vector<Record> expected = expected_records();
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
    EXPECT_EQ(*record, expected[index])
        << "golden record " << sequence << " (" << event_kind_name(expected[index].event.body)
        << ") decodes differently";
    prev = sha256(bytes);
    ++index;
  }
  EXPECT_EQ(index, expected.size());
}

}  // namespace
}  // namespace tokenledger
