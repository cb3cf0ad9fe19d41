// TokenService's snapshots: loading one at open (bound to the log by its SnapshotTaken record,
// else refused and the log replayed) and writing one (captured under the command mutex, finished
// and staged outside it, recorded in the log, then renamed into place). docs/adr/0026 and 0028.
#include <chrono>
#include <cstdio>

#include "base/assert.h"
#include "projections/replay.h"
#include "projections/snapshot.h"
#include "projections/token_service.h"

namespace tokenledger {
namespace {

double milliseconds_between(std::chrono::steady_clock::time_point from,
                            std::chrono::steady_clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

}  // namespace

Status TokenService::load_views() {
  std::optional<std::pair<std::uint64_t, Hash>> loaded_snapshot;  // its sequence and digest
  if (options_.snapshot_path) {
    auto loaded = std::make_shared<Views>();
    Hash head_hash{};
    Hash digest{};
    Status status = load_snapshot(*options_.snapshot_path, loaded.get(), &head_hash, &digest);
    if (status.is_ok()) {
      const std::uint64_t sequence = loaded->sequence();
      const Result<Hash> record_hash = log_.record_hash(sequence);
      if (sequence > log_.head().sequence || !record_hash.is_ok()) {
        status = Status::invalid_argument("it covers sequence " + std::to_string(sequence) +
                                          ", beyond this log's head " +
                                          std::to_string(log_.head().sequence));
      } else if (sequence != 0 && *record_hash != head_hash) {
        status = Status::invalid_argument("it was made from another log (sequence " +
                                          std::to_string(sequence) + " differs)");
      }
    }
    if (status.is_ok()) {
      views_ = std::move(loaded);
      loaded_snapshot.emplace(views_->sequence(), digest);
    } else {
      refuse_snapshot(status.to_string(), status.code() != StatusCode::not_found);
    }
  }
  const std::uint64_t before = views_->sequence();
  Status replayed = replay_from_log();
  if (!replayed.is_ok() && loaded_snapshot) {
    // The records after the snapshot do not fit it: the snapshot is not what the log says (an
    // edited one contradicts what follows). It is refused like any other, and the views are
    // rebuilt from the whole log, which alone decides whether the log itself is damaged.
    return rebuild_without_snapshot("the records after it do not fit it: " + replayed.to_string());
  }
  if (!replayed.is_ok()) return replayed;
  if (loaded_snapshot) {
    // The served state must be bound to the verified log, not only to its own checksum, which
    // anyone who can write the data directory can recompute: the log records the digest of
    // every snapshot the server stored (SnapshotTaken, before the file is renamed into place),
    // and the replay of the records after the snapshot reads that record.
    std::uint64_t record_sequence = 0;
    const Hash* recorded = views_->recorded_snapshot(loaded_snapshot->first, &record_sequence);
    if (recorded == nullptr || *recorded != loaded_snapshot->second) {
      return rebuild_without_snapshot(
          recorded == nullptr
              ? "the log records no snapshot at sequence " +
                    std::to_string(loaded_snapshot->first) +
                    " (written by a build before log schema version 2, or not by this server)"
              : "its contents differ from the snapshot the log records at sequence " +
                    std::to_string(loaded_snapshot->first) + " (edited?)");
    }
    startup_.snapshot_used = true;
    startup_.snapshot_sequence = loaded_snapshot->first;
    snapshot_sequence_ = loaded_snapshot->first;
    snapshot_record_sequence_ = record_sequence;
  }
  startup_.replayed_records = views_->sequence() - before;
  return Status::ok();
}

void TokenService::refuse_snapshot(const std::string& why, bool warn) {
  startup_.snapshot_note = why;
  if (warn) {
    note(LogLevel::warning, "snapshot " + options_.snapshot_path->string() +
                                " not used, rebuilding from the log: " + why);
  }
}

Status TokenService::rebuild_without_snapshot(const std::string& why) {
  refuse_snapshot(why, true);
  views_ = std::make_shared<Views>();
  Status rebuilt = replay_from_log();
  startup_.replayed_records = views_->sequence();
  return rebuilt;
}

Status TokenService::write_snapshot() {
  if (!options_.snapshot_path) return Status::invalid_argument("no snapshot path configured");
  std::lock_guard snapshot_lock(snapshot_mutex_);  // one snapshot write at a time
  const auto started = std::chrono::steady_clock::now();
  std::uint64_t sequence = 0;
  std::shared_ptr<const Views> views;  // alive until finished, even if views_ is replaced
  std::optional<SnapshotCapture> capture;
  {
    // Commands wait only while what can change is captured (a few bytes per token), not while
    // tokens are encoded, the file written, or the disk synced: those grow with the views, and a
    // stalled sync under this mutex would hold every command (and, in the server, the I/O
    // threads running them) for as long as it stalled.
    std::lock_guard command_lock(command_mutex_);  // no command changes the views meanwhile
    sequence = views_->sequence();
    std::shared_lock views_lock(views_mutex_);
    views = views_;
    capture.emplace(capture_snapshot(*views));
  }
  const auto captured = std::chrono::steady_clock::now();
  // The views may run ahead of the disk by the records being synced right now: the snapshot is
  // stored only once everything it holds is durable, and abandoned if that write failed.
  Status durable = log_.wait_durable(sequence);
  if (!durable.is_ok()) return durable;
  const Result<Hash> head_hash = log_.record_hash(sequence);
  if (!head_hash.is_ok()) return head_hash.status();
  const std::size_t token_count = capture->token_count();
  const SnapshotImage image = finish_snapshot(std::move(*capture), *head_hash);
  const auto encoded = std::chrono::steady_clock::now();
  // Written beside the current one, recorded in the log (load_views binds a snapshot to that
  // record), and only then renamed into place: the file in place is always one the log
  // records. A crash or a failed record in between leaves the previous snapshot, still bound.
  Status status = stage_snapshot(image, *options_.snapshot_path);
  if (!status.is_ok()) return status;
  Result<Executed> recorded =
      execute(Caller::system_caller(), RecordSnapshot{sequence, image.checksum});
  if (!recorded.is_ok() || recorded->rejection) {
    std::error_code ignored;
    std::filesystem::remove(options_.snapshot_path->string() + ".tmp", ignored);
    return recorded.is_ok() ? Status::invalid_argument(recorded->rejection->name)
                            : recorded.status();
  }
  status = publish_snapshot(*options_.snapshot_path);
  if (!status.is_ok()) return status;
  snapshot_sequence_ = sequence;
  snapshot_record_sequence_ = recorded->last_sequence;
  char line[256];
  std::snprintf(line, sizeof line,
                "snapshot written at sequence %llu: %zu tokens, %.1f MB; commands held %.1f ms, "
                "encoded %.1f ms, stored %.1f ms",
                static_cast<unsigned long long>(sequence), token_count,
                static_cast<double>(image.words.asBytes().size()) / 1e6,
                milliseconds_between(started, captured), milliseconds_between(captured, encoded),
                milliseconds_between(encoded, std::chrono::steady_clock::now()));
  note(LogLevel::info, line);
  return status;
}

}  // namespace tokenledger
