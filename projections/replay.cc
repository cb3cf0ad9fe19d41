#include "projections/replay.h"

#include <algorithm>
#include <span>

#include "ledger/record_codec.h"
#include "ledger/record_pipeline.h"
#include "projections/apply.h"

namespace tokenledger {
namespace {

// A long replay reads and decodes records on a second thread while this one applies them, and
// decoding is shared between the two (ledger/record_pipeline.h). Short replays (a snapshot's
// tail, tests) stay on one thread.
constexpr std::uint64_t pipelined_records_min = 20'000;
// How far ahead of apply() the applier prefetches index slots: enough records for the loads to
// arrive in time, few enough that they are still in cache when used.
constexpr std::size_t prefetch_distance_records = 8;

// About how many tokens records from..to recorded up to `up_to_time_ns` create, from an evenly
// spaced sample of them, so that a long replay can size the secret index once
// (Views::reserve_token_secrets). A guess: a record that cannot be read is left out of the
// sample, and the replay itself reports it.
std::size_t estimate_token_creations(const Log& log, std::uint64_t from, std::uint64_t to,
                                     TimeNs up_to_time_ns) {
  constexpr std::uint64_t samples_max = 512;
  if (to < from) return 0;
  const std::uint64_t count = to - from + 1;
  const std::uint64_t step = std::max<std::uint64_t>(1, count / samples_max);
  std::uint64_t sampled = 0;
  std::uint64_t creations = 0;
  for (std::uint64_t sequence = from; sequence <= to && sampled < samples_max; sequence += step) {
    Result<Record> record = log.read(sequence);
    if (!record.is_ok()) continue;
    ++sampled;
    if (record->recorded_at_ns <= up_to_time_ns &&
        std::holds_alternative<TokenCreated>(record->event.body)) {
      ++creations;
    }
  }
  if (sampled == 0) return 0;
  // A little over the sample's share: growing once more costs far more than a few spare slots.
  return static_cast<std::size_t>(static_cast<double>(creations) / static_cast<double>(sampled) *
                                  static_cast<double>(count) * 1.05);
}

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
  const std::uint64_t last = std::min(log.head().sequence, limits.up_to_sequence);
  const std::uint64_t expected = last >= from ? last - from + 1 : 0;
  std::uint64_t done = 0;
  Status status;
  if (expected < pipelined_records_min) {
    auto cursor = log.cursor(from);
    RecordDecoder decoder(RecordDecoder::Fields::without_actor);  // apply never reads it
    Record record;
    for (; cursor->valid() && cursor->sequence() <= limits.up_to_sequence; cursor->next()) {
      Status decoded = cursor->record_into(decoder, &record);
      if (!decoded.is_ok()) return decoded;
      if (!apply_within(views, record, limits, &done, &status)) return status;
    }
    return cursor->status();
  }
  views.reserve_token_ids(views.token_count() + expected);
  views.reserve_token_secrets(views.token_count() +
                              estimate_token_creations(log, from, last, limits.up_to_time_ns));
  RecordPipeline pipeline(log, from, limits.up_to_sequence, RecordDecoder::Fields::without_actor);
  while (true) {
    const RecordPipeline::Records batch = pipeline.next();
    const std::span<const Record> records = batch.records;
    for (std::size_t i = 0; i < records.size(); ++i) {
      if (i + prefetch_distance_records < records.size()) {
        prefetch_for_apply(views, records[i + prefetch_distance_records]);
      }
      if (!apply_within(views, records[i], limits, &done, &status)) return status;
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
