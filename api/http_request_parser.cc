#include "api/http_request_parser.h"

#include <http_parser.h>

#include <algorithm>
#include <cctype>

#include "base/assert.h"

namespace tokenledger::api {

std::optional<std::string_view> HttpRequest::header(std::string_view name) const {
  for (const auto& [field, value] : headers) {
    if (field == name) return std::string_view(value);
  }
  return std::nullopt;
}

std::string_view HttpRequest::path() const {
  const std::string_view target_view(target);
  return target_view.substr(0, target_view.find('?'));
}

std::string_view HttpRequest::query() const {
  const std::size_t mark = target.find('?');
  return mark == std::string::npos ? std::string_view() : std::string_view(target).substr(mark + 1);
}

struct HttpRequestParser::Engine {
  http_parser parser{};
  http_parser_settings settings{};
};

HttpRequestParser::~HttpRequestParser() = default;

HttpRequestParser::HttpRequestParser(HttpLimits limits)
    : limits_(limits), engine_(std::make_unique<Engine>()) {
  http_parser_init(&engine_->parser, HTTP_REQUEST);
  engine_->parser.data = this;
  engine_->settings.on_message_begin = on_message_begin;
  engine_->settings.on_url = on_url;
  engine_->settings.on_header_field = on_header_field;
  engine_->settings.on_header_value = on_header_value;
  engine_->settings.on_headers_complete = on_headers_complete;
  engine_->settings.on_body = on_body;
  engine_->settings.on_chunk_header = on_chunk_header;
  engine_->settings.on_message_complete = on_message_complete;
}

std::size_t HttpRequestParser::feed(std::string_view data) {
  if (error_ || complete_ || data.empty()) return 0;
  feed_end_ = data.data() + data.size();
  // The rest of a chunk's CR LF that the last feed ended before.
  if (!check_chunk_end(data.data())) return 0;
  const std::size_t parsed =
      http_parser_execute(&engine_->parser, &engine_->settings, data.data(), data.size());
  const http_errno code = HTTP_PARSER_ERRNO(&engine_->parser);
  if (code == HPE_PAUSED) {
    http_parser_pause(&engine_->parser,
                      0);  // paused after one complete request: resume on the next feed
    return parsed;
  }
  if (code != HPE_OK && !error_) {
    error_ = HttpParseError{400, std::string("malformed request: ") + http_errno_description(code)};
  }
  return parsed;
}

HttpRequest HttpRequestParser::take() {
  HttpRequest request = std::move(request_);
  request_ = HttpRequest{};
  complete_ = false;
  chunk_left_bytes_ = 0;
  chunk_end_checked_ = 2;
  started_ = false;
  head_size_ = 0;
  in_value_ = false;
  in_trailers_ = false;
  return request;
}

int HttpRequestParser::fail(int status, std::string message) {
  error_ = HttpParseError{status, std::move(message)};
  return -1;  // stops http_parser
}

bool HttpRequestParser::count_head(std::size_t size) {
  head_size_ += size;
  return head_size_ <= limits_.head_size_max_bytes;
}

int HttpRequestParser::on_message_begin(http_parser* parser) {
  auto* self = static_cast<HttpRequestParser*>(parser->data);
  self->started_ = true;
  return 0;
}

int HttpRequestParser::on_url(http_parser* parser, const char* at, std::size_t size) {
  auto* self = static_cast<HttpRequestParser*>(parser->data);
  if (!self->count_head(size)) return self->fail(431, "the request line and headers exceed 16 KiB");
  self->request_.target.append(at, size);
  return 0;
}

int HttpRequestParser::on_header_field(http_parser* parser, const char* at, std::size_t size) {
  auto* self = static_cast<HttpRequestParser*>(parser->data);
  if (!self->count_head(size)) return self->fail(431, "the request line and headers exceed 16 KiB");
  // Trailers (fields after a chunked body) are read, counted toward the head's limit and
  // dropped: a field the client did not send up front, such as a Fastly-Key, is never honoured.
  if (self->in_trailers_) return 0;
  auto& headers = self->request_.headers;
  if (self->in_value_ || headers.empty()) {
    if (headers.size() >= self->limits_.header_count_max)
      return self->fail(431, "too many headers");
    headers.emplace_back();
    self->in_value_ = false;
  }
  std::string& name = headers.back().first;
  for (std::size_t i = 0; i < size; ++i) {
    // RFC 9110 field names are tokens; http-parser as Debian builds it lets some others through.
    const unsigned char c = static_cast<unsigned char>(at[i]);
    const bool token_char =
        std::isalnum(c) ||
        std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
    if (!token_char)
      return self->fail(400, "malformed request: a header name holds a character it may not");
    name.push_back(static_cast<char>(std::tolower(c)));
  }
  return 0;
}

int HttpRequestParser::on_header_value(http_parser* parser, const char* at, std::size_t size) {
  auto* self = static_cast<HttpRequestParser*>(parser->data);
  if (!self->count_head(size)) return self->fail(431, "the request line and headers exceed 16 KiB");
  if (self->in_trailers_) return 0;
  self->in_value_ = true;
  self->request_.headers.back().second.append(at, size);
  return 0;
}

int HttpRequestParser::on_headers_complete(http_parser* parser) {
  auto* self = static_cast<HttpRequestParser*>(parser->data);
  self->request_.method = http_method_str(static_cast<http_method>(parser->method));
  self->request_.keep_alive = http_should_keep_alive(parser) != 0;
  self->in_trailers_ = true;  // any field from here on is a trailer
  if ((parser->flags & F_CONTENTLENGTH) != 0 &&
      parser->content_length > self->limits_.body_size_max_bytes) {
    return self->fail(413, "the body exceeds 64 KiB");
  }
  return 0;
}

int HttpRequestParser::on_body(http_parser* parser, const char* at, std::size_t size) {
  auto* self = static_cast<HttpRequestParser*>(parser->data);
  if (self->request_.body.size() + size > self->limits_.body_size_max_bytes) {
    return self->fail(413, "the body exceeds 64 KiB");  // chunked bodies are counted as they come
  }
  self->request_.body.append(at, size);
  if ((parser->flags & F_CHUNKED) != 0 && size > 0) {
    // http-parser hands a chunk's data out in one or more pieces, never past the chunk's end.
    TL_ASSERT(size <= self->chunk_left_bytes_);
    self->chunk_left_bytes_ -= size;
    if (self->chunk_left_bytes_ == 0) {
      self->chunk_end_checked_ = 0;
      if (!self->check_chunk_end(at + size)) return -1;
    }
  }
  return 0;
}

int HttpRequestParser::on_chunk_header(http_parser* parser) {
  auto* self = static_cast<HttpRequestParser*>(parser->data);
  self->chunk_left_bytes_ = parser->content_length;  // the size line just read
  return 0;
}

bool HttpRequestParser::check_chunk_end(const char* at) {
  static constexpr std::string_view crlf = "\r\n";
  for (; chunk_end_checked_ < crlf.size() && at < feed_end_; ++chunk_end_checked_, ++at) {
    if (*at != crlf[chunk_end_checked_]) {
      fail(400, "malformed request: a chunk's data is longer than its size line says");
      return false;
    }
  }
  return true;
}

int HttpRequestParser::on_message_complete(http_parser* parser) {
  auto* self = static_cast<HttpRequestParser*>(parser->data);
  self->complete_ = true;
  http_parser_pause(parser, 1);  // one request at a time: pipelined ones wait their turn
  return 0;
}

}  // namespace tokenledger::api
