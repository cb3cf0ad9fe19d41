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

// One step of SplitMix64: a fixed, cheap sequence of well-mixed numbers for choosing samples.
std::uint64_t next_mixed(std::uint64_t* state) {
  std::uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace

std::size_t estimate_token_creations(const Log& log, std::uint64_t from, std::uint64_t to,
                                     TimeNs up_to_time_ns) {
  // 4096 reads take a few milliseconds; the estimate's relative error is then about 1.5%.
  constexpr std::uint64_t samples_max = 4096;
  if (to < from) return 0;
  const std::uint64_t count = to - from + 1;
  const std::uint64_t samples = std::min(samples_max, count);
  // The range cut into `samples` stretches that cover it exactly (the first k together hold
  // k * count / samples records, computed without overflow), and one record taken at a varying
  // place within each: a record at a fixed place in each would alias with a history that repeats
  // with a period near the stretch (a benchmark's or a batch job's) and could count every
  // creation or none.
  const std::uint64_t step = count / samples;
  const std::uint64_t remainder = count % samples;
  const auto stretch_start = [&](std::uint64_t k) { return k * step + k * remainder / samples; };
  std::uint64_t state = count;
  std::uint64_t sampled = 0;
  std::uint64_t creations = 0;
  for (std::uint64_t k = 0; k < samples; ++k) {
    const std::uint64_t begin = stretch_start(k);
    const std::uint64_t length = stretch_start(k + 1) - begin;  // at least step, at least 1
    const std::uint64_t sequence = from + begin + next_mixed(&state) % length;
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

namespace {

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
  const std::size_t creations = estimate_token_creations(log, from, last, limits.up_to_time_ns);
  views.reserve_token_ids(views.token_count() + creations);
  views.reserve_token_secrets(views.token_count() + creations);
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
