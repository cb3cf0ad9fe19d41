// Private to the ledger: the state behind a Log, shared by log_open.cc (opening, closing),
// log_append.cc (submitting and the group-commit writer) and log_read.cc (reads and cursors).
//
// Locking: `mutex` guards every field marked (mutex). `db_lifetime` is held shared by every
// RocksDB access and exclusively by close() while it destroys the database, so a read racing a
// close answers `closed` instead of touching freed memory. Readers never take `mutex` except to
// read the durable head, and never while RocksDB is syncing.
#pragma once

#include <rocksdb/db.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "ledger/log.h"
#include "ledger/sha256.h"

namespace tokenledger {

// One submitted append, encoded and chained, waiting for the writer.
struct PendingAppend {
  std::uint64_t first_sequence = 0;
  std::uint64_t last_sequence = 0;
  Hash last_hash{};
  std::vector<std::string> records;  // bytes of first_sequence .. last_sequence
};

struct Log::State {
  LogOptions options;

  mutable std::shared_mutex db_lifetime;
  std::unique_ptr<rocksdb::DB> db;                     // null once closed
  rocksdb::ColumnFamilyHandle* meta_family = nullptr;  // "default"; owned by db
  rocksdb::ColumnFamilyHandle* records_family = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // destroyed before db
  std::atomic<int> live_cursor_count{0};

  mutable std::mutex mutex;
  std::condition_variable writer_wakeup;
  mutable std::condition_variable durable_changed;
  std::uint64_t next_sequence = 1;       // (mutex) the sequence the next record gets
  Hash tail_hash{};                      // (mutex) hash of the last submitted record
  TimeNs last_recorded_at_ns = 0;        // (mutex)
  std::deque<PendingAppend> pending;     // (mutex)
  std::size_t pending_record_count = 0;  // (mutex)
  Head durable;                          // (mutex) the last record known to be synced
  Status write_status;                   // (mutex) ok, or why appends are refused
  bool closing = false;                  // (mutex)
  bool closed = false;                   // (mutex)
  bool writing = false;                  // (mutex) a batch is being written right now
  // (mutex) when_durable callbacks, by the sequence they wait for; bounded by the submitted
  // appends, which pending_records_max bounds.
  std::multimap<std::uint64_t, std::function<void(Status)>> durable_callbacks;
  std::thread writer;

  Result<AppendResult> submit(std::span<const Event> events, bool wake_writer);
  void run_writer();
  // Writes the queued appends (up to batch_records_max records) as one synced batch. Called
  // with `lock` held and nothing being written; releases the lock during the write.
  void write_one_batch(std::unique_lock<std::mutex>& lock);
  // Runs the callbacks whose sequence is durable, or all of them when the log stopped writing or
  // closed. Called with `lock` held; releases it while they run.
  void run_durable_callbacks(std::unique_lock<std::mutex>& lock);
  Status read_meta(std::string_view key, std::string* value) const;
};

}  // namespace tokenledger
