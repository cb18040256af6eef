// Status and Result<T>: how every fallible function in Tracehouse reports failure (STYLE.md §5).
// absl::Status carries a canonical code and a lower-case message naming the object at fault;
// api/ maps codes to gRPC and HTTP in one table. Thread-safe as values.
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace th {

using Status = absl::Status;
template <typename T>
using Result = absl::StatusOr<T>;

// The status message as a std::string_view (Debian's Abseil has its own absl::string_view).
inline std::string_view Message(const Status& s) {
  return {s.message().data(), s.message().size()};
}

}  // namespace th

#define TH_CONCAT_INNER_(a, b) a##b
#define TH_CONCAT_(a, b) TH_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (a Status) is not OK.
#define RETURN_IF_ERROR(expr)                \
  do {                                       \
    ::absl::Status th_status_ = (expr);      \
    if (!th_status_.ok()) return th_status_; \
  } while (0)

// ASSIGN_OR_RETURN(lhs, expr): evaluates `expr` (a Result<T>), returns its status on error,
// otherwise moves the value into `lhs` (which may be a declaration).
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(TH_CONCAT_(th_result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                           \
  if (!tmp.ok()) return tmp.status();          \
  lhs = std::move(tmp).value()
