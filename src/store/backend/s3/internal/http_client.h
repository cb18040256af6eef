// A minimal blocking HTTP/1.1 client over libcurl for the S3 backend: one request in, status,
// headers and body out. No retries, no signing (the backend does both). libcurl stays inside
// http_client.cc.
//
// Connections are reused through a pool of curl easy handles (each keeps its own connection
// cache): a request takes a handle, or makes one, and gives it back.
//
// Thread-safe: Perform may be called concurrently.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/backend/s3/sigv4.h"

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace th::store::backend::s3::internal {

struct HttpRequest {
  std::string_view method;  // GET, HEAD, PUT, POST, DELETE
  std::string url;          // already encoded
  std::vector<Param> headers;
  std::string_view body;  // sent for PUT and POST; must outlive Perform
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds timeout{60000};  // whole request
};

struct HttpResponse {
  long status = 0;
  std::vector<Param> headers;  // names lower-case, in arrival order
  std::string body;

  // The first header named `name` (lower-case), or "" when absent.
  std::string_view Header(std::string_view name) const;
};

class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends the request and reads the whole response. Any HTTP status is a response. Errors:
  // Unavailable for failures worth retrying (connection refused or reset, timeouts, DNS,
  // nothing received), the curl message in the text; Internal for the rest (bad URL, ...).
  Result<HttpResponse> Perform(const HttpRequest& request);

 private:
  void* TakeHandle();
  void ReturnHandle(void* handle);

  absl::Mutex mu_;
  std::vector<void*> idle_ ABSL_GUARDED_BY(mu_);  // CURL* handles
};

}  // namespace th::store::backend::s3::internal
