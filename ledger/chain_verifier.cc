#include "ledger/chain_verifier.h"

#include <optional>

#include "ledger/record_codec.h"

namespace tokenledger {
namespace {

std::string seq(std::uint64_t sequence) {
  return "sequence " + std::to_string(sequence);
}

class Walker {
 public:
  Walker(const VerifyOptions& options, ChainReport* report) : options_(options), report_(report) {}

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
    Result<Record> record = decode_record(bytes, key_sequence);
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
};

}  // namespace

ChainReport verify_chain(const Log& log, const VerifyOptions& options) {
  ChainReport report;
  Walker walker(options, &report);
  std::optional<Head> stored;
  Result<Head> head = log.stored_head();
  if (head.is_ok()) {
    stored = *head;
  } else if (head.status().code() != StatusCode::not_found) {
    walker.problem(0, "storage_error", head.status().to_string());
    return report;
  }
  std::unique_ptr<LogCursor> cursor = log.cursor(0);
  for (; cursor->valid() && !walker.done(); cursor->next()) {
    const std::uint64_t sequence = cursor->sequence();
    if (sequence == 0) {
      walker.problem(0, "malformed_key", "a key in the records family is not an 8-byte sequence");
      continue;
    }
    walker.visit(sequence, cursor->bytes());
    if (options.progress && report.record_count % options.progress_interval_records == 0) {
      options.progress(report.record_count);
    }
  }
  if (!cursor->status().is_ok()) {
    walker.problem(report.computed_head.sequence + 1, "storage_error",
                   cursor->status().to_string());
  }
  cursor.reset();
  if (!walker.done()) walker.finish(stored);
  return report;
}

}  // namespace tokenledger
