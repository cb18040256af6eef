#include "pipeline/processor/probabilistic_sampler/probabilistic_sampler.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/config/node.h"
#include "common/log.h"
#include "common/metrics.h"
#include "pipeline/processor/probabilistic_sampler/internal/hash_seed.h"

namespace th::pipeline {
namespace {

using probabilistic_sampler::kAllProbabilitiesRandomness;
using probabilistic_sampler::kAlwaysSampleThreshold;
using probabilistic_sampler::kNeverSampleThreshold;

struct Options {
  float sampling_percentage = 0;
  uint32_t hash_seed = 0;
  bool fail_closed = true;
};

Result<Options> ParseOptions(const config::Node& c) {
  Options o;
  RETURN_IF_ERROR(c.CheckKeys({"sampling_percentage", "hash_seed", "mode", "sampling_precision",
                               "fail_closed", "attribute_source", "from_attribute",
                               "sampling_priority"}));
  double pct = 0;
  RETURN_IF_ERROR(c.GetDouble("sampling_percentage", &pct));
  o.sampling_percentage = static_cast<float>(pct);
  double ratio = static_cast<double>(o.sampling_percentage) / 100.0;
  if (std::isnan(ratio) || std::isinf(ratio)) {
    return c["sampling_percentage"].Error(StrCat("sampling rate is invalid: ", pct, "%"));
  }
  if (ratio < 0) {
    return c["sampling_percentage"].Error(StrCat("negative sampling rate: ", pct, "%"));
  }
  if (ratio != 0 && ratio < 0x1p-56) {
    return c["sampling_percentage"].Error(StrCat("sampling rate is too small: ", pct, "%"));
  }
  uint64_t seed = 0;
  RETURN_IF_ERROR(c.GetUint("hash_seed", &seed));
  if (seed > UINT32_MAX) return c["hash_seed"].Error("must fit in 32 bits");
  o.hash_seed = static_cast<uint32_t>(seed);
  std::string mode = "hash_seed";
  RETURN_IF_ERROR(c.GetString("mode", &mode));
  if (mode == "proportional" || mode == "equalizing") {
    return c["mode"].Error(
        StrCat("sampler mode \"", mode, "\" is not supported yet (supported: hash_seed)"));
  }
  if (mode != "hash_seed" && !mode.empty()) {
    return c["mode"].Error(StrCat("unsupported sampler mode \"", mode,
                                  "\" (known: hash_seed, equalizing, proportional)"));
  }
  int64_t precision = 4;
  RETURN_IF_ERROR(c.GetInt("sampling_precision", &precision));
  if (precision < 1 || precision > 14) {
    return c["sampling_precision"].Error(
        StrCat("invalid sampling precision: ", precision, " (must be 1 to 14)"));
  }
  RETURN_IF_ERROR(c.GetBool("fail_closed", &o.fail_closed));
  std::string source = "traceID";
  RETURN_IF_ERROR(c.GetString("attribute_source", &source));
  if (source != "traceID" && source != "record") {
    return c["attribute_source"].Error(
        StrCat("invalid attribute source: ", source, ". Expected: traceID or record"));
  }
  std::string ignored;
  RETURN_IF_ERROR(c.GetString("from_attribute", &ignored));
  RETURN_IF_ERROR(c.GetString("sampling_priority", &ignored));
  return o;
}

enum class Priority { kDefer, kMustSample, kDoNotSample };

// The OpenTracing `sampling.priority` span attribute, read as the Collector reads it.
Priority SpanPriority(const model::SpanBatch& b, uint32_t i) {
  model::Range r = b.spans.attributes[i];
  for (uint32_t k = r.begin; k < r.end(); ++k) {
    const model::KeyValue& kv = b.key_values[k];
    if (kv.key != "sampling.priority") continue;
    double v = 0;
    switch (kv.value.type) {
      case model::ValueType::kInt:
        v = static_cast<double>(kv.value.int_value);
        break;
      case model::ValueType::kDouble:
        v = kv.value.double_value;
        break;
      case model::ValueType::kString: {
        // Go's strconv.ParseFloat: the whole string must be a number.
        std::string s(kv.value.bytes);
        if (s.empty()) return Priority::kDefer;
        char* end = nullptr;
        v = std::strtod(s.c_str(), &end);
        if (end != s.c_str() + s.size()) return Priority::kDefer;
        break;
      }
      default:
        return Priority::kDefer;
    }
    if (v == 0) return Priority::kDoNotSample;
    if (v > 0) return Priority::kMustSample;
    return Priority::kDefer;
  }
  return Priority::kDefer;
}

class ProbabilisticSampler final : public Processor {
 public:
  ProbabilisticSampler(const CreateSettings& settings, const Options& o, TracesConsumer* next)
      : options_(o), next_(next) {
    uint32_t scaled = probabilistic_sampler::ScaledSampleRate(o.sampling_percentage);
    threshold_ = scaled == 0 ? kNeverSampleThreshold
                             : probabilistic_sampler::ThresholdFromScaledRate(scaled);
    metrics::Registry* reg =
        settings.host != nullptr ? settings.host->metrics : &metrics::Registry::Default();
    std::string id = settings.id.ToString();
    auto counter = [&](const char* policy, const char* sampled) {
      return reg->GetCounter("otelcol_processor_probabilistic_sampler_count_traces_sampled",
                             "Count of spans that were sampled or not, per policy.",
                             {{"processor", id}, {"policy", policy}, {"sampled", sampled}});
    };
    hash_true_ = counter("trace_id_hash", "true");
    hash_false_ = counter("trace_id_hash", "false");
    priority_true_ = counter("sampling_priority", "true");
    priority_false_ = counter("sampling_priority", "false");
    missing_true_ = counter("missing_randomness", "true");
    missing_false_ = counter("missing_randomness", "false");
  }

  void ConsumeTraces(std::unique_ptr<model::SpanBatch>&& batch, Done done) override {
    model::SpanBatch& b = *batch;
    const size_t n = b.span_count();
    std::vector<bool> keep(n);
    size_t kept = 0;
    bool changed = false;
    probabilistic_sampler::TraceState ts;
    for (uint32_t i = 0; i < n; ++i) {
      keep[i] = Decide(b, i, &ts, &changed);
      kept += keep[i] ? 1 : 0;
    }
    if (kept == 0) {
      done(absl::OkStatus());
      return;
    }
    if (kept < n) {
      b.spans.Compact(keep);
      changed = true;
    }
    if (changed) b.otlp_encoding = {};
    next_->ConsumeTraces(std::move(batch), std::move(done));
  }

 private:
  // Decides span `i`; rewrites its tracestate when it is kept (setting *changed). Mirrors the
  // Collector's commonShouldSampleLogic with its hashingSampler, or its neverSampler when the
  // percentage rounds to zero.
  bool Decide(model::SpanBatch& b, uint32_t i, probabilistic_sampler::TraceState* ts,
              bool* changed) {
    const bool never = threshold_ == kNeverSampleThreshold;
    const model::TraceId& tid = b.spans.trace_id[i];
    const bool parsed = probabilistic_sampler::ParseTraceState(b.spans.trace_state[i], ts);
    bool missing = false;
    uint64_t randomness = kAllProbabilitiesRandomness;
    bool carrier = parsed;
    bool error = !parsed;
    if (!never) {
      missing = tid.IsZero();
      if (!missing) {
        randomness = probabilistic_sampler::RandomnessFromHash(
            probabilistic_sampler::SeededHash(tid.View(), options_.hash_seed));
      }
      if (parsed && (!ts->rv.empty() || !ts->th.empty())) {
        // rv/th belong to the consistent modes: leave such a tracestate alone.
        carrier = false;
        error = true;
      }
      if (carrier) ts->rv = probabilistic_sampler::RandomnessRValue(randomness);
      error = error || missing;
    }
    uint64_t threshold = threshold_;
    if (error) threshold = options_.fail_closed ? kNeverSampleThreshold : kAlwaysSampleThreshold;

    Priority priority = SpanPriority(b, i);
    if (priority == Priority::kDoNotSample) threshold = kNeverSampleThreshold;
    if (priority == Priority::kMustSample) threshold = kAlwaysSampleThreshold;

    bool sampled = threshold != kNeverSampleThreshold && randomness >= threshold;
    if (sampled && carrier) {
      // The threshold may only rise (UpdateTValueWithSampling); an arriving th that is higher
      // than ours stays.
      uint64_t arriving = 0;
      bool keep_arriving = false;
      if (!ts->th.empty()) {
        std::string padded = ts->th;
        padded.resize(14, '0');
        arriving = std::strtoull(padded.c_str(), nullptr, 16);
        keep_arriving = arriving > threshold;
      }
      if (!keep_arriving) ts->th = probabilistic_sampler::ThresholdTValue(threshold);
      b.spans.trace_state[i] = b.arena.Copy(probabilistic_sampler::SerializeTraceState(*ts));
      if (i < b.spans.wire.size()) b.spans.wire[i] = {};
      *changed = true;
    }
    if (priority != Priority::kDefer || never) {
      (sampled ? priority_true_ : priority_false_)->Add();
    } else if (missing) {
      (sampled ? missing_true_ : missing_false_)->Add();
    } else {
      (sampled ? hash_true_ : hash_false_)->Add();
    }
    return sampled;
  }

  const Options options_;
  TracesConsumer* const next_;
  uint64_t threshold_ = kNeverSampleThreshold;
  metrics::Counter* hash_true_;
  metrics::Counter* hash_false_;
  metrics::Counter* priority_true_;
  metrics::Counter* priority_false_;
  metrics::Counter* missing_true_;
  metrics::Counter* missing_false_;
};

}  // namespace

ProcessorFactory MakeProbabilisticSamplerFactory() {
  return [](const CreateSettings& settings, const config::Node& config,
            TracesConsumer* next) -> Result<std::unique_ptr<Processor>> {
    ASSIGN_OR_RETURN(Options o, ParseOptions(config));
    return std::unique_ptr<Processor>(new ProbabilisticSampler(settings, o, next));
  };
}

}  // namespace th::pipeline
