// The HTTP/1.1 server on standalone Asio: accepts connections (plain, or TLS when a certificate
// and key are given), reads requests with HttpRequestParser, answers them through Api in
// order (keep-alive and pipelining), and enforces the connection-level limits:
// - at most connections_max open connections; past it, a new connection gets a 503 and is
//   closed at once;
// - a request must arrive completely within request_timeout of the server starting to wait
//   for it (an idle keep-alive connection is closed then; a slow-loris client is cut off and
//   never holds a thread: waiting costs a timer, not a thread);
// - a response must be taken by the client within request_timeout too.
// Handlers run where their route's placement says (routes.cc): reads and writes on the I/O threads
// (a write's answer waits for its sync without holding a thread: Api::handle_deferred,
// Log::when_durable), password work on the bounded password pool (503 with Retry-After when its
// queue is full).
//
// Shutdown (stop(), or SIGTERM/SIGINT when run() handles signals): stop accepting, close idle
// connections, let requests in flight finish (every write answers only once durable), then
// return from run(). docs/adr/0009-http-server.md.
// Threading: run() on one thread (it starts and joins the I/O threads); stop() from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "api/api.h"
#include "api/http_request_parser.h"
#include "base/logger.h"
#include "base/status.h"

namespace tokenledger::api {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;   // 0: any free port (tests read port())
  std::size_t io_threads = 0;  // 0: the number of cores
  std::size_t connections_max = 1024;
  std::chrono::milliseconds request_timeout{10'000};
  std::chrono::milliseconds shutdown_grace{30'000};      // longest wait for requests in flight
  std::chrono::milliseconds shutdown_disk_wait{60'000};  // then, for writes the disk owes
  std::size_t password_threads = 2;
  std::size_t password_queue_max = 64;
  HttpLimits http_limits;
  std::optional<std::filesystem::path> tls_certificate;  // PEM chain
  std::optional<std::filesystem::path> tls_private_key;  // PEM
  bool handle_signals = false;                           // run() stops on SIGTERM and SIGINT
  bool log_requests = true;                              // one line per request
  Logger log = stderr_logger();                          // where lines go
};

class Server {
 public:
  // Binds the listening socket (and loads the TLS files); errors name what failed.
  static Result<std::unique_ptr<Server>> create(Api& api, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::uint16_t port() const;
  // Serves until stop() (or SIGTERM/SIGINT with handle_signals), then stops within bounds:
  // requests in flight get shutdown_grace, writes the disk has not answered shutdown_disk_wait.
  // Ok when everything finished; an error when the disk did not answer in time, after which
  // the server cannot be destroyed until it does (the caller should exit the process).
  Status run();
  void stop();

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  Status abandon(const std::string& what);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tokenledger::api
