#include "api/worker_pool.h"

#include "base/assert.h"

namespace tokenledger::api {

WorkerPool::WorkerPool(std::string name, std::size_t thread_count, std::size_t queue_max)
    : name_(std::move(name)), queue_max_(queue_max) {
  TL_ASSERT(thread_count > 0);
  threads_.reserve(thread_count);
  running_threads_ = thread_count;
  for (std::size_t i = 0; i < thread_count; ++i) threads_.emplace_back([this] { run(); });
}

WorkerPool::~WorkerPool() {
  stop();
}

bool WorkerPool::try_post(std::function<void()> work) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= queue_max_) return false;
    queue_.push_back(std::move(work));
  }
  wakeup_.notify_one();
  return true;
}

void WorkerPool::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeup_.notify_all();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

bool WorkerPool::stop_within(std::chrono::steady_clock::time_point deadline) {
  {
    std::unique_lock lock(mutex_);
    stopping_ = true;
    wakeup_.notify_all();
    if (!finished_.wait_until(lock, deadline, [this] { return running_threads_ == 0; })) {
      return false;
    }
  }
  stop();  // every thread has returned: joining is immediate
  return true;
}

std::size_t WorkerPool::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void WorkerPool::run() {
  while (true) {
    std::function<void()> work;
    {
      std::unique_lock lock(mutex_);
      wakeup_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      // Stopping still runs what was queued: each item is a request someone waits for.
      if (queue_.empty()) {
        --running_threads_;
        finished_.notify_all();
        return;
      }
      work = std::move(queue_.front());
      queue_.pop_front();
    }
    work();
  }
}

}  // namespace tokenledger::api
