#include "ledger/record_pipeline.h"

#include "base/assert.h"

namespace tokenledger {
namespace {

constexpr std::size_t word_bytes = 8;  // a Cap'n Proto word

}  // namespace

RecordPipeline::RecordPipeline(const Log& log, std::uint64_t from_sequence,
                               std::uint64_t up_to_sequence, RecordDecoder::Fields fields)
    : log_(log),
      from_(from_sequence),
      up_to_(up_to_sequence),
      fields_(fields),
      caller_decoder_(fields),
      thread_([this] { run(); }) {}

RecordPipeline::~RecordPipeline() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

RecordPipeline::Records RecordPipeline::next() {
  std::unique_lock lock(mutex_);
  if (current_ != nullptr) {
    TL_ASSERT(!current_->last);  // nothing follows the last batch
    if (free_.size() < queued_batches_max) free_.push_back(std::move(current_));
    current_.reset();
  }
  changed_.wait(lock,
                [&] { return !queue_.empty() && queue_.front()->state != BatchState::decoding; });
  current_ = std::move(queue_.front());
  queue_.pop_front();
  changed_.notify_all();  // room in the queue
  if (current_->state == BatchState::read) {
    // The reader has not got to it: decode it here rather than wait.
    lock.unlock();
    decode_batch(caller_decoder_, *current_);
    current_->state = BatchState::decoded;
  }
  Records out;
  out.records = std::span<const Record>(current_->records.data(), current_->count);
  out.last = current_->last;
  out.end = current_->end;
  return out;
}

void RecordPipeline::run() {
  std::unique_ptr<LogCursor> cursor = log_.cursor(from_);
  RecordDecoder decoder(fields_);
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    // First choice: decode a batch the caller will not take next (it may be about to decode
    // the front one itself). Then read more while there is room. Then help with the front one.
    Batch* to_decode = nullptr;
    for (std::size_t i = 1; i < queue_.size() && to_decode == nullptr; ++i) {
      if (queue_[i]->state == BatchState::read) to_decode = queue_[i].get();
    }
    if (to_decode == nullptr && !read_done_ && queue_.size() < queued_batches_max) {
      std::unique_ptr<Batch> batch = take_free();
      lock.unlock();
      read_batch(*cursor, *batch);
      lock.lock();
      read_done_ = batch->last;
      queue_.push_back(std::move(batch));
      changed_.notify_all();
      continue;
    }
    if (to_decode == nullptr && !queue_.empty() && queue_.front()->state == BatchState::read) {
      to_decode = queue_.front().get();
    }
    if (to_decode != nullptr) {
      // The batch stays in the queue, marked, so the caller waits for it rather than taking it.
      to_decode->state = BatchState::decoding;
      lock.unlock();
      decode_batch(decoder, *to_decode);
      lock.lock();
      to_decode->state = BatchState::decoded;
      changed_.notify_all();
      continue;
    }
    if (read_done_) return;  // everything is read and decoded
    changed_.wait(lock);
  }
}

void RecordPipeline::read_batch(LogCursor& cursor, Batch& batch) {
  while (batch.entries.size() < batch_records && batch.bytes.size() < batch_bytes_max) {
    if (!cursor.valid() || cursor.sequence() > up_to_) {
      batch.last = true;
      batch.end = cursor.status();
      return;
    }
    const std::string_view bytes = cursor.bytes();
    // Each record starts on a word boundary, so that decoding reads it in place
    // (record_decoder.cc); the buffer itself comes from operator new, which aligns to 16.
    const std::size_t offset = (batch.bytes.size() + word_bytes - 1) / word_bytes * word_bytes;
    batch.bytes.resize(offset);
    batch.entries.push_back(Entry{cursor.sequence(), offset, bytes.size()});
    batch.bytes.append(bytes);
    cursor.next();
  }
}

void RecordPipeline::decode_batch(RecordDecoder& decoder, Batch& batch) {
  TL_ASSERT(batch.count == 0);
  if (batch.records.size() < batch.entries.size()) batch.records.resize(batch.entries.size());
  for (const Entry& entry : batch.entries) {
    const std::string_view bytes(batch.bytes.data() + entry.offset, entry.size);
    Status status =
        decode_stored_record(decoder, bytes, entry.sequence, &batch.records[batch.count]);
    if (!status.is_ok()) {
      // The records before it are good; nothing after it may be used.
      batch.last = true;
      batch.end = std::move(status);
      break;
    }
    ++batch.count;
  }
}

std::unique_ptr<RecordPipeline::Batch> RecordPipeline::take_free() {
  std::unique_ptr<Batch> batch;
  if (free_.empty()) {
    batch = std::make_unique<Batch>();
  } else {
    batch = std::move(free_.back());
    free_.pop_back();
  }
  batch->bytes.clear();
  batch->entries.clear();
  batch->count = 0;
  batch->state = BatchState::read;
  batch->last = false;
  batch->end = Status::ok();
  return batch;
}

}  // namespace tokenledger
