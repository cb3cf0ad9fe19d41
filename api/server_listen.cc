// Listening: binding the address, the TLS context, and the accept loop (with the connection
// limit and the accept-failure back-off).
#include "api/server_internal.h"

namespace tokenledger::api {

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
                         options.log(LogLevel::error,
                                     std::string("connection failed: ") + e.what());
                       }
                     }
                     {
                       std::lock_guard lock(connections_mutex);
                       connections.erase(id);
                     }
                     count_down(open_connections);
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

}  // namespace tokenledger::api
