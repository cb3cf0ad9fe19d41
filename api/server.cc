#include "api/server.h"

#include <asio.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ssl.hpp>

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <thread>
#include <unordered_map>

#include "api/worker_pool.h"
#include "base/assert.h"
#include "projections/credentials.h"

namespace tokenledger::api {

using asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr auto nothrow_awaitable = asio::experimental::as_tuple(asio::use_awaitable);
constexpr std::size_t read_chunk_size_bytes = 16 * 1024;
constexpr std::size_t log_path_size_max_bytes = 200;

// Request paths in logs: printable ASCII only, cut short, never the query (it could carry
// anything a client put there).
std::string loggable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, log_path_size_max_bytes)) {
    out += (c > ' ' && c < 127) ? c : '?';
  }
  if (text.size() > log_path_size_max_bytes) out += "...";
  return out;
}

std::string_view parse_error_title(int status) {
  switch (status) {
    case 413:
      return "Payload too large";
    case 431:
      return "Request header fields too large";
    default:
      return "Bad request";
  }
}

}  // namespace

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

  std::string next_request_id() {
    char counter[24];
    std::snprintf(counter, sizeof counter, "-%llx",
                  static_cast<unsigned long long>(request_counter.fetch_add(1) + 1));
    return request_id_prefix + counter;
  }

  asio::awaitable<void> accept_loop();
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

asio::awaitable<void> Server::Impl::accept_loop() {
  while (true) {
    // Named, not a temporary inside the co_await: GCC 12 destroys some temporaries of a
    // co_await expression twice (a strand's reference count went wrong here under ASan).
    const auto strand = asio::make_strand(io);
    auto [error, socket] = co_await acceptor.async_accept(strand, nothrow_awaitable);
    if (stopping.load()) co_return;
    if (error) {
      if (error == asio::error::operation_aborted) co_return;
      // Out of descriptors and the like: say so, breathe, keep serving the open connections.
      options.log(LogLevel::warning, "accept failed: " + error.message());
      asio::steady_timer pause(io, std::chrono::milliseconds(50));
      co_await pause.async_wait(nothrow_awaitable);
      continue;
    }
    if (open_connections.load() >= options.connections_max) {
      // Refuse cleanly: a short answer the client can read, then close.
      refused_connections.fetch_add(1);
      if (!tls) {
        HttpResponse busy = error_response(503, "Service unavailable", "too many connections");
        busy.add_header("Retry-After", "1");
        const std::string bytes = serialize_response(busy, false);
        asio::error_code ignored;
        socket.non_blocking(true, ignored);
        socket.write_some(asio::buffer(bytes), ignored);
      }
      asio::error_code ignored;
      socket.close(ignored);
      continue;
    }
    auto control = std::make_shared<Connection>(
        asio::strand<asio::io_context::executor_type>(socket.get_executor()));
    std::uint64_t id = 0;
    {
      std::lock_guard lock(connections_mutex);
      id = ++next_connection_id;
      connections.emplace(id, control);
    }
    open_connections.fetch_add(1);
    asio::co_spawn(control->strand, run_connection(std::move(socket), control),
                   [this, id](std::exception_ptr failure) {
                     if (failure) {
                       try {
                         std::rethrow_exception(failure);
                       } catch (const std::exception& e) {
                         options.log(LogLevel::error, std::string("connection failed: ") + e.what());
                       }
                     }
                     {
                       std::lock_guard lock(connections_mutex);
                       connections.erase(id);
                     }
                     open_connections.fetch_sub(1);
                   });
  }
}

asio::awaitable<void> Server::Impl::watchdog(std::shared_ptr<Connection> control) {
  while (!control->done) {
    control->timer.expires_at(control->deadline);
    co_await control->timer.async_wait(nothrow_awaitable);
    if (control->done) break;
    if (SteadyClock::now() >= control->deadline) {
      control->timed_out = true;
      control->deadline = SteadyClock::time_point::max();
      control->cancel_now();
    }
  }
}

asio::awaitable<void> Server::Impl::run_connection(tcp::socket socket,
                                                   std::shared_ptr<Connection> control) {
  asio::error_code error;
  const tcp::endpoint remote = socket.remote_endpoint(error);
  if (error) co_return;  // already gone
  const std::string client_ip = remote.address().to_string();
  socket.set_option(tcp::no_delay(true), error);
  control->cancel_io = [&socket] {
    asio::error_code ignored;
    socket.cancel(ignored);
  };
  asio::co_spawn(control->strand, watchdog(control), asio::detached);
  if (tls) {
    asio::ssl::stream<tcp::socket&> stream(socket, *tls);
    control->set_deadline(SteadyClock::now() + options.request_timeout);
    auto [handshake_error] =
        co_await stream.async_handshake(asio::ssl::stream_base::server, nothrow_awaitable);
    if (!handshake_error) co_await serve(stream, *control, client_ip);
  } else {
    co_await serve(socket, *control, client_ip);
    // A lingering close: stop sending, then drain what the client still sends for a moment,
    // so that a final error response is not lost to a reset.
    socket.shutdown(tcp::socket::shutdown_send, error);
    std::array<char, 4096> sink;
    control->set_deadline(SteadyClock::now() + std::chrono::milliseconds(500));
    for (int round = 0; round < 64; ++round) {
      auto [drain_error, size] =
          co_await socket.async_read_some(asio::buffer(sink), nothrow_awaitable);
      if (drain_error) break;
    }
  }
  control->done = true;
  control->cancel_io = nullptr;
  control->timer.cancel();
  socket.close(error);
}

template <typename Stream>
asio::awaitable<bool> Server::Impl::send(Stream& stream, Connection& control,
                                         const HttpResponse& response, bool keep_alive) {
  const std::string bytes = serialize_response(response, keep_alive);
  control.set_deadline(SteadyClock::now() + options.request_timeout);
  auto [error, size] = co_await asio::async_write(stream, asio::buffer(bytes), nothrow_awaitable);
  co_return !error;
}

asio::awaitable<Status> Server::Impl::until_durable(std::uint64_t sequence) {
  auto executor = co_await asio::this_coro::executor;
  // A named initiation, as in on_pool. Until the log calls back, the handler (and with it the
  // connection's coroutine) lives outside the io_context: run() waits for every such call-back
  // before it stops the io_context, so that none can arrive after it is gone.
  auto initiation = [this, sequence, executor](auto handler) {
    const auto resume = resume_on(executor, std::move(handler));
    durability_callbacks_pending.fetch_add(1);
    api.when_durable(sequence, [this, resume](Status status) {
      resume(std::move(status));
      durability_callbacks_pending.fetch_sub(1);
    });
  };
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(Status)>(
      initiation, asio::use_awaitable);
}

asio::awaitable<std::optional<HttpResponse>> Server::Impl::on_pool(
    WorkerPool& pool, const std::function<HttpResponse()>& work) {
  auto executor = co_await asio::this_coro::executor;
  // The initiation is a named object, not a temporary of the co_await expression (see
  // accept_loop: GCC 12 may destroy such temporaries twice).
  auto initiation = [&pool, &work, executor](auto handler) {
    const auto resume = resume_on(executor, std::move(handler));
    const bool queued =
        pool.try_post([resume, work]() { resume(std::optional<HttpResponse>(work())); });
    if (!queued) resume(std::optional<HttpResponse>());
  };
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable),
                                          void(std::optional<HttpResponse>)>(initiation,
                                                                             asio::use_awaitable);
}

template <typename Stream>
asio::awaitable<void> Server::Impl::serve(Stream& stream, Connection& control,
                                          const std::string& client_ip) {
  HttpRequestParser parser(options.http_limits);
  std::string pending;  // received, not yet parsed (pipelined requests wait here)
  std::array<char, read_chunk_size_bytes> chunk;
  while (true) {
    // One request, complete within request_timeout.
    const SteadyClock::time_point started_waiting = SteadyClock::now();
    const SteadyClock::time_point deadline = started_waiting + options.request_timeout;
    while (!parser.has_request() && !parser.error()) {
      if (!pending.empty()) {
        const std::size_t used = parser.feed(pending);
        pending.erase(0, used);
        if (used == 0 && !parser.has_request() && !parser.error()) co_return;  // cannot progress
        continue;
      }
      if (stopping.load() && !parser.in_progress()) co_return;
      if (control.timed_out || SteadyClock::now() >= deadline) {
        if (parser.in_progress()) {
          // A slow client: tell it why, then cut it off.
          HttpResponse timeout =
              error_response(408, "Request timeout", "the request did not arrive in time");
          co_await send(stream, control, timeout, false);
          finish(nullptr, "-", "-", timeout, started_waiting,
                 RequestContext{client_ip, next_request_id()});
        }
        co_return;
      }
      control.idle = !parser.in_progress();
      if (control.deadline != deadline) control.set_deadline(deadline);
      auto [error, size] = co_await stream.async_read_some(asio::buffer(chunk), nothrow_awaitable);
      control.idle = false;
      if (error == asio::error::operation_aborted) continue;  // the deadline, or stop()
      if (error) co_return;  // the client closed or reset the connection
      pending.append(chunk.data(), size);
    }

    const SteadyClock::time_point started = SteadyClock::now();
    control.set_deadline(SteadyClock::time_point::max());  // handling has no client to wait for
    RequestContext context{client_ip, next_request_id()};
    if (parser.error()) {
      const HttpParseError& failure = *parser.error();
      HttpResponse response =
          error_response(failure.status, parse_error_title(failure.status), failure.message);
      response.add_header("X-Request-Id", context.request_id);
      co_await send(stream, control, response, false);
      finish(nullptr, "-", "-", response, started, context);
      co_return;
    }
    HttpRequest request = parser.take();
    const RouteMatch match = match_route(request.method, request.path());
    const Placement placement =
        match.outcome == RouteMatch::Outcome::found ? match.route->placement : Placement::io_thread;
    HttpResponse response;
    if (placement == Placement::password) {
      std::function<HttpResponse()> work = [&] { return api.handle(request, match, context); };
      std::optional<HttpResponse> answered = co_await on_pool(password_pool, work);
      response = answered ? std::move(*answered) : api.overloaded(request, context);
    } else {
      DeferredResponse deferred = api.handle_deferred(request, match, context);
      if (deferred.durable_through != 0) {
        // A write: its answer leaves only once the log says its events are durable; meanwhile
        // this I/O thread serves other connections.
        awaiting_durability.fetch_add(1);
        const Status durable = co_await until_durable(deferred.durable_through);
        awaiting_durability.fetch_sub(1);
        if (!durable.is_ok()) {
          std::function<HttpResponse()> work = [&] {
            return api.failed_write(deferred.response, durable);
          };
          std::optional<HttpResponse> answered = co_await on_pool(recovery_pool, work);
          deferred.response = answered ? std::move(*answered) : api.overloaded(request, context);
        }
      }
      response = std::move(deferred.response);
    }
    response.add_header("X-Request-Id", context.request_id);
    const bool keep_alive = request.keep_alive && !stopping.load() && !response.close;
    const bool sent = co_await send(stream, control, response, keep_alive);
    finish(match.route, request.method, request.path(), response, started, context);
    if (!sent || !keep_alive) co_return;
  }
}

void Server::Impl::finish(const Route* route, std::string_view method, std::string_view path,
                          const HttpResponse& response, SteadyClock::time_point started,
                          const RequestContext& context) {
  const std::int64_t duration_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - started).count();
  api.metrics().record(route, response.status, duration_ns);
  if (!options.log_requests) return;
  char line[512];
  std::snprintf(line, sizeof line,
                "request id=%s ip=%s method=%.16s path=%s route=%.*s status=%d duration_ms=%.3f",
                context.request_id.c_str(), context.client_ip.c_str(), loggable(method).c_str(),
                loggable(path).c_str(), static_cast<int>(route ? route->name.size() : 1),
                route ? route->name.data() : "-", response.status,
                static_cast<double>(duration_ns) / 1e6);
  options.log(LogLevel::info, line);
}

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

Result<std::unique_ptr<Server>> Server::create(Api& api, ServerOptions options) {
  if (options.io_threads == 0) {
    options.io_threads = std::max(1u, std::thread::hardware_concurrency());
  }
  auto impl = std::make_unique<Impl>(api, options);
  const std::string where = options.host + ":" + std::to_string(options.port);
  try {
    if (options.tls_certificate || options.tls_private_key) {
      if (!options.tls_certificate || !options.tls_private_key) {
        return Status::invalid_argument("TLS needs both --tls-cert and --tls-key");
      }
      impl->tls.emplace(asio::ssl::context::tls_server);
      impl->tls->set_options(asio::ssl::context::default_workarounds |
                             asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                             asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1 |
                             asio::ssl::context::single_dh_use);
      impl->tls->use_certificate_chain_file(options.tls_certificate->string());
      impl->tls->use_private_key_file(options.tls_private_key->string(), asio::ssl::context::pem);
    }
  } catch (const std::exception& e) {
    return Status::invalid_argument(std::string("cannot load the TLS certificate or key: ") +
                                    e.what());
  }
  asio::error_code error;
  tcp::resolver resolver(impl->io);
  const auto endpoints =
      resolver.resolve(options.host, std::to_string(options.port),
                       tcp::resolver::passive | tcp::resolver::numeric_service, error);
  if (error || endpoints.empty()) {
    return Status::invalid_argument("cannot resolve " + where + ": " + error.message());
  }
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();
  impl->acceptor.open(endpoint.protocol(), error);
  if (!error) impl->acceptor.set_option(tcp::acceptor::reuse_address(true), error);
  if (!error) impl->acceptor.bind(endpoint, error);
  if (!error) impl->acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) return Status::io_error("cannot listen on " + where + ": " + error.message());
  return std::unique_ptr<Server>(new Server(std::move(impl)));
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
  impl_->password_pool.stop();
  impl_->recovery_pool.stop();
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

void Server::run() {
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
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < impl.options.io_threads; ++i) {
    threads.emplace_back([&impl] { impl.io.run(); });
  }
  impl.api.set_ready(true);
  {
    std::unique_lock lock(impl.stop_mutex);
    impl.stop_requested.wait(lock, [&impl] { return impl.stopping.load(); });
  }
  // Requests in flight finish; idle connections were closed by begin_stop().
  const SteadyClock::time_point give_up = SteadyClock::now() + impl.options.shutdown_grace;
  while (impl.open_connections.load() > 0 && SteadyClock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (impl.open_connections.load() > 0) {
    impl.options.log(LogLevel::warning, std::to_string(impl.open_connections.load()) +
                                    " connections still open after the shutdown grace; closing");
  }
  // A write handed to the log is answered by a call-back into the io_context, which must still
  // be there: wait for every one (each comes within one sync, or when the log fails).
  for (int waited_ms = 0; impl.durability_callbacks_pending.load() > 0; waited_ms += 10) {
    if (waited_ms % 5000 == 0 && waited_ms > 0) {
      impl.options.log(LogLevel::warning, std::to_string(impl.durability_callbacks_pending.load()) +
                                      " writes still waiting for the disk");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  asio::post(impl.io, [&signals] {
    asio::error_code ignored;
    signals.cancel(ignored);
  });
  impl.io.stop();
  for (std::thread& thread : threads) thread.join();
  // Work already handed to the pools finishes (each is a write someone may be waiting for).
  impl.password_pool.stop();
  impl.recovery_pool.stop();
}

}  // namespace tokenledger::api
