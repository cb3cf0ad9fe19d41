#include "base/status.h"

namespace tokenledger {

std::string_view status_code_name(StatusCode code) {
  switch (code) {
    case StatusCode::ok:
      return "ok";
    case StatusCode::not_found:
      return "not_found";
    case StatusCode::corruption:
      return "corruption";
    case StatusCode::io_error:
      return "io_error";
    case StatusCode::invalid_argument:
      return "invalid_argument";
    case StatusCode::unsupported:
      return "unsupported";
    case StatusCode::write_stopped:
      return "write_stopped";
    case StatusCode::busy:
      return "busy";
    case StatusCode::closed:
      return "closed";
    case StatusCode::timed_out:
      return "timed_out";
    case StatusCode::read_only:
      return "read_only";
  }
  TL_UNREACHABLE();
}

std::string Status::to_string() const {
  std::string text(status_code_name(code_));
  if (!message_.empty()) {
    text += ": ";
    text += message_;
  }
  return text;
}

}  // namespace tokenledger
