// Status: the outcome of an operation that can fail in an expected way (bad input, not found,
// conflict, forbidden, busy). Exceptions are reserved for the exceptional; everything a caller can
// cause is a Status. Value type, cheap to copy when ok, thread-compatible.
#pragma once

#include <string>
#include <utility>

namespace jiesu {

enum class StatusCode {
  kOk,
  kInvalidArgument,   // bad input: 400
  kUnauthenticated,   // no or unknown key: 401
  kPermissionDenied,  // role or unit scope forbids it: 403
  kNotFound,          // 404
  kConflict,          // invalid workflow transition or duplicate: 409
  kTooLarge,          // body or field over its limit: 413
  kRateLimited,       // too many requests for this key or address: 429
  kUnavailable,       // busy, shutting down: 503
  kInternal,          // a bug or an I/O failure: 500
};

// Stable lower_snake name used in the JSON error shape ("not_found", ...).
const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status Invalid(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status Unauthenticated(std::string m) {
    return {StatusCode::kUnauthenticated, std::move(m)};
  }
  static Status Forbidden(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
  static Status TooLarge(std::string m) { return {StatusCode::kTooLarge, std::move(m)}; }
  static Status RateLimited(std::string m) { return {StatusCode::kRateLimited, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

}  // namespace jiesu

// Propagates a non-ok Status from the current function.
#define JIESU_RETURN_IF_ERROR(expr)        \
  do {                                     \
    ::jiesu::Status jiesu_status_ = (expr); \
    if (!jiesu_status_.ok()) return jiesu_status_; \
  } while (0)
