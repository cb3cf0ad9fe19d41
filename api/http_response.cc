#include "api/http_response.h"

#include "base/assert.h"
#include "base/json_writer.h"

namespace tokenledger::api {
namespace {

bool has_line_break(std::string_view text) {
  return text.find_first_of("\r\n") != std::string_view::npos;
}

}  // namespace

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
}

HttpResponse json_response(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

HttpResponse error_response(int status, std::string_view msg, std::string_view detail,
                            std::optional<std::string_view> code) {
  JsonWriter json;
  json.begin_object().key("msg").string(msg);
  if (!detail.empty()) json.key("detail").string(detail);
  if (code) json.key("code").string(*code);
  json.end_object();
  return json_response(status, json.take());
}

HttpResponse no_content() {
  HttpResponse response;
  response.status = 204;
  return response;
}

std::string serialize_response(const HttpResponse& response, bool keep_alive) {
  TL_ASSERT(response.status >= 100 && response.status <= 599);
  std::string out;
  out.reserve(160 + response.body.size());
  out += "HTTP/1.1 ";
  out += std::to_string(response.status);
  out += ' ';
  out += reason_phrase(response.status);
  out += "\r\n";
  if (!response.body.empty()) {
    out += "Content-Type: ";
    out += response.content_type;
    out += "\r\n";
  }
  if (response.status != 204) {
    out += "Content-Length: ";
    out += std::to_string(response.body.size());
    out += "\r\n";
  }
  if (!keep_alive || response.close) out += "Connection: close\r\n";
  for (const auto& [name, value] : response.headers) {
    TL_ASSERT(!has_line_break(name) && !has_line_break(value));
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  out += "\r\n";
  if (response.status != 204) out += response.body;
  return out;
}

HttpResponse not_found(std::string_view detail) {
  return error_response(404, "Record not found", detail);
}

}  // namespace tokenledger::api
