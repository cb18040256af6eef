// SpanCopier: builds a new SpanBatch from chosen spans of other batches, deep-copying each span
// with its resource, scope, attributes (nested values too), events and links into the new
// batch's own pools and arena. Resources and scopes are shared between copied spans that shared
// them in their source batch. The wire views are copied too, so the result may still be served
// by slicing; `otlp_encoding` is left empty.
// Thread-safety: none; the source batches must not change while copying.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "model/span_batch.h"

namespace th::pipeline::tail_sampling {

class SpanCopier {
 public:
  explicit SpanCopier(std::string tenant);

  // Appends span `index` of `src`. Requires: index < src.span_count().
  void Add(const model::SpanBatch& src, uint32_t index);

  size_t span_count() const { return out_->span_count(); }

  // The batch built so far; the copier must not be used afterwards.
  std::unique_ptr<model::SpanBatch> Finish() { return std::move(out_); }

 private:
  uint32_t ResourceFor(const model::SpanBatch& src, uint32_t resource);
  uint32_t ScopeFor(const model::SpanBatch& src, uint32_t scope);
  model::Range CopyKeyValues(const model::SpanBatch& src, model::Range r);
  model::AnyValue CopyValue(const model::SpanBatch& src, const model::AnyValue& v);
  std::string_view Copy(std::string_view s) { return out_->arena.Copy(s); }

  std::unique_ptr<model::SpanBatch> out_;
  std::map<std::pair<const model::SpanBatch*, uint32_t>, uint32_t> resources_;
  std::map<std::pair<const model::SpanBatch*, uint32_t>, uint32_t> scopes_;
};

}  // namespace th::pipeline::tail_sampling
