// The event log: an append-only, gap-free, SHA-256-chained sequence of records in RocksDB.
// It is the truth of tokenledger; projections, the API and the replay tool derive from it.
//
// Durability: an append is acknowledged only after RocksDB has synced its write-ahead log.
// Appends from many threads are gathered by one writer thread into a single WriteBatch and a
// single sync (group commit, docs/adr/0004). The events of one append land atomically.
// After a failed write the log refuses every further append (write_stopped) until reopened,
// because the state of the log on disk is then unknown.
//
// Reads see only durable records. Threading: every method is safe to call from any thread; the
// Log itself is a resource (not copyable or movable) owned by whoever opened it.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "base/status.h"
#include "ledger/event.h"

namespace rocksdb {
class Env;
}

namespace tokenledger {

class RecordDecoder;

struct LogOptions {
  std::filesystem::path path;
  // Read-only opening serves the replay and audit tools; appends answer read_only. It checks
  // nothing at open, so that damaged logs can still be examined by verify_chain.
  bool read_only = false;
  bool create_if_missing = true;
  // Source of recorded times; a record's time is max(clock(), previous record's time).
  std::function<TimeNs()> clock;
  // The storage environment; null for the real file system. Tests pass a fault-injecting one
  // (ledger/fault_injection.h). Not owned; must outlive the Log.
  rocksdb::Env* env = nullptr;
  // Bounds (TigerBeetle style: every queue has one).
  std::size_t events_per_append_max = 1024;     // one command's events
  std::size_t pending_records_max = 64 * 1024;  // submitted but not yet durable; beyond: busy
  std::size_t batch_records_max = 8 * 1024;     // records covered by one write and sync
};

// The last durable record: its sequence and the SHA-256 of its stored bytes.
// Sequence 0 with an all-zero hash is the empty log.
struct Head {
  std::uint64_t sequence = 0;
  Hash hash{};
  bool operator==(const Head&) const = default;
};

// Where an append landed. All of its events share one recorded time.
struct AppendResult {
  std::uint64_t first_sequence = 0;
  std::uint64_t last_sequence = 0;
  TimeNs recorded_at_ns = 0;
};

// A record as stored: its key and its bytes, for verification and export.
struct RawRecord {
  std::uint64_t sequence = 0;  // from the key
  std::string bytes;
};

class LogCursor;

class Log {
 public:
  // Opens (or creates) the log at options.path. Fails with unsupported when the log was written
  // by a newer schema version, with corruption when the stored head does not match the records.
  static Result<std::unique_ptr<Log>> open(LogOptions options);

  ~Log();  // close()s, ignoring its status
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  // Appends `events` as consecutive records and waits until they are durable.
  Result<AppendResult> append(std::span<const Event> events);

  // The two halves of append, for a caller that must fix the order of commands under its own
  // lock but not hold that lock across the disk sync: submit() assigns sequences, chains and
  // queues the records and returns at once; wait_durable() blocks until they are on disk.
  // A submitted append is all-or-none: either every record lands or the log stops writing.
  Result<AppendResult> submit(std::span<const Event> events);
  Status wait_durable(std::uint64_t last_sequence);
  // The asynchronous form of wait_durable: calls `done` once `last_sequence` is durable (ok), or
  // with the reason it never will be (write_stopped, closed). `done` runs at once on this thread
  // when the answer is known already, otherwise on the thread that finished the write or closed
  // the log, without the log's lock held: it must be short (hand the work to another thread)
  // and must not wait for the log. `last_sequence` must have been submitted.
  void when_durable(std::uint64_t last_sequence, std::function<void(Status)> done);

  // The last durable record.
  Head head() const;
  // Why appends are refused, or ok.
  Status write_status() const;

  Result<Record> read(std::uint64_t sequence) const;
  Result<RawRecord> read_raw(std::uint64_t sequence) const;
  // The SHA-256 of the record at `sequence` as stored, its link in the chain (a snapshot names
  // the log by it); all zeros for sequence 0, before the first record.
  Result<Hash> record_hash(std::uint64_t sequence) const;
  // Iterates durable records in key order from `from_sequence` (see LogCursor).
  std::unique_ptr<LogCursor> cursor(std::uint64_t from_sequence) const;
  // The head as stored on disk (for verification); not_found for a log that never had one.
  Result<Head> stored_head() const;

  // Blocks until a record after `after_sequence` is durable, the timeout passes or the log
  // closes; returns the durable head sequence (which is > after_sequence unless it timed out).
  std::uint64_t wait_for_records_after(std::uint64_t after_sequence,
                                       std::chrono::milliseconds timeout) const;

  // Stops accepting appends, writes everything already submitted, and closes the database.
  // Idempotent. Any submitted append that could not be written has been answered with an error.
  Status close();

  struct State;  // opaque outside the ledger's own files (ledger/log_state.h)

 private:
  explicit Log(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Reads records in key order. Keys that are not 8 bytes are reported as records with sequence 0
// (verify_chain names them); a cursor never stops silently on a storage error: check status().
class LogCursor {
 public:
  virtual ~LogCursor() = default;
  virtual bool valid() const = 0;
  virtual void next() = 0;
  // The sequence from the key, and the stored bytes. Only while valid().
  virtual std::uint64_t sequence() const = 0;
  virtual std::string_view bytes() const = 0;
  // ok, or the storage error that ended the iteration.
  virtual Status status() const = 0;

  // The current record decoded, checked to carry the sequence of its key. Only while valid().
  Result<Record> record() const;
  // The same, decoded into a Record used again (record_codec.h): what long walks use.
  Status record_into(RecordDecoder& decoder, Record* out) const;
};

// Decodes the bytes stored under `sequence` into `*out` (RecordDecoder::decode), checking that
// the record says it is that sequence: what LogCursor::record_into does, for bytes copied out
// of a cursor to be decoded later or on another thread.
Status decode_stored_record(RecordDecoder& decoder, std::string_view bytes, std::uint64_t sequence,
                            Record* out);

}  // namespace tokenledger
