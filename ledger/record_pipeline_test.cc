// RecordPipeline: every record of the range, in order, equal to a plain read, whether the
// reading thread or the caller decoded it; a damaged record ends the walk after the records
// before it; stopping early does not hang.
#include "ledger/record_pipeline.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "ledger/tamper.h"
#include "ledger/test_support.h"

namespace tokenledger {
namespace {

constexpr std::uint64_t record_count = 10 * RecordPipeline::batch_records + 37;

class RecordPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override { open(false); }

  void open(bool read_only) {
    log_.reset();
    LogOptions options;
    options.path = dir_.path();
    options.read_only = read_only;
    log_ = Log::open(options).value();
    if (read_only) return;
    const std::vector<Event> samples = testing::sample_events();
    std::vector<Event> batch;
    for (std::uint64_t i = 0; i < record_count; ++i) {
      batch.push_back(samples[i % samples.size()]);
      if (batch.size() == 500 || i + 1 == record_count) {
        ASSERT_TRUE(log_->append(batch).is_ok());
        batch.clear();
      }
    }
  }

  // Walks from..to, checking each record against Log::read; returns the sequences seen.
  std::vector<std::uint64_t> walk(std::uint64_t from, std::uint64_t to,
                                  std::chrono::microseconds pause_per_batch, Status* end,
                                  RecordDecoder::Fields fields = RecordDecoder::Fields::all) {
    std::vector<std::uint64_t> seen;
    RecordPipeline pipeline(*log_, from, to, fields);
    while (true) {
      const RecordPipeline::Records batch = pipeline.next();
      for (const Record& record : batch.records) {
        seen.push_back(record.sequence);
        Record expected = log_->read(record.sequence).value();
        if (fields == RecordDecoder::Fields::without_actor) expected.event.actor = Actor{};
        EXPECT_EQ(record, expected) << record.sequence;
      }
      if (batch.last) {
        *end = batch.end;
        return seen;
      }
      std::this_thread::sleep_for(pause_per_batch);
    }
  }

  static std::vector<std::uint64_t> sequences(std::uint64_t from, std::uint64_t to) {
    std::vector<std::uint64_t> out;
    for (std::uint64_t s = from; s <= to; ++s) out.push_back(s);
    return out;
  }

  testing::ScratchDirectory dir_;
  std::unique_ptr<Log> log_;
};

// A caller that takes each batch at once mostly decodes its own; one that pauses finds them
// decoded by the reading thread. Both must see the same records.
TEST_F(RecordPipelineTest, DeliversEveryRecordInOrderWhoeverDecodesIt) {
  for (const auto pause : {std::chrono::microseconds(0), std::chrono::microseconds(2000)}) {
    Status end;
    EXPECT_EQ(walk(1, UINT64_MAX, pause, &end), sequences(1, record_count))
        << "pause " << pause.count();
    EXPECT_TRUE(end.is_ok()) << end.to_string();
  }
}

TEST_F(RecordPipelineTest, DecodesWithoutTheActorWhenAskedTo) {
  Status end;
  EXPECT_EQ(
      walk(1, UINT64_MAX, std::chrono::microseconds(0), &end, RecordDecoder::Fields::without_actor),
      sequences(1, record_count));
  EXPECT_TRUE(end.is_ok()) << end.to_string();
}

TEST_F(RecordPipelineTest, StopsAtTheEndOfItsRange) {
  Status end;
  EXPECT_EQ(walk(300, 1'000, std::chrono::microseconds(0), &end), sequences(300, 1'000));
  EXPECT_TRUE(end.is_ok());
  EXPECT_EQ(walk(record_count, UINT64_MAX, std::chrono::microseconds(0), &end),
            sequences(record_count, record_count));
  EXPECT_TRUE(walk(record_count + 1, UINT64_MAX, std::chrono::microseconds(0), &end).empty());
  EXPECT_TRUE(end.is_ok());
}

TEST_F(RecordPipelineTest, BatchesOfLargeRecordsEndAtTheirByteLimit) {
  // 8 KiB records: a batch holds about 32 of them instead of 256.
  std::vector<Event> large;
  for (int i = 0; i < 300; ++i) {
    large.push_back(
        Event{Actor{}, CustomerCreated{"c" + std::to_string(i), std::string(8192, 'n')}});
  }
  ASSERT_TRUE(log_->append(large).is_ok());
  RecordPipeline pipeline(*log_, record_count + 1, UINT64_MAX);
  std::vector<std::uint64_t> seen;
  std::size_t largest_batch = 0;
  while (true) {
    const RecordPipeline::Records batch = pipeline.next();
    largest_batch = std::max(largest_batch, batch.records.size());
    for (const Record& record : batch.records) seen.push_back(record.sequence);
    if (batch.last) break;
  }
  EXPECT_EQ(seen, sequences(record_count + 1, record_count + 300));
  EXPECT_LE(largest_batch, RecordPipeline::batch_bytes_max / 8192 + 1);
}

TEST_F(RecordPipelineTest, ADamagedRecordEndsTheWalkAfterTheRecordsBeforeIt) {
  log_.reset();
  // The first byte of the segment table: the record no longer frames as a message.
  ASSERT_TRUE(testing::tamper_flip_byte(dir_.path(), 1'500, 0).is_ok());
  open(true);
  for (const auto pause : {std::chrono::microseconds(0), std::chrono::microseconds(2000)}) {
    Status end;
    EXPECT_EQ(walk(1, UINT64_MAX, pause, &end), sequences(1, 1'499));
    EXPECT_EQ(end.code(), StatusCode::corruption) << end.to_string();
    EXPECT_NE(end.message().find("sequence 1500"), std::string::npos) << end.to_string();
  }
}

TEST_F(RecordPipelineTest, ACallerMayStopAtAnyBatch) {
  for (int taken = 0; taken < 4; ++taken) {
    RecordPipeline pipeline(*log_, 1, UINT64_MAX);
    for (int i = 0; i < taken; ++i) EXPECT_FALSE(pipeline.next().last);
    // Destroyed here with the reader ahead, possibly waiting on a full queue or decoding.
  }
}

}  // namespace
}  // namespace tokenledger
