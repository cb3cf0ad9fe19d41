// Appending: submit() chains and queues records under the mutex; one writer thread writes
// everything queued as one RocksDB WriteBatch with one WAL sync (group commit), then wakes the
// waiters. See docs/adr/0004-durability-and-group-commit.md.
#include <rocksdb/write_batch.h>

#include <algorithm>

#include "ledger/log_keys.h"
#include "ledger/log_state.h"
#include "ledger/record_codec.h"
#include "ledger/rocksdb_status.h"

namespace tokenledger {

Result<AppendResult> Log::append(std::span<const Event> events) {
  // No wake-up for the background writer: this thread writes the batch itself in
  // wait_durable() unless a write is already under way, which saves two thread switches.
  Result<AppendResult> submitted = state_->submit(events, /*wake_writer=*/false);
  if (!submitted.is_ok()) return submitted;
  Status durable = wait_durable(submitted->last_sequence);
  if (!durable.is_ok()) return durable;
  return submitted;
}

Result<AppendResult> Log::submit(std::span<const Event> events) {
  return state_->submit(events, /*wake_writer=*/true);
}

Result<AppendResult> Log::State::submit(std::span<const Event> events, bool wake_writer) {
  State& s = *this;
  if (events.empty()) return Status::invalid_argument("an append needs at least one event");
  if (events.size() > s.options.events_per_append_max) {
    return Status::invalid_argument("an append of " + std::to_string(events.size()) +
                                    " events exceeds the limit of " +
                                    std::to_string(s.options.events_per_append_max));
  }
  std::unique_lock lock(s.mutex);
  if (!s.write_status.is_ok()) return s.write_status;
  if (s.closing) return Status::closed("the log is closing");
  if (s.pending_record_count + events.size() > s.options.pending_records_max) {
    return Status::busy("the log's queue holds " + std::to_string(s.pending_record_count) +
                        " records waiting for disk; try again shortly");
  }
  PendingAppend append;
  append.first_sequence = s.next_sequence;
  append.last_sequence = s.next_sequence + events.size() - 1;
  append.records.reserve(events.size());
  const TimeNs recorded_at_ns = std::max(s.options.clock(), s.last_recorded_at_ns);
  Hash prev_hash = s.tail_hash;
  for (std::size_t i = 0; i < events.size(); ++i) {
    Record record;
    record.sequence = append.first_sequence + i;
    record.recorded_at_ns = recorded_at_ns;
    record.prev_hash = prev_hash;
    record.event = events[i];
    Result<std::string> bytes = encode_record(record);
    if (!bytes.is_ok()) return bytes.status();  // nothing has changed yet: all or none
    prev_hash = sha256(*bytes);
    append.records.push_back(std::move(bytes).value());
  }
  append.last_hash = prev_hash;
  s.next_sequence = append.last_sequence + 1;
  s.tail_hash = prev_hash;
  s.last_recorded_at_ns = recorded_at_ns;
  s.pending_record_count += events.size();
  const AppendResult result{append.first_sequence, append.last_sequence, recorded_at_ns};
  s.pending.push_back(std::move(append));
  lock.unlock();
  if (wake_writer) s.writer_wakeup.notify_one();
  return result;
}

Status Log::wait_durable(std::uint64_t last_sequence) {
  State& s = *state_;
  std::unique_lock lock(s.mutex);
  TL_ASSERT(last_sequence < s.next_sequence);  // only sequences that were submitted
  while (true) {
    if (s.durable.sequence >= last_sequence) return Status::ok();
    if (!s.write_status.is_ok()) return s.write_status;
    if (s.closed) {
      return Status::closed("the log closed before sequence " + std::to_string(last_sequence) +
                            " was written");
    }
    // Whoever waits while nothing is being written writes everything queued (group commit
    // without a thread hand-off); otherwise the batch under way, or the next, carries ours.
    if (!s.writing && !s.pending.empty()) {
      s.write_one_batch(lock);
    } else {
      s.durable_changed.wait(lock);
    }
  }
}

void Log::when_durable(std::uint64_t last_sequence, std::function<void(Status)> done) {
  State& s = *state_;
  Status answer;
  {
    std::lock_guard lock(s.mutex);
    TL_ASSERT(last_sequence < s.next_sequence);  // only sequences that were submitted
    if (s.durable.sequence >= last_sequence) {
      answer = Status::ok();
    } else if (!s.write_status.is_ok()) {
      answer = s.write_status;
    } else if (s.closed) {
      answer = Status::closed("the log closed before sequence " + std::to_string(last_sequence) +
                              " was written");
    } else {
      // The writer thread (woken by submit) or a waiter writes it and then calls back.
      s.durable_callbacks.emplace(last_sequence, std::move(done));
      return;
    }
  }
  done(answer);
}

void Log::State::run_durable_callbacks(std::unique_lock<std::mutex>& lock) {
  TL_ASSERT(lock.owns_lock());
  if (durable_callbacks.empty()) return;
  std::vector<std::function<void(Status)>> written;  // their sequence is durable
  std::vector<std::function<void(Status)>> never;    // the log stopped or closed first
  const auto end = durable_callbacks.upper_bound(durable.sequence);
  for (auto it = durable_callbacks.begin(); it != end; ++it)
    written.push_back(std::move(it->second));
  durable_callbacks.erase(durable_callbacks.begin(), end);
  Status failure = write_status;
  if (failure.is_ok() && closed)
    failure = Status::closed("the log closed before the write was done");
  if (!failure.is_ok()) {
    for (auto& [sequence, callback] : durable_callbacks) never.push_back(std::move(callback));
    durable_callbacks.clear();
  }
  if (written.empty() && never.empty()) return;
  lock.unlock();
  for (auto& callback : written) callback(Status::ok());
  for (auto& callback : never) callback(failure);
  lock.lock();
}

void Log::State::run_writer() {
  std::unique_lock lock(mutex);
  while (true) {
    writer_wakeup.wait(lock, [&] { return (!pending.empty() && !writing) || closing; });
    if (writing) {
      // Closing while a waiter writes: let it finish, then drain what is left.
      durable_changed.wait(lock, [&] { return !writing; });
      continue;
    }
    if (pending.empty()) return;  // closing, and everything submitted has been written
    write_one_batch(lock);
  }
}

void Log::State::write_one_batch(std::unique_lock<std::mutex>& lock) {
  TL_ASSERT(lock.owns_lock() && !writing && !pending.empty());
  writing = true;
  // Take whole appends (never split one) up to the batch bound, at least one.
  rocksdb::WriteBatch batch;
  const std::uint64_t first_sequence = pending.front().first_sequence;
  std::uint64_t last_sequence = 0;
  Hash last_hash{};
  std::size_t record_count = 0;
  std::size_t append_count = 0;
  for (const PendingAppend& append : pending) {
    if (append_count > 0 && record_count + append.records.size() > options.batch_records_max) break;
    for (std::size_t i = 0; i < append.records.size(); ++i) {
      const auto key = log_keys::sequence_key(append.first_sequence + i);
      TL_ASSERT(batch.Put(records_family, rocksdb::Slice(key.data(), key.size()), append.records[i])
                    .ok());
    }
    last_sequence = append.last_sequence;
    last_hash = append.last_hash;
    record_count += append.records.size();
    ++append_count;
  }
  TL_ASSERT(first_sequence == durable.sequence + 1);  // the chain stays gap-free
  TL_ASSERT(batch
                .Put(meta_family, std::string(log_keys::head_key),
                     log_keys::encode_head(last_sequence, last_hash))
                .ok());
  // The batch holds copies; the appends stay queued (and counted against the bound) until the
  // write is done. Submitters only push to the back meanwhile.
  rocksdb::WriteOptions sync_options;
  sync_options.sync = true;
  lock.unlock();
  const rocksdb::Status written = db->Write(sync_options, &batch);
  lock.lock();

  for (std::size_t i = 0; i < append_count; ++i) {
    pending_record_count -= pending.front().records.size();
    pending.pop_front();
  }
  if (written.ok()) {
    durable = Head{last_sequence, last_hash};
  } else {
    // The write may or may not be on disk: refuse everything until reopened (LevelDB's rule).
    write_status =
        Status::write_stopped("writing sequences " + std::to_string(first_sequence) + ".." +
                              std::to_string(last_sequence) + " failed (" + written.ToString() +
                              "); the log refuses appends until it is reopened");
    for (const PendingAppend& append : pending) pending_record_count -= append.records.size();
    pending.clear();
  }
  writing = false;
  durable_changed.notify_all();
  if (!pending.empty()) writer_wakeup.notify_one();
  run_durable_callbacks(lock);
}

}  // namespace tokenledger
