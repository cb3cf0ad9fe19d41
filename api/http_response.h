// HTTP responses as the API builds them, and their bytes on the wire. Every body is JSON (the
// contract: Fastly's clients ignore bodies of any other type), errors included.
// Header values are built by the server, never copied from a request unchecked: serialize()
// asserts that no name or value holds CR or LF, so a response can never be split.
// Threading: value types and pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tokenledger::api {

struct HttpResponse {
  int status = 200;
  std::string body;                                          // JSON, or empty (204)
  std::string_view content_type = "application/json";        // only /metrics differs
  std::vector<std::pair<std::string, std::string>> headers;  // besides the standard ones
  bool close = false;  // close the connection after this response

  void add_header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

std::string_view reason_phrase(int status);

// A JSON body with its status.
HttpResponse json_response(int status, std::string body);
// {"msg": msg, "detail": detail} (detail left out when empty), plus "code" when given (the
// token-create 400s send their code both as msg and as code).
HttpResponse error_response(int status, std::string_view msg, std::string_view detail = {},
                            std::optional<std::string_view> code = std::nullopt);
// 404 "Record not found": a record the caller may not see is answered as one that does not exist.
HttpResponse not_found(std::string_view detail);
HttpResponse no_content();  // 204, empty body

// The response's bytes: status line, Content-Type (when there is a body), Content-Length,
// Connection: close when the connection ends after it, the extra headers, and the body.
std::string serialize_response(const HttpResponse& response, bool keep_alive);

}  // namespace tokenledger::api
