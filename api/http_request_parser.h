// Parses HTTP/1.1 requests from a connection's bytes with Debian's http-parser (nodejs's
// http_parser 2.9), one request at a time so that pipelined requests are answered in order.
// Limits answer with the contract's statuses: request line and headers past 16 KiB -> 431,
// a body past 64 KiB -> 413; anything malformed -> 400. Debian builds http-parser without its
// strict checks, so data running past a chunk's announced size would be read as the next size
// line; the CR LF after each chunk's data is checked here instead.
// Threading: one parser per connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// http-parser stays private to this file's .cc (its header is not ours to export).
struct http_parser;

namespace tokenledger::api {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // the request target as sent: path and query
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, in order
  std::string body;
  bool keep_alive = true;

  // The first header of that (lower-case) name.
  std::optional<std::string_view> header(std::string_view name) const;
  std::string_view path() const;   // target without the query
  std::string_view query() const;  // after '?', or empty
};

struct HttpLimits {
  std::size_t head_size_max_bytes = 16 * 1024;  // request line and headers
  std::size_t body_size_max_bytes = 64 * 1024;
  std::size_t header_count_max = 100;
};

struct HttpParseError {
  int status = 400;     // 400, 413 or 431
  std::string message;  // for the JSON error body and the log
};

class HttpRequestParser {
 public:
  explicit HttpRequestParser(HttpLimits limits = {});
  ~HttpRequestParser();
  HttpRequestParser(const HttpRequestParser&) = delete;
  HttpRequestParser& operator=(const HttpRequestParser&) = delete;

  // Reads from `data` until one request is complete or the data runs out. Returns the bytes
  // consumed; the rest belongs to the next call (a pipelined request). After a complete
  // request, take() hands it out; after an error, error() says what it was and the connection
  // must be answered and closed.
  std::size_t feed(std::string_view data);

  bool has_request() const { return complete_; }
  HttpRequest take();
  const std::optional<HttpParseError>& error() const { return error_; }
  // True while a request has started arriving but is not complete (for the slow-client timer).
  bool in_progress() const { return started_ && !complete_; }

 private:
  static int on_message_begin(http_parser* parser);
  static int on_url(http_parser* parser, const char* at, std::size_t size);
  static int on_header_field(http_parser* parser, const char* at, std::size_t size);
  static int on_header_value(http_parser* parser, const char* at, std::size_t size);
  static int on_headers_complete(http_parser* parser);
  static int on_body(http_parser* parser, const char* at, std::size_t size);
  static int on_chunk_header(http_parser* parser);
  static int on_message_complete(http_parser* parser);
  // Checks the bytes after a chunk's data, from `at` to the end of the data being fed, against
  // the CR LF still expected; whatever lies past the end is checked at the next feed.
  bool check_chunk_end(const char* at);

  int fail(int status, std::string message);
  bool count_head(std::size_t size);

  HttpLimits limits_;
  struct Engine;  // http-parser's state and settings
  std::unique_ptr<Engine> engine_;
  HttpRequest request_;
  std::size_t head_size_ = 0;
  bool in_value_ = false;
  bool in_trailers_ = false;  // the head is complete: further fields are trailers, dropped
  bool started_ = false;
  bool complete_ = false;
  std::uint64_t chunk_left_bytes_ = 0;  // of the current chunk's data, still to come
  std::size_t chunk_end_checked_ = 2;   // of the CR LF after the last chunk's data; 2: none due
  const char* feed_end_ = nullptr;      // the end of the data being fed
  std::optional<HttpParseError> error_;
};

}  // namespace tokenledger::api
