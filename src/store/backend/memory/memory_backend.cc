#include "store/backend/memory/memory_backend.h"

#include <utility>

#include "common/strings.h"

namespace th::store::backend {
namespace {

Status NotFound(std::string_view key) {
  return absl::NotFoundError(th::StrCat("object \"", key, "\" not found"));
}

}  // namespace

// A streaming put: bytes accumulate privately and are stored whole at Commit.
class MemoryBackend::Sink final : public ObjectWriter::Sink {
 public:
  Sink(MemoryBackend* backend, std::string key, std::optional<uint64_t> crash_after)
      : backend_(backend), key_(std::move(key)), crash_after_(crash_after) {}
  ~Sink() override { Finish(); }

  Status Append(std::string_view bytes) override {
    if (crash_after_.has_value() && data_.size() + bytes.size() > *crash_after_) {
      // Keep what a real upload would have sent before dying, then fail; none of it is visible.
      data_.append(bytes.substr(0, static_cast<size_t>(*crash_after_ - data_.size())));
      return absl::UnavailableError(th::StrCat("simulated crash after ", *crash_after_,
                                               " bytes of upload of \"", key_, "\""));
    }
    data_.append(bytes);
    return absl::OkStatus();
  }

  Status Commit() override {
    Status fault = backend_->TakeFault(Verb::kPutStream);
    if (!fault.ok()) return fault;
    Status status =
        backend_->Store(key_, std::make_shared<const std::string>(std::move(data_)));
    if (status.ok()) Finish();
    return status;
  }

  void Abort() override {
    data_.clear();
    Finish();
  }

 private:
  void Finish() {
    if (finished_) return;
    finished_ = true;
    absl::MutexLock lock(&backend_->mu_);
    --backend_->open_writers_;
  }

  MemoryBackend* backend_;
  std::string key_;
  std::optional<uint64_t> crash_after_;
  std::string data_;
  bool finished_ = false;
};

class MemoryBackend::Source final : public ObjectReader::Source {
 public:
  explicit Source(Object data) : data_(std::move(data)) {}
  uint64_t size() const override { return data_->size(); }
  Status ReadAt(uint64_t offset, size_t n, std::string* out) override {
    out->append(*data_, static_cast<size_t>(offset), n);
    return absl::OkStatus();
  }

 private:
  Object data_;
};

MemoryBackend::MemoryBackend() : Backend("memory") {}

void MemoryBackend::FailNext(Verb verb, Status status, int times, bool at_open) {
  absl::MutexLock lock(&mu_);
  faults_[verb] = Fault{.status = std::move(status), .times = times, .at_open = at_open};
}

void MemoryBackend::CrashPutStreamAfter(uint64_t bytes) {
  absl::MutexLock lock(&mu_);
  crash_after_bytes_ = bytes;
}

void MemoryBackend::ClearFaults() {
  absl::MutexLock lock(&mu_);
  faults_.clear();
  crash_after_bytes_.reset();
}

int MemoryBackend::OpenWritersForTest() const {
  absl::MutexLock lock(&mu_);
  return open_writers_;
}

size_t MemoryBackend::ObjectCountForTest() const {
  absl::MutexLock lock(&mu_);
  return objects_.size();
}

Status MemoryBackend::TakeFault(Verb verb, bool at_open) {
  absl::MutexLock lock(&mu_);
  auto it = faults_.find(verb);
  if (it == faults_.end() || it->second.at_open != at_open) return absl::OkStatus();
  Status status = it->second.status;
  if (--it->second.times <= 0) faults_.erase(it);
  return status;
}

Status MemoryBackend::Store(std::string_view key, Object data) {
  absl::MutexLock lock(&mu_);
  // No object may sit on the key's path ("a" or "a/b" for "a/b/c") ...
  for (size_t slash = key.find('/'); slash != std::string_view::npos;
       slash = key.find('/', slash + 1)) {
    if (objects_.find(key.substr(0, slash)) != objects_.end()) {
      return absl::FailedPreconditionError(th::StrCat("cannot store \"", key, "\": \"",
                                                      key.substr(0, slash), "\" is an object"));
    }
  }
  // ... and the key must not be a folder ("a/b/" followed by anything).
  std::string folder = th::StrCat(key, "/");
  auto next = objects_.lower_bound(folder);
  if (next != objects_.end() && next->first.starts_with(folder)) {
    return absl::FailedPreconditionError(
        th::StrCat("cannot store \"", key, "\": it is a folder holding \"", next->first, "\""));
  }
  objects_.insert_or_assign(std::string(key), std::move(data));
  return absl::OkStatus();
}

Result<MemoryBackend::Object> MemoryBackend::Find(std::string_view key) {
  absl::MutexLock lock(&mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return NotFound(key);
  return it->second;
}

Status MemoryBackend::DoPut(std::string_view key, std::string_view bytes) {
  RETURN_IF_ERROR(TakeFault(Verb::kPut));
  return Store(key, std::make_shared<const std::string>(bytes));
}

Result<std::string> MemoryBackend::DoGet(std::string_view key) {
  RETURN_IF_ERROR(TakeFault(Verb::kGet));
  ASSIGN_OR_RETURN(Object data, Find(key));
  return *data;
}

Result<std::string> MemoryBackend::DoGetRange(std::string_view key, uint64_t offset,
                                              uint64_t length) {
  RETURN_IF_ERROR(TakeFault(Verb::kGetRange));
  ASSIGN_OR_RETURN(Object data, Find(key));
  RETURN_IF_ERROR(CheckRange(key, offset, length, data->size()));
  return data->substr(static_cast<size_t>(offset), static_cast<size_t>(length));
}

Result<uint64_t> MemoryBackend::DoStat(std::string_view key) {
  RETURN_IF_ERROR(TakeFault(Verb::kStat));
  ASSIGN_OR_RETURN(Object data, Find(key));
  return data->size();
}

Result<std::vector<std::string>> MemoryBackend::DoList(std::string_view prefix, ListMode mode) {
  RETURN_IF_ERROR(TakeFault(Verb::kList));
  std::string folder = prefix.empty() ? std::string() : th::StrCat(prefix, "/");
  std::vector<std::string> keys;
  absl::MutexLock lock(&mu_);
  for (auto it = objects_.lower_bound(folder);
       it != objects_.end() && it->first.starts_with(folder); ++it) {
    if (mode == ListMode::kRecursive) {
      keys.push_back(it->first);
      continue;
    }
    size_t slash = it->first.find('/', folder.size());
    std::string entry =
        slash == std::string::npos ? it->first : it->first.substr(0, slash + 1);
    if (keys.empty() || keys.back() != entry) keys.push_back(std::move(entry));
  }
  return keys;
}

Status MemoryBackend::DoDelete(std::string_view key) {
  RETURN_IF_ERROR(TakeFault(Verb::kDelete));
  absl::MutexLock lock(&mu_);
  auto it = objects_.find(key);
  if (it != objects_.end()) objects_.erase(it);
  return absl::OkStatus();
}

Result<std::unique_ptr<ObjectWriter::Sink>> MemoryBackend::DoPutStream(std::string_view key) {
  RETURN_IF_ERROR(TakeFault(Verb::kPutStream, /*at_open=*/true));
  absl::MutexLock lock(&mu_);
  std::optional<uint64_t> crash_after = std::exchange(crash_after_bytes_, std::nullopt);
  ++open_writers_;
  return std::unique_ptr<ObjectWriter::Sink>(
      std::make_unique<Sink>(this, std::string(key), crash_after));
}

Result<std::unique_ptr<ObjectReader::Source>> MemoryBackend::DoGetStream(std::string_view key) {
  RETURN_IF_ERROR(TakeFault(Verb::kGetStream));
  ASSIGN_OR_RETURN(Object data, Find(key));
  return std::unique_ptr<ObjectReader::Source>(std::make_unique<Source>(std::move(data)));
}

}  // namespace th::store::backend
