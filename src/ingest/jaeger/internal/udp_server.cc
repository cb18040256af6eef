#include "ingest/jaeger/internal/udp_server.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "common/strings.h"
#include "common/unique_fd.h"

namespace th::ingest::jaeger {
namespace {

// Splits "host:port" / "[v6]:port"; an empty host or 0.0.0.0 means every interface.
Status SplitHostPort(const std::string& endpoint, std::string* host, std::string* port) {
  size_t colon = endpoint.rfind(':');
  if (colon == std::string::npos) {
    return absl::InvalidArgumentError(th::StrCat("endpoint \"", endpoint, "\" must be host:port"));
  }
  *host = endpoint.substr(0, colon);
  *port = endpoint.substr(colon + 1);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  return absl::OkStatus();
}

class UdpServerImpl final : public UdpServer {
 public:
  UdpServerImpl(const UdpServerOptions& options, PacketHandler handler)
      : options_(options), handler_(std::move(handler)) {}

  ~UdpServerImpl() override { Stop(std::chrono::steady_clock::now()); }

  Status Bind() {
    std::string host, port;
    RETURN_IF_ERROR(SplitHostPort(options_.endpoint, &host, &port));
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo* res = nullptr;
    int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &res);
    if (rc != 0) {
      return absl::InvalidArgumentError(th::StrCat("jaeger udp receiver: cannot resolve \"",
                                                   options_.endpoint, "\": ", gai_strerror(rc)));
    }
    std::string last_error = "no address";
    for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
      int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
      if (fd < 0) {
        last_error = std::strerror(errno);
        continue;
      }
      if (options_.socket_buffer_size > 0) {
        int size = options_.socket_buffer_size;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
      }
      if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        last_error = std::strerror(errno);
        close(fd);
        continue;
      }
      fd_ = fd;
      break;
    }
    freeaddrinfo(res);
    if (fd_ < 0) {
      return absl::UnavailableError(th::StrCat("jaeger udp receiver: cannot listen on ",
                                               options_.endpoint, ": ", last_error));
    }
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    if (getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      if (addr.ss_family == AF_INET) {
        port_ = ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
      } else if (addr.ss_family == AF_INET6) {
        port_ = ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
      }
    }
    reader_ = std::thread([this] { ReadLoop(); });
    for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { WorkLoop(); });
    return absl::OkStatus();
  }

  int port() const override { return port_; }

  void Stop(std::chrono::steady_clock::time_point deadline) override {
    {
      absl::MutexLock l(&mu_);
      if (stopped_) return;
      stopped_ = true;
      stop_reading_ = true;
    }
    if (reader_.joinable()) reader_.join();
    {
      // Workers drain what is queued until the deadline, then give up.
      absl::MutexLock l(&mu_);
      auto drained = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return queue_.empty() && busy_ == 0;
      };
      while (!drained() && std::chrono::steady_clock::now() < deadline) {
        mu_.AwaitWithTimeout(absl::Condition(&drained), absl::Milliseconds(20));
      }
      stop_working_ = true;
      if (!queue_.empty() && options_.dropped_queue_full != nullptr) {
        options_.dropped_queue_full->Add(queue_.size());
      }
      queue_.clear();
    }
    for (std::thread& t : workers_) t.join();
    workers_.clear();
    if (fd_ >= 0) {
      close(fd_);
      fd_ = -1;
    }
  }

 private:
  void ReadLoop() {
    std::vector<char> buf(static_cast<size_t>(options_.max_packet_size) + 1);
    for (;;) {
      {
        absl::MutexLock l(&mu_);
        if (stop_reading_) return;
      }
      pollfd p{fd_, POLLIN, 0};
      int rc = poll(&p, 1, 100);
      if (rc <= 0) continue;
      ssize_t n = recv(fd_, buf.data(), buf.size(), MSG_TRUNC);
      if (n < 0) continue;
      if (n > options_.max_packet_size) {
        if (options_.dropped_too_large != nullptr) options_.dropped_too_large->Add();
        continue;
      }
      absl::MutexLock l(&mu_);
      if (queue_.size() >= static_cast<size_t>(options_.queue_size)) {
        if (options_.dropped_queue_full != nullptr) options_.dropped_queue_full->Add();
        continue;
      }
      queue_.emplace_back(buf.data(), static_cast<size_t>(n));
    }
  }

  void WorkLoop() {
    for (;;) {
      std::string packet;
      {
        absl::MutexLock l(&mu_);
        auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return !queue_.empty() || stop_working_;
        };
        mu_.Await(absl::Condition(&ready));
        if (stop_working_) return;
        packet = std::move(queue_.front());
        queue_.pop_front();
        ++busy_;
      }
      handler_(std::move(packet));
      absl::MutexLock l(&mu_);
      --busy_;
    }
  }

  const UdpServerOptions options_;
  PacketHandler handler_;
  int fd_ = -1;
  int port_ = 0;
  std::thread reader_;
  std::vector<std::thread> workers_;

  absl::Mutex mu_;
  std::deque<std::string> queue_ ABSL_GUARDED_BY(mu_);
  int busy_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_reading_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_working_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

Result<std::unique_ptr<UdpServer>> UdpServer::Start(const UdpServerOptions& options,
                                                    PacketHandler handler) {
  auto server = std::make_unique<UdpServerImpl>(options, std::move(handler));
  RETURN_IF_ERROR(server->Bind());
  return std::unique_ptr<UdpServer>(std::move(server));
}

}  // namespace th::ingest::jaeger
