// UniqueFd: owns a POSIX file descriptor and closes it on destruction (ignoring the error there;
// call Close() where the error matters). Move-only; thread-compatible.
#pragma once

#include <string_view>
#include <utility>

#include "common/status.h"

namespace th {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Closes now. Errors: the close(2) failure, "close <what>: <strerror>", ResourceExhausted for a
  // full disk or quota (delayed write errors surface here), Internal otherwise.
  Status Close(std::string_view what);

 private:
  int fd_ = -1;
};

}  // namespace th
