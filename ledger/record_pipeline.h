// RecordPipeline: a long walk over the log, read on a second thread and handed to the caller in
// order, decoded, in batches. What a replay of millions of records uses (projections/replay.cc).
//
// The work per record is reading (the RocksDB iterator and a copy of the bytes), decoding, and
// whatever the caller does with it. The reading thread always reads; decoding goes to whichever
// thread is free: the reading thread decodes the batches queued behind the one the caller will
// take next, and the caller decodes its next batch itself when it finds it still undecoded, so
// neither core idles while the other has work (docs/benchmarks.md). Batches, their byte buffers
// and their Records are used again once the caller is done with them, so a steady walk
// allocates almost nothing (RecordDecoder).
//
// Thread-safety: one caller thread; the pipeline's own thread is internal. The Log must outlive
// the pipeline. Destroying it early (the caller stops at a bad record) stops the reader.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "ledger/event.h"
#include "ledger/log.h"
#include "ledger/record_codec.h"

namespace tokenledger {

class RecordPipeline {
 public:
  // Walks records from_sequence..up_to_sequence (or to the end of the log, if sooner), decoding
  // `fields` of each (RecordDecoder::Fields).
  RecordPipeline(const Log& log, std::uint64_t from_sequence, std::uint64_t up_to_sequence,
                 RecordDecoder::Fields fields = RecordDecoder::Fields::all);
  ~RecordPipeline();
  RecordPipeline(const RecordPipeline&) = delete;
  RecordPipeline& operator=(const RecordPipeline&) = delete;

  // The next records in sequence order, valid until the next call. When `last` is set nothing
  // follows, and `end` says why: ok at the end of the range or the log, otherwise the read or
  // decode failure of the record after the given ones.
  struct Records {
    std::span<const Record> records;
    bool last = false;
    Status end;
  };
  Records next();

  // A batch ends at whichever comes first.
  static constexpr std::size_t batch_records = 256;
  static constexpr std::size_t batch_bytes_max = 256 * 1024;
  // Bounds the memory read ahead of the caller: at most this many batches wait, as many more
  // are kept for reuse. Records of a few hundred bytes (what the API writes) make that a few
  // MB; the stored bytes are at most ~(2 * 16 + 1) * (256 KiB + one record) in any case.
  static constexpr std::size_t queued_batches_max = 16;

 private:
  struct Entry {
    std::uint64_t sequence;
    std::size_t offset;  // into Batch::bytes
    std::size_t size;
  };
  enum class BatchState { read, decoding, decoded };
  struct Batch {
    std::string bytes;            // the stored records, one after another
    std::vector<Entry> entries;   // where each is in `bytes`
    std::vector<Record> records;  // decoded; the first `count` are this batch's, the rest spare
    std::size_t count = 0;
    BatchState state = BatchState::read;
    bool last = false;  // the read ended in this batch; `end` says why
    Status end;
  };

  void run();
  // Fills `batch` with up to batch_records records from the cursor, marking the last one.
  void read_batch(LogCursor& cursor, Batch& batch);
  // Decodes the batch's records, stopping at (and marking) the first that fails. Touches only
  // `batch`: the thread doing it holds the batch alone (state decoding, or taken by the caller).
  static void decode_batch(RecordDecoder& decoder, Batch& batch);
  std::unique_ptr<Batch> take_free();  // (mutex_)

  const Log& log_;
  const std::uint64_t from_;
  const std::uint64_t up_to_;
  const RecordDecoder::Fields fields_;
  RecordDecoder caller_decoder_;    // the caller's thread only
  std::unique_ptr<Batch> current_;  // the caller's thread only: the batch it was last given

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::unique_ptr<Batch>> queue_;  // (mutex_) in order; front: the caller's next
  std::vector<std::unique_ptr<Batch>> free_;  // (mutex_) done with, to be filled again
  bool read_done_ = false;                    // (mutex_) the reader queued its last batch
  bool stopping_ = false;                     // (mutex_)
  std::thread thread_;                        // last: starts once everything above is ready
};

}  // namespace tokenledger
