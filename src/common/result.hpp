// Result<T>: either a value or a non-ok Status. Used for every fallible function that produces a
// value. Thread-compatible value type.
#pragma once

#include <optional>
#include <utility>

#include "common/assert.hpp"
#include "common/status.hpp"

namespace jiesu {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    JIESU_ASSERT(!status_.ok());
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & {
    JIESU_ASSERT(ok());
    return *value_;
  }
  const T& value() const& {
    JIESU_ASSERT(ok());
    return *value_;
  }
  T&& value() && {
    JIESU_ASSERT(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace jiesu

// `JIESU_ASSIGN_OR_RETURN(auto x, Expr())` binds the value or returns the error.
#define JIESU_CONCAT_INNER(a, b) a##b
#define JIESU_CONCAT(a, b) JIESU_CONCAT_INNER(a, b)
#define JIESU_ASSIGN_OR_RETURN(decl, expr) \
  JIESU_ASSIGN_OR_RETURN_IMPL(JIESU_CONCAT(jiesu_result_, __LINE__), decl, expr)
#define JIESU_ASSIGN_OR_RETURN_IMPL(tmp, decl, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  decl = std::move(tmp).value()
