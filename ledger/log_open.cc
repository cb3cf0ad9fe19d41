// Opening and closing the log, and the checks that run at open.
#include <rocksdb/options.h>
#include <rocksdb/table.h>

#include "base/clock.h"
#include "ledger/log_keys.h"
#include "ledger/log_state.h"
#include "ledger/record_codec.h"
#include "ledger/rocksdb_status.h"

namespace tokenledger {
namespace {

// RocksDB's own informational LOG files are bounded too.
constexpr std::size_t info_log_file_size_max_bytes = 8 * 1024 * 1024;
constexpr std::size_t info_log_file_count_max = 4;

rocksdb::Options database_options(const LogOptions& options) {
  rocksdb::Options db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = options.create_if_missing;
  db_options.paranoid_checks = true;
  // A crash may leave a torn final WAL record that was never acknowledged; any other damage in
  // the WAL must stop the open rather than silently drop acknowledged writes (docs/adr/0004).
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  db_options.max_log_file_size = info_log_file_size_max_bytes;
  db_options.keep_log_file_num = info_log_file_count_max;
  // The two families flush together. Every append also writes the head into the meta family,
  // whose memtable would otherwise never fill and pin every WAL file since the first append:
  // hundreds of MB kept on disk and replayed at every open.
  db_options.atomic_flush = true;
  if (options.env != nullptr) db_options.env = options.env;
  return db_options;
}

// Records are written once and then read in order, by replays, verification and exports, far more
// than one by one: large blocks (64 KiB) and LZ4 make that walk faster than RocksDB's default
// 4 KiB Snappy blocks, and the files a little smaller
// (docs/adr/0018-storage-settings-of-the-records.md has the figures).
rocksdb::ColumnFamilyOptions records_family_options(const rocksdb::Options& db_options) {
  rocksdb::ColumnFamilyOptions family(db_options);
  rocksdb::BlockBasedTableOptions table;
  table.block_size = 64 * 1024;
  family.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  family.compression = rocksdb::kLZ4Compression;
  return family;
}

Status open_database(Log::State& state) {
  const rocksdb::Options db_options = database_options(state.options);
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions(db_options)},
      {std::string(log_keys::records_column_family), records_family_options(db_options)},
  };
  rocksdb::DB* db = nullptr;
  const std::string path = state.options.path.string();
  rocksdb::Status status =
      state.options.read_only
          ? rocksdb::DB::OpenForReadOnly(db_options, path, families, &state.handles, &db)
          : rocksdb::DB::Open(db_options, path, families, &state.handles, &db);
  if (!status.ok()) return from_rocksdb(status, "cannot open the log at " + path);
  state.db.reset(db);
  TL_ASSERT(state.handles.size() == 2);
  state.meta_family = state.handles[0];
  state.records_family = state.handles[1];
  return Status::ok();
}

// Refuses a log written by a newer build; records this build's version on a writable log.
Status check_schema_version(Log::State& state) {
  std::string value;
  Status status = state.read_meta(log_keys::schema_version_key, &value);
  std::uint16_t stored = 0;
  if (status.is_ok()) {
    if (!log_keys::decode_schema_version(value, &stored)) {
      return Status::corruption("the stored schema version is not 2 bytes");
    }
    if (stored > current_schema_version()) {
      return Status::unsupported("the log was written by schema version " + std::to_string(stored) +
                                 "; this build reads up to version " +
                                 std::to_string(current_schema_version()) +
                                 ": upgrade tokenledger to open it");
    }
  } else if (status.code() != StatusCode::not_found) {
    return status;
  }
  if (state.options.read_only || stored == current_schema_version()) return Status::ok();
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  const rocksdb::Status put =
      state.db->Put(write_options, state.meta_family, std::string(log_keys::schema_version_key),
                    log_keys::encode_schema_version(current_schema_version()));
  return put.ok() ? Status::ok() : from_rocksdb(put, "cannot record the schema version");
}

Status load_head(Log::State& state) {
  std::string value;
  Status status = state.read_meta(log_keys::head_key, &value);
  if (status.code() == StatusCode::not_found) {
    state.durable = Head{};
    return Status::ok();
  }
  if (!status.is_ok()) return status;
  if (!log_keys::decode_head(value, &state.durable.sequence, &state.durable.hash)) {
    return Status::corruption("the stored chain head is not 40 bytes");
  }
  return Status::ok();
}

// The cheap checks that make a writable open safe to append to: the head record exists, has the
// head's hash and is understood, and nothing lies beyond it. The full walk is verify_chain's.
Status check_head_matches_records(Log::State& state) {
  const Head head = state.durable;
  std::unique_ptr<rocksdb::Iterator> it(
      state.db->NewIterator(rocksdb::ReadOptions(), state.records_family));
  const auto after_key = log_keys::sequence_key(head.sequence + 1);
  it->Seek(rocksdb::Slice(after_key.data(), after_key.size()));
  if (it->Valid()) {
    return Status::corruption("sequence " + std::to_string(head.sequence + 1) +
                              ": a record lies beyond the stored head " +
                              std::to_string(head.sequence));
  }
  if (!it->status().ok()) return from_rocksdb(it->status(), "cannot scan the log");
  if (head.sequence == 0) {
    it->SeekToFirst();
    if (it->Valid()) return Status::corruption("records are present but the chain head is missing");
    return it->status().ok() ? Status::ok() : from_rocksdb(it->status(), "cannot scan the log");
  }
  const auto head_key = log_keys::sequence_key(head.sequence);
  std::string bytes;
  const rocksdb::Status get =
      state.db->Get(rocksdb::ReadOptions(), state.records_family,
                    rocksdb::Slice(head_key.data(), head_key.size()), &bytes);
  if (get.IsNotFound()) {
    return Status::corruption("sequence " + std::to_string(head.sequence) +
                              ": the head record is missing (the log's tail was cut off)");
  }
  if (!get.ok()) return from_rocksdb(get, "cannot read the head record");
  if (sha256(bytes) != head.hash) {
    return Status::corruption("sequence " + std::to_string(head.sequence) +
                              ": the head record does not match the stored head hash");
  }
  Result<Record> record = decode_record(bytes, head.sequence);
  if (!record.is_ok()) return record.status();
  if (record->sequence != head.sequence) {
    return Status::corruption("sequence " + std::to_string(head.sequence) +
                              ": the head record says it is sequence " +
                              std::to_string(record->sequence));
  }
  state.last_recorded_at_ns = record->recorded_at_ns;
  return Status::ok();
}

}  // namespace

Status Log::State::read_meta(std::string_view key, std::string* value) const {
  const rocksdb::Status status =
      db->Get(rocksdb::ReadOptions(), meta_family, rocksdb::Slice(key.data(), key.size()), value);
  if (status.ok()) return Status::ok();
  if (status.IsNotFound()) return Status::not_found(std::string(key));
  return from_rocksdb(status, "cannot read " + std::string(key));
}

Log::Log(std::unique_ptr<State> state) : state_(std::move(state)) {}

Log::~Log() {
  (void)close();
}

Result<std::unique_ptr<Log>> Log::open(LogOptions options) {
  if (options.path.empty()) return Status::invalid_argument("the log needs a path");
  if (options.events_per_append_max == 0 || options.batch_records_max == 0 ||
      options.pending_records_max < options.events_per_append_max) {
    return Status::invalid_argument(
        "log limits must be positive, and pending_records_max must "
        "hold at least one append");
  }
  if (!options.clock) options.clock = system_clock_ns;
  auto state = std::make_unique<State>();
  state->options = std::move(options);
  // The Log owns the state from here on, so that any failure below closes what was opened.
  std::unique_ptr<Log> log(new Log(std::move(state)));
  State& s = *log->state_;
  Status status = open_database(s);
  if (status.is_ok()) status = check_schema_version(s);
  if (status.is_ok()) status = load_head(s);
  if (status.is_ok() && !s.options.read_only) status = check_head_matches_records(s);
  if (!status.is_ok()) return status;
  s.next_sequence = s.durable.sequence + 1;
  s.tail_hash = s.durable.hash;
  if (s.options.read_only) {
    s.write_status =
        Status::read_only("the log at " + s.options.path.string() + " was opened read-only");
  } else {
    s.writer = std::thread([&s] { s.run_writer(); });
  }
  return log;
}

Status Log::close() {
  State& s = *state_;
  {
    std::unique_lock lock(s.mutex);
    if (s.closed) return Status::ok();
    s.closing = true;
  }
  s.writer_wakeup.notify_all();
  if (s.writer.joinable()) s.writer.join();
  Status result;
  bool flush_memtables = false;
  {
    std::unique_lock lock(s.mutex);
    TL_ASSERT(s.pending.empty());  // the writer drains or fails every submitted append
    s.closed = true;
    flush_memtables = !s.options.read_only && s.write_status.is_ok();
    s.run_durable_callbacks(lock);  // none should wait now: everything submitted was written
    result = s.write_status.code() == StatusCode::write_stopped ? s.write_status : Status::ok();
  }
  s.durable_changed.notify_all();
  std::unique_lock lifetime(s.db_lifetime);
  TL_ASSERT(s.live_cursor_count.load() == 0);  // cursors must not outlive the open log
  if (s.db) {
    if (flush_memtables) {
      // Everything is already durable in the WAL; writing the memtables out now spares the next
      // open from replaying it. A failure here loses nothing, so it is not the close's error.
      rocksdb::FlushOptions flush;
      flush.wait = true;
      (void)s.db->Flush(flush, s.handles);
    }
    for (rocksdb::ColumnFamilyHandle* handle : s.handles) {
      (void)s.db->DestroyColumnFamilyHandle(handle);
    }
    s.handles.clear();
    const rocksdb::Status closed = s.db->Close();
    s.db.reset();
    if (!closed.ok() && result.is_ok()) result = from_rocksdb(closed, "closing the log");
  }
  return result;
}

}  // namespace tokenledger
