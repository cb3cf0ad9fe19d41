#include "ledger/fault_injection.h"

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <condition_variable>
#include <mutex>

namespace tokenledger::testing {

struct FaultInjection::Switches {
  std::atomic<bool> fail_syncs{false};
  std::atomic<bool> disk_full{false};
  std::atomic<int> sync_count{0};
  std::mutex mutex;
  std::condition_variable unblocked;
  bool block_syncs = false;  // (mutex)

  rocksdb::IOStatus before_sync() {
    sync_count.fetch_add(1);
    {
      std::unique_lock lock(mutex);
      unblocked.wait(lock, [&] { return !block_syncs; });
    }
    if (fail_syncs.load()) return rocksdb::IOStatus::IOError("injected sync failure");
    return rocksdb::IOStatus::OK();
  }
};

namespace {

class FaultyFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultyFile(std::unique_ptr<rocksdb::FSWritableFile> file,
             std::shared_ptr<FaultInjection::Switches> switches)
      : FSWritableFileOwnerWrapper(std::move(file)), switches_(std::move(switches)) {}

  using FSWritableFileOwnerWrapper::Append;
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* debug) override {
    if (switches_->disk_full.load()) return rocksdb::IOStatus::NoSpace("injected full disk");
    return FSWritableFileOwnerWrapper::Append(data, options, debug);
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* debug) override {
    rocksdb::IOStatus status = switches_->before_sync();
    return status.ok() ? FSWritableFileOwnerWrapper::Sync(options, debug) : status;
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* debug) override {
    rocksdb::IOStatus status = switches_->before_sync();
    return status.ok() ? FSWritableFileOwnerWrapper::Fsync(options, debug) : status;
  }

 private:
  std::shared_ptr<FaultInjection::Switches> switches_;
};

class FaultyFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  explicit FaultyFileSystem(std::shared_ptr<FaultInjection::Switches> switches)
      : FileSystemWrapper(rocksdb::FileSystem::Default()), switches_(std::move(switches)) {}
  const char* Name() const override { return "TokenledgerFaultInjection"; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* debug) override {
    rocksdb::IOStatus status = target()->NewWritableFile(name, options, result, debug);
    if (status.ok()) *result = std::make_unique<FaultyFile>(std::move(*result), switches_);
    return status;
  }

 private:
  std::shared_ptr<FaultInjection::Switches> switches_;
};

}  // namespace

FaultInjection::FaultInjection()
    : switches_(std::make_shared<Switches>()),
      env_(rocksdb::NewCompositeEnv(std::make_shared<FaultyFileSystem>(switches_))) {}

FaultInjection::~FaultInjection() { set_block_syncs(false); }

rocksdb::Env* FaultInjection::env() { return env_.get(); }

void FaultInjection::set_fail_syncs(bool fail) { switches_->fail_syncs.store(fail); }
void FaultInjection::set_disk_full(bool full) { switches_->disk_full.store(full); }
void FaultInjection::set_block_syncs(bool block) {
  {
    std::lock_guard lock(switches_->mutex);
    switches_->block_syncs = block;
  }
  switches_->unblocked.notify_all();
}
int FaultInjection::sync_count() const { return switches_->sync_count.load(); }

}  // namespace tokenledger::testing
