#include "projections/replay.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "projections/apply.h"

namespace tokenledger {
namespace {

// A long replay reads and decodes records on a second thread while this one applies them: the
// two halves take about the same time, so on two cores the walk goes nearly twice as fast
// (docs/benchmarks.md). Short replays (a snapshot's tail, tests) stay on one thread.
constexpr std::uint64_t pipelined_records_min = 20'000;
constexpr std::size_t batch_records = 256;
constexpr std::size_t queued_batches_max = 8;  // bounds the memory ahead of the applier

struct Batch {
  std::vector<Record> records;
  bool last = false;  // nothing follows; `end` says why
  Status end;         // ok at the end of the range or the log; else the failure
};

// Reads records from_sequence..up_to_sequence, decoded, in batches, on its own thread.
class RecordReader {
 public:
  RecordReader(const Log& log, std::uint64_t from_sequence, std::uint64_t up_to_sequence)
      : log_(log), from_(from_sequence), up_to_(up_to_sequence), thread_([this] { run(); }) {}
  ~RecordReader() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  RecordReader(const RecordReader&) = delete;
  RecordReader& operator=(const RecordReader&) = delete;

  // The next batch, in order; the last one has `last` set.
  Batch next() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !queue_.empty(); });
    Batch batch = std::move(queue_.front());
    queue_.pop_front();
    changed_.notify_all();
    return batch;
  }

 private:
  void run() {
    std::unique_ptr<LogCursor> cursor = log_.cursor(from_);
    Batch batch;
    while (true) {
      if (!cursor->valid() || cursor->sequence() > up_to_) {
        batch.last = true;
        batch.end = cursor->status();
      } else {
        Result<Record> record = cursor->record();
        if (record.is_ok()) {
          batch.records.push_back(std::move(record).value());
          cursor->next();
        } else {
          batch.last = true;
          batch.end = record.status();
        }
      }
      if (batch.last || batch.records.size() == batch_records) {
        const bool last = batch.last;
        if (!push(std::move(batch))) return;
        if (last) return;
        batch = Batch{};
        batch.records.reserve(batch_records);
      }
    }
  }

  // False when the reader is being stopped (the applier stopped early).
  bool push(Batch batch) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return queue_.size() < queued_batches_max || stopping_; });
    if (stopping_) return false;
    queue_.push_back(std::move(batch));
    changed_.notify_all();
    return true;
  }

  const Log& log_;
  const std::uint64_t from_;
  const std::uint64_t up_to_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> queue_;  // (mutex_)
  bool stopping_ = false;    // (mutex_)
  std::thread thread_;       // last: starts once everything above is ready
};

// Applies one record within the limits. Returns false (with *status ok) at the time limit.
bool apply_within(Views& views, const Record& record, const ReplayLimits& limits,
                  std::uint64_t* done, Status* status) {
  if (record.recorded_at_ns > limits.up_to_time_ns) return false;
  *status = apply(views, record);
  if (!status->is_ok()) return false;
  if (limits.progress && ++*done % limits.progress_interval_records == 0) {
    limits.progress(record.sequence);
  }
  return true;
}

// The one loop every rebuild runs: records after views.sequence(), within the limits.
Status fold(Views& views, const Log& log, const ReplayLimits& limits) {
  const std::uint64_t from = views.sequence() + 1;
  const std::uint64_t head = log.head().sequence;
  const std::uint64_t expected = std::min(head, limits.up_to_sequence) >= from
                                     ? std::min(head, limits.up_to_sequence) - from + 1
                                     : 0;
  std::uint64_t done = 0;
  Status status;
  if (expected < pipelined_records_min) {
    auto cursor = log.cursor(from);
    for (; cursor->valid() && cursor->sequence() <= limits.up_to_sequence; cursor->next()) {
      Result<Record> record = cursor->record();
      if (!record.is_ok()) return record.status();
      if (!apply_within(views, *record, limits, &done, &status)) return status;
    }
    return cursor->status();
  }
  views.reserve_token_ids(views.token_count() + expected);
  RecordReader reader(log, from, limits.up_to_sequence);
  while (true) {
    Batch batch = reader.next();
    for (const Record& record : batch.records) {
      if (!apply_within(views, record, limits, &done, &status)) return status;
    }
    if (batch.last) return batch.end;
  }
}

}  // namespace

Status replay_into(Views& views, const Log& log, std::uint64_t up_to_sequence) {
  ReplayLimits limits;
  limits.up_to_sequence = up_to_sequence;
  Status status = fold(views, log, limits);
  if (!status.is_ok()) return status;
  if (views.sequence() < up_to_sequence) {
    return Status::corruption("sequence " + std::to_string(views.sequence() + 1) +
                              " is missing: the log ends before " + std::to_string(up_to_sequence));
  }
  return Status::ok();
}

Status replay_within(Views& views, const Log& log, const ReplayLimits& limits) {
  return fold(views, log, limits);
}

}  // namespace tokenledger
