// S3Backend: a Backend over an S3-compatible object store (AWS S3, Swift s3api, MinIO, Ceph RGW,
// GCS's XML API with HMAC keys, Azure through an S3 gateway), over HTTP(S) with our own SigV4
// signer (sigv4.h) and libcurl. The object "a/b/c" is the S3 key "<prefix>/a/b/c" in the bucket.
//
// Mapping of the verbs:
//   * Put: one PUT when the object is at most part_size bytes, else a multipart upload.
//   * Get / GetRange / Stat: GET, GET with a Range header, HEAD.
//   * List: ListObjectsV2, following continuation tokens; kShallow uses delimiter '/'.
//   * Delete: DELETE (S3 answers 204 for an absent key too).
//   * PutStream: bytes are buffered up to part_size; a larger object becomes a multipart upload
//     (CreateMultipartUpload, one UploadPart per full buffer, CompleteMultipartUpload at
//     Commit). Nothing is visible before Commit; Abort sends AbortMultipartUpload. An upload
//     whose Abort cannot reach the server stays as an incomplete multipart upload, invisible
//     to readers but billed on AWS: configure the bucket's AbortIncompleteMultipartUpload rule.
//   * GetStream: the first ranged GET (read_chunk_size bytes from offset 0) gives the size, the
//     ETag and the first bytes; later chunks are ranged GETs with If-Match on that ETag, so a
//     reader never mixes versions: an object overwritten or deleted after the first chunk reads
//     as DataLoss (objects of at most read_chunk_size bytes are read whole at open, unaffected).
//
// Differences from backend.h's contract, because S3 has no folders:
//   * The object-vs-folder conflict rule (FailedPrecondition) is not enforced: S3 holds "a/b"
//     and "a/b/c" side by side, and checking would cost a LIST and HEADs per write, racily.
//     Our key layout never creates such pairs. If one exists, kShallow lists both "a/b" and
//     "a/b/".
//   * Durability and atomicity are S3's: a PUT or CompleteMultipartUpload is all-or-nothing.
//
// Errors: 404 -> NotFound; 403 (AccessDenied, InvalidAccessKeyId, SignatureDoesNotMatch) ->
// PermissionDenied; 416 -> OutOfRange; connection failures, timeouts, 5xx, 429 and SlowDown are
// retried with exponential back-off and jitter (max_retries, retry_deadline), then reported as
// Unavailable naming the endpoint; other answers -> Internal. Messages carry the S3 error code
// and message from the response body.
//
// Thread-safe: every verb may be called concurrently; connections are pooled and reused.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/backend/backend.h"

namespace th::store::backend::s3 {

namespace internal {
class HttpClient;
struct HttpResponse;
}  // namespace internal

struct S3Options {
  // "http://host:port" or "https://host[:port]", no path.
  std::string endpoint;
  std::string bucket;
  // The SigV4 scope region; must match the server's ("us-east-1" for Swift s3api by default).
  std::string region = "us-east-1";
  std::string access_key;
  std::string secret_key;
  // Optional folder inside the bucket holding every object ("" for the bucket root); no leading
  // or trailing '/'. Listed keys are returned without it.
  std::string prefix;
  // Path-style URLs (endpoint/bucket/key); virtual-hosted style (bucket.host/key) when false.
  bool path_style = true;

  std::chrono::milliseconds connect_timeout{5000};
  // Bound on one HTTP request, transfer included.
  std::chrono::milliseconds request_timeout{120000};
  // Retries after the first attempt, for retryable failures only.
  int max_retries = 5;
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{5000};
  // No new attempt of a request starts later than this after its first attempt.
  std::chrono::milliseconds retry_deadline{30000};

  // Objects larger than this are uploaded in parts of this size (the last part smaller).
  // At least kMinPartSize (5 MiB, S3's minimum part size); at most kMaxPartSize (5 GiB).
  uint64_t part_size = 16 << 20;
  // Bytes per ranged GET of a GetStream reader.
  uint64_t read_chunk_size = 8 << 20;
  // Keys per ListObjectsV2 page (1..1000).
  int list_page_size = 1000;

  // Lets part_size go below kMinPartSize, for tests against a server configured for it.
  bool allow_small_parts_for_test = false;

  static constexpr uint64_t kMinPartSize = 5 << 20;
  static constexpr uint64_t kMaxPartSize = uint64_t{5} << 30;

  // InvalidArgument naming the first bad field.
  Status Validate() const;
};

class S3Backend final : public Backend {
 public:
  // Validates the options and prepares the HTTP client; does not contact the server (a server
  // that is down at start-up shows as Unavailable on the first request). Errors:
  // InvalidArgument (options).
  static Result<std::unique_ptr<S3Backend>> Open(const S3Options& options);
  ~S3Backend() override;

  // Creates the bucket; OK when it exists already and belongs to these credentials. Errors:
  // FailedPrecondition (name taken by another account), PermissionDenied, Unavailable, Internal.
  Status CreateBucket();

  const S3Options& options() const { return options_; }

  // HTTP requests sent so far (every attempt of every verb), for tests of the request pattern.
  uint64_t HttpRequestsForTest() const { return http_requests_.load(std::memory_order_relaxed); }

 protected:
  Status DoPut(std::string_view key, std::string_view bytes) override;
  Result<std::string> DoGet(std::string_view key) override;
  Result<std::string> DoGetRange(std::string_view key, uint64_t offset, uint64_t length) override;
  Result<uint64_t> DoStat(std::string_view key) override;
  Result<std::vector<std::string>> DoList(std::string_view prefix, ListMode mode) override;
  Status DoDelete(std::string_view key) override;
  Result<std::unique_ptr<ObjectWriter::Sink>> DoPutStream(std::string_view key) override;
  Result<std::unique_ptr<ObjectReader::Source>> DoGetStream(std::string_view key) override;

 private:
  class Sink;
  class Source;
  struct Request;

  explicit S3Backend(const S3Options& options);

  // The S3 key of an object key (prefix applied).
  std::string ObjectName(std::string_view key) const;
  // Sends `request`, signed, retrying retryable failures; any non-retryable HTTP answer is
  // returned as a response for the caller to map. Unavailable or the last 5xx's error when the
  // retries run out.
  Result<internal::HttpResponse> Send(const Request& request);
  // The Status for a non-2xx answer to `request` about `what` (an object key, or the bucket).
  Status ErrorFor(const Request& request, const internal::HttpResponse& response,
                  std::string_view what) const;
  // GET with `range` ("bytes=a-b", or "" for none) and optional If-Match.
  Result<internal::HttpResponse> GetObject(std::string_view key, std::string_view range,
                                           std::string_view if_match);

  S3Options options_;
  std::string scheme_;     // "http" or "https"
  std::string authority_;  // "host[:port]" of the endpoint
  std::string host_;       // Host header: authority, or "<bucket>.<authority>"
  std::unique_ptr<internal::HttpClient> http_;
  std::atomic<uint64_t> http_requests_{0};
};

}  // namespace th::store::backend::s3
