// Reading: single records, cursors, the head, and waiting for new records. Every RocksDB access
// holds db_lifetime shared, so reads never block each other and a racing close() is safe.
#include "ledger/log_keys.h"
#include "ledger/log_state.h"
#include "ledger/record_codec.h"
#include "ledger/rocksdb_status.h"

namespace tokenledger {
namespace {

Status closed_status() {
  return Status::closed("the log is closed");
}

Status misplaced(std::uint64_t key_sequence, std::uint64_t record_sequence) {
  return Status::corruption("sequence " + std::to_string(key_sequence) +
                            ": the record stored there says it is sequence " +
                            std::to_string(record_sequence));
}

class RocksDbCursor final : public LogCursor {
 public:
  RocksDbCursor(std::shared_lock<std::shared_mutex> lifetime, std::atomic<int>* live_count,
                std::unique_ptr<rocksdb::Iterator> iterator)
      : lifetime_(std::move(lifetime)), live_count_(live_count), iterator_(std::move(iterator)) {
    live_count_->fetch_add(1);
  }
  ~RocksDbCursor() override {
    iterator_.reset();
    live_count_->fetch_sub(1);
  }
  RocksDbCursor(const RocksDbCursor&) = delete;
  RocksDbCursor& operator=(const RocksDbCursor&) = delete;

  bool valid() const override { return iterator_->Valid(); }
  void next() override { iterator_->Next(); }
  std::uint64_t sequence() const override {
    std::uint64_t sequence = 0;
    const rocksdb::Slice key = iterator_->key();
    if (!log_keys::parse_sequence_key(std::string_view(key.data(), key.size()), &sequence))
      return 0;
    return sequence;
  }
  std::string_view bytes() const override {
    const rocksdb::Slice value = iterator_->value();
    return std::string_view(value.data(), value.size());
  }
  Status status() const override {
    return iterator_->status().ok() ? Status::ok()
                                    : from_rocksdb(iterator_->status(), "reading the log");
  }

 private:
  // Held for the cursor's whole life: close() cannot destroy the database under it.
  std::shared_lock<std::shared_mutex> lifetime_;
  std::atomic<int>* live_count_;
  std::unique_ptr<rocksdb::Iterator> iterator_;
};

// A cursor over a closed log: empty, and says why.
class ClosedCursor final : public LogCursor {
 public:
  bool valid() const override { return false; }
  void next() override {}
  std::uint64_t sequence() const override { TL_UNREACHABLE(); }
  std::string_view bytes() const override { TL_UNREACHABLE(); }
  Status status() const override { return closed_status(); }
};

// decode_record, checked to be the record stored under `sequence` (the one-off form of
// decode_stored_record).
Result<Record> decode_placed_record(std::string_view bytes, std::uint64_t sequence) {
  Result<Record> decoded = decode_record(bytes, sequence);
  if (decoded.is_ok() && decoded->sequence != sequence)
    return misplaced(sequence, decoded->sequence);
  return decoded;
}

}  // namespace

Result<Record> LogCursor::record() const {
  return decode_placed_record(bytes(), sequence());
}

Status LogCursor::record_into(RecordDecoder& decoder, Record* out) const {
  return decode_stored_record(decoder, bytes(), sequence(), out);
}

Status decode_stored_record(RecordDecoder& decoder, std::string_view bytes, std::uint64_t sequence,
                            Record* out) {
  Status status = decoder.decode(bytes, sequence, out);
  if (status.is_ok() && out->sequence != sequence) return misplaced(sequence, out->sequence);
  return status;
}

Head Log::head() const {
  std::lock_guard lock(state_->mutex);
  return state_->durable;
}

Status Log::write_status() const {
  std::lock_guard lock(state_->mutex);
  if (state_->closing && state_->write_status.is_ok()) return Status::closed("the log is closed");
  return state_->write_status;
}

Result<RawRecord> Log::read_raw(std::uint64_t sequence) const {
  const State& s = *state_;
  std::shared_lock lifetime(s.db_lifetime);
  if (!s.db) return closed_status();
  const auto key = log_keys::sequence_key(sequence);
  RawRecord raw{sequence, {}};
  const rocksdb::Status status = s.db->Get(rocksdb::ReadOptions(), s.records_family,
                                           rocksdb::Slice(key.data(), key.size()), &raw.bytes);
  if (status.IsNotFound()) {
    return Status::not_found("sequence " + std::to_string(sequence) + " is not in the log");
  }
  if (!status.ok()) return from_rocksdb(status, "reading sequence " + std::to_string(sequence));
  return raw;
}

Result<Hash> Log::record_hash(std::uint64_t sequence) const {
  if (sequence == 0) return Hash{};
  Result<RawRecord> raw = read_raw(sequence);
  if (!raw.is_ok()) return raw.status();
  return sha256(raw->bytes);
}

Result<Record> Log::read(std::uint64_t sequence) const {
  Result<RawRecord> raw = read_raw(sequence);
  if (!raw.is_ok()) return raw.status();
  return decode_placed_record(raw->bytes, sequence);
}

std::unique_ptr<LogCursor> Log::cursor(std::uint64_t from_sequence) const {
  const State& s = *state_;
  std::shared_lock lifetime(s.db_lifetime);
  if (!s.db) return std::make_unique<ClosedCursor>();
  // A cursor walks many records once: leave the block cache to the point reads.
  rocksdb::ReadOptions read_options;
  read_options.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> iterator(s.db->NewIterator(read_options, s.records_family));
  const auto key = log_keys::sequence_key(from_sequence);
  iterator->Seek(rocksdb::Slice(key.data(), key.size()));
  return std::make_unique<RocksDbCursor>(std::move(lifetime), &state_->live_cursor_count,
                                         std::move(iterator));
}

Result<Head> Log::stored_head() const {
  const State& s = *state_;
  std::shared_lock lifetime(s.db_lifetime);
  if (!s.db) return closed_status();
  std::string value;
  Status status = s.read_meta(log_keys::head_key, &value);
  if (!status.is_ok()) return status;
  Head head;
  if (!log_keys::decode_head(value, &head.sequence, &head.hash)) {
    return Status::corruption("the stored chain head is not 40 bytes");
  }
  return head;
}

std::uint64_t Log::wait_for_records_after(std::uint64_t after_sequence,
                                          std::chrono::milliseconds timeout) const {
  const State& s = *state_;
  std::unique_lock lock(s.mutex);
  s.durable_changed.wait_for(lock, timeout, [&] {
    return s.durable.sequence > after_sequence || s.closed || !s.write_status.is_ok();
  });
  return s.durable.sequence;
}

}  // namespace tokenledger
