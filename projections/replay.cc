#include "projections/replay.h"

#include "projections/apply.h"

namespace tokenledger {

Status replay_into(Views& views, const Log& log, std::uint64_t up_to_sequence) {
  auto cursor = log.cursor(views.sequence() + 1);
  for (; cursor->valid() && cursor->sequence() <= up_to_sequence; cursor->next()) {
    Result<Record> record = cursor->record();
    if (!record.is_ok()) return record.status();
    Status applied = apply(views, *record);
    if (!applied.is_ok()) return applied;
  }
  if (!cursor->status().is_ok()) return cursor->status();
  if (views.sequence() < up_to_sequence) {
    return Status::corruption("sequence " + std::to_string(views.sequence() + 1) +
                              " is missing: the log ends before " + std::to_string(up_to_sequence));
  }
  return Status::ok();
}

Status replay_within(Views& views, const Log& log, const ReplayLimits& limits) {
  auto cursor = log.cursor(views.sequence() + 1);
  std::uint64_t done = 0;
  for (; cursor->valid() && cursor->sequence() <= limits.up_to_sequence; cursor->next()) {
    Result<Record> record = cursor->record();
    if (!record.is_ok()) return record.status();
    if (record->recorded_at_ns > limits.up_to_time_ns) break;
    Status applied = apply(views, *record);
    if (!applied.is_ok()) return applied;
    if (limits.progress && ++done % limits.progress_interval_records == 0) {
      limits.progress(record->sequence);
    }
  }
  return cursor->status();
}

}  // namespace tokenledger
