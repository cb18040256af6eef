#include "store/backend/s3/s3_backend.h"

#include <algorithm>
#include <charconv>
#include <random>
#include <thread>
#include <utility>

#include "common/strings.h"
#include "store/backend/s3/internal/http_client.h"
#include "store/backend/s3/internal/xml.h"
#include "store/backend/s3/sigv4.h"

namespace th::store::backend::s3 {

using internal::HttpResponse;
using internal::XmlField;

namespace {

// S3 allows 10000 parts per upload (Swift s3api: 1000 by default, reported by the server).
constexpr int kMaxParts = 10000;

std::string Quoted(std::string_view key) { return th::StrCat("\"", key, "\""); }

std::string RangeHeader(uint64_t offset, uint64_t length) {
  return th::StrCat("bytes=", offset, "-", offset + length - 1);
}

// The total size from "Content-Range: bytes a-b/total" or "bytes */total"; -1 when absent.
int64_t ContentRangeTotal(std::string_view content_range) {
  size_t slash = content_range.rfind('/');
  if (slash == std::string_view::npos) return -1;
  std::string_view total = content_range.substr(slash + 1);
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(total.data(), total.data() + total.size(), v);
  if (ec != std::errc() || ptr != total.data() + total.size()) return -1;
  return static_cast<int64_t>(v);
}

Result<uint64_t> ParseSize(std::string_view s, std::string_view what) {
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) {
    return absl::InternalError(th::StrCat("s3 ", what, ": bad Content-Length \"", s, "\""));
  }
  return v;
}

// The S3 error code and message of an error body, if it is one.
std::pair<std::string, std::string> ErrorCodeAndMessage(std::string_view body) {
  if (body.empty()) return {};
  Result<std::vector<XmlField>> fields = internal::ParseXml(body);
  if (!fields.ok()) return {};
  return {std::string(internal::FieldText(*fields, "Error/Code")),
          std::string(internal::FieldText(*fields, "Error/Message"))};
}

std::chrono::milliseconds Jittered(std::chrono::milliseconds delay) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  // "Equal jitter": half the delay fixed, half random, so retries of many clients spread out.
  int64_t half = delay.count() / 2;
  std::uniform_int_distribution<int64_t> dist(0, std::max<int64_t>(half, 0));
  return std::chrono::milliseconds(delay.count() - half + dist(rng));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Options

Status S3Options::Validate() const {
  auto bad = [](std::string_view field, std::string_view why) {
    return absl::InvalidArgumentError(th::StrCat("s3 options: ", field, " ", why));
  };
  std::string_view ep = endpoint;
  if (!ep.starts_with("http://") && !ep.starts_with("https://")) {
    return bad("endpoint", th::StrCat("\"", endpoint, "\" must start with http:// or https://"));
  }
  std::string_view authority = ep.substr(ep.find("//") + 2);
  if (authority.ends_with('/')) authority.remove_suffix(1);
  if (authority.empty() || authority.find_first_of("/?#@ ") != std::string_view::npos) {
    return bad("endpoint", th::StrCat("\"", endpoint, "\" must be scheme://host[:port] only"));
  }
  if (bucket.size() < 3 || bucket.size() > 63 ||
      bucket.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-.") != std::string::npos) {
    return bad("bucket", th::StrCat("\"", bucket, "\" is not 3-63 of [a-z0-9.-]"));
  }
  if (region.empty()) return bad("region", "is empty");
  if (access_key.empty()) return bad("access_key", "is empty");
  if (secret_key.empty()) return bad("secret_key", "is empty");
  if (Status s = ValidatePrefix(prefix); !s.ok()) {
    return bad("prefix", th::Message(s));
  }
  if (connect_timeout.count() <= 0) return bad("connect_timeout", "must be positive");
  if (request_timeout.count() <= 0) return bad("request_timeout", "must be positive");
  if (max_retries < 0) return bad("max_retries", "is negative");
  if (initial_backoff.count() <= 0) return bad("initial_backoff", "must be positive");
  if (max_backoff < initial_backoff) return bad("max_backoff", "is below initial_backoff");
  if (retry_deadline.count() < 0) return bad("retry_deadline", "is negative");
  uint64_t min_part = allow_small_parts_for_test ? 1 : kMinPartSize;
  if (part_size < min_part || part_size > kMaxPartSize) {
    return bad("part_size", th::StrCat(part_size, " is outside [", min_part, ", ", kMaxPartSize,
                                       "]"));
  }
  if (read_chunk_size == 0) return bad("read_chunk_size", "is zero");
  if (list_page_size < 1 || list_page_size > 1000) {
    return bad("list_page_size", "is outside [1, 1000]");
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------------
// Requests

struct S3Backend::Request {
  std::string_view method;
  std::string object;  // S3 key; "" for the bucket itself
  std::vector<Param> query;
  std::vector<Param> headers;  // besides host, x-amz-date, x-amz-content-sha256, authorization
  std::string_view body;
};

S3Backend::S3Backend(const S3Options& options)
    : Backend("s3"), options_(options), http_(std::make_unique<internal::HttpClient>()) {
  std::string_view ep = options_.endpoint;
  size_t sep = ep.find("://");
  scheme_ = std::string(ep.substr(0, sep));
  std::string_view authority = ep.substr(sep + 3);
  if (authority.ends_with('/')) authority.remove_suffix(1);
  authority_ = std::string(authority);
  host_ = options_.path_style ? authority_ : th::StrCat(options_.bucket, ".", authority_);
}

S3Backend::~S3Backend() = default;

Result<std::unique_ptr<S3Backend>> S3Backend::Open(const S3Options& options) {
  RETURN_IF_ERROR(options.Validate());
  return std::unique_ptr<S3Backend>(new S3Backend(options));
}

std::string S3Backend::ObjectName(std::string_view key) const {
  if (options_.prefix.empty()) return std::string(key);
  return th::StrCat(options_.prefix, "/", key);
}

Result<HttpResponse> S3Backend::Send(const Request& r) {
  const std::string payload_hash =
      r.body.empty() ? std::string(kEmptySha256) : Sha256Hex(r.body);
  std::string path = options_.path_style ? th::StrCat("/", options_.bucket) : std::string();
  if (!r.object.empty() || !options_.path_style) th::StrAppend(&path, "/", r.object);
  std::string query = CanonicalQuery(r.query);
  std::string url = th::StrCat(scheme_, "://", host_, CanonicalPath(path));
  if (!query.empty()) th::StrAppend(&url, "?", query);

  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + options_.retry_deadline;
  Status last;
  int attempts = 0;
  for (int attempt = 0;; ++attempt) {
    ++attempts;
    const std::string amz_date = AmzDate(std::chrono::system_clock::now());
    SigningInput in{.method = r.method,
                    .path = path,
                    .query = r.query,
                    .headers = {{"host", host_},
                                {"x-amz-content-sha256", payload_hash},
                                {"x-amz-date", amz_date}},
                    .payload_hash = payload_hash};
    in.headers.insert(in.headers.end(), r.headers.begin(), r.headers.end());
    const std::string authorization =
        Authorization(in, {.access_key = options_.access_key,
                           .secret_key = options_.secret_key,
                           .region = options_.region,
                           .service = "s3",
                           .amz_date = amz_date});
    internal::HttpRequest hr{.method = r.method,
                             .url = url,
                             .headers = std::move(in.headers),
                             .body = r.body,
                             .connect_timeout = options_.connect_timeout,
                             .timeout = options_.request_timeout};
    hr.headers.emplace_back("Authorization", authorization);
    // A connection attempt does not outlive the retry deadline (when one is left).
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() > 0 && left < hr.connect_timeout) hr.connect_timeout = left;

    http_requests_.fetch_add(1, std::memory_order_relaxed);
    Result<HttpResponse> response = http_->Perform(hr);
    if (!response.ok()) {
      if (!absl::IsUnavailable(response.status())) return response.status();
      last = response.status();
    } else {
      long status = response->status;
      bool retryable = status >= 500 || status == 429;
      if (status == 400) {
        retryable = ErrorCodeAndMessage(response->body).first == "RequestTimeout";
      }
      if (!retryable) return response;
      last = ErrorFor(r, *response, r.object.empty() ? "bucket" : Quoted(r.object));
    }
    if (attempt >= options_.max_retries) break;
    std::chrono::milliseconds delay = options_.initial_backoff;
    for (int i = 0; i < attempt && delay < options_.max_backoff; ++i) delay *= 2;
    delay = Jittered(std::min(delay, options_.max_backoff));
    if (Clock::now() + delay > deadline) break;
    std::this_thread::sleep_for(delay);
  }
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::string summary = th::StrCat("s3 endpoint ", options_.endpoint, " failed ", attempts,
                                   " attempt(s) in ", elapsed, " s: ", th::Message(last));
  if (absl::IsUnavailable(last)) return absl::UnavailableError(summary);
  return Status(last.code(), summary);
}

Status S3Backend::ErrorFor(const Request& r, const HttpResponse& response,
                           std::string_view what) const {
  auto [code, message] = ErrorCodeAndMessage(response.body);
  std::string text = th::StrCat("s3 ", r.method, " ", what, " in bucket ", options_.bucket,
                                ": HTTP ", response.status);
  if (!code.empty()) th::StrAppend(&text, " ", code);
  if (!message.empty()) th::StrAppend(&text, ": ", message);
  switch (response.status) {
    case 404:
      return absl::NotFoundError(text);
    case 401:
    case 403:
      return absl::PermissionDeniedError(text);
    case 416:
      return absl::OutOfRangeError(text);
    case 409:
    case 412:
      return absl::FailedPreconditionError(text);
    case 429:
    case 503:
      return absl::UnavailableError(text);
    case 413:
    case 507:
      return absl::ResourceExhaustedError(text);
    default:
      break;
  }
  if (code == "RequestTimeout" || code == "SlowDown") return absl::UnavailableError(text);
  if (code == "EntityTooLarge" || code == "QuotaExceeded") {
    return absl::ResourceExhaustedError(text);
  }
  return absl::InternalError(text);
}

Result<HttpResponse> S3Backend::GetObject(std::string_view key, std::string_view range,
                                          std::string_view if_match) {
  Request r{.method = "GET", .object = ObjectName(key)};
  if (!range.empty()) r.headers.emplace_back("Range", std::string(range));
  if (!if_match.empty()) r.headers.emplace_back("If-Match", std::string(if_match));
  return Send(r);
}

// ---------------------------------------------------------------------------------------------
// Streaming put

class S3Backend::Sink final : public ObjectWriter::Sink {
 public:
  Sink(S3Backend* backend, std::string key)
      : b_(backend), key_(std::move(key)), object_(b_->ObjectName(key_)) {}

  Status Append(std::string_view bytes) override {
    const uint64_t part = b_->options_.part_size;
    while (!bytes.empty()) {
      if (buffer_.size() == part) {
        RETURN_IF_ERROR(UploadPart(buffer_));
        buffer_.clear();
      }
      // Whole parts straight from the caller's bytes; the last one stays buffered, so Commit
      // always has a final part to send.
      if (buffer_.empty() && bytes.size() > part) {
        RETURN_IF_ERROR(UploadPart(bytes.substr(0, part)));
        bytes.remove_prefix(part);
        continue;
      }
      size_t take = static_cast<size_t>(std::min<uint64_t>(part - buffer_.size(), bytes.size()));
      buffer_.append(bytes.substr(0, take));
      bytes.remove_prefix(take);
    }
    return absl::OkStatus();
  }

  Status Commit() override {
    if (upload_id_.empty()) {
      Request r{.method = "PUT", .object = object_, .body = buffer_};
      ASSIGN_OR_RETURN(HttpResponse response, b_->Send(r));
      if (response.status != 200) return b_->ErrorFor(r, response, Quoted(key_));
      buffer_.clear();
      return absl::OkStatus();
    }
    RETURN_IF_ERROR(UploadPart(buffer_));
    buffer_.clear();
    std::string xml = "<CompleteMultipartUpload>";
    for (size_t i = 0; i < etags_.size(); ++i) {
      th::StrAppend(&xml, "<Part><PartNumber>", i + 1, "</PartNumber><ETag>",
                    internal::XmlEscape(etags_[i]), "</ETag></Part>");
    }
    xml += "</CompleteMultipartUpload>";
    Request r{.method = "POST", .object = object_, .query = {{"uploadId", upload_id_}},
              .body = xml};
    ASSIGN_OR_RETURN(HttpResponse response, b_->Send(r));
    if (response.status == 404 && ErrorCodeAndMessage(response.body).first == "NoSuchUpload" &&
        CompletedByEarlierAttempt()) {
      upload_id_.clear();
      return absl::OkStatus();
    }
    if (response.status != 200) return b_->ErrorFor(r, response, Quoted(key_));
    // CompleteMultipartUpload may fail after its 200 status line: the body is then an Error.
    auto [code, message] = ErrorCodeAndMessage(response.body);
    if (!code.empty()) {
      return absl::InternalError(th::StrCat("s3 complete upload of ", Quoted(key_), ": ", code,
                                            ": ", message));
    }
    upload_id_.clear();
    return absl::OkStatus();
  }

  void Abort() override {
    buffer_.clear();
    buffer_.shrink_to_fit();
    if (upload_id_.empty()) return;
    Request r{.method = "DELETE", .object = object_, .query = {{"uploadId", upload_id_}}};
    upload_id_.clear();
    // Best effort: an upload left behind is invisible, and lifecycle rules reclaim it.
    b_->Send(r).IgnoreError();
  }

 private:
  // A retried CompleteMultipartUpload whose first attempt succeeded unseen (timeout) answers
  // NoSuchUpload. The upload did complete if the object now has a multipart ETag over as many
  // parts as ours ("<md5 of part md5s>-<parts>", on AWS and s3api alike).
  bool CompletedByEarlierAttempt() {
    Request head{.method = "HEAD", .object = object_};
    Result<HttpResponse> response = b_->Send(head);
    if (!response.ok() || response->status != 200) return false;
    std::string_view etag = response->Header("etag");
    if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
      etag = etag.substr(1, etag.size() - 2);
    }
    return etag.ends_with(th::StrCat("-", etags_.size()));
  }

  Status StartUpload() {
    Request r{.method = "POST", .object = object_, .query = {{"uploads", ""}}};
    ASSIGN_OR_RETURN(HttpResponse response, b_->Send(r));
    if (response.status != 200) return b_->ErrorFor(r, response, Quoted(key_));
    ASSIGN_OR_RETURN(std::vector<XmlField> fields, internal::ParseXml(response.body));
    upload_id_ = std::string(internal::FieldText(fields, "InitiateMultipartUploadResult/UploadId"));
    if (upload_id_.empty()) {
      return absl::InternalError(
          th::StrCat("s3 create multipart upload of ", Quoted(key_), ": no UploadId in answer"));
    }
    return absl::OkStatus();
  }

  Status UploadPart(std::string_view bytes) {
    if (upload_id_.empty()) RETURN_IF_ERROR(StartUpload());
    if (etags_.size() >= static_cast<size_t>(kMaxParts)) {
      return absl::ResourceExhaustedError(th::StrCat("s3 upload of ", Quoted(key_), " exceeds ",
                                                     kMaxParts, " parts of ",
                                                     b_->options_.part_size, " bytes"));
    }
    std::string number = th::StrCat(etags_.size() + 1);
    Request r{.method = "PUT",
              .object = object_,
              .query = {{"partNumber", number}, {"uploadId", upload_id_}},
              .body = bytes};
    ASSIGN_OR_RETURN(HttpResponse response, b_->Send(r));
    if (response.status != 200) {
      return b_->ErrorFor(r, response, th::StrCat("part ", number, " of ", Quoted(key_)));
    }
    std::string_view etag = response.Header("etag");
    if (etag.empty()) {
      return absl::InternalError(
          th::StrCat("s3 upload part ", number, " of ", Quoted(key_), ": no ETag in answer"));
    }
    etags_.emplace_back(etag);
    return absl::OkStatus();
  }

  S3Backend* b_;
  std::string key_;
  std::string object_;
  std::string buffer_;  // at most part_size bytes not sent yet
  std::string upload_id_;  // of the multipart upload, once started
  std::vector<std::string> etags_;  // of the parts sent, in order
};

// ---------------------------------------------------------------------------------------------
// Streaming get

// Invariant: chunk_ holds bytes [chunk_start_, chunk_start_ + chunk_.size()) of the version
// whose ETag is etag_.
class S3Backend::Source final : public ObjectReader::Source {
 public:
  Source(S3Backend* backend, std::string key, uint64_t size, std::string etag, std::string chunk)
      : b_(backend), key_(std::move(key)), size_(size), etag_(std::move(etag)),
        chunk_(std::move(chunk)) {}

  uint64_t size() const override { return size_; }

  Status ReadAt(uint64_t offset, size_t n, std::string* out) override {
    if (offset < chunk_start_ || offset + n > chunk_start_ + chunk_.size()) {
      RETURN_IF_ERROR(Fetch(offset, n));
    }
    out->append(chunk_, static_cast<size_t>(offset - chunk_start_), n);
    return absl::OkStatus();
  }

 private:
  Status Fetch(uint64_t offset, size_t n) {
    uint64_t length = std::min(std::max<uint64_t>(n, b_->options_.read_chunk_size), size_ - offset);
    ASSIGN_OR_RETURN(HttpResponse response,
                     b_->GetObject(key_, RangeHeader(offset, length), etag_));
    auto lost = [&](std::string_view why) {
      return absl::DataLossError(th::StrCat("s3 object ", Quoted(key_), " ", why,
                                            " while being read (at offset ", offset, ")"));
    };
    switch (response.status) {
      case 206:
        break;
      case 200:  // the whole object: the server ignored the range
        if (response.body.size() != size_) return lost("changed size");
        response.body = response.body.substr(static_cast<size_t>(offset),
                                             static_cast<size_t>(length));
        break;
      case 404:
        return lost("was deleted");
      case 412:
        return lost("was overwritten");
      case 416:
        return lost("shrank");
      default:
        return b_->ErrorFor(Request{.method = "GET"}, response, Quoted(key_));
    }
    if (response.body.size() < n) return lost("is shorter than expected");
    chunk_start_ = offset;
    chunk_ = std::move(response.body);
    return absl::OkStatus();
  }

  S3Backend* b_;
  std::string key_;
  uint64_t size_;
  std::string etag_;
  uint64_t chunk_start_ = 0;
  std::string chunk_;
};

// ---------------------------------------------------------------------------------------------
// Verbs

Status S3Backend::CreateBucket() {
  std::string body;
  if (options_.region != "us-east-1") {
    body = th::StrCat(
        "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        "<LocationConstraint>",
        internal::XmlEscape(options_.region), "</LocationConstraint></CreateBucketConfiguration>");
  }
  Request r{.method = "PUT", .body = body};
  ASSIGN_OR_RETURN(HttpResponse response, Send(r));
  if (response.status == 200) return absl::OkStatus();
  if (response.status == 409 &&
      ErrorCodeAndMessage(response.body).first == "BucketAlreadyOwnedByYou") {
    return absl::OkStatus();
  }
  return ErrorFor(r, response, "bucket");
}

Status S3Backend::DoPut(std::string_view key, std::string_view bytes) {
  Sink sink(this, std::string(key));
  Status status = sink.Append(bytes);
  if (status.ok()) status = sink.Commit();
  if (!status.ok()) sink.Abort();
  return status;
}

Result<std::string> S3Backend::DoGet(std::string_view key) {
  ASSIGN_OR_RETURN(HttpResponse response, GetObject(key, "", ""));
  if (response.status != 200) {
    return ErrorFor(Request{.method = "GET"}, response, Quoted(key));
  }
  return std::move(response.body);
}

Result<std::string> S3Backend::DoGetRange(std::string_view key, uint64_t offset,
                                          uint64_t length) {
  if (length == 0) {
    // S3 has no empty range: check the bounds against the size.
    ASSIGN_OR_RETURN(uint64_t size, DoStat(key));
    RETURN_IF_ERROR(CheckRange(key, offset, 0, size));
    return std::string();
  }
  ASSIGN_OR_RETURN(HttpResponse response, GetObject(key, RangeHeader(offset, length), ""));
  switch (response.status) {
    case 206: {
      if (response.body.size() == length) return std::move(response.body);
      // S3 serves the part of a range that exists; the contract wants all of it.
      int64_t total = ContentRangeTotal(response.Header("content-range"));
      if (total >= 0) RETURN_IF_ERROR(CheckRange(key, offset, length, static_cast<uint64_t>(total)));
      return absl::InternalError(th::StrCat("s3 GET ", Quoted(key), ": ", response.body.size(),
                                            " bytes for a range of ", length));
    }
    case 200:  // the whole object: the server ignored the range
      RETURN_IF_ERROR(CheckRange(key, offset, length, response.body.size()));
      return response.body.substr(static_cast<size_t>(offset), static_cast<size_t>(length));
    case 416: {
      int64_t total = ContentRangeTotal(response.Header("content-range"));
      if (total >= 0) RETURN_IF_ERROR(CheckRange(key, offset, length, static_cast<uint64_t>(total)));
      break;
    }
    default:
      break;
  }
  return ErrorFor(Request{.method = "GET"}, response, Quoted(key));
}

Result<uint64_t> S3Backend::DoStat(std::string_view key) {
  Request r{.method = "HEAD", .object = ObjectName(key)};
  ASSIGN_OR_RETURN(HttpResponse response, Send(r));
  if (response.status != 200) return ErrorFor(r, response, Quoted(key));
  return ParseSize(response.Header("content-length"), th::StrCat("HEAD ", Quoted(key)));
}

Result<std::vector<std::string>> S3Backend::DoList(std::string_view prefix, ListMode mode) {
  const std::string base = options_.prefix.empty() ? "" : th::StrCat(options_.prefix, "/");
  const std::string full = prefix.empty() ? base : th::StrCat(base, prefix, "/");
  const std::string what = th::StrCat("list of ", Quoted(prefix));
  std::vector<std::string> keys;
  std::string token;
  while (true) {
    Request r{.method = "GET",
              .query = {{"list-type", "2"}, {"max-keys", th::StrCat(options_.list_page_size)}}};
    if (!full.empty()) r.query.emplace_back("prefix", full);
    if (mode == ListMode::kShallow) r.query.emplace_back("delimiter", "/");
    if (!token.empty()) r.query.emplace_back("continuation-token", token);
    ASSIGN_OR_RETURN(HttpResponse response, Send(r));
    if (response.status != 200) return ErrorFor(r, response, what);
    ASSIGN_OR_RETURN(std::vector<XmlField> fields, internal::ParseXml(response.body));
    bool truncated = false;
    token.clear();
    for (const XmlField& f : fields) {
      if (f.path == "ListBucketResult/Contents/Key" ||
          f.path == "ListBucketResult/CommonPrefixes/Prefix") {
        if (f.text.size() > base.size() && f.text.starts_with(base)) {
          keys.push_back(f.text.substr(base.size()));
        }
      } else if (f.path == "ListBucketResult/IsTruncated") {
        truncated = f.text == "true";
      } else if (f.path == "ListBucketResult/NextContinuationToken") {
        token = f.text;
      }
    }
    if (!truncated) break;
    if (token.empty()) {
      return absl::InternalError(
          th::StrCat("s3 ", what, ": truncated page without NextContinuationToken"));
    }
  }
  return keys;
}

Status S3Backend::DoDelete(std::string_view key) {
  Request r{.method = "DELETE", .object = ObjectName(key)};
  ASSIGN_OR_RETURN(HttpResponse response, Send(r));
  if (response.status == 204 || response.status == 200) return absl::OkStatus();
  if (response.status == 404 && ErrorCodeAndMessage(response.body).first != "NoSuchBucket") {
    return absl::OkStatus();
  }
  return ErrorFor(r, response, Quoted(key));
}

Result<std::unique_ptr<ObjectWriter::Sink>> S3Backend::DoPutStream(std::string_view key) {
  return std::unique_ptr<ObjectWriter::Sink>(new Sink(this, std::string(key)));
}

Result<std::unique_ptr<ObjectReader::Source>> S3Backend::DoGetStream(std::string_view key) {
  ASSIGN_OR_RETURN(HttpResponse response,
                   GetObject(key, RangeHeader(0, options_.read_chunk_size), ""));
  uint64_t size = 0;
  switch (response.status) {
    case 206: {
      int64_t total = ContentRangeTotal(response.Header("content-range"));
      if (total < 0) {
        return absl::InternalError(th::StrCat("s3 GET ", Quoted(key), ": bad Content-Range \"",
                                              response.Header("content-range"), "\""));
      }
      size = static_cast<uint64_t>(total);
      break;
    }
    case 200:
      size = response.body.size();
      break;
    case 416:  // no byte 0: the object is empty
      response.body.clear();
      break;
    default:
      return ErrorFor(Request{.method = "GET"}, response, Quoted(key));
  }
  std::string etag(response.Header("etag"));
  return std::unique_ptr<ObjectReader::Source>(
      new Source(this, std::string(key), size, std::move(etag), std::move(response.body)));
}

}  // namespace th::store::backend::s3
