#include "ledger/fault_injection.h"

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <fcntl.h>
#include <unistd.h>

#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

namespace tokenledger::testing {

struct FaultInjection::Switches {
  std::atomic<bool> fail_syncs{false};
  std::atomic<bool> disk_full{false};
  std::atomic<int> sync_count{0};
  std::mutex mutex;
  std::condition_variable unblocked;
  bool block_syncs = false;  // (mutex)
  std::atomic<int> journal_fd{-1};

  // One write() per line with O_APPEND: lines from concurrent syncs never interleave.
  void journal_synced(const std::string& name, std::uint64_t size) {
    const int fd = journal_fd.load();
    if (fd < 0) return;
    const std::string line = std::to_string(size) + " " + name + "\n";
    (void)!write(fd, line.data(), line.size());
  }

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
  FaultyFile(std::unique_ptr<rocksdb::FSWritableFile> file, std::string name,
             std::shared_ptr<FaultInjection::Switches> switches)
      : FSWritableFileOwnerWrapper(std::move(file)),
        name_(std::move(name)),
        is_wal_(name_.size() > 4 && name_.compare(name_.size() - 4, 4, ".log") == 0),
        switches_(std::move(switches)) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* debug) override {
    if (switches_->disk_full.load()) return rocksdb::IOStatus::NoSpace("injected full disk");
    rocksdb::IOStatus status = FSWritableFileOwnerWrapper::Append(data, options, debug);
    if (status.ok()) appended_bytes_ += data.size();
    return status;
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* debug) override {
    if (switches_->disk_full.load()) return rocksdb::IOStatus::NoSpace("injected full disk");
    rocksdb::IOStatus status = FSWritableFileOwnerWrapper::Append(data, options, info, debug);
    if (status.ok()) appended_bytes_ += data.size();
    return status;
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                         rocksdb::IODebugContext* debug) override {
    rocksdb::IOStatus status = switches_->before_sync();
    if (status.ok()) status = FSWritableFileOwnerWrapper::Sync(options, debug);
    if (status.ok() && is_wal_) switches_->journal_synced(name_, appended_bytes_);
    return status;
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* debug) override {
    rocksdb::IOStatus status = switches_->before_sync();
    if (status.ok()) status = FSWritableFileOwnerWrapper::Fsync(options, debug);
    if (status.ok() && is_wal_) switches_->journal_synced(name_, appended_bytes_);
    return status;
  }

 private:
  const std::string name_;
  const bool is_wal_;
  std::uint64_t appended_bytes_ = 0;  // RocksDB's writers use one file from one thread at a time
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
    if (status.ok()) *result = std::make_unique<FaultyFile>(std::move(*result), name, switches_);
    return status;
  }

 private:
  std::shared_ptr<FaultInjection::Switches> switches_;
};

}  // namespace

FaultInjection::FaultInjection()
    : switches_(std::make_shared<Switches>()),
      env_(rocksdb::NewCompositeEnv(std::make_shared<FaultyFileSystem>(switches_))) {}

FaultInjection::~FaultInjection() {
  set_block_syncs(false);
  const int fd = switches_->journal_fd.exchange(-1);
  if (fd >= 0) close(fd);
}

void FaultInjection::set_sync_journal(const std::filesystem::path& journal) {
  const int fd = open(journal.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  TL_ASSERT(fd >= 0);
  const int old = switches_->journal_fd.exchange(fd);
  if (old >= 0) close(old);
}

Status simulate_power_loss(const std::filesystem::path& database_directory,
                           const std::filesystem::path& journal) {
  std::map<std::string, std::uint64_t> synced_size;  // file name -> last synced size
  std::ifstream in(journal);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::uint64_t size = 0;
    std::string name;
    if (!(fields >> size >> name)) continue;  // a line cut short by the kill was never complete
    synced_size[std::filesystem::path(name).filename().string()] = size;
  }
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(database_directory, error)) {
    if (entry.path().extension() != ".log") continue;
    const auto found = synced_size.find(entry.path().filename().string());
    const std::uint64_t keep = found == synced_size.end() ? 0 : found->second;
    if (entry.file_size() > keep) {
      std::filesystem::resize_file(entry.path(), keep, error);
      if (error)
        return Status::io_error("cannot cut " + entry.path().string() + ": " + error.message());
    }
  }
  if (error)
    return Status::io_error("cannot list " + database_directory.string() + ": " + error.message());
  return Status::ok();
}

rocksdb::Env* FaultInjection::env() {
  return env_.get();
}

void FaultInjection::set_fail_syncs(bool fail) {
  switches_->fail_syncs.store(fail);
}
void FaultInjection::set_disk_full(bool full) {
  switches_->disk_full.store(full);
}
void FaultInjection::set_block_syncs(bool block) {
  {
    std::lock_guard lock(switches_->mutex);
    switches_->block_syncs = block;
  }
  switches_->unblocked.notify_all();
}
int FaultInjection::sync_count() const {
  return switches_->sync_count.load();
}

}  // namespace tokenledger::testing
