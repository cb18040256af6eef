#include "store/store.h"

#include <cstring>
#include <filesystem>

#include "common/log.h"
#include "common/metrics.h"
#include "common/strings.h"
#include "model/otlp_decode.h"
#include "model/otlp_encode.h"

namespace th::store {
namespace {

constexpr uint8_t kRecordSpans = 1;
constexpr size_t kMaxTenantLength = 0xffff;

struct Framed {
  std::string_view tenant;
  std::string_view otlp;
};

std::string FrameHeader(std::string_view tenant) {
  std::string h;
  h.push_back(static_cast<char>(kRecordSpans));
  auto n = static_cast<uint16_t>(tenant.size());
  h.push_back(static_cast<char>(n & 0xff));
  h.push_back(static_cast<char>(n >> 8));
  h.append(tenant);
  return h;
}

Result<Framed> Unframe(std::string_view record) {
  if (record.size() < 3 || static_cast<uint8_t>(record[0]) != kRecordSpans) {
    return absl::DataLossError("wal record: unknown kind");
  }
  size_t n =
      static_cast<uint8_t>(record[1]) | (static_cast<size_t>(static_cast<uint8_t>(record[2])) << 8);
  if (record.size() < 3 + n) return absl::DataLossError("wal record: tenant past end");
  return Framed{record.substr(3, n), record.substr(3 + n)};
}

}  // namespace

Store::~Store() { Close().IgnoreError(); }

Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  std::unique_ptr<Store> store(new Store());
  wal::Options wal_options = options.wal;
  wal_options.dir = (std::filesystem::path(options.data_dir) / "wal").string();
  uint64_t replay_errors = 0;
  Store* s = store.get();
  auto replay = [s, &replay_errors](std::string_view record) {
    Status st = s->IndexRecord(std::make_shared<const std::string>(record));
    if (!st.ok()) {
      ++replay_errors;
      metrics::Registry::Default()
          .GetCounter("tracehouse_store_replay_skipped_records_total",
                      "WAL records that replay could not index (unknown kind, undecodable).")
          ->Add();
      log::Error("skipping undecodable wal record", "error=\"", st.message(), "\"");
    }
  };
  ASSIGN_OR_RETURN(store->wal_, wal::Wal::Open(wal_options, replay, &store->replay_report_));
  HeadStats stats = store->head_.Stats();
  log::Info("wal replayed", "records=", store->replay_report_.records, " spans=", stats.spans,
            " traces=", stats.traces, " skipped=", replay_errors,
            " corrupt=", store->replay_report_.corrupt);
  return store;
}

Status Store::IndexRecord(std::shared_ptr<const std::string> record) {
  ASSIGN_OR_RETURN(Framed f, Unframe(*record));
  ASSIGN_OR_RETURN(model::DecodedTraces decoded,
                   model::DecodeOtlpTracesProto(std::string(f.otlp), f.tenant));
  head_.Add(f.tenant, std::move(record), f.otlp, *decoded.batch);
  return absl::OkStatus();
}

void Store::Append(std::unique_ptr<model::SpanBatch>&& batch,
                   std::function<void(const Status&)> done) {
  if (batch->tenant.size() > kMaxTenantLength) {
    done(absl::InvalidArgumentError("tenant id longer than 65535 bytes"));
    return;
  }
  auto record = std::make_shared<std::string>(FrameHeader(batch->tenant));
  size_t header = record->size();
  std::shared_ptr<model::SpanBatch> held;
  if (!batch->otlp_encoding.empty()) {
    record->append(batch->otlp_encoding);
    held = std::move(batch);
  } else {
    // Encoded here (JSON input, or spans were rejected): decode the encoding once more so the
    // head can index where each span sits in it.
    model::EncodeOtlpTraces(*batch, record.get());
    auto decoded = model::DecodeOtlpTracesProto(record->substr(header), batch->tenant);
    if (!decoded.ok()) {
      done(absl::InternalError(
          th::StrCat("store: re-encoded batch does not decode: ", Message(decoded.status()))));
      return;
    }
    held = std::move(decoded->batch);
  }
  std::shared_ptr<const std::string> shared = std::move(record);
  Status st = wal_->Append(shared, [this, shared, held, header, done](const Status& s) {
    if (s.ok()) {
      head_.Add(held->tenant, shared, std::string_view(*shared).substr(header), *held);
    }
    done(s);
  });
  if (!st.ok()) done(st);
}

Result<std::string> Store::FindTrace(std::string_view tenant, const model::TraceId& id,
                                     const TimeRange& range) const {
  return head_.FindTrace(tenant, id, range);
}

Status Store::Close() {
  if (wal_ == nullptr || closed_) return absl::OkStatus();
  closed_ = true;
  return wal_->Close();
}

}  // namespace th::store
