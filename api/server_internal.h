// The server's insides, shared by its files and by nothing else: the state of the whole server
// (Server::Impl) and of one connection (Connection). server_listen.cc binds and accepts,
// server_connection.cc runs one connection's requests, server.cc starts and stops it all.
#pragma once

#include <asio.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ssl.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "api/server.h"
#include "api/worker_pool.h"
#include "projections/credentials.h"

namespace tokenledger::api {

using asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

inline constexpr auto nothrow_awaitable = asio::experimental::as_tuple(asio::use_awaitable);

// One connection's control block, touched only on the connection's strand. Time limits are kept
// by a watchdog (the pattern of Asio's own deadline examples): I/O sets `deadline` before each
// read or write, and the watchdog, sleeping on `timer` until then, cancels the socket's pending
// operation once the deadline has passed. stop() cancels it early when the connection is idle.
struct Connection {
  explicit Connection(const asio::strand<asio::io_context::executor_type>& executor)
      : strand(executor), timer(executor) {}
  asio::strand<asio::io_context::executor_type> strand;
  asio::steady_timer timer;
  SteadyClock::time_point deadline = SteadyClock::time_point::max();
  std::function<void()> cancel_io;  // cancels the socket's pending read or write; null once done
  bool idle = false;                // waiting for a request, nothing of it received
  bool timed_out = false;           // the watchdog cancelled I/O because the deadline passed
  bool done = false;

  void set_deadline(SteadyClock::time_point when) {
    // A later deadline needs no wake-up: the watchdog re-arms when the earlier one comes.
    if (when < deadline) timer.cancel();
    deadline = when;
    timed_out = false;
  }
  void cancel_now() {
    if (cancel_io) cancel_io();
  }
};

// A copyable callable that completes a (move-only) coroutine handler once with its argument, on
// `executor`: pools and the log hold only copyable functions, and the coroutine the handler
// resumes belongs to its connection's strand, so no other thread may touch, let alone destroy,
// it. Called from any thread, exactly once.
template <typename Executor, typename Handler>
auto resume_on(Executor executor, Handler handler) {
  auto slot = std::make_shared<std::optional<Handler>>(std::move(handler));
  return [slot, executor](auto value) {
    asio::post(executor, [slot, value = std::move(value)]() mutable {
      Handler taken = std::move(**slot);
      slot->reset();
      taken(std::move(value));
    });
  };
}

// Writes whose sync failed, waiting for the recovery thread; past this they get 503 at once.
constexpr std::size_t recovery_queue_max = 4096;

struct Server::Impl {
  Impl(Api& api_, ServerOptions options_)
      : api(api_),
        options(std::move(options_)),
        acceptor(io),
        password_pool("password", options.password_threads, options.password_queue_max),
        recovery_pool("recovery", 1, recovery_queue_max),
        request_id_prefix(random_id().substr(0, 8)) {}

  Api& api;
  const ServerOptions options;
  asio::io_context io;
  tcp::acceptor acceptor;
  std::optional<asio::ssl::context> tls;
  WorkerPool password_pool;
  // Answers writes whose sync failed: the views are rebuilt first (once, slow), off the I/O
  // threads.
  WorkerPool recovery_pool;
  const std::string request_id_prefix;
  std::atomic<std::uint64_t> request_counter{0};
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> open_connections{0};
  std::atomic<std::uint64_t> refused_connections{0};
  std::atomic<std::uint64_t> awaiting_durability{0};           // requests whose write syncs
  std::atomic<std::uint64_t> durability_callbacks_pending{0};  // registered with the log

  std::mutex connections_mutex;
  std::unordered_map<std::uint64_t, std::shared_ptr<Connection>> connections;  // (mutex)
  std::uint64_t next_connection_id = 0;                                        // (mutex)

  std::mutex stop_mutex;
  std::condition_variable stop_requested;

  // Shutdown waits here for connections to end and for the log's durability call-backs; both
  // notify under the mutex, so that a waiter that wakes and returns never races a notifier still
  // touching this object.
  std::mutex drained_mutex;
  std::condition_variable drained;
  std::vector<std::thread> io_threads;  // joined by run(), or by ~Server after a timed-out run

  // Decrements `counter` and wakes the shutdown waiters.
  template <typename Counter>
  void count_down(Counter& counter) {
    std::lock_guard lock(drained_mutex);
    counter.fetch_sub(1);
    drained.notify_all();
  }
  // Waits until `done` or `deadline`; false when the deadline came first.
  bool wait_drained(const std::function<bool()>& done, SteadyClock::time_point deadline) {
    std::unique_lock lock(drained_mutex);
    return drained.wait_until(lock, deadline, done);
  }

  std::string next_request_id() {
    char counter[24];
    std::snprintf(counter, sizeof counter, "-%llx",
                  static_cast<unsigned long long>(request_counter.fetch_add(1) + 1));
    return request_id_prefix + counter;
  }

  asio::awaitable<void> accept_loop();
  // Cancels every connection's pending I/O (shutdown, once the grace has passed).
  void close_all_connections() {
    std::lock_guard lock(connections_mutex);
    for (auto& [id, control] : connections) {
      asio::post(control->strand, [control] { control->cancel_now(); });
    }
  }
  asio::awaitable<void> run_connection(tcp::socket socket, std::shared_ptr<Connection> control);
  static asio::awaitable<void> watchdog(std::shared_ptr<Connection> control);
  template <typename Stream>
  asio::awaitable<void> serve(Stream& stream, Connection& control, const std::string& client_ip);
  template <typename Stream>
  asio::awaitable<bool> send(Stream& stream, Connection& control, const HttpResponse& response,
                             bool keep_alive);
  asio::awaitable<std::optional<HttpResponse>> on_pool(WorkerPool& pool,
                                                       const std::function<HttpResponse()>& work);
  // Resumes once the log is durable through `sequence`, with ok or the failure.
  asio::awaitable<Status> until_durable(std::uint64_t sequence);
  void finish(const Route* route, std::string_view method, std::string_view path,
              const HttpResponse& response, SteadyClock::time_point started,
              const RequestContext& context);
  void begin_stop();
};

}  // namespace tokenledger::api
