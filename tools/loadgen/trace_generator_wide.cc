// TraceGenerator's kWide profile (shape in trace_generator.h): short Kubernetes-style traces with
// many resources, high-cardinality span attributes and many events.
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "common/strings.h"
#include "model/ids.h"
#include "tools/loadgen/trace_generator.h"

namespace th::tools {
namespace {

using model::AnyValue;
using model::KeyValue;
using model::Range;
using model::SpanBatch;
using model::ValueType;

enum class Role { kGateway, kHttp, kGrpc };

struct WideService {
  const char* name;
  const char* k8s_namespace;
  Role role;
  const char* language;   // telemetry.sdk.language
  const char* scope;      // instrumentation scope name
  const char* routes[3];  // HTTP routes, or gRPC "package.Service/Method"
  const char* db_system;  // nullptr: no database client spans
  const char* db_table;   // table, key prefix or index
  const char* topic;      // Kafka topic it publishes to, or nullptr
};

constexpr const char* kHttpScope = "io.opentelemetry.instrumentation.http";
constexpr const char* kGrpcScope = "go.opentelemetry.io/contrib/instrumentation/grpc/otelgrpc";

// One row per service; clang-format would put every field on a line of its own.
// clang-format off
constexpr std::array<WideService, 12> kWideServices = {{
    {"api-gateway", "edge", Role::kGateway, "go",
     "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp",
     {"/v1/users/{id}", "/v1/orders/{id}", "/v1/search"}, nullptr, nullptr, nullptr},
    {"users", "accounts", Role::kHttp, "java", kHttpScope,
     {"/users/{id}", "/users/{id}/sessions", "/users/{id}/preferences"}, "postgresql", "users",
     nullptr},
    {"orders", "commerce", Role::kHttp, "java", kHttpScope,
     {"/orders/{id}", "/orders", "/orders/{id}/items"}, "postgresql", "orders", "orders.created"},
    {"billing", "commerce", Role::kGrpc, "go", kGrpcScope,
     {"billing.v1.Billing/Charge", "billing.v1.Billing/Refund", "billing.v1.Billing/GetInvoice"},
     "postgresql", "invoices", "payments.charged"},
    {"inventory", "commerce", Role::kGrpc, "go", kGrpcScope,
     {"inventory.v1.Stock/Reserve", "inventory.v1.Stock/Release", "inventory.v1.Stock/Get"},
     "mysql", "stock", nullptr},
    {"auth", "accounts", Role::kGrpc, "go", kGrpcScope,
     {"auth.v1.Auth/Verify", "auth.v1.Auth/Refresh", "auth.v1.Auth/Introspect"}, "redis",
     "session", nullptr},
    {"search", "discovery", Role::kHttp, "python", kHttpScope,
     {"/search", "/search/suggest", "/search/facets"}, "elasticsearch", "products", nullptr},
    {"pricing", "commerce", Role::kGrpc, "java", kGrpcScope,
     {"pricing.v2.Pricing/Quote", "pricing.v2.Pricing/ApplyCoupon", "pricing.v2.Pricing/Rates"},
     "redis", "price", nullptr},
    {"recommendations", "discovery", Role::kGrpc, "python", kGrpcScope,
     {"recs.v1.Recs/ForUser", "recs.v1.Recs/Similar", "recs.v1.Recs/Trending"}, "redis", "recs",
     nullptr},
    {"media", "content", Role::kHttp, "nodejs", kHttpScope,
     {"/media/{id}", "/media/{id}/thumbnail", "/media/upload"}, "postgresql", "assets", nullptr},
    {"notifications", "messaging", Role::kHttp, "nodejs", kHttpScope,
     {"/notify/email", "/notify/push", "/notify/sms"}, nullptr, nullptr, "notifications.sent"},
    {"audit", "platform", Role::kGrpc, "java", kGrpcScope,
     {"audit.v1.Audit/Record", "audit.v1.Audit/Query", "audit.v1.Audit/Export"}, "postgresql",
     "audit_log", nullptr},
}};
// clang-format on

constexpr const char* kUserAgents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/119.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 Version/17.1 Safari",
    "okhttp/4.12.0",
    "example-ios/5.14.2 (build 9912)",
    "curl/8.4.0",
};
constexpr const char* kInternalWork[] = {
    "validate request",   "serialize response", "compute totals",  "render template",
    "load feature flags", "check permissions",  "apply discounts", "resize image",
};
constexpr const char* kExceptionTypes[] = {"java.net.SocketTimeoutException",
                                           "io.grpc.StatusRuntimeException",
                                           "psycopg2.OperationalError", "context.DeadlineExceeded"};
constexpr const char* kFrameMethods[] = {"handle", "process",      "execute", "call",
                                         "apply",  "lambda$run$0", "invoke",  "doFilter"};
constexpr const char* kSeverities[] = {"INFO", "INFO", "DEBUG", "WARN"};

enum class SpanType { kHttpServer, kGrpcServer, kDb, kProducer, kInternal };

// splitmix64: stable per-service values (rollout hashes) that do not consume the generator.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Builds one kWide batch; holds the generator's random engine for the duration.
class WideBatchBuilder {
 public:
  WideBatchBuilder(std::mt19937_64* rng, SpanBatch* batch) : rng_(*rng), b_(*batch) {}

  void AddPods() {
    pods_of_.resize(kWideServices.size());
    for (size_t s = 0; s < kWideServices.size(); ++s) {
      size_t pods = 2 + Uniform(5);
      for (size_t p = 0; p < pods; ++p) AddPod(s);
    }
  }

  // Adds one trace; returns its span count.
  size_t AddTrace(uint64_t now) {
    model::TraceId trace;
    for (auto& byte : trace.bytes) byte = static_cast<uint8_t>(Uniform(256));
    const size_t n = 2 + Uniform(7);
    user_ = Uniform(2'000'000);
    tenant_ = Uniform(5000);
    const size_t failed_span = Chance(0.03) ? Uniform(n) : n;
    const uint64_t trace_start = now - 2'000'000'000ull - Uniform(1'000'000'000ull);
    const uint64_t trace_duration = 1'000'000 + Uniform(400'000'000);
    std::array<int, kWideServices.size()> pod_in_trace;
    pod_in_trace.fill(-1);
    std::vector<model::SpanRow> rows(n);
    std::vector<size_t> service_of(n);
    std::vector<size_t> parents;  // spans that may have children
    for (size_t k = 0; k < n; ++k) {
      model::SpanRow& r = rows[k];
      r.trace_id = trace;
      for (auto& byte : r.span_id.bytes) byte = static_cast<uint8_t>(Uniform(256));
      r.span_id.bytes[0] |= 1;
      size_t service = 0;
      SpanType type = SpanType::kHttpServer;
      if (k == 0) {
        r.start_time_unix_nano = trace_start;
        r.end_time_unix_nano = trace_start + trace_duration;
      } else {
        const size_t parent = parents[Uniform(parents.size())];
        const model::SpanRow& p = rows[parent];
        const size_t parent_service = service_of[parent];
        r.parent_span_id = p.span_id;
        const WideService& ps = kWideServices[parent_service];
        uint64_t roll = Uniform(100);
        if (roll < 40) {
          service = 1 + Uniform(kWideServices.size() - 1);
          type = kWideServices[service].role == Role::kGrpc ? SpanType::kGrpcServer
                                                            : SpanType::kHttpServer;
        } else if (roll < 70 && ps.db_system != nullptr) {
          service = parent_service;
          type = SpanType::kDb;
        } else if (roll < 80 && ps.topic != nullptr) {
          service = parent_service;
          type = SpanType::kProducer;
        } else {
          service = parent_service;
          type = SpanType::kInternal;
        }
        uint64_t span = p.end_time_unix_nano - p.start_time_unix_nano;
        uint64_t offset = span > 2 ? Uniform(span / 2) : 0;
        r.start_time_unix_nano = p.start_time_unix_nano + offset;
        uint64_t left = p.end_time_unix_nano - r.start_time_unix_nano;
        r.end_time_unix_nano = r.start_time_unix_nano + (left > 2 ? 1 + Uniform(left - 1) : 1);
      }
      if (type == SpanType::kHttpServer || type == SpanType::kGrpcServer ||
          type == SpanType::kInternal) {
        parents.push_back(k);
      }
      service_of[k] = service;
      if (pod_in_trace[service] < 0) {
        const auto& pods = pods_of_[service];
        pod_in_trace[service] = static_cast<int>(pods[Uniform(pods.size())]);
      }
      r.scope = static_cast<uint32_t>(pod_in_trace[service]);
      r.flags = 0x101;
      const bool failed = k == failed_span || (k == 0 && failed_span < n);
      FillSpan(&r, kWideServices[service], type, failed);
    }
    for (size_t k = 0; k < n; ++k) by_resource_[rows[k].scope].push_back(rows[k]);
    return n;
  }

  void AppendSpans(size_t total) {
    b_.spans.Reserve(total);
    for (const auto& rows : by_resource_) {
      for (const model::SpanRow& r : rows) b_.AppendSpan(r);
    }
  }

 private:
  uint64_t Uniform(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_); }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  template <size_t N>
  const char* Pick(const char* const (&items)[N]) {
    return items[Uniform(N)];
  }

  std::string_view Keep(std::string s) { return b_.arena.Copy(s); }
  std::string RandomHex(size_t bytes) {
    std::string raw(bytes, '\0');
    for (char& c : raw) c = static_cast<char>(Uniform(256));
    return model::ToHex(raw);
  }
  std::string Uuid() {
    std::string h = RandomHex(16);
    return th::StrCat(h.substr(0, 8), "-", h.substr(8, 4), "-", h.substr(12, 4), "-",
                      h.substr(16, 4), "-", h.substr(20));
  }
  // Argument evaluation order is unspecified, so every helper draws its random numbers in
  // separate statements: the output must not depend on the compiler.
  std::string Ip(uint64_t first) {
    uint64_t b = Uniform(256);
    uint64_t c = Uniform(256);
    uint64_t d = 1 + Uniform(254);
    return th::StrCat(first, ".", b, ".", c, ".", d);
  }
  static std::string Hex(uint64_t v) {
    std::string raw(8, '\0');
    for (int i = 0; i < 8; ++i) raw[i] = static_cast<char>(v >> (56 - 8 * i));
    return model::ToHex(raw);
  }

  void Add(std::string_view key, AnyValue v) { b_.key_values.push_back(KeyValue{key, v}); }
  void AddStr(std::string_view key, std::string_view s) {
    Add(key, AnyValue{.type = ValueType::kString, .bytes = s});
  }
  void AddOwned(std::string_view key, std::string s) { AddStr(key, Keep(std::move(s))); }
  void AddInt(std::string_view key, int64_t i) {
    Add(key, AnyValue{.type = ValueType::kInt, .int_value = i});
  }
  uint32_t KvCount(uint32_t begin) const {
    return static_cast<uint32_t>(b_.key_values.size()) - begin;
  }

  // One pod of service `s`: a resource with 23 attributes and its scope.
  void AddPod(size_t s) {
    const WideService& svc = kWideServices[s];
    const uint64_t rollout = Uniform(2);  // two versions live at once
    const std::string version = th::StrCat(1 + s % 3, ".", 4 + s, ".", 7 + rollout);
    const std::string rs = th::StrCat(svc.name, "-", Hex(Mix(s * 2 + rollout)).substr(0, 10));
    static constexpr char kAlnum[] = "bcdfghjklmnpqrstvwxz2456789";
    std::string suffix;
    for (int i = 0; i < 5; ++i) suffix.push_back(kAlnum[Uniform(sizeof(kAlnum) - 1)]);
    const uint64_t node = Uniform(64);
    const std::string node_name =
        th::StrCat("ip-10-0-", node / 8, "-", 10 + node % 8 * 17, ".eu-west-1.compute.internal");

    uint32_t begin = static_cast<uint32_t>(b_.key_values.size());
    AddStr("service.name", svc.name);
    AddStr("service.namespace", svc.k8s_namespace);
    AddOwned("service.version", version);
    AddOwned("service.instance.id", Uuid());
    AddStr("k8s.namespace.name", svc.k8s_namespace);
    AddStr("k8s.deployment.name", svc.name);
    AddOwned("k8s.replicaset.name", rs);
    AddOwned("k8s.pod.name", th::StrCat(rs, "-", suffix));
    AddOwned("k8s.pod.uid", Uuid());
    AddOwned("k8s.node.name", node_name);
    AddOwned("host.name", node_name);
    AddOwned("container.id", RandomHex(32));
    AddStr("container.name", svc.name);
    AddOwned("container.image.name",
             th::StrCat("registry.example.com/", svc.k8s_namespace, "/", svc.name));
    AddOwned("container.image.tag", version);
    AddStr("cloud.provider", "aws");
    AddStr("cloud.platform", "aws_eks");
    AddStr("cloud.region", "eu-west-1");
    AddOwned("cloud.availability_zone", th::StrCat("eu-west-1", "abc"[node % 3]));
    AddStr("telemetry.sdk.name", "opentelemetry");
    AddStr("telemetry.sdk.language", svc.language);
    AddStr("telemetry.sdk.version", "1.21.0");
    AddInt("process.pid", static_cast<int64_t>(1 + Uniform(32768)));
    const uint32_t resource = static_cast<uint32_t>(b_.resources.size());
    b_.resources.push_back(model::Resource{Range{begin, KvCount(begin)}, 0,
                                           "https://opentelemetry.io/schemas/1.21.0"});
    b_.scopes.push_back(model::Scope{resource, svc.scope, "0.46.0", {}, 0, ""});
    pods_of_[s].push_back(resource);
    by_resource_.emplace_back();
  }

  // "/users/{id}/sessions" with the id filled in.
  std::string FillRoute(std::string_view route) {
    std::string out(route);
    if (size_t at = out.find("{id}"); at != std::string::npos) {
      out.replace(at, 4, th::StrCat(1 + Uniform(50'000'000)));
    }
    return out;
  }

  std::string DbStatement(const WideService& svc, std::string_view op, uint64_t id) {
    std::string_view system = svc.db_system;
    if (system == "redis") {
      if (op == "GET") return th::StrCat("GET ", svc.db_table, ":", user_);
      if (op == "SET") return th::StrCat("SET ", svc.db_table, ":", user_, " ? EX 300");
      return th::StrCat("HGETALL ", svc.db_table, ":", id);
    }
    if (system == "elasticsearch") {
      return th::StrCat(R"({"query":{"match":{"title":"item )", id % 9973,
                        R"("}},"size":20,"from":)", Uniform(10) * 20, "}");
    }
    if (op == "SELECT") {
      return th::StrCat("SELECT id, status, total_cents, created_at FROM ", svc.db_table,
                        " WHERE user_id = ", user_, " AND id = ", id, " LIMIT 1");
    }
    if (op == "INSERT") {
      return th::StrCat("INSERT INTO ", svc.db_table,
                        " (id, user_id, status, total_cents) VALUES (", id, ", ", user_,
                        ", 'pending', ", Uniform(100'000), ")");
    }
    return th::StrCat("UPDATE ", svc.db_table,
                      " SET status = 'paid', updated_at = now() WHERE id = ", id);
  }

  std::string LogMessage(const WideService& svc) {
    switch (Uniform(6)) {
      case 0:
        return th::StrCat("cache miss for key user:", user_);
      case 1: {
        uint64_t rows = Uniform(200);
        return th::StrCat("loaded ", rows, " rows in ", Uniform(80), " ms");
      }
      case 2:
        return th::StrCat("feature flag checkout-v2=", Chance(0.5) ? "on" : "off", " for tenant t-",
                          tenant_);
      case 3: {
        uint64_t attempt = 1 + Uniform(3);
        return th::StrCat("retrying upstream call attempt=", attempt,
                          " backoff_ms=", 50 * (1 + Uniform(8)));
      }
      case 4:
        return th::StrCat("validated request ", RandomHex(4), " for u-", user_);
      default: {
        uint64_t lock = Uniform(1'000'000);
        return th::StrCat("acquired lock ", svc.name, ":", lock, " after ", Uniform(20), " ms");
      }
    }
  }

  void AddLogEvent(const model::SpanRow& r, const WideService& svc) {
    uint32_t begin = static_cast<uint32_t>(b_.key_values.size());
    AddStr("log.severity", Pick(kSeverities));
    AddOwned("log.message", LogMessage(svc));
    uint64_t span = r.end_time_unix_nano - r.start_time_unix_nano;
    b_.events.push_back(model::Event{r.start_time_unix_nano + (span > 1 ? Uniform(span) : 0), "log",
                                     Range{begin, KvCount(begin)}, 0});
  }

  void AddException(model::SpanRow* r, const WideService& svc) {
    const char* type = Pick(kExceptionTypes);
    std::string request = RandomHex(8);
    std::string message =
        th::StrCat("request ", request, " for u-", user_, " failed: deadline exceeded after ",
                   100 * (1 + Uniform(10)), "ms");
    std::string stack = th::StrCat(type, ": ", message);
    size_t frames = 6 + Uniform(5);
    for (size_t f = 0; f < frames; ++f) {
      const char* method = Pick(kFrameMethods);
      th::StrAppend(&stack, "\n\tat com.example.", svc.name, ".Handler.", method,
                    "(Handler.java:", 20 + Uniform(400), ")");
    }
    uint32_t begin = static_cast<uint32_t>(b_.key_values.size());
    AddStr("exception.type", type);
    AddOwned("exception.message", message);
    AddOwned("exception.stacktrace", stack);
    b_.events.push_back(
        model::Event{r->end_time_unix_nano - 1, "exception", Range{begin, KvCount(begin)}, 0});
    r->status_code = model::kStatusError;
    r->status_message = Keep(message);
  }

  void FillSpan(model::SpanRow* r, const WideService& svc, SpanType type, bool failed) {
    uint32_t begin = static_cast<uint32_t>(b_.key_values.size());
    size_t events = 0;
    switch (type) {
      case SpanType::kHttpServer: {
        std::string_view route = svc.routes[Uniform(3)];
        uint64_t m = Uniform(10);
        std::string_view method = m < 6 ? "GET" : (m < 8 ? "POST" : (m < 9 ? "PATCH" : "DELETE"));
        r->kind = model::kSpanKindServer;
        r->name = Keep(th::StrCat(method, " ", route));
        const bool gateway = svc.role == Role::kGateway;
        AddStr("http.request.method", method);
        AddStr("url.scheme", gateway ? "https" : "http");
        AddOwned("url.path", FillRoute(route));
        if (Chance(0.6)) {
          uint64_t page = Uniform(40);
          uint64_t limit = 20 * (1 + Uniform(5));
          AddOwned("url.query", th::StrCat("page=", page, "&limit=", limit,
                                           "&sort=created_at&cursor=", RandomHex(6)));
        }
        AddStr("http.route", route);
        AddInt("http.response.status_code", failed ? 500 : (Chance(0.04) ? 404 : 200));
        AddOwned("server.address",
                 gateway ? std::string("api.example.com")
                         : th::StrCat(svc.name, ".", svc.k8s_namespace, ".svc.cluster.local"));
        AddInt("server.port", gateway ? 443 : 8080);
        AddOwned("client.address", Ip(gateway ? 1 + Uniform(223) : 10));
        if (gateway) AddStr("user_agent.original", Pick(kUserAgents));
        AddOwned("user.id", th::StrCat("u-", user_));
        AddOwned("request.id", Uuid());
        AddStr("network.protocol.version", gateway ? "2" : "1.1");
        if (method != "GET") AddInt("http.request.body_size", static_cast<int64_t>(Uniform(65536)));
        events = 1 + Uniform(4);
        break;
      }
      case SpanType::kGrpcServer: {
        std::string_view full = svc.routes[Uniform(3)];
        size_t slash = full.find('/');
        r->kind = model::kSpanKindServer;
        r->name = full;
        AddStr("rpc.system", "grpc");
        AddStr("rpc.service", full.substr(0, slash));
        AddStr("rpc.method", full.substr(slash + 1));
        AddInt("rpc.grpc.status_code", failed ? 14 : 0);
        AddOwned("server.address", th::StrCat(svc.name, ".", svc.k8s_namespace, ".svc:9090"));
        AddOwned("client.address", Ip(10));
        AddOwned("user.id", th::StrCat("u-", user_));
        AddOwned("tenant.id", th::StrCat("t-", tenant_));
        AddOwned("request.id", Uuid());
        events = 1 + Uniform(4);
        break;
      }
      case SpanType::kDb: {
        std::string_view system = svc.db_system;
        std::string_view op;
        if (system == "redis") {
          op = std::array<const char*, 3>{"GET", "SET", "HGETALL"}[Uniform(3)];
        } else if (system == "elasticsearch") {
          op = "search";
        } else {
          op = std::array<const char*, 3>{"SELECT", "INSERT", "UPDATE"}[Uniform(3)];
        }
        uint64_t id = 1 + Uniform(50'000'000);
        r->kind = model::kSpanKindClient;
        r->name = Keep(th::StrCat(op, " ", svc.db_table));
        AddStr("db.system", system);
        AddStr("db.name", svc.name);
        AddOwned("db.statement", DbStatement(svc, op, id));
        AddStr("db.operation", op);
        if (system != "redis" && system != "elasticsearch") AddStr("db.sql.table", svc.db_table);
        AddOwned("server.address", th::StrCat(svc.db_table, "-db-", Uniform(3), ".",
                                              svc.k8s_namespace, ".svc.cluster.local"));
        AddInt("server.port", system == "redis"           ? 6379
                              : system == "mysql"         ? 3306
                              : system == "elasticsearch" ? 9200
                                                          : 5432);
        if (op != "SELECT" && op != "GET") AddInt("db.rows_affected", 1);
        events = Uniform(2);
        break;
      }
      case SpanType::kProducer: {
        r->kind = model::kSpanKindProducer;
        r->name = Keep(th::StrCat(svc.topic, " publish"));
        AddStr("messaging.system", "kafka");
        AddStr("messaging.destination.name", svc.topic);
        AddStr("messaging.operation", "publish");
        AddOwned("messaging.message.id", Uuid());
        AddOwned("messaging.kafka.message.key", th::StrCat("u-", user_));
        AddInt("messaging.kafka.destination.partition", static_cast<int64_t>(Uniform(24)));
        AddInt("messaging.message.body.size", static_cast<int64_t>(200 + Uniform(4000)));
        events = Uniform(2);
        break;
      }
      case SpanType::kInternal: {
        const char* work = Pick(kInternalWork);
        r->kind = model::kSpanKindInternal;
        r->name = work;
        AddStr("code.function", work);
        AddOwned("code.namespace", th::StrCat("com.example.", svc.name));
        AddInt("code.lineno", static_cast<int64_t>(20 + Uniform(400)));
        events = Uniform(3);
        break;
      }
    }
    r->attributes = Range{begin, KvCount(begin)};
    const uint32_t first_event = static_cast<uint32_t>(b_.events.size());
    for (size_t e = 0; e < events; ++e) AddLogEvent(*r, svc);
    if (failed) AddException(r, svc);
    r->events = Range{first_event, static_cast<uint32_t>(b_.events.size()) - first_event};
    if (Chance(0.01)) {
      model::Link link;
      for (auto& byte : link.trace_id.bytes) byte = static_cast<uint8_t>(Uniform(256));
      for (auto& byte : link.span_id.bytes) byte = static_cast<uint8_t>(Uniform(256));
      r->links = Range{static_cast<uint32_t>(b_.links.size()), 1};
      b_.links.push_back(link);
    }
  }

  std::mt19937_64& rng_;
  SpanBatch& b_;
  std::vector<std::vector<uint32_t>> pods_of_;  // per service: its resources in this batch
  std::vector<std::vector<model::SpanRow>> by_resource_;
  uint64_t user_ = 0;    // of the current trace
  uint64_t tenant_ = 0;  // of the current trace
};

}  // namespace

std::unique_ptr<SpanBatch> TraceGenerator::NextWideBatch(size_t min_spans, uint64_t now) {
  auto batch = std::make_unique<SpanBatch>();
  batch->tenant = std::string(model::kDefaultTenant);
  WideBatchBuilder builder(&rng_, batch.get());
  builder.AddPods();
  size_t total = 0;
  while (total < min_spans) total += builder.AddTrace(now);
  builder.AppendSpans(total);
  return batch;
}

}  // namespace th::tools
