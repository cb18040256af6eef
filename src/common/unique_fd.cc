#include "common/unique_fd.h"

#include <cerrno>
#include <cstring>

#include "common/strings.h"

#include <unistd.h>

namespace th {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

Status UniqueFd::Close(std::string_view what) {
  if (fd_ < 0) return absl::OkStatus();
  // Linux releases the descriptor even when close(2) fails, so it must not be retried.
  int rc = ::close(std::exchange(fd_, -1));
  if (rc == 0) return absl::OkStatus();
  int err = errno;
  std::string message = th::StrCat("close ", what, ": ", std::strerror(err));
  if (err == ENOSPC || err == EDQUOT) return absl::ResourceExhaustedError(message);
  return absl::InternalError(message);
}

}  // namespace th
