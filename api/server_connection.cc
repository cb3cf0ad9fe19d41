// One connection's life: the TLS handshake, the request loop (parse, route, run on the I/O
// thread or a pool, wait for durability, send), the time limits its watchdog keeps, the log
// line and metrics of each request, and the lingering close.
#include "api/server_internal.h"

#include <array>

// GCC 12 under ASan (-fsanitize=address) reports the coroutine frames of `serve` as freed by
// asio's awaitable_frame_base::operator delete after an unmatched ::operator new: both are
// asio's own pair (detail/memory.hpp allocates, the frame base frees, sized), and the plain
// build sees no mismatch. A false positive of the sanitizer-instrumented inlining, silenced for
// this file only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace tokenledger::api {
namespace {

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
  // connection's coroutine) lives outside the io_context: the io_context is stopped only once
  // every such call-back came (Server::run, or ~Server after a run that gave up waiting), so that
  // none can arrive after it is gone.
  auto initiation = [this, sequence, executor](auto handler) {
    const auto resume = resume_on(executor, std::move(handler));
    durability_callbacks_pending.fetch_add(1);
    api.when_durable(sequence, [this, resume](Status status) {
      resume(std::move(status));
      count_down(durability_callbacks_pending);
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

}  // namespace tokenledger::api
