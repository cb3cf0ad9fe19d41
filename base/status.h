// Status and Result: how the ledger reports operating errors (I/O, corruption, bad input,
// limits). A domain outcome is not an error and never travels in a Status; a broken invariant is
// a bug and stops the process through TL_ASSERT instead (see docs/adr/0003-error-model.md).
//
// Every code has a stable name (`status_code_name`) that logs, tools and the HTTP layer may print
// and match on; messages are for people and name the sequence and the reason where there is one.
// Thread-safety: value types, safe to copy between threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "base/assert.h"

namespace tokenledger {

// The numbers are not stored anywhere, but the names are printed and matched on: never rename.
enum class StatusCode : std::uint8_t {
  ok,
  not_found,         // a record or key that is not there
  corruption,        // bytes on disk that do not parse or do not match the chain
  io_error,          // the storage engine failed; durability of the last write is unknown
  invalid_argument,  // the caller passed something outside the contract or its limits
  unsupported,       // written by a newer schema version, or a kind this build does not know
  write_stopped,     // the log refuses appends after a failed write until it is reopened
  busy,              // a bounded queue is full; try again later
  closed,            // the log is shutting down or closed
  timed_out,         // a bounded wait ran out
  read_only,         // the log was opened read-only
};

std::string_view status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status ok() { return Status(); }
  static Status not_found(std::string message) {
    return {StatusCode::not_found, std::move(message)};
  }
  static Status corruption(std::string message) {
    return {StatusCode::corruption, std::move(message)};
  }
  static Status io_error(std::string message) { return {StatusCode::io_error, std::move(message)}; }
  static Status invalid_argument(std::string message) {
    return {StatusCode::invalid_argument, std::move(message)};
  }
  static Status unsupported(std::string message) {
    return {StatusCode::unsupported, std::move(message)};
  }
  static Status write_stopped(std::string message) {
    return {StatusCode::write_stopped, std::move(message)};
  }
  static Status busy(std::string message) { return {StatusCode::busy, std::move(message)}; }
  static Status closed(std::string message) { return {StatusCode::closed, std::move(message)}; }
  static Status timed_out(std::string message) {
    return {StatusCode::timed_out, std::move(message)};
  }
  static Status read_only(std::string message) {
    return {StatusCode::read_only, std::move(message)};
  }

  bool is_ok() const { return code_ == StatusCode::ok; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "corruption: sequence 17: ..." — the form logs and tools print.
  std::string to_string() const;

 private:
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  StatusCode code_ = StatusCode::ok;
  std::string message_;
};

// A value or the Status that explains why there is none. A Result never holds an ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design, like std::expected
  Result(Status status) : state_(std::move(status)) {  // NOLINT
    TL_ASSERT(!std::get<Status>(state_).is_ok());
  }

  bool is_ok() const { return std::holds_alternative<T>(state_); }
  const Status& status() const {
    TL_ASSERT(!is_ok());
    return std::get<Status>(state_);
  }
  T& value() & {
    TL_ASSERT(is_ok());
    return std::get<T>(state_);
  }
  const T& value() const& {
    TL_ASSERT(is_ok());
    return std::get<T>(state_);
  }
  T&& value() && {
    TL_ASSERT(is_ok());
    return std::get<T>(std::move(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace tokenledger
