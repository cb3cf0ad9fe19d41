// A RocksDB environment whose file writes and syncs can be made to fail or stall on demand, for
// tests of what the log (and later the server) does when the disk misbehaves: a failing sync, a
// full disk, a sync that takes a long time. Faults apply to every file the database writes.
// Threading: the switches may be flipped from any thread while the database runs.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>

#include "base/status.h"

namespace rocksdb {
class Env;
}

namespace tokenledger::testing {

class FaultInjection {
 public:
  FaultInjection();
  ~FaultInjection();
  FaultInjection(const FaultInjection&) = delete;
  FaultInjection& operator=(const FaultInjection&) = delete;

  // Pass as LogOptions::env. Valid as long as this object lives.
  rocksdb::Env* env();

  void set_fail_syncs(bool fail);    // Sync/Fsync answer an I/O error
  void set_disk_full(bool full);     // Append answers "no space"
  void set_block_syncs(bool block);  // Sync waits until unblocked
  int sync_count() const;            // syncs attempted so far

  // Power-loss simulation. With a journal set, every successful sync of a write-ahead-log file
  // (*.log) appends "<synced size> <file name>" to the journal, which survives a SIGKILL of this
  // process. simulate_power_loss() later cuts every WAL file back to its last synced size (to
  // nothing if it was never synced), as a machine that lost power would.
  void set_sync_journal(const std::filesystem::path& journal);

  struct Switches;

 private:
  std::shared_ptr<Switches> switches_;
  std::unique_ptr<rocksdb::Env> env_;
};

// Cuts each *.log file in `database_directory` to the size `journal` last recorded for it.
Status simulate_power_loss(const std::filesystem::path& database_directory,
                           const std::filesystem::path& journal);

}  // namespace tokenledger::testing
