#include "store/backend/backend.h"

#include <algorithm>
#include <utility>

#include "common/strings.h"

#include "absl/strings/escaping.h"

namespace th::store::backend {
namespace {

// The key as printable text for error messages (keys may hold control bytes when invalid).
std::string Printable(std::string_view key) {
  std::string escaped = absl::CHexEscape(absl::string_view(key.data(), key.size()));
  return th::StrCat("\"", escaped, "\"");
}

Status InvalidKey(std::string_view key, std::string_view why) {
  return absl::InvalidArgumentError(th::StrCat("invalid object key ", Printable(key), ": ", why));
}

// Length of the well-formed UTF-8 sequence starting at s[i], or 0 when ill-formed (overlong
// forms, surrogates and code points past U+10FFFF included).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto byte = [&](size_t j) { return static_cast<unsigned char>(s[j]); };
  unsigned char c = byte(i);
  if (c < 0x80) return 1;
  size_t n;
  uint32_t cp;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t j = 1; j < n; ++j) {
    unsigned char cc = byte(i + j);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if (n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return 0;
  if (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return 0;
  return n;
}

Status ValidateSegment(std::string_view key, std::string_view segment) {
  if (segment.empty()) return InvalidKey(key, "empty segment");
  if (segment == "." || segment == "..") return InvalidKey(key, "'.' or '..' segment");
  if (segment.size() > kMaxSegmentLength) {
    return InvalidKey(key, th::StrCat("segment longer than ", kMaxSegmentLength, " bytes"));
  }
  if (segment.find(".tmp.") != std::string_view::npos) {
    return InvalidKey(key, "segment contains the reserved \".tmp.\"");
  }
  return absl::OkStatus();
}

}  // namespace

Status ValidateKey(std::string_view key) {
  if (key.empty()) return InvalidKey(key, "empty");
  if (key.size() > kMaxKeyLength) {
    return InvalidKey(key.substr(0, 64),
                      th::StrCat("longer than ", kMaxKeyLength, " bytes (", key.size(), ")"));
  }
  for (size_t i = 0; i < key.size();) {
    unsigned char c = static_cast<unsigned char>(key[i]);
    if (c < 0x20 || c == 0x7F) return InvalidKey(key, "control character");
    size_t n = Utf8SequenceLength(key, i);
    if (n == 0) return InvalidKey(key, th::StrCat("invalid UTF-8 at byte ", i));
    i += n;
  }
  if (key.front() == '/') return InvalidKey(key, "leading '/'");
  if (key.back() == '/') return InvalidKey(key, "trailing '/'");
  size_t start = 0;
  while (true) {
    size_t slash = key.find('/', start);
    std::string_view segment =
        key.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    RETURN_IF_ERROR(ValidateSegment(key, segment));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return absl::OkStatus();
}

Status ValidatePrefix(std::string_view prefix) {
  if (prefix.empty()) return absl::OkStatus();
  return ValidateKey(prefix);
}

std::string_view VerbName(Verb verb) {
  switch (verb) {
    case Verb::kPut:
      return "put";
    case Verb::kGet:
      return "get";
    case Verb::kGetRange:
      return "get_range";
    case Verb::kStat:
      return "stat";
    case Verb::kList:
      return "list";
    case Verb::kDelete:
      return "delete";
    case Verb::kPutStream:
      return "put_stream";
    case Verb::kGetStream:
      return "get_stream";
  }
  return "unknown";
}

// ---------------------------------------------------------------------------------------------
// ObjectWriter

ObjectWriter::ObjectWriter(Backend* backend, std::string key, std::unique_ptr<Sink> sink)
    : backend_(backend), key_(std::move(key)), sink_(std::move(sink)) {}

ObjectWriter::~ObjectWriter() { Abort(); }

Status ObjectWriter::CheckOpen(std::string_view action) const {
  switch (state_) {
    case State::kOpen:
      return absl::OkStatus();
    case State::kBroken:
      return error_;
    case State::kCommitted:
    case State::kAborted:
      break;
  }
  return absl::FailedPreconditionError(th::StrCat(action, " finished upload of ", Printable(key_)));
}

Status ObjectWriter::Append(std::string_view bytes) {
  RETURN_IF_ERROR(CheckOpen("append to"));
  auto start = std::chrono::steady_clock::now();
  Status status = sink_->Append(bytes);
  busy_ += std::chrono::steady_clock::now() - start;
  if (!status.ok()) {
    state_ = State::kBroken;
    error_ = status;
    sink_->Abort();
    backend_->Record(Verb::kPutStream, status, busy_);
    return status;
  }
  size_ += bytes.size();
  return absl::OkStatus();
}

Status ObjectWriter::Commit() {
  RETURN_IF_ERROR(CheckOpen("commit of"));
  auto start = std::chrono::steady_clock::now();
  Status status = sink_->Commit();
  busy_ += std::chrono::steady_clock::now() - start;
  backend_->Record(Verb::kPutStream, status, busy_);
  if (!status.ok()) {
    state_ = State::kBroken;
    error_ = status;
    sink_->Abort();
    return status;
  }
  state_ = State::kCommitted;
  backend_->bytes_written_.fetch_add(size_, std::memory_order_relaxed);
  return absl::OkStatus();
}

void ObjectWriter::Abort() {
  if (state_ != State::kOpen) return;
  state_ = State::kAborted;
  sink_->Abort();
  backend_->aborted_streams_.fetch_add(1, std::memory_order_relaxed);
}

// ---------------------------------------------------------------------------------------------
// ObjectReader

ObjectReader::ObjectReader(Backend* backend, std::string key, std::unique_ptr<Source> source,
                           uint64_t begin, uint64_t end)
    : backend_(backend),
      key_(std::move(key)),
      source_(std::move(source)),
      position_(begin),
      end_(end) {}

Result<std::string> ObjectReader::Read(size_t max_bytes) {
  std::string out;
  uint64_t n = std::min<uint64_t>(max_bytes, end_ - position_);
  if (n == 0) return out;
  out.reserve(n);
  RETURN_IF_ERROR(source_->ReadAt(position_, static_cast<size_t>(n), &out));
  if (out.size() != n) {
    return absl::DataLossError(th::StrCat("short read of ", Printable(key_), " at offset ",
                                          position_, ": ", out.size(), " of ", n, " bytes"));
  }
  position_ += n;
  backend_->bytes_read_.fetch_add(n, std::memory_order_relaxed);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Backend

Backend::Backend(std::string_view name) : name_(name) {
  metrics::Registry& r = metrics::Registry::Default();
  static constexpr std::string_view kOutcomeNames[kOutcomeCount] = {"ok", "not_found", "error"};
  for (int v = 0; v < kVerbCount; ++v) {
    std::string verb(VerbName(static_cast<Verb>(v)));
    for (int o = 0; o < kOutcomeCount; ++o) {
      requests_metric_[v][o] = r.GetCounter(
          "tracehouse_backend_requests_total",
          "Object-store backend requests by backend, verb and outcome (ok, not_found, error).",
          {{"backend", name_}, {"verb", verb}, {"outcome", std::string(kOutcomeNames[o])}});
    }
    duration_metric_[v] = r.GetHistogram(
        "tracehouse_backend_request_duration_seconds",
        "Duration of object-store backend requests (streams: time spent inside the backend).",
        metrics::LatencyBuckets(), {{"backend", name_}, {"verb", verb}});
  }
}

void Backend::Record(Verb verb, const Status& status, std::chrono::nanoseconds elapsed) {
  int v = static_cast<int>(verb);
  Outcome outcome = status.ok()                ? Outcome::kOk
                    : absl::IsNotFound(status) ? Outcome::kNotFound
                                               : Outcome::kError;
  requests_metric_[v][static_cast<int>(outcome)]->Add();
  duration_metric_[v]->Observe(std::chrono::duration<double>(elapsed).count());
  requests_[v].fetch_add(1, std::memory_order_relaxed);
  if (!status.ok()) errors_[v].fetch_add(1, std::memory_order_relaxed);
}

template <typename F>
auto Backend::Timed(Verb verb, F&& f) {
  auto start = std::chrono::steady_clock::now();
  auto result = f();
  auto elapsed = std::chrono::steady_clock::now() - start;
  if constexpr (std::is_same_v<decltype(result), Status>) {
    Record(verb, result, elapsed);
  } else {
    Record(verb, result.status(), elapsed);
  }
  return result;
}

Status Backend::CheckRange(std::string_view key, uint64_t offset, uint64_t length, uint64_t size) {
  if (offset > size || length > size - offset) {
    return absl::OutOfRangeError(th::StrCat("range [", offset, ", +", length, ") past the end of ",
                                            Printable(key), " (", size, " bytes)"));
  }
  return absl::OkStatus();
}

Status Backend::Put(std::string_view key, std::string_view bytes) {
  RETURN_IF_ERROR(ValidateKey(key));
  Status status = Timed(Verb::kPut, [&] { return DoPut(key, bytes); });
  if (status.ok()) bytes_written_.fetch_add(bytes.size(), std::memory_order_relaxed);
  return status;
}

Result<std::string> Backend::Get(std::string_view key) {
  RETURN_IF_ERROR(ValidateKey(key));
  Result<std::string> r = Timed(Verb::kGet, [&] { return DoGet(key); });
  if (r.ok()) bytes_read_.fetch_add(r->size(), std::memory_order_relaxed);
  return r;
}

Result<std::string> Backend::GetRange(std::string_view key, uint64_t offset, uint64_t length) {
  RETURN_IF_ERROR(ValidateKey(key));
  if (length > UINT64_MAX - offset) {
    return absl::OutOfRangeError(
        th::StrCat("range [", offset, ", +", length, ") of ", Printable(key), " overflows"));
  }
  Result<std::string> r = Timed(Verb::kGetRange, [&] { return DoGetRange(key, offset, length); });
  if (r.ok()) bytes_read_.fetch_add(r->size(), std::memory_order_relaxed);
  return r;
}

Result<ObjectInfo> Backend::Stat(std::string_view key) {
  RETURN_IF_ERROR(ValidateKey(key));
  ASSIGN_OR_RETURN(uint64_t size, Timed(Verb::kStat, [&] { return DoStat(key); }));
  return ObjectInfo{.key = std::string(key), .size = size};
}

Result<std::vector<std::string>> Backend::List(std::string_view prefix, ListMode mode) {
  RETURN_IF_ERROR(ValidatePrefix(prefix));
  ASSIGN_OR_RETURN(std::vector<std::string> keys,
                   Timed(Verb::kList, [&] { return DoList(prefix, mode); }));
  std::sort(keys.begin(), keys.end());
  return keys;
}

Status Backend::Delete(std::string_view key) {
  RETURN_IF_ERROR(ValidateKey(key));
  return Timed(Verb::kDelete, [&] { return DoDelete(key); });
}

Result<std::unique_ptr<ObjectWriter>> Backend::PutStream(std::string_view key) {
  RETURN_IF_ERROR(ValidateKey(key));
  auto start = std::chrono::steady_clock::now();
  Result<std::unique_ptr<ObjectWriter::Sink>> sink = DoPutStream(key);
  if (!sink.ok()) {
    Record(Verb::kPutStream, sink.status(), std::chrono::steady_clock::now() - start);
    return sink.status();
  }
  // Counted once the upload ends (failed Append, or Commit), with the time spent in the
  // backend over the whole upload.
  auto writer = std::unique_ptr<ObjectWriter>(
      new ObjectWriter(this, std::string(key), std::move(sink).value()));
  writer->busy_ = std::chrono::steady_clock::now() - start;
  return writer;
}

Result<std::unique_ptr<ObjectReader>> Backend::GetStream(std::string_view key, uint64_t offset,
                                                         uint64_t length) {
  RETURN_IF_ERROR(ValidateKey(key));
  // Counted when opened: the reads that follow are the caller's pace, not a request each.
  auto start = std::chrono::steady_clock::now();
  Result<std::unique_ptr<ObjectReader::Source>> source = DoGetStream(key);
  Status status = source.status();
  uint64_t end = 0;
  if (status.ok()) {
    uint64_t size = (*source)->size();
    if (length == kToEnd) {
      status = CheckRange(key, offset, 0, size);
      end = size;
    } else if (length > UINT64_MAX - offset) {
      status = absl::OutOfRangeError(
          th::StrCat("range [", offset, ", +", length, ") of ", Printable(key), " overflows"));
    } else {
      status = CheckRange(key, offset, length, size);
      end = offset + length;
    }
  }
  Record(Verb::kGetStream, status, std::chrono::steady_clock::now() - start);
  if (!status.ok()) return status;
  return std::unique_ptr<ObjectReader>(
      new ObjectReader(this, std::string(key), std::move(source).value(), offset, end));
}

BackendStats Backend::stats() const {
  BackendStats s;
  for (int v = 0; v < kVerbCount; ++v) {
    s.requests[v] = requests_[v].load(std::memory_order_relaxed);
    s.errors[v] = errors_[v].load(std::memory_order_relaxed);
  }
  s.bytes_written = bytes_written_.load(std::memory_order_relaxed);
  s.bytes_read = bytes_read_.load(std::memory_order_relaxed);
  s.aborted_streams = aborted_streams_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace th::store::backend
