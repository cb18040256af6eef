#include "pipeline/processor/tail_sampling/internal/policy.h"

#include <cmath>
#include <cstring>
#include <map>
#include <limits>
#include <set>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "common/strings.h"
#include "re2/re2.h"
#include "pipeline/processor/tail_sampling/internal/lru.h"

namespace th::pipeline::tail_sampling {
namespace {

__extension__ typedef unsigned __int128 U128;

using model::AnyValue;
using model::SpanBatch;
using model::ValueType;

// ---- attribute access, as pcommon's getters behave ----

const AnyValue* FindAttr(const SpanBatch& b, model::Range r, std::string_view key) {
  for (uint32_t k = r.begin; k < r.end(); ++k) {
    if (b.key_values[k].key == key) return &b.key_values[k].value;
  }
  return nullptr;
}

std::string_view Str(const AnyValue& v) {
  return v.type == ValueType::kString ? v.bytes : std::string_view();
}
int64_t Int(const AnyValue& v) { return v.type == ValueType::kInt ? v.int_value : 0; }
bool Bool(const AnyValue& v) { return v.type == ValueType::kBool && v.bool_value; }

uint32_t ResourceOf(const SpanBatch& b, uint32_t span) {
  return b.scopes[b.spans.scope[span]].resource;
}

// Calls res(batch, resource) before the first span of each (batch, resource) run and
// span(batch, index) for every span, stopping when either returns `stop_on`.
template <typename ResFn, typename SpanFn>
bool AnyResourceOrSpan(const TraceView& t, bool stop_on, ResFn res, SpanFn span) {
  const SpanBatch* last_batch = nullptr;
  uint32_t last_resource = std::numeric_limits<uint32_t>::max();
  for (const SpanRef& ref : *t.spans) {
    const SpanBatch& b = *ref.batch;
    uint32_t r = ResourceOf(b, ref.index);
    if (ref.batch != last_batch || r != last_resource) {
      last_batch = ref.batch;
      last_resource = r;
      if (res(b, b.resources[r].attributes) == stop_on) return true;
    }
    if (span(b, ref.index) == stop_on) return true;
  }
  return false;
}

// The Collector's hasResourceOrSpanWithCondition / invertHasResourceOrSpanWithCondition, with
// `matches` telling whether an attribute value matches the policy.
template <typename Match>
Decision AttributeDecision(const TraceView& t, const std::string& key, bool invert, Match matches,
                           bool span_requires_nonempty_string = false) {
  auto check_res = [&](const SpanBatch& b, model::Range attrs) {
    const AnyValue* v = FindAttr(b, attrs, key);
    return v != nullptr && matches(*v);
  };
  auto check_span = [&](const SpanBatch& b, uint32_t i) {
    const AnyValue* v = FindAttr(b, b.spans.attributes[i], key);
    if (v == nullptr) return false;
    if (span_requires_nonempty_string && Str(*v).empty()) return false;
    return matches(*v);
  };
  if (!invert) {
    return AnyResourceOrSpan(t, true, check_res, check_span) ? Decision::kSampled
                                                             : Decision::kNotSampled;
  }
  return AnyResourceOrSpan(t, true, check_res, check_span) ? Decision::kInvertNotSampled
                                                           : Decision::kInvertSampled;
}

template <typename SpanFn>
Decision AnySpan(const TraceView& t, SpanFn fn) {
  for (const SpanRef& ref : *t.spans) {
    if (fn(*ref.batch, ref.index)) return Decision::kSampled;
  }
  return Decision::kNotSampled;
}

// ---- W3C tracestate lookup (as go.opentelemetry.io/otel/trace.ParseTraceState) ----

bool IsLcAlpha(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsKeyChar(char c) {
  return IsLcAlpha(c) || IsDigit(c) || c == '_' || c == '-' || c == '*' || c == '/';
}
bool AllKeyChars(std::string_view s) {
  for (char c : s) {
    if (!IsKeyChar(c)) return false;
  }
  return true;
}
bool ValidKey(std::string_view key) {
  size_t at = key.find('@');
  if (at == std::string_view::npos) {
    return !key.empty() && key.size() <= 256 && IsLcAlpha(key[0]) && AllKeyChars(key);
  }
  std::string_view tenant = key.substr(0, at);
  std::string_view system = key.substr(at + 1);
  return !tenant.empty() && tenant.size() <= 241 && (IsLcAlpha(tenant[0]) || IsDigit(tenant[0])) &&
         AllKeyChars(tenant) && !system.empty() && system.size() <= 14 && IsLcAlpha(system[0]) &&
         AllKeyChars(system);
}
bool ValidValue(std::string_view v) {
  if (v.empty() || v.size() > 256 || v.back() == ' ') return false;
  for (char c : v) {
    if (c < 0x20 || c > 0x7e || c == ',' || c == '=') return false;
  }
  return true;
}
// The value of `key` in tracestate `text`; "" when absent or when the tracestate is invalid.
std::string_view TraceStateGet(std::string_view text, std::string_view key) {
  std::string_view found;
  std::vector<std::string_view> seen;
  size_t pos = 0;
  while (true) {
    size_t end = text.find(',', pos);
    std::string_view member =
        TrimBlanks(text.substr(pos, end == std::string_view::npos ? end : end - pos));
    if (!member.empty()) {
      size_t eq = member.find('=');
      if (eq == std::string_view::npos) return {};
      std::string_view k = member.substr(0, eq);
      std::string_view v = member.substr(eq + 1);
      if (!ValidKey(k) || !ValidValue(v)) return {};
      for (std::string_view s : seen) {
        if (s == k) return {};  // duplicate keys make the whole tracestate invalid
      }
      seen.push_back(k);
      if (seen.size() > 32) return {};
      if (k == key) found = v;
    }
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return found;
}

// ---- FNV-1a-64, for the probabilistic policy ----

uint64_t Fnv1a64(std::string_view data, uint64_t h) {
  for (char c : data) {
    h ^= static_cast<uint8_t>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

// ---- evaluators ----

class AlwaysSample final : public PolicyEvaluator {
 public:
  Decision Evaluate(const TraceView&, const EvalContext&) override { return Decision::kSampled; }
};

class Latency final : public PolicyEvaluator {
 public:
  Latency(int64_t threshold_ms, int64_t upper_ms) : lower_(threshold_ms), upper_(upper_ms) {}
  Decision Evaluate(const TraceView& t, const EvalContext&) override {
    // The running min start / max end, checked after each span as the Collector does.
    uint64_t min_start = 0, max_end = 0;
    return AnySpan(t, [&](const SpanBatch& b, uint32_t i) {
      uint64_t s = b.spans.start_time_unix_nano[i];
      uint64_t e = b.spans.end_time_unix_nano[i];
      if (min_start == 0 || s < min_start) min_start = s;
      if (max_end == 0 || e > max_end) max_end = e;
      int64_t ms = static_cast<int64_t>(max_end - min_start) / 1000000;
      if (upper_ == 0) return ms >= lower_;
      return lower_ < ms && ms <= upper_;
    });
  }

 private:
  int64_t lower_, upper_;
};

class StatusCode final : public PolicyEvaluator {
 public:
  explicit StatusCode(std::vector<int32_t> codes) : codes_(std::move(codes)) {}
  Decision Evaluate(const TraceView& t, const EvalContext&) override {
    return AnySpan(t, [&](const SpanBatch& b, uint32_t i) {
      for (int32_t c : codes_) {
        if (b.spans.status_code[i] == c) return true;
      }
      return false;
    });
  }

 private:
  std::vector<int32_t> codes_;
};

class StringAttribute final : public PolicyEvaluator {
 public:
  StringAttribute(std::string key, std::vector<std::string> values,
                  std::vector<std::unique_ptr<RE2>> regexes, size_t cache_size, bool invert)
      : key_(std::move(key)),
        regexes_(std::move(regexes)),
        cache_(cache_size),
        invert_(invert) {
    for (auto& v : values) {
      if (!v.empty()) values_.insert(std::move(v));
    }
  }
  Decision Evaluate(const TraceView& t, const EvalContext&) override {
    return AttributeDecision(
        t, key_, invert_, [&](const AnyValue& v) { return Match(Str(v)); },
        /*span_requires_nonempty_string=*/true);
  }

 private:
  bool Match(std::string_view s) {
    if (regexes_.empty()) return values_.count(std::string(s)) > 0;
    std::string key(s);
    if (const bool* hit = cache_.Get(key)) return *hit;
    bool matched = false;
    for (const auto& re : regexes_) {
      // Go's Regexp.MatchString finds a match anywhere in the string.
      if (RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), *re)) {
        matched = true;
        break;
      }
    }
    cache_.Put(std::move(key), matched);
    return matched;
  }

  std::string key_;
  std::unordered_set<std::string> values_;
  std::vector<std::unique_ptr<RE2>> regexes_;
  LruMap<std::string, bool> cache_;
  bool invert_;
};

class NumericAttribute final : public PolicyEvaluator {
 public:
  NumericAttribute(std::string key, int64_t min, int64_t max, bool invert)
      : key_(std::move(key)), min_(min), max_(max), invert_(invert) {}
  Decision Evaluate(const TraceView& t, const EvalContext&) override {
    return AttributeDecision(t, key_, invert_, [&](const AnyValue& v) {
      int64_t x = Int(v);
      return x >= min_ && x <= max_;
    });
  }

 private:
  std::string key_;
  int64_t min_, max_;
  bool invert_;
};

class BooleanAttribute final : public PolicyEvaluator {
 public:
  BooleanAttribute(std::string key, bool value, bool invert)
      : key_(std::move(key)), value_(value), invert_(invert) {}
  Decision Evaluate(const TraceView& t, const EvalContext&) override {
    return AttributeDecision(t, key_, invert_,
                             [&](const AnyValue& v) { return Bool(v) == value_; });
  }

 private:
  std::string key_;
  bool value_;
  bool invert_;
};

class Probabilistic final : public PolicyEvaluator {
 public:
  Probabilistic(std::string salt, double percentage)
      : salt_(salt.empty() ? "default-hash-seed" : std::move(salt)),
        threshold_(ProbabilisticThreshold(percentage / 100)) {}
  Decision Evaluate(const TraceView& t, const EvalContext&) override {
    return ProbabilisticHash(salt_, t.trace_id) <= threshold_ ? Decision::kSampled : Decision::kNotSampled;
  }

 private:
  std::string salt_;
  uint64_t threshold_;
};

class RateLimiting final : public PolicyEvaluator {
 public:
  explicit RateLimiting(int64_t spans_per_second) : limit_(spans_per_second) {}
  Decision Evaluate(const TraceView& t, const EvalContext& ctx) override {
    if (second_ != ctx.unix_second) {
      second_ = ctx.unix_second;
      spans_ = 0;
    }
    int64_t if_sampled = spans_ + t.span_count;
    if (if_sampled < limit_) {
      spans_ = if_sampled;
      return Decision::kSampled;
    }
    return Decision::kNotSampled;
  }

 private:
  int64_t limit_;
  int64_t second_ = 0;
  int64_t spans_ = 0;
};

class SpanCount final : public PolicyEvaluator {
 public:
  SpanCount(int64_t min, int64_t max) : min_(min), max_(max) {}
  Decision Evaluate(const TraceView& t, const EvalContext&) override {
    if (max_ == 0 && t.span_count >= min_) return Decision::kSampled;
    if (t.span_count >= min_ && t.span_count <= max_) return Decision::kSampled;
    return Decision::kNotSampled;
  }

 private:
  int64_t min_, max_;
};

class TraceStatePolicy final : public PolicyEvaluator {
 public:
  TraceStatePolicy(std::string key, const std::vector<std::string>& values)
      : key_(std::move(key)) {
    for (const auto& v : values) {
      // A key=value member may not exceed 256 characters.
      if (!v.empty() && key_.size() + v.size() < 256) values_.insert(v);
    }
  }
  Decision Evaluate(const TraceView& t, const EvalContext&) override {
    return AnySpan(t, [&](const SpanBatch& b, uint32_t i) {
      std::string_view v = TraceStateGet(b.spans.trace_state[i], key_);
      return !v.empty() && values_.count(std::string(v)) > 0;
    });
  }

 private:
  std::string key_;
  std::unordered_set<std::string> values_;
};

class TraceFlags final : public PolicyEvaluator {
 public:
  Decision Evaluate(const TraceView& t, const EvalContext&) override {
    return AnySpan(t, [](const SpanBatch& b, uint32_t i) { return (b.spans.flags[i] & 1) != 0; });
  }
};

// `and`: every sub-policy must sample; `drop`: the same, answering Dropped.
class AllOf final : public PolicyEvaluator {
 public:
  AllOf(std::vector<std::unique_ptr<PolicyEvaluator>> subs, Decision on_all)
      : subs_(std::move(subs)), on_all_(on_all) {}
  Decision Evaluate(const TraceView& t, const EvalContext& ctx) override {
    for (auto& sub : subs_) {
      Decision d = sub->Evaluate(t, ctx);
      if (d == Decision::kNotSampled || d == Decision::kInvertNotSampled) {
        return Decision::kNotSampled;
      }
    }
    return on_all_;
  }

 private:
  std::vector<std::unique_ptr<PolicyEvaluator>> subs_;
  Decision on_all_;
};

class Composite final : public PolicyEvaluator {
 public:
  struct Sub {
    std::unique_ptr<PolicyEvaluator> evaluator;
    int64_t allocated_sps = 0;
    int64_t sampled_sps = 0;
  };
  Composite(int64_t max_total, std::vector<Sub> subs)
      : max_total_(max_total), subs_(std::move(subs)) {}
  Decision Evaluate(const TraceView& t, const EvalContext& ctx) override {
    if (second_ != ctx.unix_second) {
      second_ = ctx.unix_second;
      for (Sub& s : subs_) s.sampled_sps = 0;
    }
    for (Sub& s : subs_) {
      Decision d = s.evaluator->Evaluate(t, ctx);
      if (d == Decision::kSampled || d == Decision::kInvertSampled) {
        int64_t if_sampled = s.sampled_sps + t.span_count;
        if (if_sampled <= s.allocated_sps && if_sampled <= max_total_) {
          s.sampled_sps = if_sampled;
          return Decision::kSampled;
        }
        // Over this sub-policy's budget; the counter stays so a smaller trace may fit later.
        return Decision::kNotSampled;
      }
    }
    return Decision::kNotSampled;
  }

 private:
  int64_t max_total_;
  std::vector<Sub> subs_;
  int64_t second_ = 0;
};

// ---- config ----

constexpr std::string_view kSharedTypes[] = {
    "always_sample", "latency",    "numeric_attribute", "probabilistic",
    "status_code",   "string_attribute", "rate_limiting", "span_count",
    "trace_state",   "boolean_attribute", "trace_flags"};
constexpr std::string_view kUnsupportedTypes[] = {"ottl_condition", "bytes_limiting", "not",
                                                  "skip", "budget_limiting"};

Status RequireKey(const config::Node& block, std::string* key) {
  RETURN_IF_ERROR(block.GetString("key", key));
  if (key->empty()) return block.Error("key: must be set");
  return absl::OkStatus();
}

Result<std::unique_ptr<PolicyEvaluator>> ParseShared(const std::string& type,
                                                     const config::Node& node) {
  config::Node block = node[type];
  if (type == "always_sample") return std::unique_ptr<PolicyEvaluator>(new AlwaysSample());
  if (type == "trace_flags") return std::unique_ptr<PolicyEvaluator>(new TraceFlags());
  if (type == "latency") {
    RETURN_IF_ERROR(block.CheckKeys({"threshold_ms", "upper_threshold_ms"}));
    int64_t lower = 0, upper = 0;
    RETURN_IF_ERROR(block.GetInt("threshold_ms", &lower));
    RETURN_IF_ERROR(block.GetInt("upper_threshold_ms", &upper));
    if (lower < 0) return block["threshold_ms"].Error("must not be negative");
    if (upper != 0 && upper < lower) {
      return block["upper_threshold_ms"].Error("must be greater than threshold_ms");
    }
    return std::unique_ptr<PolicyEvaluator>(new Latency(lower, upper));
  }
  if (type == "status_code") {
    RETURN_IF_ERROR(block.CheckKeys({"status_codes"}));
    std::vector<std::string> names;
    RETURN_IF_ERROR(block.GetStringList("status_codes", &names));
    if (names.empty()) return block.Error("status_codes: expected at least one status code");
    std::vector<int32_t> codes;
    for (const std::string& n : names) {
      if (n == "OK") {
        codes.push_back(model::kStatusOk);
      } else if (n == "ERROR") {
        codes.push_back(model::kStatusError);
      } else if (n == "UNSET") {
        codes.push_back(model::kStatusUnset);
      } else {
        return block["status_codes"].Error(
            StrCat("unknown status code \"", n, "\", supported: OK, ERROR, UNSET"));
      }
    }
    return std::unique_ptr<PolicyEvaluator>(new StatusCode(std::move(codes)));
  }
  if (type == "string_attribute") {
    RETURN_IF_ERROR(block.CheckKeys(
        {"key", "values", "enabled_regex_matching", "cache_max_size", "invert_match"}));
    std::string key;
    RETURN_IF_ERROR(RequireKey(block, &key));
    std::vector<std::string> values;
    RETURN_IF_ERROR(block.GetStringList("values", &values));
    bool regex = false, invert = false;
    int64_t cache_size = 0;
    RETURN_IF_ERROR(block.GetBool("enabled_regex_matching", &regex));
    RETURN_IF_ERROR(block.GetInt("cache_max_size", &cache_size));
    RETURN_IF_ERROR(block.GetBool("invert_match", &invert));
    std::vector<std::unique_ptr<RE2>> regexes;
    if (regex) {
      for (const std::string& v : values) {
        auto re = std::make_unique<RE2>(v, RE2::Quiet);
        if (!re->ok()) {
          return block["values"].Error(StrCat("invalid regular expression \"", v, "\": ",
                                              re->error()));
        }
        regexes.push_back(std::move(re));
      }
      if (cache_size <= 0) cache_size = 128;
    }
    return std::unique_ptr<PolicyEvaluator>(new StringAttribute(
        std::move(key), std::move(values), std::move(regexes),
        static_cast<size_t>(cache_size), invert));
  }
  if (type == "numeric_attribute") {
    RETURN_IF_ERROR(block.CheckKeys({"key", "min_value", "max_value", "invert_match"}));
    std::string key;
    RETURN_IF_ERROR(RequireKey(block, &key));
    int64_t min = 0, max = 0;
    bool invert = false;
    RETURN_IF_ERROR(block.GetInt("min_value", &min));
    RETURN_IF_ERROR(block.GetInt("max_value", &max));
    RETURN_IF_ERROR(block.GetBool("invert_match", &invert));
    if (min == 0 && max == 0) return block.Error("min_value or max_value must be set");
    if (min != 0 && max != 0 && max < min) {
      return block["max_value"].Error("must be greater than or equal to min_value");
    }
    // As the Collector: a zero bound means "no bound".
    return std::unique_ptr<PolicyEvaluator>(new NumericAttribute(
        std::move(key), min != 0 ? min : std::numeric_limits<int64_t>::min(),
        max != 0 ? max : std::numeric_limits<int64_t>::max(), invert));
  }
  if (type == "boolean_attribute") {
    RETURN_IF_ERROR(block.CheckKeys({"key", "value", "invert_match"}));
    std::string key;
    RETURN_IF_ERROR(RequireKey(block, &key));
    bool value = false, invert = false;
    RETURN_IF_ERROR(block.GetBool("value", &value));
    RETURN_IF_ERROR(block.GetBool("invert_match", &invert));
    return std::unique_ptr<PolicyEvaluator>(new BooleanAttribute(std::move(key), value, invert));
  }
  if (type == "probabilistic") {
    RETURN_IF_ERROR(block.CheckKeys({"hash_salt", "sampling_percentage"}));
    std::string salt;
    double pct = 0;
    RETURN_IF_ERROR(block.GetString("hash_salt", &salt));
    RETURN_IF_ERROR(block.GetDouble("sampling_percentage", &pct));
    if (pct < 0 || pct > 100) {
      return block["sampling_percentage"].Error("must be between 0 and 100");
    }
    return std::unique_ptr<PolicyEvaluator>(new Probabilistic(std::move(salt), pct));
  }
  if (type == "rate_limiting") {
    RETURN_IF_ERROR(block.CheckKeys({"spans_per_second"}));
    int64_t sps = 0;
    RETURN_IF_ERROR(block.GetInt("spans_per_second", &sps));
    if (sps < 0) return block["spans_per_second"].Error("must not be negative");
    return std::unique_ptr<PolicyEvaluator>(new RateLimiting(sps));
  }
  if (type == "span_count") {
    RETURN_IF_ERROR(block.CheckKeys({"min_spans", "max_spans"}));
    int64_t min = 0, max = 0;
    RETURN_IF_ERROR(block.GetInt("min_spans", &min));
    RETURN_IF_ERROR(block.GetInt("max_spans", &max));
    if (max != 0 && max < min) {
      return block["max_spans"].Error("minimum span count must be less than maximum");
    }
    return std::unique_ptr<PolicyEvaluator>(new SpanCount(min, max));
  }
  if (type == "trace_state") {
    RETURN_IF_ERROR(block.CheckKeys({"key", "values"}));
    std::string key;
    RETURN_IF_ERROR(RequireKey(block, &key));
    std::vector<std::string> values;
    RETURN_IF_ERROR(block.GetStringList("values", &values));
    return std::unique_ptr<PolicyEvaluator>(new TraceStatePolicy(std::move(key), values));
  }
  return node["type"].Error(StrCat("unknown sampling policy type \"", type, "\""));
}

Result<std::vector<std::unique_ptr<PolicyEvaluator>>> ParseSubs(const config::Node& list,
                                                                PolicyLevel level) {
  if (!list.IsSequence() || list.Items().empty()) {
    return list.Error("expected a non-empty list of sub-policies");
  }
  std::vector<std::unique_ptr<PolicyEvaluator>> out;
  for (const config::Node& item : list.Items()) {
    ASSIGN_OR_RETURN(Policy p, ParsePolicy(item, level));
    out.push_back(std::move(p.evaluator));
  }
  return out;
}

Result<std::unique_ptr<PolicyEvaluator>> ParseComposite(const config::Node& node) {
  config::Node block = node["composite"];
  RETURN_IF_ERROR(block.CheckKeys(
      {"max_total_spans_per_second", "policy_order", "composite_sub_policy", "rate_allocation"}));
  int64_t max_total = 0;
  RETURN_IF_ERROR(block.GetInt("max_total_spans_per_second", &max_total));
  if (max_total <= 0) return block.Error("max_total_spans_per_second: must be set and positive");
  std::vector<std::string> order;
  RETURN_IF_ERROR(block.GetStringList("policy_order", &order));
  config::Node subs_node = block["composite_sub_policy"];
  if (!subs_node.IsSequence() || subs_node.Items().empty()) {
    return subs_node.Error("expected a non-empty list of sub-policies");
  }
  std::vector<Policy> subs;
  std::set<std::string> names;
  for (const config::Node& item : subs_node.Items()) {
    ASSIGN_OR_RETURN(Policy p, ParsePolicy(item, PolicyLevel::kCompositeSub));
    if (!p.name.empty() && !names.insert(p.name).second) {
      return item["name"].Error(StrCat("duplicate sub-policy name \"", p.name, "\""));
    }
    subs.push_back(std::move(p));
  }
  for (const std::string& n : order) {
    if (!names.count(n)) {
      return block["policy_order"].Error(StrCat("unknown sub-policy \"", n, "\""));
    }
  }
  // Rate allocation as the Collector's getRateAllocationMap: percent of the total, or an equal
  // share when percent is not positive; a sub-policy without an allocation gets nothing.
  std::map<std::string, double> allocation;
  const double total = static_cast<double>(max_total);
  const double equal_share = total / static_cast<double>(subs.size());
  config::Node alloc_node = block["rate_allocation"];
  for (const config::Node& item : alloc_node.Items()) {
    RETURN_IF_ERROR(item.CheckKeys({"policy", "percent"}));
    std::string policy;
    int64_t percent = 0;
    RETURN_IF_ERROR(item.GetString("policy", &policy));
    RETURN_IF_ERROR(item.GetInt("percent", &percent));
    if (!names.count(policy)) {
      return item["policy"].Error(StrCat("unknown sub-policy \"", policy, "\""));
    }
    allocation[policy] =
        percent > 0 ? static_cast<double>(percent) / 100 * total : equal_share;
  }
  std::vector<Composite::Sub> evals;
  for (Policy& p : subs) {
    Composite::Sub s;
    s.evaluator = std::move(p.evaluator);
    auto it = allocation.find(p.name);
    s.allocated_sps = it == allocation.end() ? 0 : static_cast<int64_t>(it->second);
    evals.push_back(std::move(s));
  }
  return std::unique_ptr<PolicyEvaluator>(new Composite(max_total, std::move(evals)));
}

}  // namespace

uint64_t ProbabilisticHash(std::string_view salt, const model::TraceId& id) {
  if (salt.empty()) salt = "default-hash-seed";
  return Fnv1a64(id.View(), Fnv1a64(salt, 14695981039346656037ULL));
}

uint64_t ProbabilisticThreshold(double ratio) {
  // big.Float(MaxUint64, 64 bits) * big.NewFloat(ratio), rounded to 64 bits (nearest-even),
  // then truncated to an integer — done exactly here with 128-bit integers.
  if (!(ratio > 0)) return 0;
  int exp = 0;
  double frac = std::frexp(ratio, &exp);  // ratio = frac * 2^exp, frac in [0.5, 1)
  auto mant = static_cast<uint64_t>(std::ldexp(frac, 53));  // exact, 53 bits
  exp -= 53;                                                 // ratio = mant * 2^exp
  U128 p = static_cast<U128>(~uint64_t{0}) * mant;
  int bits = 0;
  for (U128 q = p; q != 0; q >>= 1) ++bits;
  if (bits > 64) {
    int s = bits - 64;
    U128 mask = (static_cast<U128>(1) << s) - 1;
    U128 rem = p & mask;
    U128 half = static_cast<U128>(1) << (s - 1);
    p >>= s;
    if (rem > half || (rem == half && (p & 1) != 0)) ++p;
    exp += s;
  }
  if (exp >= 0) {
    if (exp >= 64) return ~uint64_t{0};
    U128 v = p << exp;
    return v > ~uint64_t{0} ? ~uint64_t{0} : static_cast<uint64_t>(v);
  }
  if (-exp >= 128) return 0;
  U128 v = p >> (-exp);
  return v > ~uint64_t{0} ? ~uint64_t{0} : static_cast<uint64_t>(v);
}

Result<Policy> ParsePolicy(const config::Node& node, PolicyLevel level) {
  RETURN_IF_ERROR(node.CheckKeys({"name", "type", "latency", "numeric_attribute", "probabilistic",
                                  "status_code", "string_attribute", "rate_limiting",
                                  "bytes_limiting", "span_count", "trace_state",
                                  "boolean_attribute", "ottl_condition", "trace_flags", "and",
                                  "composite", "drop"}));
  Policy p;
  RETURN_IF_ERROR(node.GetString("name", &p.name));
  RETURN_IF_ERROR(node.GetString("type", &p.type));
  if (p.type.empty()) return node.Error("type: must be set");
  for (std::string_view t : kUnsupportedTypes) {
    if (p.type == t) {
      return node["type"].Error(StrCat("policy type \"", p.type, "\" is not supported"));
    }
  }
  bool shared = false;
  for (std::string_view t : kSharedTypes) shared = shared || p.type == t;
  if (shared) {
    ASSIGN_OR_RETURN(p.evaluator, ParseShared(p.type, node));
    return p;
  }
  if (p.type == "and" && level != PolicyLevel::kAndSub) {
    config::Node block = node["and"];
    RETURN_IF_ERROR(block.CheckKeys({"and_sub_policy"}));
    ASSIGN_OR_RETURN(auto subs, ParseSubs(block["and_sub_policy"], PolicyLevel::kAndSub));
    p.evaluator = std::make_unique<AllOf>(std::move(subs), Decision::kSampled);
    return p;
  }
  if (p.type == "drop" && level == PolicyLevel::kTop) {
    config::Node block = node["drop"];
    RETURN_IF_ERROR(block.CheckKeys({"drop_sub_policy"}));
    ASSIGN_OR_RETURN(auto subs, ParseSubs(block["drop_sub_policy"], PolicyLevel::kAndSub));
    p.evaluator = std::make_unique<AllOf>(std::move(subs), Decision::kDropped);
    return p;
  }
  if (p.type == "composite" && level == PolicyLevel::kTop) {
    ASSIGN_OR_RETURN(p.evaluator, ParseComposite(node));
    return p;
  }
  if (p.type == "and" || p.type == "drop" || p.type == "composite") {
    return node["type"].Error(
        StrCat("policy type \"", p.type, "\" is not allowed inside this policy"));
  }
  return node["type"].Error(StrCat("unknown sampling policy type \"", p.type, "\""));
}

Result<std::vector<Policy>> ParsePolicies(const config::Node& list) {
  if (!list.IsSequence() || list.Items().empty()) {
    return list.Error("policies: at least one policy must be configured");
  }
  std::vector<Policy> drops, others;
  std::set<std::string> names;
  for (const config::Node& item : list.Items()) {
    ASSIGN_OR_RETURN(Policy p, ParsePolicy(item, PolicyLevel::kTop));
    if (p.name.empty()) return item.Error("name: policy name cannot be empty");
    if (!names.insert(p.name).second) {
      return item["name"].Error(StrCat("duplicate policy name \"", p.name, "\""));
    }
    (p.type == "drop" ? drops : others).push_back(std::move(p));
  }
  for (Policy& p : others) drops.push_back(std::move(p));
  return drops;
}

}  // namespace th::pipeline::tail_sampling
