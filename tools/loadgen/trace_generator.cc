#include "tools/loadgen/trace_generator.h"

#include <array>
#include <string>
#include <vector>

#include "common/strings.h"

namespace th::tools {
namespace {

using model::AnyValue;
using model::KeyValue;
using model::Range;
using model::SpanBatch;
using model::ValueType;

struct Service {
  const char* name;
  const char* version;
  const char* operations[4];
};

constexpr std::array<Service, 12> kServices = {{
    {"frontend", "2.4.1", {"GET /", "GET /product/{id}", "POST /cart", "POST /checkout"}},
    {"checkout", "1.9.0", {"PlaceOrder", "PrepareOrderItems", "ChargeCard", "ShipOrder"}},
    {"cart", "3.0.2", {"GetCart", "AddItem", "EmptyCart", "redis GET"}},
    {"payment", "1.2.7", {"Charge", "ValidateCard", "fraud-check", "ledger INSERT"}},
    {"product-catalog", "0.8.3", {"GetProduct", "ListProducts", "SearchProducts", "cache GET"}},
    {"currency", "1.0.0", {"Convert", "GetSupportedCurrencies", "rates GET", "Convert"}},
    {"shipping", "2.1.0", {"GetQuote", "ShipOrder", "carrier POST", "GetQuote"}},
    {"email", "1.1.4", {"SendOrderConfirmation", "render template", "smtp SEND", "queue PUT"}},
    {"recommendation",
     "0.5.0",
     {"ListRecommendations", "model predict", "GetProducts", "cache GET"}},
    {"ad", "4.0.1", {"GetAds", "targeting", "GetAds", "cache GET"}},
    {"inventory", "2.2.2", {"Reserve", "Release", "SELECT stock", "UPDATE stock"}},
    {"postgres", "15.4", {"SELECT orders", "INSERT orders", "UPDATE orders", "BEGIN"}},
}};

constexpr const char* kRoutes[] = {"/api/cart/{id}", "/api/products/{id}",  "/api/checkout",
                                   "/api/currency",  "/api/shipping/quote", "/"};
constexpr const char* kMethods[] = {"GET", "GET", "GET", "POST", "PUT"};

struct PendingSpan {
  model::SpanRow row;
  int service;
};

}  // namespace

TraceGenerator::TraceGenerator(uint64_t seed) : rng_(seed) {}

TraceGenerator::TraceGenerator(uint64_t seed, Options options) : rng_(seed), options_(options) {}

std::string_view TraceProfileName(TraceGenerator::Profile profile) {
  return profile == TraceGenerator::Profile::kWide ? "wide" : "default";
}

std::optional<TraceGenerator::Profile> ParseTraceProfile(std::string_view name) {
  if (name == "default") return TraceGenerator::Profile::kDefault;
  if (name == "wide") return TraceGenerator::Profile::kWide;
  return std::nullopt;
}

std::unique_ptr<SpanBatch> TraceGenerator::NextBatch(size_t min_spans, uint64_t now) {
  if (options_.profile == Profile::kWide) return NextWideBatch(min_spans, now);
  return NextDefaultBatch(min_spans, now);
}

std::unique_ptr<SpanBatch> TraceGenerator::NextDefaultBatch(size_t min_spans, uint64_t now) {
  auto batch = std::make_unique<SpanBatch>();
  SpanBatch& b = *batch;
  b.tenant = std::string(model::kDefaultTenant);
  auto uniform = [this](uint64_t n) {
    return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_);
  };
  auto chance = [this](double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; };

  auto add_kv = [&b](std::string_view key, AnyValue v) {
    b.key_values.push_back(KeyValue{key, v});
  };
  auto str = [](std::string_view s) { return AnyValue{.type = ValueType::kString, .bytes = s}; };
  auto num = [](int64_t i) { return AnyValue{.type = ValueType::kInt, .int_value = i}; };

  // One resource and one scope per service.
  for (size_t s = 0; s < kServices.size(); ++s) {
    Range attrs{static_cast<uint32_t>(b.key_values.size()), 6};
    add_kv("service.name", str(kServices[s].name));
    add_kv("service.version", str(kServices[s].version));
    add_kv("host.name", str(b.arena.Copy(th::StrCat("node-", uniform(32)))));
    add_kv("k8s.pod.name",
           str(b.arena.Copy(th::StrCat(kServices[s].name, "-7d9f", uniform(1000)))));
    add_kv("telemetry.sdk.language", str("cpp"));
    add_kv("deployment.environment", str("production"));
    b.resources.push_back(model::Resource{attrs, 0, "https://opentelemetry.io/schemas/1.24.0"});
    b.scopes.push_back(
        model::Scope{static_cast<uint32_t>(s), "tracehouse-loadgen", "1.0.0", {}, 0, ""});
  }

  std::vector<std::vector<model::SpanRow>> by_service(kServices.size());
  size_t total = 0;
  while (total < min_spans) {
    model::TraceId trace;
    for (auto& byte : trace.bytes) byte = static_cast<uint8_t>(uniform(256));
    size_t n = 50 + uniform(41);
    bool error_trace = chance(0.05);
    uint64_t trace_start = now - 2'000'000'000ull - uniform(1'000'000'000ull);
    uint64_t trace_duration = 5'000'000 + uniform(900'000'000);
    std::vector<model::SpanRow> rows(n);
    std::vector<int> service_of(n);
    for (size_t k = 0; k < n; ++k) {
      model::SpanRow& r = rows[k];
      r.trace_id = trace;
      for (auto& byte : r.span_id.bytes) byte = static_cast<uint8_t>(uniform(256));
      r.span_id.bytes[0] |= 1;  // never all zero
      int service;
      if (k == 0) {
        service = 0;
        r.kind = model::kSpanKindServer;
        r.start_time_unix_nano = trace_start;
        r.end_time_unix_nano = trace_start + trace_duration;
      } else {
        // Parents are recent spans, which gives trees several levels deep.
        size_t parent = k - 1 - uniform(std::min<size_t>(k, 8));
        const model::SpanRow& p = rows[parent];
        r.parent_span_id = p.span_id;
        bool remote = chance(0.45);
        service = remote ? static_cast<int>(1 + uniform(kServices.size() - 1)) : service_of[parent];
        r.kind = remote ? model::kSpanKindServer
                        : (chance(0.5) ? model::kSpanKindClient : model::kSpanKindInternal);
        uint64_t span = p.end_time_unix_nano - p.start_time_unix_nano;
        uint64_t offset = span > 2 ? uniform(span / 2) : 0;
        r.start_time_unix_nano = p.start_time_unix_nano + offset;
        uint64_t left = p.end_time_unix_nano - r.start_time_unix_nano;
        r.end_time_unix_nano = r.start_time_unix_nano + (left > 2 ? 1 + uniform(left - 1) : 1);
      }
      service_of[k] = service;
      r.scope = static_cast<uint32_t>(service);
      r.name = kServices[service].operations[uniform(4)];
      r.flags = 0x101;

      bool failed = error_trace && chance(0.2);
      int64_t status_code = failed ? (chance(0.5) ? 500 : 503) : (chance(0.05) ? 404 : 200);
      r.attributes = Range{static_cast<uint32_t>(b.key_values.size()), 8};
      add_kv("http.method", str(kMethods[uniform(5)]));
      add_kv("http.route", str(kRoutes[uniform(6)]));
      add_kv("http.status_code", num(status_code));
      add_kv("net.peer.name", str(kServices[service_of[k == 0 ? 0 : k - 1]].name));
      add_kv("user.id", str(b.arena.Copy(th::StrCat("user-", uniform(100000)))));
      add_kv("request.size", num(static_cast<int64_t>(uniform(65536))));
      add_kv("cache.hit", AnyValue{.type = ValueType::kBool, .bool_value = chance(0.7)});
      add_kv("sampling.ratio", AnyValue{.type = ValueType::kDouble, .double_value = 0.25});
      if (chance(0.05)) {  // the other value types, now and then
        Range tags{static_cast<uint32_t>(b.array_values.size()), 2};
        b.array_values.push_back(str("canary"));
        b.array_values.push_back(str("eu-west-1"));
        Range kv{static_cast<uint32_t>(b.key_values.size() + 3), 1};
        add_kv("tags", AnyValue{.type = ValueType::kArray, .range = tags});
        add_kv("request.id",
               AnyValue{.type = ValueType::kBytes,
                        .bytes = b.arena.Copy(std::string_view(
                            reinterpret_cast<const char*>(r.span_id.bytes.data()), 8))});
        add_kv("feature.flags", AnyValue{.type = ValueType::kKvList, .range = kv});
        add_kv("new-checkout", AnyValue{.type = ValueType::kBool, .bool_value = true});
        r.attributes.count += 3;
      }
      if (failed) {
        r.status_code = model::kStatusError;
        r.status_message = "upstream request failed";
        Range ev_attrs{static_cast<uint32_t>(b.key_values.size()), 2};
        add_kv("exception.type", str("TimeoutError"));
        add_kv("exception.message", str("deadline exceeded after 500ms"));
        r.events = Range{static_cast<uint32_t>(b.events.size()), 1};
        b.events.push_back(model::Event{r.end_time_unix_nano - 1000, "exception", ev_attrs, 0});
      } else if (chance(0.1)) {
        r.events = Range{static_cast<uint32_t>(b.events.size()), 1};
        b.events.push_back(model::Event{r.start_time_unix_nano + 1000, "cache.lookup", {}, 0});
      }
      if (chance(0.02)) {
        model::Link link;
        for (auto& byte : link.trace_id.bytes) byte = static_cast<uint8_t>(uniform(256));
        for (auto& byte : link.span_id.bytes) byte = static_cast<uint8_t>(uniform(256));
        r.links = Range{static_cast<uint32_t>(b.links.size()), 1};
        b.links.push_back(link);
      }
    }
    for (size_t k = 0; k < n; ++k) by_service[service_of[k]].push_back(rows[k]);
    total += n;
  }
  b.spans.Reserve(total);
  for (const auto& rows : by_service) {
    for (const model::SpanRow& r : rows) b.AppendSpan(r);
  }
  return batch;
}

}  // namespace th::tools
