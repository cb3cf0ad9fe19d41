// Walks the whole log and checks the SHA-256 chain: every key is a sequence, sequences run
// 1, 2, 3, ... without gaps, every record's envelope decodes and names its own key, every
// record's prevHash is the hash of the record before it, and the stored head names the last
// record and its hash. It catches a changed byte, a removed record, a swapped pair and a cut-off
// tail, and names the first bad sequence (docs/adr/0002-record-format-and-chain.md).
//
// It decodes envelopes only (decode_envelope), not the events inside: the hash already covers
// every byte of every record, and a full decode would make the walk several times slower. A
// record whose event does not decode can only come from a faulty encoder, not from a change
// after writing; a rebuild (replay_within) decodes every event and names it.
//
// Works on a log opened read-only (the open does no checks then), so that a damaged log can be
// examined. Threading: blocks the caller and walks on VerifyOptions::threads threads. Meant for a
// log nobody appends to meanwhile (a read-only open, or a server's log before it serves): on a
// log being appended to, records that land during the walk show as lying beyond the head.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ledger/log.h"

namespace tokenledger {

struct ChainProblem {
  std::uint64_t sequence = 0;  // the first record that is wrong, as best it can be named
  // Stable names: malformed_key, missing_record, undecodable_record, unsupported_record,
  // sequence_mismatch, hash_mismatch, record_after_head, head_missing, head_mismatch,
  // storage_error.
  std::string kind;
  std::string message;
};

struct ChainReport {
  std::uint64_t record_count = 0;  // records examined
  Head stored_head;                // as stored (zero when missing)
  Head computed_head;              // the last record seen and its hash
  std::vector<ChainProblem> problems;
  bool ok() const { return problems.empty(); }
};

struct VerifyOptions {
  bool report_all = false;               // keep going after the first problem
  std::size_t problem_count_max = 1000;  // report_all stops listing after this many
  // Called every `progress_interval_records` records with the number done so far.
  std::function<void(std::uint64_t records_done)> progress;
  std::uint64_t progress_interval_records = 100'000;
  // A log of at least `parallel_records_min` records is walked by `threads` threads, each over
  // its own range of sequences; progress is then reported from the calling thread, at least
  // every `progress_interval_records` records. Should any range find a problem, the whole log is
  // walked again on one thread, so that a broken chain is always reported exactly as that walk
  // reports it.
  unsigned threads = 2;
  std::uint64_t parallel_records_min = 100'000;
};

ChainReport verify_chain(const Log& log, const VerifyOptions& options = {});

}  // namespace tokenledger
