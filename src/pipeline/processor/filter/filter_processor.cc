#include "pipeline/processor/filter/filter_processor.h"

#include <optional>
#include <vector>

#include "common/config/node.h"
#include "common/log.h"
#include "common/strings.h"
#include "pipeline/processor/filter/ottl.h"
#include "pipeline/processor/internal/batch_edit.h"
#include "pipeline/processor/internal/match_properties.h"

namespace th::pipeline {
namespace {

enum class ErrorMode { kPropagate, kIgnore, kSilent };

struct FilterConfig {
  ErrorMode error_mode = ErrorMode::kPropagate;
  std::optional<processor::SpanSelector> selector;  // legacy `spans:` form
  std::vector<ottl::Condition> span_conditions;
  std::vector<ottl::Condition> event_conditions;
};

Result<std::vector<ottl::Condition>> ParseConditions(const config::Node& list,
                                                     ottl::Context context) {
  std::vector<ottl::Condition> out;
  if (list.IsNull()) return out;
  if (!list.IsSequence()) return list.Error("expected a list of OTTL conditions");
  for (const config::Node& item : list.Items()) {
    if (!item.IsScalar()) return item.Error("expected an OTTL condition string");
    std::string text = item.Scalar();
    Result<ottl::Condition> c = ottl::Condition::Parse(text, context);
    if (!c.ok()) {
      return item.Error(th::StrCat("condition \"", text, "\": ", Message(c.status())));
    }
    out.push_back(*std::move(c));
  }
  return out;
}

Result<FilterConfig> ParseConfig(const config::Node& c) {
  FilterConfig cfg;
  RETURN_IF_ERROR(c.CheckKeys({"error_mode", "spans", "traces", "metrics", "logs"}));
  std::string mode = "propagate";
  RETURN_IF_ERROR(c.GetString("error_mode", &mode));
  if (mode == "propagate") {
    cfg.error_mode = ErrorMode::kPropagate;
  } else if (mode == "ignore") {
    cfg.error_mode = ErrorMode::kIgnore;
  } else if (mode == "silent") {
    cfg.error_mode = ErrorMode::kSilent;
  } else {
    return c["error_mode"].Error(
        th::StrCat("unknown error_mode \"", mode, "\" (known: propagate, ignore, silent)"));
  }

  config::Node traces = c["traces"];
  if (!traces.IsNull()) {
    RETURN_IF_ERROR(traces.CheckKeys({"span", "spanevent"}));
    ASSIGN_OR_RETURN(cfg.span_conditions, ParseConditions(traces["span"], ottl::Context::kSpan));
    ASSIGN_OR_RETURN(cfg.event_conditions,
                     ParseConditions(traces["spanevent"], ottl::Context::kSpanEvent));
  }
  config::Node spans = c["spans"];
  if (!spans.IsNull()) {
    RETURN_IF_ERROR(spans.CheckKeys({"include", "exclude"}));
    ASSIGN_OR_RETURN(processor::SpanSelector selector, processor::SpanSelector::Parse(spans));
    if (!selector.empty()) {
      if (!cfg.span_conditions.empty() || !cfg.event_conditions.empty()) {
        return spans.Error(
            "cannot use \"traces.span\" or \"traces.spanevent\" together with \"spans\" "
            "include/exclude");
      }
      cfg.selector = std::move(selector);
    }
  }
  return cfg;
}

class FilterProcessor final : public Processor {
 public:
  FilterProcessor(const CreateSettings& settings, FilterConfig cfg, TracesConsumer* next)
      : id_(settings.id.ToString()), cfg_(std::move(cfg)), next_(next) {
    metrics::Registry* m =
        settings.host != nullptr ? settings.host->metrics : &metrics::Registry::Default();
    filtered_ =
        m->GetCounter("otelcol_processor_filter_spans_filtered_total",
                      "Number of spans dropped by the filter processor.", {{"filter", id_}});
  }

  void ConsumeTraces(std::unique_ptr<model::SpanBatch>&& batch, Done done) override {
    model::SpanBatch& b = *batch;
    size_t n = b.span_count();
    std::vector<bool> keep(n, true);
    size_t dropped = 0;
    bool events_changed = false;
    Status first_error;
    for (uint32_t i = 0; i < n; ++i) {
      bool drop = false;
      if (cfg_.selector) {
        drop = !cfg_.selector->Selects(b, i);
      } else {
        drop = AnyTrue(cfg_.span_conditions, ottl::EvalTarget{&b, i, 0}, &first_error);
      }
      if (!first_error.ok() && cfg_.error_mode == ErrorMode::kPropagate) break;
      if (drop) {
        keep[i] = false;
        ++dropped;
        continue;
      }
      if (!cfg_.event_conditions.empty()) {
        events_changed |= FilterEvents(b, i, &first_error);
        if (!first_error.ok() && cfg_.error_mode == ErrorMode::kPropagate) break;
      }
    }
    if (!first_error.ok()) {
      if (cfg_.error_mode == ErrorMode::kPropagate) {
        done(absl::InvalidArgumentError(th::StrCat(id_, ": ", Message(first_error))));
        return;
      }
      if (cfg_.error_mode == ErrorMode::kIgnore) {
        std::string error(Message(first_error));
        for (size_t at = error.find('"'); at != std::string::npos; at = error.find('"', at + 2)) {
          error.insert(at, 1, '\\');
        }
        log::Warn("failed to evaluate a filter condition; treated as false", "processor=", id_,
                  " error=\"", error, "\"");
      }
    }
    filtered_->Add(dropped);
    if (n > 0 && dropped == n) {
      done(absl::OkStatus());
      return;
    }
    if (dropped > 0) {
      b.spans.Compact(keep);
      processor::DropUnreferencedScopes(b);
    }
    if (dropped > 0 || events_changed) processor::MarkModified(b);
    next_->ConsumeTraces(std::move(batch), std::move(done));
  }

 private:
  // True when any condition holds. An evaluation error counts as false and is kept in *error
  // (the first one only).
  static bool AnyTrue(const std::vector<ottl::Condition>& conditions,
                      const ottl::EvalTarget& target, Status* error) {
    for (const ottl::Condition& c : conditions) {
      Result<bool> r = c.Eval(target);
      if (!r.ok()) {
        if (error->ok()) {
          *error = absl::InvalidArgumentError(
              th::StrCat("condition \"", c.text(), "\": ", Message(r.status())));
        }
        continue;
      }
      if (*r) return true;
    }
    return false;
  }

  // Drops span `span`'s events that match; returns true when any was dropped. The kept events
  // are appended to batch.events as a new contiguous slice (the old one stays, unreferenced).
  bool FilterEvents(model::SpanBatch& b, uint32_t span, Status* error) {
    model::Range r = b.spans.events[span];
    std::vector<model::Event> kept;
    for (uint32_t e = r.begin; e < r.end(); ++e) {
      if (!AnyTrue(cfg_.event_conditions, ottl::EvalTarget{&b, span, e}, error)) {
        kept.push_back(b.events[e]);
      }
    }
    if (kept.size() == r.count) return false;
    model::Range out{static_cast<uint32_t>(b.events.size()), static_cast<uint32_t>(kept.size())};
    if (kept.empty()) out.begin = 0;
    b.events.insert(b.events.end(), kept.begin(), kept.end());
    b.spans.events[span] = out;
    return true;
  }

  std::string id_;
  FilterConfig cfg_;
  TracesConsumer* next_;
  metrics::Counter* filtered_;
};

}  // namespace

ProcessorFactory MakeFilterProcessorFactory() {
  return [](const CreateSettings& settings, const config::Node& config,
            TracesConsumer* next) -> Result<std::unique_ptr<Processor>> {
    ASSIGN_OR_RETURN(FilterConfig cfg, ParseConfig(config));
    return std::unique_ptr<Processor>(new FilterProcessor(settings, std::move(cfg), next));
  };
}

}  // namespace th::pipeline
