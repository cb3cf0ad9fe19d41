// verify (the chain) and rebuild (the views against the stored snapshot).
#include <cstdio>

#include "base/assert.h"
#include "base/clock.h"
#include "ledger/chain_verifier.h"
#include "ledger/sha256.h"
#include "projections/data_dir.h"
#include "projections/decide.h"
#include "projections/replay.h"
#include "projections/snapshot.h"
#include "projections/views_diff.h"
#include "tools/replay/progress.h"
#include "tools/replay/replay_commands.h"

namespace tokenledger::replay {

int run_verify(const std::filesystem::path& data, bool report_all) {
  std::unique_ptr<Log> log = open_log_read_only(data);
  if (!log) return exit_unreadable;
  Result<Head> stored = log->stored_head();
  Progress progress("verify", stored.is_ok() ? stored->sequence : 0);
  VerifyOptions options;
  options.report_all = report_all;
  options.progress = [&progress](std::uint64_t done) { progress.update(done); };
  options.progress_interval_records = 10'000;
  const ChainReport report = verify_chain(*log, options);
  if (report.ok()) {
    std::printf("chain ok: %llu records, head sequence %llu, hash %s\n",
                static_cast<unsigned long long>(report.record_count),
                static_cast<unsigned long long>(report.computed_head.sequence),
                hash_to_hex(report.computed_head.hash).c_str());
    return exit_ok;
  }
  std::printf("chain BROKEN: %zu problem(s) in %llu records examined; first bad sequence %llu\n",
              report.problems.size(), static_cast<unsigned long long>(report.record_count),
              static_cast<unsigned long long>(report.problems.front().sequence));
  for (const ChainProblem& problem : report.problems) {
    std::printf("  sequence %llu: %s: %s\n", static_cast<unsigned long long>(problem.sequence),
                problem.kind.c_str(), problem.message.c_str());
  }
  std::printf("stored head: sequence %llu, hash %s\n",
              static_cast<unsigned long long>(report.stored_head.sequence),
              hash_to_hex(report.stored_head.hash).c_str());
  return exit_check_failed;
}

int run_rebuild(const std::filesystem::path& data, bool write) {
  std::unique_ptr<Log> log = open_log_read_only(data);
  if (!log) return exit_unreadable;
  const std::uint64_t head = log->head().sequence;

  // The stored snapshot, if any, and a rebuild from the log up to the same record.
  Views stored;
  Hash stored_hash{};
  const std::filesystem::path snapshot = snapshot_path(data);
  std::error_code missing;
  const bool have_snapshot = std::filesystem::exists(snapshot, missing);
  bool compare = have_snapshot;
  if (have_snapshot) {
    Status loaded = load_snapshot(snapshot, &stored, &stored_hash);
    if (!loaded.is_ok()) {
      std::printf("stored snapshot unusable: %s\n", loaded.to_string().c_str());
      if (!write) return exit_check_failed;
      // What a refused load left in `stored` is partial: nothing to compare; --write goes on to
      // rebuild from the whole log.
      compare = false;
    }
  }
  Views rebuilt;
  Progress progress("rebuild", head);
  ReplayLimits limits;
  limits.progress = [&progress](std::uint64_t done) { progress.update(done); };
  limits.progress_interval_records = 10'000;
  int result = exit_ok;
  if (compare && stored.sequence() > 0) {
    limits.up_to_sequence = stored.sequence();
    Status replayed = replay_within(rebuilt, *log, limits);
    if (!replayed.is_ok()) {
      std::fprintf(stderr, "tokenledger-replay: rebuild failed: %s\n",
                   replayed.to_string().c_str());
      return exit_unreadable;
    }
    Result<Hash> expected_hash = log->record_hash(stored.sequence());
    if (!expected_hash.is_ok() || *expected_hash != stored_hash) {
      std::printf("stored snapshot names record %llu with a hash the log does not have\n",
                  static_cast<unsigned long long>(stored.sequence()));
      result = exit_check_failed;
    }
    const std::vector<std::string> differences = view_differences(rebuilt, stored);
    if (differences.empty()) {
      std::printf("stored snapshot matches a rebuild from the log (sequence %llu of %llu)\n",
                  static_cast<unsigned long long>(stored.sequence()),
                  static_cast<unsigned long long>(head));
    } else {
      std::printf("stored snapshot DIFFERS from a rebuild from the log at sequence %llu:\n",
                  static_cast<unsigned long long>(stored.sequence()));
      for (const std::string& line : differences) std::printf("  %s\n", line.c_str());
      result = exit_check_failed;
    }
  } else if (!have_snapshot) {
    std::printf("no stored snapshot in %s: the server replays the whole log at start-up\n",
                data.c_str());
  } else if (compare) {
    std::printf("stored snapshot covers no records (sequence 0): nothing to compare\n");
  }
  limits.up_to_sequence = UINT64_MAX;
  Status replayed = replay_within(rebuilt, *log, limits);
  if (!replayed.is_ok()) {
    std::fprintf(stderr, "tokenledger-replay: rebuild failed: %s\n", replayed.to_string().c_str());
    return exit_unreadable;
  }
  std::printf("rebuilt views: %zu tokens (%zu live), %zu users, %zu customers, sequence %llu\n",
              rebuilt.token_count(), rebuilt.live_token_count(), rebuilt.user_count(),
              rebuilt.customer_count(), static_cast<unsigned long long>(rebuilt.sequence()));
  if (!write) return result;

  // The snapshot is recorded in the log (SnapshotTaken) as the server records its own, or the
  // server would refuse it at start-up: the log must be writable, so the server stopped.
  log.reset();
  Result<std::size_t> restricted = restrict_data_directory(data);
  if (!restricted.is_ok()) {
    std::fprintf(stderr, "tokenledger-replay: %s\n", restricted.status().to_string().c_str());
    return exit_unreadable;
  }
  LogOptions writable_options;
  writable_options.path = log_path(data);
  writable_options.create_if_missing = false;
  Result<std::unique_ptr<Log>> writable = Log::open(writable_options);
  if (!writable.is_ok()) {
    std::fprintf(stderr,
                 "tokenledger-replay: the log is in use (is the server running?); --write "
                 "replaces the stored views only while it is stopped (%s)\n",
                 writable.status().to_string().c_str());
    return exit_check_failed;
  }
  if ((*writable)->head().sequence != rebuilt.sequence()) {
    std::fprintf(stderr, "tokenledger-replay: the log grew during the rebuild; run it again\n");
    return exit_check_failed;
  }
  Result<Hash> head_hash = (*writable)->record_hash(rebuilt.sequence());
  if (!head_hash.is_ok()) {
    std::fprintf(stderr, "tokenledger-replay: %s\n", head_hash.status().to_string().c_str());
    return exit_unreadable;
  }
  const SnapshotImage image = finish_snapshot(capture_snapshot(rebuilt), *head_hash);
  // Staged, recorded, then renamed into place, as the server does (TokenService::write_snapshot).
  Status written = stage_snapshot(image, snapshot);
  if (written.is_ok()) {
    const Decision decision =
        decide(rebuilt, Caller::operator_caller(),
               RecordSnapshot{rebuilt.sequence(), image.checksum}, system_clock_ns());
    const auto* events = std::get_if<std::vector<Event>>(&decision);
    TL_ASSERT(events != nullptr);  // an operator may always record a snapshot of the head
    Result<AppendResult> appended = (*writable)->append(*events);
    written = appended.is_ok() ? publish_snapshot(snapshot) : appended.status();
    if (!appended.is_ok()) {
      std::error_code ignored;
      std::filesystem::remove(snapshot.string() + ".tmp", ignored);
    }
  }
  if (!written.is_ok()) {
    std::fprintf(stderr, "tokenledger-replay: cannot write %s: %s\n", snapshot.c_str(),
                 written.to_string().c_str());
    return exit_unreadable;
  }
  std::printf("wrote %s from the rebuild (sequence %llu)\n", snapshot.c_str(),
              static_cast<unsigned long long>(rebuilt.sequence()));
  return exit_ok;
}

}  // namespace tokenledger::replay
