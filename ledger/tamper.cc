#include "ledger/tamper.h"

#include <rocksdb/db.h>

#include <memory>
#include <vector>

#include "ledger/log_keys.h"
#include "ledger/rocksdb_status.h"

namespace tokenledger::testing {
namespace {

// A raw handle on the log's database with both column families.
class RawLog {
 public:
  Status open(const std::filesystem::path& path) {
    rocksdb::Options options;
    std::vector<rocksdb::ColumnFamilyDescriptor> families = {
        {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
        {std::string(log_keys::records_column_family), rocksdb::ColumnFamilyOptions()}};
    rocksdb::DB* db = nullptr;
    rocksdb::Status status = rocksdb::DB::Open(options, path.string(), families, &handles_, &db);
    if (!status.ok()) return from_rocksdb(status, "opening " + path.string());
    db_.reset(db);
    return Status::ok();
  }
  ~RawLog() {
    if (!db_) return;
    for (auto* handle : handles_) (void)db_->DestroyColumnFamilyHandle(handle);
    (void)db_->Close();
  }
  rocksdb::DB* db() { return db_.get(); }
  rocksdb::ColumnFamilyHandle* meta() { return handles_[0]; }
  rocksdb::ColumnFamilyHandle* records() { return handles_[1]; }

  Status get(std::uint64_t sequence, std::string* value) {
    const auto key = log_keys::sequence_key(sequence);
    rocksdb::Status s = db_->Get({}, records(), rocksdb::Slice(key.data(), key.size()), value);
    return s.ok() ? Status::ok() : from_rocksdb(s, "reading sequence " + std::to_string(sequence));
  }
  Status put(std::uint64_t sequence, const std::string& value) {
    const auto key = log_keys::sequence_key(sequence);
    rocksdb::Status s = db_->Put({}, records(), rocksdb::Slice(key.data(), key.size()), value);
    return s.ok() ? Status::ok() : from_rocksdb(s, "writing sequence " + std::to_string(sequence));
  }
  Status remove(std::uint64_t sequence) {
    const auto key = log_keys::sequence_key(sequence);
    rocksdb::Status s = db_->Delete({}, records(), rocksdb::Slice(key.data(), key.size()));
    return s.ok() ? Status::ok() : from_rocksdb(s, "deleting sequence " + std::to_string(sequence));
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

}  // namespace

Status tamper_flip_byte(const std::filesystem::path& log_path, std::uint64_t sequence, long offset,
                        std::uint8_t mask) {
  RawLog raw;
  Status status = raw.open(log_path);
  if (!status.is_ok()) return status;
  std::string value;
  status = raw.get(sequence, &value);
  if (!status.is_ok()) return status;
  const long size = static_cast<long>(value.size());
  const long index = offset < 0 ? size + offset : offset;
  if (index < 0 || index >= size) return Status::invalid_argument("offset outside the record");
  value[static_cast<std::size_t>(index)] =
      static_cast<char>(static_cast<std::uint8_t>(value[static_cast<std::size_t>(index)]) ^ mask);
  return raw.put(sequence, value);
}

Status tamper_remove_record(const std::filesystem::path& log_path, std::uint64_t sequence) {
  RawLog raw;
  Status status = raw.open(log_path);
  return status.is_ok() ? raw.remove(sequence) : status;
}

Status tamper_swap_records(const std::filesystem::path& log_path, std::uint64_t a,
                           std::uint64_t b) {
  RawLog raw;
  Status status = raw.open(log_path);
  std::string value_a;
  std::string value_b;
  if (status.is_ok()) status = raw.get(a, &value_a);
  if (status.is_ok()) status = raw.get(b, &value_b);
  if (status.is_ok()) status = raw.put(a, value_b);
  if (status.is_ok()) status = raw.put(b, value_a);
  return status;
}

Status tamper_cut_tail(const std::filesystem::path& log_path, std::uint64_t first_sequence) {
  RawLog raw;
  Status status = raw.open(log_path);
  if (!status.is_ok()) return status;
  std::unique_ptr<rocksdb::Iterator> it(raw.db()->NewIterator({}, raw.records()));
  const auto key = log_keys::sequence_key(first_sequence);
  std::vector<std::string> doomed;
  for (it->Seek(rocksdb::Slice(key.data(), key.size())); it->Valid(); it->Next()) {
    doomed.push_back(it->key().ToString());
  }
  it.reset();
  for (const std::string& k : doomed) {
    rocksdb::Status s = raw.db()->Delete({}, raw.records(), k);
    if (!s.ok()) return from_rocksdb(s, "cutting the tail");
  }
  return Status::ok();
}

Status tamper_set_schema_version(const std::filesystem::path& log_path, std::uint16_t version) {
  RawLog raw;
  Status status = raw.open(log_path);
  if (!status.is_ok()) return status;
  rocksdb::Status s = raw.db()->Put({}, raw.meta(), std::string(log_keys::schema_version_key),
                                    log_keys::encode_schema_version(version));
  return s.ok() ? Status::ok() : from_rocksdb(s, "writing the schema version");
}

}  // namespace tokenledger::testing
