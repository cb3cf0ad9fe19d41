// Starting and stopping: the I/O threads, the signals, and a shutdown whose every wait is
// bounded (ServerOptions::shutdown_grace for requests in flight, shutdown_disk_wait for writes
// the disk has not answered).
#include "api/server_internal.h"

#include <thread>

#include "base/assert.h"

namespace tokenledger::api {

void Server::Impl::begin_stop() {
  if (stopping.exchange(true)) return;
  api.set_ready(false);
  asio::post(io, [this] {
    asio::error_code ignored;
    acceptor.close(ignored);
  });
  std::lock_guard lock(connections_mutex);
  for (auto& [id, control] : connections) {
    asio::post(control->strand, [control] {
      if (control->idle) control->cancel_now();
    });
  }
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  Impl* impl_raw = impl_.get();
  impl_->api.set_extra_metrics([impl_raw] {
    return std::vector<Metrics::Value>{
        {"tokenledger_open_connections", "Connections open now.",
         static_cast<double>(impl_raw->open_connections.load())},
        {"tokenledger_refused_connections_total",
         "Connections refused because connections_max were open.",
         static_cast<double>(impl_raw->refused_connections.load()), Metrics::Value::Type::counter},
        {"tokenledger_password_queue_depth", "Requests waiting for a password thread.",
         static_cast<double>(impl_raw->password_pool.queued())},
        {"tokenledger_writes_awaiting_sync", "Write requests waiting for their disk sync.",
         static_cast<double>(impl_raw->awaiting_durability.load())},
    };
  });
}

Server::~Server() {
  stop();
  impl_->api.set_extra_metrics(nullptr);
  Impl& impl = *impl_;
  // After a run() that gave up waiting for the disk: the io_context cannot go before the
  // call-backs still due to it, so this waits for them without a bound. `tokenledger serve`
  // never gets here (it exits instead); tests let the disk answer first.
  if (!impl.io_threads.empty()) {
    impl.wait_drained([&impl] { return impl.durability_callbacks_pending.load() == 0; },
                      SteadyClock::time_point::max());
    impl.io.stop();
    for (std::thread& thread : impl.io_threads) thread.join();
  }
  impl.password_pool.stop();
  impl.recovery_pool.stop();
}

std::uint16_t Server::port() const {
  asio::error_code error;
  return impl_->acceptor.local_endpoint(error).port();
}

void Server::stop() {
  impl_->begin_stop();
  // Through the mutex: run() either has not checked `stopping` yet or is already waiting, so
  // the wake-up cannot fall between its check and its wait.
  { std::lock_guard lock(impl_->stop_mutex); }
  impl_->stop_requested.notify_all();
}

Status Server::run() {
  Impl& impl = *impl_;
  asio::signal_set signals(impl.io);
  if (impl.options.handle_signals) {
    signals.add(SIGTERM);
    signals.add(SIGINT);
    signals.async_wait([this, &impl](const asio::error_code& error, int number) {
      if (error) return;
      impl.options.log(LogLevel::info, std::string("received ") +
                                           (number == SIGTERM ? "SIGTERM" : "SIGINT") +
                                           ": stopping (finishing requests in flight)");
      stop();
    });
  }
  asio::co_spawn(impl.io, impl.accept_loop(), asio::detached);
  for (std::size_t i = 0; i < impl.options.io_threads; ++i) {
    impl.io_threads.emplace_back([&impl] { impl.io.run(); });
  }
  impl.api.set_ready(true);
  {
    std::unique_lock lock(impl.stop_mutex);
    impl.stop_requested.wait(lock, [&impl] { return impl.stopping.load(); });
  }

  // 1. Requests in flight finish, for at most shutdown_grace; idle connections were closed by
  //    begin_stop(). Past it, every connection's I/O is cancelled.
  const auto no_connections = [&impl] { return impl.open_connections.load() == 0; };
  if (!impl.wait_drained(no_connections, SteadyClock::now() + impl.options.shutdown_grace)) {
    impl.options.log(LogLevel::warning,
                     std::to_string(impl.open_connections.load()) +
                         " connections still open after the shutdown grace; closing them");
    impl.close_all_connections();
  }
  // 2. A write handed to the log is answered by a call-back into the io_context, which must
  //    still be there: wait for every one, for at most shutdown_disk_wait (each comes within one
  //    sync, or when the log fails; only a disk that stopped answering takes longer).
  const SteadyClock::time_point disk_deadline =
      SteadyClock::now() + impl.options.shutdown_disk_wait;
  const auto no_callbacks = [&impl] { return impl.durability_callbacks_pending.load() == 0; };
  if (!impl.wait_drained(no_callbacks, disk_deadline)) {
    return abandon("writes still waiting for the disk: " +
                   std::to_string(impl.durability_callbacks_pending.load()));
  }
  asio::post(impl.io, [&signals] {
    asio::error_code ignored;
    signals.cancel(ignored);
  });
  impl.io.stop();
  for (std::thread& thread : impl.io_threads) thread.join();
  impl.io_threads.clear();
  // 3. Work already handed to the pools finishes (each is a request someone may be waiting
  //    for), within what is left of the disk wait.
  if (!impl.password_pool.stop_within(disk_deadline) ||
      !impl.recovery_pool.stop_within(disk_deadline)) {
    return abandon("password or recovery work still waiting for the disk");
  }
  return Status::ok();
}

Status Server::abandon(const std::string& what) {
  const std::string message = what + " after " +
                              std::to_string(impl_->options.shutdown_disk_wait.count()) +
                              " ms; giving up the wait (none of them was acknowledged)";
  impl_->options.log(LogLevel::error, message);
  return Status::io_error(message);
}

}  // namespace tokenledger::api
