#include "ledger/chain_verifier.h"

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

#include "ledger/record_codec.h"

namespace tokenledger {
namespace {

std::string seq(std::uint64_t sequence) {
  return "sequence " + std::to_string(sequence);
}

class Walker {
 public:
  Walker(const VerifyOptions& options, ChainReport* report) : options_(options), report_(report) {}

  // A walker over a range that starts at `first_sequence` > 1: the link into its first record
  // is checked by whoever knows the record before it (see first_prev_hash()).
  Walker(const VerifyOptions& options, ChainReport* report, std::uint64_t first_sequence)
      : options_(options), report_(report), expected_(first_sequence), link_known_(false) {}

  // The prevHash of the first record visited, once one decoded.
  const std::optional<Hash>& first_prev_hash() const { return first_prev_hash_; }

  bool done() const { return !options_.report_all && !report_->ok(); }
  bool full() const { return report_->problems.size() >= options_.problem_count_max; }

  void problem(std::uint64_t sequence, std::string kind, std::string message) {
    if (done() || full()) return;
    report_->problems.push_back({sequence, std::move(kind), std::move(message)});
  }

  // One stored record at `key_sequence`.
  void visit(std::uint64_t key_sequence, std::string_view bytes) {
    ++report_->record_count;
    if (key_sequence != expected_) {
      // Keys are sorted, so a larger key means the records in between are gone.
      problem(expected_, "missing_record",
              expected_ + 1 == key_sequence
                  ? seq(expected_) + ": the record is missing"
                  : "sequences " + std::to_string(expected_) + ".." +
                        std::to_string(key_sequence - 1) + " are missing");
      link_known_ = false;  // the record before this one is gone: its link cannot be checked
    }
    const Hash hash = sha256(bytes);
    Result<RecordEnvelope> record = decode_envelope(bytes, key_sequence);
    if (!record.is_ok()) {
      const bool newer = record.status().code() == StatusCode::unsupported;
      problem(key_sequence, newer ? "unsupported_record" : "undecodable_record",
              record.status().message());
    } else {
      if (record->sequence != key_sequence) {
        problem(key_sequence, "sequence_mismatch",
                seq(key_sequence) + ": the record stored there says it is sequence " +
                    std::to_string(record->sequence) + " (records moved or swapped)");
      }
      if (!first_prev_hash_) first_prev_hash_ = record->prev_hash;
      check_link(key_sequence, record->prev_hash);
    }
    prev_hash_ = hash;
    link_known_ = true;
    expected_ = key_sequence + 1;
    report_->computed_head = Head{key_sequence, hash};
  }

  // The stored head closes the chain like one more link.
  void finish(const std::optional<Head>& stored) {
    const Head last = report_->computed_head;
    if (!stored) {
      if (last.sequence != 0) {
        problem(1, "head_missing", "records are present but the chain head is missing");
      }
      return;
    }
    report_->stored_head = *stored;
    if (last.sequence < stored->sequence) {
      resolve_pending(false);
      problem(last.sequence + 1, "missing_record",
              "sequences " + std::to_string(last.sequence + 1) + ".." +
                  std::to_string(stored->sequence) +
                  " are missing behind the stored head (the tail was cut off)");
    } else if (last.sequence > stored->sequence) {
      resolve_pending(false);
      problem(stored->sequence + 1, "record_after_head",
              seq(stored->sequence + 1) + ": records lie beyond the stored head " +
                  std::to_string(stored->sequence));
    } else {
      const bool broken = last.hash != stored->hash;
      const bool explained = resolve_pending(broken);
      if (broken && !explained) {
        problem(last.sequence, "head_mismatch",
                seq(last.sequence) +
                    ": the record's hash does not match the stored head hash "
                    "(the record was changed)");
      }
    }
  }

 private:
  // A broken link into record j means record j-1 changed (its hash moved) or record j's own
  // prevHash changed. Which one shows at the next link: if record j changed, its hash moved too,
  // so the link into j+1 breaks as well. So a verdict waits one record.
  void check_link(std::uint64_t sequence, const Hash& prev_hash) {
    const Hash expected = sequence == 1 ? Hash{} : prev_hash_;
    const bool broken = link_known_ && prev_hash != expected;
    const bool explained = resolve_pending(broken);
    if (broken && !explained) pending_break_into_ = sequence;
  }

  // Names the record behind a pending broken link. Returns true when that record is the one
  // before the link now being checked, whose break is then its consequence, not news.
  bool resolve_pending(bool next_link_broken) {
    if (!pending_break_into_) return false;
    const std::uint64_t j = *pending_break_into_;
    pending_break_into_.reset();
    if (next_link_broken || j == 1) {
      problem(j, "hash_mismatch",
              j == 1 ? seq(1) + ": the record was changed (its prevHash is not all zeros)"
                     : seq(j) + ": the record was changed (its prevHash does not match record " +
                           std::to_string(j - 1) + ", and the next link breaks too)");
      return next_link_broken;
    }
    problem(j - 1, "hash_mismatch",
            seq(j - 1) + ": the record was changed (its hash does not match the one record " +
                std::to_string(j) + " stores)");
    return false;
  }

  const VerifyOptions& options_;
  ChainReport* report_;
  std::uint64_t expected_ = 1;
  Hash prev_hash_{};
  bool link_known_ = true;
  std::optional<std::uint64_t> pending_break_into_;
  std::optional<Hash> first_prev_hash_;
};

// Feeds the walker the records from `from_sequence` while their sequence is at most
// `to_sequence`, stopping early once the walker is done or `stop` is set.
void walk(const Log& log, Walker& walker, ChainReport& report, std::uint64_t from_sequence,
          std::uint64_t to_sequence, const std::atomic<bool>& stop,
          const std::function<void(std::uint64_t)>& on_record) {
  std::unique_ptr<LogCursor> cursor = log.cursor(from_sequence);
  for (; cursor->valid() && !walker.done() && !stop.load(std::memory_order_relaxed);
       cursor->next()) {
    const std::uint64_t sequence = cursor->sequence();
    if (sequence > to_sequence) break;
    if (sequence == 0) {
      walker.problem(0, "malformed_key", "a key in the records family is not an 8-byte sequence");
      continue;
    }
    walker.visit(sequence, cursor->bytes());
    on_record(report.record_count);
  }
  if (!cursor->status().is_ok()) {
    walker.problem(report.computed_head.sequence + 1, "storage_error",
                   cursor->status().to_string());
  }
}

// The one-thread walk: the reference, and what names the problems of a broken chain.
ChainReport verify_sequentially(const Log& log, const VerifyOptions& options,
                                const std::optional<Head>& stored) {
  ChainReport report;
  Walker walker(options, &report);
  const std::atomic<bool> never(false);
  walk(log, walker, report, 0, UINT64_MAX, never, [&](std::uint64_t done) {
    if (options.progress && done % options.progress_interval_records == 0) {
      options.progress(done);
    }
  });
  if (!walker.done()) walker.finish(stored);
  return report;
}

// The walk split into ranges of sequences, one per thread. Returns the report when every range
// was clean and the ranges link up; nothing when anything was wrong, for the sequential walk to
// name.
std::optional<ChainReport> verify_in_parallel(const Log& log, const VerifyOptions& options,
                                              const Head& stored) {
  const std::uint64_t range_count = options.threads;
  struct Range {
    std::uint64_t first = 0;
    std::uint64_t last = 0;
    ChainReport report;
    std::optional<Hash> first_prev_hash;
    bool clean = false;
    // Records walked so far, for progress: one counter per range, so that walkers share no
    // cache line.
    alignas(64) std::atomic<std::uint64_t> done{0};
  };
  std::vector<Range> ranges(range_count);
  const std::uint64_t per_range = stored.sequence / range_count;
  for (std::uint64_t i = 0; i < range_count; ++i) {
    ranges[i].first = i == 0 ? 0 : i * per_range + 1;
    // The last range runs past the stored head, so that records beyond it are seen.
    ranges[i].last = i + 1 == range_count ? UINT64_MAX : (i + 1) * per_range;
  }
  VerifyOptions first_problem_only = options;
  first_problem_only.report_all = false;
  std::atomic<bool> stop(false);
  std::atomic<std::uint64_t> finished(0);  // threads done
  std::vector<std::thread> threads;
  threads.reserve(range_count);
  for (Range& each : ranges) {
    threads.emplace_back([&, range = &each] {
      Walker walker = range->first <= 1 ? Walker(first_problem_only, &range->report)
                                        : Walker(first_problem_only, &range->report, range->first);
      walk(log, walker, range->report, range->first, range->last, stop,
           [&](std::uint64_t done) { range->done.store(done, std::memory_order_relaxed); });
      range->first_prev_hash = walker.first_prev_hash();
      // A range cut short by another's problem is not looked at: that problem sends the whole
      // log to the sequential walk.
      range->clean = range->report.ok();
      if (!range->clean) stop.store(true);
      finished.fetch_add(1);
    });
  }
  // Progress is reported from here, at about the interval the sequential walk keeps.
  const auto records_done = [&] {
    std::uint64_t done = 0;
    for (const Range& range : ranges) done += range.done.load(std::memory_order_relaxed);
    return done;
  };
  std::uint64_t reported = 0;
  while (options.progress && finished.load() < range_count) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const std::uint64_t done = records_done();
    if (done >= reported + options.progress_interval_records) {
      options.progress(done);
      reported = done;
    }
  }
  for (std::thread& thread : threads) thread.join();
  if (options.progress && records_done() > reported) options.progress(records_done());

  ChainReport report;
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    const Range& range = ranges[i];
    if (!range.clean) return std::nullopt;
    // Each range must hold exactly its sequences, and link to the range before it.
    const std::uint64_t expected_last = i + 1 == ranges.size() ? stored.sequence : range.last;
    if (range.report.computed_head.sequence != expected_last) return std::nullopt;
    if (i > 0 && range.first_prev_hash != ranges[i - 1].report.computed_head.hash) {
      return std::nullopt;
    }
    report.record_count += range.report.record_count;
  }
  report.stored_head = stored;
  report.computed_head = ranges.back().report.computed_head;
  if (report.computed_head != stored || report.record_count != stored.sequence) {
    return std::nullopt;
  }
  return report;
}

}  // namespace

ChainReport verify_chain(const Log& log, const VerifyOptions& options) {
  std::optional<Head> stored;
  Result<Head> head = log.stored_head();
  if (head.is_ok()) {
    stored = *head;
  } else if (head.status().code() != StatusCode::not_found) {
    ChainReport report;
    report.problems.push_back({0, "storage_error", head.status().to_string()});
    return report;
  }
  const bool parallel = stored && options.threads > 1 &&
                        stored->sequence >= options.parallel_records_min &&
                        stored->sequence >= options.threads;
  if (parallel) {
    std::optional<ChainReport> report = verify_in_parallel(log, options, *stored);
    if (report) return *report;
  }
  return verify_sequentially(log, options, stored);
}

}  // namespace tokenledger
