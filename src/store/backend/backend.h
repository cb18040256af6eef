// Backend: the raw verbs of an object store (put, get, get-range, stat, list, delete, streaming
// put and get), after Tempo's tempodb/backend/raw.go. Implementations: local/ (files under a
// root directory, the embedded default), memory/ (unit tests, with fault injection), s3/
// (S3-compatible object stores; its own module, th::backend_s3, to keep libcurl out of here).
// Key layout (tenant, block id, file names), caching and retries live above this interface, once.
//
// Keys are '/'-separated object names such as "<tenant>/<block-id>/meta.json"; ValidateKey()
// states the rules, and every verb rejects an invalid key with InvalidArgument before touching
// storage. A key names either an object or a folder (a prefix of other keys), never both:
// writing "a/b" while "a/b/c" exists, or "a/b/c" while "a/b" exists, fails with
// FailedPrecondition on the local and memory backends (a file system cannot hold both). The s3
// backend does not enforce this rule: S3 holds both, and checking would cost extra requests per
// write and still race. Our key layout never creates such pairs; code must not rely on the
// error.
//
// Atomicity: an object is immutable once visible. Put and ObjectWriter::Commit replace an object
// as a whole: a concurrent or later reader sees the old object or the whole new one, never a
// mix or a prefix, and after a crash at any point the same holds. An ObjectReader reads one
// version: an overwrite or delete during the read does not change what it returns.
//
// This base class validates keys and ranges, counts requests in BackendStats, and records
// tracehouse_backend_requests_total{backend,verb,outcome} and
// tracehouse_backend_request_duration_seconds{backend,verb} in metrics::Registry::Default();
// implementations supply the protected Do* verbs.
//
// Thread-safe: every verb may be called concurrently. ObjectWriter and ObjectReader are
// thread-compatible (one thread at a time) and must not outlive the Backend that made them.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/metrics.h"
#include "common/status.h"

namespace th::store::backend {

// Longest key in bytes (S3's limit), and longest segment between slashes (leaves room for the
// local backend's ".tmp.<random>" suffix under NAME_MAX).
inline constexpr size_t kMaxKeyLength = 1024;
inline constexpr size_t kMaxSegmentLength = 200;
// Length meaning "to the end of the object" for GetStream.
inline constexpr uint64_t kToEnd = UINT64_MAX;

// OK when `key` is a valid object key: 1..kMaxKeyLength bytes of well-formed UTF-8 without
// control characters; no leading or trailing '/', no empty segment ("a//b"), no "." or ".."
// segment, segments at most kMaxSegmentLength bytes, and no segment containing ".tmp." (reserved
// for uploads in flight). Otherwise InvalidArgument naming the key and the rule.
Status ValidateKey(std::string_view key);

// OK when `prefix` is "" (the root) or a valid key (see ValidateKey), naming a folder.
Status ValidatePrefix(std::string_view prefix);

// The verbs, as counted in BackendStats and labelled in metrics.
enum class Verb : int {
  kPut = 0,
  kGet,
  kGetRange,
  kStat,
  kList,
  kDelete,
  kPutStream,
  kGetStream,
};
inline constexpr int kVerbCount = 8;
// "put", "get", "get_range", "stat", "list", "delete", "put_stream", "get_stream".
std::string_view VerbName(Verb verb);

// A snapshot of one backend's counters since it was created.
struct BackendStats {
  std::array<uint64_t, kVerbCount> requests{};  // by Verb: calls that reached the backend
  std::array<uint64_t, kVerbCount> errors{};    // by Verb: of those, failed (NotFound included)
  uint64_t bytes_written = 0;                   // bytes of objects made visible
  uint64_t bytes_read = 0;                      // bytes returned by Get, GetRange and readers
  uint64_t aborted_streams = 0;                 // writers discarded without a Commit

  uint64_t requests_for(Verb v) const { return requests[static_cast<int>(v)]; }
  uint64_t errors_for(Verb v) const { return errors[static_cast<int>(v)]; }
};

struct ObjectInfo {
  std::string key;
  uint64_t size = 0;
};

enum class ListMode {
  // Every object key under the prefix, at any depth.
  kRecursive,
  // The prefix's direct children: object keys, and folders as the folder's key plus a trailing
  // '/' (like S3's CommonPrefixes with delimiter '/').
  kShallow,
};

class Backend;

// A streaming put: bytes are appended, then Commit() makes the object visible atomically (see
// the file comment). Until Commit nothing is visible; Abort() or destroying the writer without
// a successful Commit discards what was appended, and an existing object under the key stays as
// it was. After the first failed Append or Commit the writer is broken: later calls return the
// same error, and the upload is discarded.
class ObjectWriter {
 public:
  // Backend-side half of a writer; see Backend::DoPutStream.
  class Sink {
   public:
    virtual ~Sink() = default;
    virtual Status Append(std::string_view bytes) = 0;
    // Makes the object visible, durably where the backend is durable.
    virtual Status Commit() = 0;
    // Discards the upload; best-effort, never fails, idempotent. Not called after a
    // successful Commit.
    virtual void Abort() = 0;
  };

  ObjectWriter(const ObjectWriter&) = delete;
  ObjectWriter& operator=(const ObjectWriter&) = delete;
  // Aborts unless committed.
  ~ObjectWriter();

  // Appends `bytes` to the upload. FailedPrecondition after Commit or Abort; the backend's
  // error (e.g. ResourceExhausted for a full disk) otherwise, which breaks the writer.
  Status Append(std::string_view bytes);
  // Makes the object visible with every appended byte, durably on a durable backend.
  // FailedPrecondition when already committed or aborted (or when the key conflicts with a
  // folder); the backend's error otherwise: then the old object, if any, is still there, unless
  // only the final directory sync failed (the new object visible but not known durable).
  Status Commit();
  // Discards the upload; no effect after Commit or a previous Abort.
  void Abort();

  const std::string& key() const { return key_; }
  // Bytes accepted by Append so far.
  uint64_t size() const { return size_; }

 private:
  friend class Backend;
  ObjectWriter(Backend* backend, std::string key, std::unique_ptr<Sink> sink);

  enum class State { kOpen, kBroken, kCommitted, kAborted };
  // OK while the upload can take more; else its error, or FailedPrecondition naming `action`.
  Status CheckOpen(std::string_view action) const;

  Backend* backend_;
  std::string key_;
  std::unique_ptr<Sink> sink_;
  State state_ = State::kOpen;
  Status error_;                      // when kBroken
  std::chrono::nanoseconds busy_{0};  // time spent inside the backend, for the metric
  uint64_t size_ = 0;
};

// A streaming get over one version of an object and one byte range of it.
class ObjectReader {
 public:
  // Backend-side half of a reader; see Backend::DoGetStream.
  class Source {
   public:
    virtual ~Source() = default;
    // Size of the version being read.
    virtual uint64_t size() const = 0;
    // Appends bytes [offset, offset + n) to *out; the base guarantees the range lies within
    // size(). DataLoss if the bytes are no longer all there.
    virtual Status ReadAt(uint64_t offset, size_t n, std::string* out) = 0;
  };

  ObjectReader(const ObjectReader&) = delete;
  ObjectReader& operator=(const ObjectReader&) = delete;
  ~ObjectReader() = default;

  // The next at most `max_bytes` bytes of the range (max_bytes > 0); empty at the end of the
  // range. Errors from the backend, e.g. DataLoss or Internal.
  Result<std::string> Read(size_t max_bytes);

  const std::string& key() const { return key_; }
  // Size of the whole object version being read.
  uint64_t object_size() const { return source_->size(); }
  // Bytes of the range not read yet.
  uint64_t remaining() const { return end_ - position_; }

 private:
  friend class Backend;
  ObjectReader(Backend* backend, std::string key, std::unique_ptr<Source> source, uint64_t begin,
               uint64_t end);

  Backend* backend_;
  std::string key_;
  std::unique_ptr<Source> source_;
  uint64_t position_;
  uint64_t end_;
};

class Backend {
 public:
  virtual ~Backend() = default;
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;

  // The backend's type name, the `backend` metric label: "local", "memory", "s3".
  std::string_view name() const { return name_; }

  // Stores `bytes` as the object `key`, replacing any object there, atomically (see the file
  // comment); durable when it returns OK on a durable backend. Errors: InvalidArgument (key),
  // FailedPrecondition (key is a folder or under an object), ResourceExhausted (disk full,
  // quota), PermissionDenied, Unavailable or Internal (storage failure; the old object, if any,
  // remains).
  Status Put(std::string_view key, std::string_view bytes);

  // The whole object. NotFound when absent; InvalidArgument; Internal.
  Result<std::string> Get(std::string_view key);

  // Bytes [offset, offset + length) of the object: exactly `length` bytes. OutOfRange when the
  // range does not lie within the object (offset + length > size; a zero-length range at the
  // end is fine); NotFound when absent; InvalidArgument; Internal.
  Result<std::string> GetRange(std::string_view key, uint64_t offset, uint64_t length);

  // Key and size of the object. NotFound when absent; InvalidArgument; Internal.
  Result<ObjectInfo> Stat(std::string_view key);

  // Keys under `prefix` ("" for all), sorted bytewise, as ListMode says. A prefix names a
  // folder, not a string prefix: "a/b" lists "a/b/c", not "a/bc". An absent folder, or a prefix
  // that is an object, lists nothing. Uploads in flight are never listed. Errors:
  // InvalidArgument (prefix), Internal.
  Result<std::vector<std::string>> List(std::string_view prefix, ListMode mode);

  // Removes the object; OK when it is already absent (idempotent). Folders left empty vanish.
  // Errors: InvalidArgument, PermissionDenied, Internal.
  Status Delete(std::string_view key);

  // Starts a streaming put of `key`; see ObjectWriter. Errors as Put; a key conflict may only
  // be reported at Commit.
  Result<std::unique_ptr<ObjectWriter>> PutStream(std::string_view key);

  // Opens a streaming get of bytes [offset, offset + length) of the object's current version
  // (length kToEnd: to its end). Errors as GetRange.
  Result<std::unique_ptr<ObjectReader>> GetStream(std::string_view key, uint64_t offset = 0,
                                                  uint64_t length = kToEnd);

  BackendStats stats() const;

 protected:
  // `name` is the backend's type name (see name()).
  explicit Backend(std::string_view name);

  // The verbs, called with a validated key or prefix. Same contracts as the public verbs.
  virtual Status DoPut(std::string_view key, std::string_view bytes) = 0;
  virtual Result<std::string> DoGet(std::string_view key) = 0;
  // The base has checked that offset + length does not overflow.
  virtual Result<std::string> DoGetRange(std::string_view key, uint64_t offset,
                                         uint64_t length) = 0;
  virtual Result<uint64_t> DoStat(std::string_view key) = 0;
  // Need not sort; the base sorts.
  virtual Result<std::vector<std::string>> DoList(std::string_view prefix, ListMode mode) = 0;
  virtual Status DoDelete(std::string_view key) = 0;
  virtual Result<std::unique_ptr<ObjectWriter::Sink>> DoPutStream(std::string_view key) = 0;
  virtual Result<std::unique_ptr<ObjectReader::Source>> DoGetStream(std::string_view key) = 0;

  // OutOfRange, naming the key, unless [offset, offset + length) lies within [0, size).
  static Status CheckRange(std::string_view key, uint64_t offset, uint64_t length, uint64_t size);

 private:
  friend class ObjectWriter;
  friend class ObjectReader;

  enum class Outcome : int { kOk = 0, kNotFound, kError };
  static constexpr int kOutcomeCount = 3;

  void Record(Verb verb, const Status& status, std::chrono::nanoseconds elapsed);
  template <typename F>
  auto Timed(Verb verb, F&& f);

  std::string name_;
  std::array<std::array<metrics::Counter*, kOutcomeCount>, kVerbCount> requests_metric_{};
  std::array<metrics::Histogram*, kVerbCount> duration_metric_{};
  std::array<std::atomic<uint64_t>, kVerbCount> requests_{};
  std::array<std::atomic<uint64_t>, kVerbCount> errors_{};
  std::atomic<uint64_t> bytes_written_{0};
  std::atomic<uint64_t> bytes_read_{0};
  std::atomic<uint64_t> aborted_streams_{0};
};

}  // namespace th::store::backend
