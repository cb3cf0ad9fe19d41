// A RocksDB environment whose file writes and syncs can be made to fail or stall on demand, for
// tests of what the log (and later the server) does when the disk misbehaves: a failing sync, a
// full disk, a sync that takes a long time. Faults apply to every file the database writes.
// Threading: the switches may be flipped from any thread while the database runs.
#pragma once

#include <atomic>
#include <memory>

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

  struct Switches;

 private:
  std::shared_ptr<Switches> switches_;
  std::unique_ptr<rocksdb::Env> env_;
};

}  // namespace tokenledger::testing
