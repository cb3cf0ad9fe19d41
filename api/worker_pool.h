// A fixed set of threads with a bounded queue, for work that must not run on the I/O threads:
// password checks (argon2id: about 55 ms and 64 MiB each) and writes that wait for a disk sync.
// When the queue is full, try_post() says so at once and the server answers 503 with
// Retry-After: an overloaded server sheds load instead of queueing without bound.
// Threading: try_post() from any thread; stop() once, from the owner.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tokenledger::api {

class WorkerPool {
 public:
  // `queue_max` counts work waiting for a thread, not work running.
  WorkerPool(std::string name, std::size_t thread_count, std::size_t queue_max);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False (and `work` not taken) when the queue is full or the pool is stopping.
  bool try_post(std::function<void()> work);

  // Runs everything already queued, then joins the threads. Idempotent.
  void stop();
  // The same, giving up at `deadline`: true when every thread finished (and was joined); false
  // when work is still running then (stop() or the destructor joins it later).
  bool stop_within(std::chrono::steady_clock::time_point deadline);

  std::size_t queued() const;
  const std::string& name() const { return name_; }

 private:
  void run();

  const std::string name_;
  const std::size_t queue_max_;
  mutable std::mutex mutex_;
  std::condition_variable wakeup_;
  std::deque<std::function<void()>> queue_;  // (mutex_)
  bool stopping_ = false;                    // (mutex_)
  std::size_t running_threads_ = 0;          // (mutex_)
  std::condition_variable finished_;
  std::vector<std::thread> threads_;
};

}  // namespace tokenledger::api
