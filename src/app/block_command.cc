#include "app/block_command.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>

#include "app/config/serve_config.h"
#include "app/trace_table.h"
#include "common/flags.h"
#include "common/json.h"
#include "common/status.h"
#include "common/strings.h"
#include "model/ids.h"
#include "model/otlp_json_encode.h"
#include "store/backend/local/local_backend.h"
#include "store/backend/s3/s3_backend.h"
#include "store/block/block_meta.h"
#include "store/block/block_reader.h"
#include "store/block/block_verify.h"
#include "store/block/block_writer.h"
#include "store/block/encoding/page.h"

namespace th::app {
namespace {

namespace block = ::th::store::block;
namespace enc = ::th::store::block::encoding;
using store::backend::Backend;
using store::backend::ListMode;
using store::backend::LocalBackend;

constexpr std::string_view kUsage =
    "usage: tracehouse block <command> [flags]\n"
    "\n"
    "Looks inside the blocks stored under <data-dir>/blocks, or in the S3 bucket a --config\n"
    "names, without a running server.\n"
    "\n"
    "commands:\n"
    "  ls       one line per block: time range, traces, spans, bytes, row groups, version\n"
    "  dump     one block's meta, row groups and column chunks, and its first traces\n"
    "  verify   check one or every block page by page; exit code 1 when anything is wrong\n"
    "\n"
    "Run 'tracehouse block <command> --help' for a command's flags.\n";

constexpr std::string_view kDefaultDataDir = "./data";  // as `serve`'s --data-dir

void Write(std::FILE* f, std::string_view s) { std::fwrite(s.data(), 1, s.size(), f); }

// Output streams and the subcommand name for messages.
struct Io {
  std::FILE* out;
  std::FILE* err;
  std::string command;  // "block ls"

  // Prints "<command>: <message>" to err and returns `code`.
  int Fail(int code, std::string_view message) const {
    Write(err, th::StrCat(command, ": ", message, "\n"));
    return code;
  }
};

// As Flags::ParseCommandLine, on `io`'s streams.
std::optional<int> ParseFlags(Flags& flags, const std::vector<std::string>& args, const Io& io) {
  if (Status s = flags.Parse(args); !s.ok()) {
    Write(io.err, th::StrCat(th::Message(s), "\n"));
    return 2;
  }
  if (flags.help_requested()) {
    Write(io.out, flags.Usage());
    return 0;
  }
  return std::nullopt;
}

// RFC 3339 in UTC: with `nanos`, Go's RFC3339Nano (fraction without trailing zeros), else
// milliseconds.
std::string Rfc3339(uint64_t unix_nano, bool nanos) {
  std::time_t secs = static_cast<std::time_t>(unix_nano / 1'000'000'000u);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out = buf;
  uint64_t frac = unix_nano % 1'000'000'000u;
  char digits[16];
  if (nanos) {
    if (frac != 0) {
      std::snprintf(digits, sizeof(digits), ".%09llu", static_cast<unsigned long long>(frac));
      std::string f = digits;
      while (f.back() == '0') f.pop_back();
      out += f;
    }
  } else {
    std::snprintf(digits, sizeof(digits), ".%03llu",
                  static_cast<unsigned long long>(frac / 1'000'000u));
    out += digits;
  }
  return out + "Z";
}

std::string Hex(const model::TraceId& id) { return model::ToHex(id.View()); }

// "1 row group", "2 row groups".
std::string Count(uint64_t n, std::string_view noun) {
  return th::StrCat(n, " ", noun, n == 1 ? "" : "s");
}

// --data-dir and --config: where OpenBlocks looks.
void AddLocationFlags(Flags* flags) {
  flags->Add("data-dir", std::string(kDefaultDataDir), "the server's data directory");
  flags->Add("config", "",
             "a serve config: its storage section (e.g. an s3 backend) says where blocks are");
}

// The blocks' backend: the S3 bucket when --config names `storage.backend: s3`, else the local
// backend under <data-dir>/blocks (--data-dir, else the config's storage.path), or nullptr when
// there is no blocks directory (so nothing is created by looking). Errors: the config's and the
// backend's Open errors.
Result<std::unique_ptr<Backend>> OpenBlocks(const Flags& flags) {
  std::string data_dir = flags.Get("data-dir");
  if (!flags.Get("config").empty()) {
    ASSIGN_OR_RETURN(ServeConfig config, LoadServeConfig(flags.Get("config")));
    if (config.backend == "s3") {
      ASSIGN_OR_RETURN(std::unique_ptr<store::backend::s3::S3Backend> s3,
                       store::backend::s3::S3Backend::Open(config.s3));
      return std::unique_ptr<Backend>(std::move(s3));
    }
    if (!flags.IsSet("data-dir")) data_dir = config.data_dir;
  }
  std::string root = th::StrCat(data_dir, "/blocks");
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec)) return std::unique_ptr<Backend>();
  store::backend::LocalOptions options;
  options.root = root;
  // Open removes temp files older than this; a server may be uploading next to us, so none.
  options.stale_temp_age = std::chrono::hours(24 * 365 * 200);
  ASSIGN_OR_RETURN(std::unique_ptr<LocalBackend> local, LocalBackend::Open(options));
  return std::unique_ptr<Backend>(std::move(local));
}

struct BlockRef {
  std::string tenant;
  std::string block_id;
};

// Usage error (exit 2) unless `tenant` is empty or one valid key segment.
Status CheckSegment(std::string_view flag, std::string_view value) {
  if (value.empty()) return Status();
  if (value.find('/') != std::string_view::npos || !store::backend::ValidateKey(value).ok()) {
    return absl::InvalidArgumentError(th::StrCat("--", flag, " \"", value, "\" is not a valid ",
                                                 flag, " (one key segment, no '/')"));
  }
  return Status();
}

// Every block folder "<tenant>/<block-id>/" under the root, of `tenant` only when given, in
// key order. Folders without a meta are included (see the callers).
Result<std::vector<BlockRef>> ListBlockFolders(Backend* backend, std::string_view tenant) {
  std::vector<std::string> tenants;
  if (!tenant.empty()) {
    tenants.emplace_back(tenant);
  } else {
    ASSIGN_OR_RETURN(std::vector<std::string> top, backend->List("", ListMode::kShallow));
    for (const std::string& k : top) {
      if (k.ends_with('/')) tenants.push_back(k.substr(0, k.size() - 1));
    }
  }
  std::vector<BlockRef> out;
  for (const std::string& t : tenants) {
    ASSIGN_OR_RETURN(std::vector<std::string> blocks, backend->List(t, ListMode::kShallow));
    for (const std::string& k : blocks) {
      if (!k.ends_with('/')) continue;
      std::string_view id = std::string_view(k).substr(t.size() + 1);
      id.remove_suffix(1);
      out.push_back({t, std::string(id)});
    }
  }
  return out;
}

// ---- ls

struct Listed {
  block::BlockMeta meta;
  uint64_t bytes = 0;          // all four objects
  std::string compacted_into;  // the visible block naming this one as a source, if any
};

std::string TimeOrDash(const block::BlockMeta& m, uint64_t t, bool nanos) {
  return m.span_count == 0 ? std::string("-") : Rfc3339(t, nanos);
}

std::string JsonTime(const block::BlockMeta& m, uint64_t t) {
  return m.span_count == 0 ? std::string("null") : JsonQuote(Rfc3339(t, true));
}

int RunLs(const std::vector<std::string>& args, const Io& io) {
  Flags flags(io.command,
              "Lists the blocks under <data-dir>/blocks, one line each, sorted by tenant then "
              "start time. Blocks whose meta is not written yet are not visible and not listed.");
  AddLocationFlags(&flags);
  flags.Add("tenant", "", "only this tenant's blocks");
  flags.Add("json", "", "print a JSON document instead of a table", /*bool_flag=*/true);
  if (std::optional<int> code = ParseFlags(flags, args, io)) return *code;
  if (Status s = CheckSegment("tenant", flags.Get("tenant")); !s.ok()) {
    return io.Fail(2, th::Message(s));
  }
  const bool json = flags.GetBool("json");

  Result<std::unique_ptr<Backend>> backend = OpenBlocks(flags);
  if (!backend.ok()) return io.Fail(1, th::Message(backend.status()));
  std::vector<Listed> listed;
  int unreadable = 0, incomplete = 0;
  if (*backend != nullptr) {
    Result<std::vector<BlockRef>> refs = ListBlockFolders(backend->get(), flags.Get("tenant"));
    if (!refs.ok()) return io.Fail(1, th::Message(refs.status()));
    for (const BlockRef& ref : *refs) {
      std::string key = block::BlockObjectKey(ref.tenant, ref.block_id, block::kMetaObject);
      Result<std::string> bytes = (*backend)->Get(key);
      if (absl::IsNotFound(bytes.status())) {
        ++incomplete;
        continue;
      }
      Result<block::BlockMeta> meta = bytes.ok() ? block::DecodeBlockMeta(*bytes, key)
                                                 : Result<block::BlockMeta>(bytes.status());
      if (!meta.ok()) {
        ++unreadable;
        // Decode errors name the meta's key already.
        std::string_view message = th::Message(meta.status());
        std::string name = th::StrCat(ref.tenant, "/", ref.block_id);
        io.Fail(0,
                message.starts_with(name) ? std::string(message) : th::StrCat(name, ": ", message));
        continue;
      }
      Listed l;
      l.bytes = bytes->size() + meta->data_size + meta->index_size + meta->bloom_size;
      l.meta = std::move(*meta);
      listed.push_back(std::move(l));
    }
  }
  std::sort(listed.begin(), listed.end(), [](const Listed& a, const Listed& b) {
    const block::BlockMeta &x = a.meta, &y = b.meta;
    if (x.tenant != y.tenant) return x.tenant < y.tenant;
    if (x.min_start_unix_nano != y.min_start_unix_nano) {
      return x.min_start_unix_nano < y.min_start_unix_nano;
    }
    return x.block_id < y.block_id;
  });
  // A compacted block stays until its grace period ends (catalog.h); it is no longer live.
  for (const Listed& l : listed) {
    for (const std::string& source : l.meta.sources) {
      for (Listed& other : listed) {
        if (other.meta.tenant == l.meta.tenant && other.meta.block_id == source) {
          other.compacted_into = l.meta.block_id;
        }
      }
    }
  }

  if (json) {
    std::string out = "{\"blocks\":[";
    for (size_t i = 0; i < listed.size(); ++i) {
      const block::BlockMeta& m = listed[i].meta;
      th::StrAppend(&out, i == 0 ? "" : ",", "{\"tenant\":", JsonQuote(m.tenant),
                    ",\"blockId\":", JsonQuote(m.block_id),
                    ",\"minTime\":", JsonTime(m, m.min_start_unix_nano),
                    ",\"maxTime\":", JsonTime(m, m.max_end_unix_nano), ",\"minStartUnixNano\":\"",
                    m.min_start_unix_nano, "\",\"maxEndUnixNano\":\"", m.max_end_unix_nano,
                    "\",\"traces\":", m.trace_count, ",\"spans\":", m.span_count,
                    ",\"bytes\":", listed[i].bytes, ",\"rowGroups\":", m.row_groups.size(),
                    ",\"version\":", m.version, ",\"compactionLevel\":", m.compaction_level,
                    ",\"compactedInto\":",
                    listed[i].compacted_into.empty() ? std::string("null")
                                                     : JsonQuote(listed[i].compacted_into),
                    "}");
    }
    th::StrAppend(&out, "],\"incomplete\":", incomplete, ",\"unreadable\":", unreadable, "}\n");
    Write(io.out, out);
    return unreadable > 0 ? 1 : 0;
  }

  size_t tenant_w = 6, block_w = 5;
  for (const Listed& l : listed) {
    tenant_w = std::max(tenant_w, l.meta.tenant.size());
    block_w = std::max(block_w, l.meta.block_id.size());
  }
  auto line = [&](std::string_view tenant, std::string_view block_id, std::string_view min,
                  std::string_view max, std::string_view traces, std::string_view spans,
                  std::string_view bytes, std::string_view groups, std::string_view version,
                  std::string_view note) {
    char buf[1024];
    std::snprintf(buf, sizeof(buf),
                  "%-*.*s  %-*.*s  %-24.*s  %-24.*s  %8.*s  %10.*s  %12.*s  %10.*s  %7.*s%s\n",
                  static_cast<int>(tenant_w), static_cast<int>(tenant.size()), tenant.data(),
                  static_cast<int>(block_w), static_cast<int>(block_id.size()), block_id.data(),
                  static_cast<int>(min.size()), min.data(), static_cast<int>(max.size()),
                  max.data(), static_cast<int>(traces.size()), traces.data(),
                  static_cast<int>(spans.size()), spans.data(), static_cast<int>(bytes.size()),
                  bytes.data(), static_cast<int>(groups.size()), groups.data(),
                  static_cast<int>(version.size()), version.data(), std::string(note).c_str());
    Write(io.out, buf);
  };
  if (listed.empty()) {
    Write(io.out,
          th::StrCat("no blocks under ", flags.Get("data-dir"), "/blocks",
                     incomplete > 0 ? th::StrCat(" (", incomplete, " incomplete)") : "", "\n"));
    return unreadable > 0 ? 1 : 0;
  }
  line("tenant", "block", "min time (UTC)", "max time (UTC)", "traces", "spans", "bytes",
       "row groups", "version", "");
  uint64_t traces = 0, spans = 0, bytes = 0;
  for (const Listed& l : listed) {
    const block::BlockMeta& m = l.meta;
    line(m.tenant, m.block_id, TimeOrDash(m, m.min_start_unix_nano, false),
         TimeOrDash(m, m.max_end_unix_nano, false), th::StrCat(m.trace_count),
         th::StrCat(m.span_count), th::StrCat(l.bytes), th::StrCat(m.row_groups.size()),
         th::StrCat(m.version),
         l.compacted_into.empty() ? "" : th::StrCat("  compacted into ", l.compacted_into));
    // A compacted block's spans are in the block it names: the totals leave it out.
    if (!l.compacted_into.empty()) continue;
    traces += m.trace_count;
    spans += m.span_count;
    bytes += l.bytes;
  }
  Write(io.out, th::StrCat(listed.size(), listed.size() == 1 ? " block, " : " blocks, ", traces,
                           " traces, ", spans, " spans, ", bytes, " bytes",
                           incomplete > 0 ? th::StrCat(" (", incomplete,
                                                       " incomplete without meta, not shown)")
                                          : "",
                           "\n"));
  return unreadable > 0 ? 1 : 0;
}

// ---- dump

struct PageDesc {
  std::string_view encoding;
  std::string_view compression;
  uint64_t bytes = 0;  // envelope included
};
struct ChunkDesc {
  std::vector<PageDesc> pages;
  std::string error;  // why the pages could not be described
};

// Describes the pages of each chunk of `bytes` (a row group's or the tables' bytes, when they
// could be read).
std::vector<ChunkDesc> DescribeChunks(const std::optional<std::string>& bytes,
                                      const std::vector<block::internal::ChunkInfo>& chunks,
                                      std::string_view unreadable) {
  std::vector<ChunkDesc> out(chunks.size());
  for (size_t i = 0; i < chunks.size(); ++i) {
    const auto& c = chunks[i];
    if (!bytes.has_value()) {
      out[i].error = std::string(unreadable);
      continue;
    }
    if (c.offset > bytes->size() || c.length > bytes->size() - c.offset) {
      out[i].error = "outside its row group";
      continue;
    }
    std::string_view rest = std::string_view(*bytes).substr(c.offset, c.length);
    for (uint32_t p = 0; p < c.page_count && p < 2; ++p) {
      Result<enc::Page> page = enc::ReadPage(rest);
      if (!page.ok()) {
        out[i].error = th::StrCat("page ", p, ": ", th::Message(page.status()));
        break;
      }
      out[i].pages.push_back(
          {enc::EncodingName(page->encoding), enc::CompressionName(page->compression), page->size});
      rest.remove_prefix(page->size);
    }
  }
  return out;
}

std::string ChunkEncodings(const ChunkDesc& d, bool compression) {
  if (!d.error.empty()) return "?";
  std::string out;
  for (const PageDesc& p : d.pages) {
    th::StrAppend(&out, out.empty() ? "" : "+", compression ? p.compression : p.encoding);
  }
  return out;
}

void DumpChunksText(const block::BlockMeta& m,
                    const std::vector<block::internal::ChunkInfo>& chunks,
                    const std::vector<ChunkDesc>& descs, std::string* out) {
  char buf[512];
  std::snprintf(buf, sizeof(buf), "    %-28s %9s %9s %5s  %-26s %-10s  %s\n", "column", "offset",
                "bytes", "pages", "encoding", "compress", "min..max");
  *out += buf;
  for (size_t i = 0; i < chunks.size(); ++i) {
    const auto& c = chunks[i];
    std::string stats = c.has_stats ? th::StrCat(c.min, "..", c.max) : "";
    if (!descs[i].error.empty())
      th::StrAppend(&stats, stats.empty() ? "" : "  ", "(", descs[i].error, ")");
    std::snprintf(buf, sizeof(buf), "    %-28s %9llu %9llu %5u  %-26s %-10s  %s\n",
                  m.column_names[c.name].c_str(), static_cast<unsigned long long>(c.offset),
                  static_cast<unsigned long long>(c.length), c.page_count,
                  ChunkEncodings(descs[i], false).c_str(), ChunkEncodings(descs[i], true).c_str(),
                  stats.c_str());
    std::string row = buf;  // without the trailing blanks of an empty last column
    while (!row.empty() && (row.back() == ' ' || row.back() == '\n')) row.pop_back();
    th::StrAppend(out, row, "\n");
  }
}

std::string ChunksJson(const block::BlockMeta& m,
                       const std::vector<block::internal::ChunkInfo>& chunks,
                       const std::vector<ChunkDesc>& descs) {
  std::string out = "[";
  for (size_t i = 0; i < chunks.size(); ++i) {
    const auto& c = chunks[i];
    th::StrAppend(&out, i == 0 ? "" : ",", "{\"column\":", JsonQuote(m.column_names[c.name]),
                  ",\"offset\":", c.offset, ",\"length\":", c.length,
                  ",\"pageCount\":", c.page_count);
    if (c.has_stats) th::StrAppend(&out, ",\"min\":\"", c.min, "\",\"max\":\"", c.max, "\"");
    out += ",\"pages\":[";
    for (size_t p = 0; p < descs[i].pages.size(); ++p) {
      const PageDesc& d = descs[i].pages[p];
      th::StrAppend(&out, p == 0 ? "" : ",", "{\"encoding\":", JsonQuote(d.encoding),
                    ",\"compression\":", JsonQuote(d.compression), ",\"bytes\":", d.bytes, "}");
    }
    out += "]";
    if (!descs[i].error.empty()) th::StrAppend(&out, ",\"error\":", JsonQuote(descs[i].error));
    out += "}";
  }
  return out + "]";
}

std::string RangeJson(const block::ObjectRange& r) {
  return th::StrCat("\"offset\":", r.offset, ",\"length\":", r.length);
}

// Reads `range` of the block's data object; nullopt with `*error` set when it cannot.
std::optional<std::string> ReadData(Backend* backend, const block::BlockMeta& m,
                                    const block::ObjectRange& range, std::string* error) {
  Result<std::string> bytes = backend->GetRange(
      block::BlockObjectKey(m.tenant, m.block_id, block::kDataObject), range.offset, range.length);
  if (!bytes.ok()) {
    *error = absl::IsOutOfRange(bytes.status()) ? "data object shorter than meta says"
                                                : std::string(th::Message(bytes.status()));
    return std::nullopt;
  }
  return std::move(*bytes);
}

int RunDump(const std::vector<std::string>& args, const Io& io) {
  Flags flags(io.command,
              "Prints one block's meta: counts and time range, object sizes, dedicated attribute "
              "keys, column names, index pages, bloom shards, and each row group with its "
              "statistics and column chunks (sizes, page encodings and compression); then its "
              "first --traces traces as waterfalls.");
  AddLocationFlags(&flags);
  flags.Add("tenant", "", "the block's tenant (required)");
  flags.Add("block", "", "the block id (required)");
  flags.Add("traces", "0", "also print the block's first N traces (in trace id order)");
  flags.Add("json", "", "print a JSON document (traces as OTLP/JSON)", /*bool_flag=*/true);
  if (std::optional<int> code = ParseFlags(flags, args, io)) return *code;
  const std::string& tenant = flags.Get("tenant");
  const std::string& block_id = flags.Get("block");
  if (tenant.empty() || block_id.empty()) {
    return io.Fail(2, "--tenant and --block are required (see 'tracehouse block ls')");
  }
  for (auto [flag, value] : {std::pair{"tenant", &tenant}, std::pair{"block", &block_id}}) {
    if (Status s = CheckSegment(flag, *value); !s.ok()) return io.Fail(2, th::Message(s));
  }
  char* end = nullptr;
  const std::string& traces_flag = flags.Get("traces");
  long long want_traces = std::strtoll(traces_flag.c_str(), &end, 10);
  if (traces_flag.empty() || *end != '\0' || want_traces < 0) {
    return io.Fail(2,
                   th::StrCat("--traces must be a non-negative number, not \"", traces_flag, "\""));
  }
  const bool json = flags.GetBool("json");
  const std::string name = th::StrCat(tenant, "/", block_id);

  Result<std::unique_ptr<Backend>> opened = OpenBlocks(flags);
  if (!opened.ok()) return io.Fail(1, th::Message(opened.status()));
  if (*opened == nullptr) {
    return io.Fail(1, th::StrCat("block ", name, " not found (no ", flags.Get("data-dir"),
                                 "/blocks directory)"));
  }
  Backend* backend = opened->get();
  std::string meta_key = block::BlockObjectKey(tenant, block_id, block::kMetaObject);
  Result<std::string> meta_bytes = backend->Get(meta_key);
  if (absl::IsNotFound(meta_bytes.status())) {
    return io.Fail(1, th::StrCat("block ", name, " not found (no meta object)"));
  }
  if (!meta_bytes.ok()) return io.Fail(1, th::Message(meta_bytes.status()));
  Result<block::BlockMeta> decoded = block::DecodeBlockMeta(*meta_bytes, meta_key);
  if (!decoded.ok()) {
    return io.Fail(1, th::StrCat(th::Message(decoded.status()), " (see 'block verify')"));
  }
  const block::BlockMeta& m = *decoded;

  // Column chunks' page headers, read from data row group by row group.
  std::vector<std::vector<ChunkDesc>> group_descs;
  std::vector<std::string> group_errors(m.row_groups.size());
  for (size_t g = 0; g < m.row_groups.size(); ++g) {
    std::optional<std::string> bytes =
        ReadData(backend, m, m.row_groups[g].range, &group_errors[g]);
    group_descs.push_back(DescribeChunks(bytes, m.row_groups[g].chunks, group_errors[g]));
  }
  std::string tables_error;
  std::vector<ChunkDesc> table_descs = DescribeChunks(
      ReadData(backend, m, m.tables.range, &tables_error), m.tables.chunks, tables_error);
  const uint64_t total = meta_bytes->size() + m.data_size + m.index_size + m.bloom_size;

  std::string out;
  if (json) {
    th::StrAppend(&out, "{\"tenant\":", JsonQuote(m.tenant), ",\"blockId\":", JsonQuote(m.block_id),
                  ",\"version\":", m.version, ",\"minTime\":", JsonTime(m, m.min_start_unix_nano),
                  ",\"maxTime\":", JsonTime(m, m.max_end_unix_nano), ",\"minStartUnixNano\":\"",
                  m.min_start_unix_nano, "\",\"maxEndUnixNano\":\"", m.max_end_unix_nano,
                  "\",\"traces\":", m.trace_count, ",\"spans\":", m.span_count,
                  ",\"bytes\":", total, ",\"objects\":{\"meta\":", meta_bytes->size(),
                  ",\"data\":", m.data_size, ",\"index\":", m.index_size,
                  ",\"bloom\":", m.bloom_size, "},\"compactionLevel\":", m.compaction_level,
                  ",\"walSegmentEnd\":\"", m.wal_segment_end, "\",\"created\":",
                  m.created_unix_nano == 0 ? std::string("null")
                                           : JsonQuote(Rfc3339(m.created_unix_nano, true)),
                  ",\"sources\":[");
    for (size_t i = 0; i < m.sources.size(); ++i) {
      th::StrAppend(&out, i == 0 ? "" : ",", JsonQuote(m.sources[i]));
    }
    out += "],\"dedicatedKeys\":[";
    for (size_t i = 0; i < m.dedicated_keys.size(); ++i) {
      th::StrAppend(&out, i == 0 ? "" : ",", JsonQuote(m.dedicated_keys[i]));
    }
    out += "],\"columns\":[";
    for (size_t i = 0; i < m.column_names.size(); ++i) {
      th::StrAppend(&out, i == 0 ? "" : ",", JsonQuote(m.column_names[i]));
    }
    out += "],\"indexPages\":[";
    for (size_t i = 0; i < m.index_pages.size(); ++i) {
      th::StrAppend(&out, i == 0 ? "" : ",", "{\"firstTraceId\":\"",
                    Hex(m.index_pages[i].first_trace_id), "\",", RangeJson(m.index_pages[i].range),
                    "}");
    }
    th::StrAppend(&out, "],\"bloom\":{\"shardCount\":", m.bloom.shard_count,
                  ",\"bitsPerShard\":", m.bloom.bits_per_shard,
                  ",\"hashCount\":", m.bloom.hash_count, ",\"shards\":[");
    for (size_t i = 0; i < m.bloom_shards.size(); ++i) {
      th::StrAppend(&out, i == 0 ? "" : ",", "{", RangeJson(m.bloom_shards[i]), "}");
    }
    out += "]},\"rowGroups\":[";
    for (size_t g = 0; g < m.row_groups.size(); ++g) {
      const block::RowGroupInfo& rg = m.row_groups[g];
      th::StrAppend(&out, g == 0 ? "" : ",", "{", RangeJson(rg.range),
                    ",\"traces\":", rg.trace_count, ",\"spans\":", rg.span_count,
                    ",\"firstTraceId\":\"", Hex(rg.first_trace_id), "\",\"lastTraceId\":\"",
                    Hex(rg.last_trace_id),
                    "\",\"minTime\":", JsonQuote(Rfc3339(rg.min_start_unix_nano, true)),
                    ",\"maxTime\":", JsonQuote(Rfc3339(rg.max_end_unix_nano, true)),
                    ",\"chunks\":", ChunksJson(m, rg.chunks, group_descs[g]), "}");
    }
    th::StrAppend(&out, "],\"tables\":{", RangeJson(m.tables.range),
                  ",\"chunks\":", ChunksJson(m, m.tables.chunks, table_descs), "}");
  } else {
    auto field = [&out](std::string_view label, std::string_view value) {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "  %-16.*s", static_cast<int>(label.size()), label.data());
      th::StrAppend(&out, buf, value, "\n");
    };
    th::StrAppend(&out, "block ", m.tenant, "/", m.block_id, "\n");
    field("format version", th::StrCat(m.version));
    field("time (UTC)", th::StrCat(TimeOrDash(m, m.min_start_unix_nano, true), " .. ",
                                   TimeOrDash(m, m.max_end_unix_nano, true)));
    field("traces", th::StrCat(m.trace_count));
    field("spans", th::StrCat(m.span_count));
    field("bytes", th::StrCat(total, " (meta ", meta_bytes->size(), ", data ", m.data_size,
                              ", index ", m.index_size, ", bloom ", m.bloom_size, ")"));
    std::string sources;
    for (const std::string& source : m.sources) {
      th::StrAppend(&sources, sources.empty() ? "" : ", ", source);
    }
    field("lineage",
          th::StrCat(
              "level ", m.compaction_level, ", WAL segment end ", m.wal_segment_end, ", created ",
              m.created_unix_nano == 0 ? std::string("-") : Rfc3339(m.created_unix_nano, true),
              ", sources: ", sources.empty() ? "-" : sources));
    std::string keys;
    for (size_t i = 0; i < m.dedicated_keys.size(); ++i) {
      th::StrAppend(&keys, i == 0 ? "" : ", ", i + 1, ":", m.dedicated_keys[i]);
    }
    field("dedicated keys", th::StrCat(m.dedicated_keys.size(), keys.empty() ? "" : "  ", keys));
    field("columns", th::StrCat(m.column_names.size()));
    field("index",
          th::StrCat(m.index_pages.size(), m.index_pages.size() == 1 ? " page" : " pages"));
    for (size_t i = 0; i < m.index_pages.size(); ++i) {
      const block::IndexPageInfo& p = m.index_pages[i];
      th::StrAppend(&out, "    page ", i, ": first trace ", Hex(p.first_trace_id), ", bytes ",
                    p.range.offset, "+", p.range.length, "\n");
    }
    field("bloom",
          th::StrCat(m.bloom.shard_count, m.bloom.shard_count == 1 ? " shard" : " shards", " of ",
                     m.bloom.bits_per_shard, " bits, ", m.bloom.hash_count, " hashes"));
    for (size_t i = 0; i < m.bloom_shards.size(); ++i) {
      th::StrAppend(&out, "    shard ", i, ": bytes ", m.bloom_shards[i].offset, "+",
                    m.bloom_shards[i].length, "\n");
    }
    field("row groups", th::StrCat(m.row_groups.size()));
    for (size_t g = 0; g < m.row_groups.size(); ++g) {
      const block::RowGroupInfo& rg = m.row_groups[g];
      th::StrAppend(&out, "\nrow group ", g, ": ", rg.trace_count, " traces, ", rg.span_count,
                    " spans, data bytes ", rg.range.offset, "+", rg.range.length, "\n",
                    "  trace ids ", Hex(rg.first_trace_id), " .. ", Hex(rg.last_trace_id), "\n",
                    "  time      ", Rfc3339(rg.min_start_unix_nano, true), " .. ",
                    Rfc3339(rg.max_end_unix_nano, true), "\n");
      if (!group_errors[g].empty()) th::StrAppend(&out, "  unreadable: ", group_errors[g], "\n");
      DumpChunksText(m, rg.chunks, group_descs[g], &out);
    }
    th::StrAppend(&out, "\ntables: data bytes ", m.tables.range.offset, "+", m.tables.range.length,
                  "\n");
    if (!tables_error.empty()) th::StrAppend(&out, "  unreadable: ", tables_error, "\n");
    DumpChunksText(m, m.tables.chunks, table_descs, &out);
  }
  Write(io.out, out);
  out.clear();

  int code = 0;
  if (want_traces > 0) {
    Result<std::unique_ptr<block::BlockReader>> reader =
        block::BlockReader::Open(backend, tenant, block_id);
    Status s = reader.status();
    long long shown = 0;
    if (s.ok()) {
      // Stops the scan once enough traces were printed.
      const Status enough = absl::CancelledError("enough traces");
      s = (*reader)->Scan([&](std::unique_ptr<model::SpanBatch>&& trace) -> Status {
        if (json) {
          th::StrAppend(&out, shown == 0 ? "" : ",");
          model::EncodeOtlpTracesJson(*trace, &out);
        } else {
          th::StrAppend(&out, "\n", RenderTraceTable(*trace));
        }
        return ++shown >= want_traces ? enough : Status();
      });
      if (s == enough) s = Status();
    }
    if (json) out = th::StrCat(",\"firstTraces\":[", out, "]");
    Write(io.out, out);
    if (!s.ok()) code = io.Fail(1, th::StrCat("reading traces: ", th::Message(s)));
  }
  if (json) Write(io.out, "}\n");
  return code;
}

// ---- verify

int RunVerify(const std::vector<std::string>& args, const Io& io) {
  Flags flags(io.command,
              "Verifies blocks page by page: checksums, decoding of every row group and the "
              "tables, counts and time ranges against the meta, the trace-id index and the bloom "
              "filter. Prints every problem with its location. Exit code 0 when every block is "
              "clean, 1 when any has a problem or cannot be read.");
  AddLocationFlags(&flags);
  flags.Add("tenant", "", "only this tenant's blocks");
  flags.Add("block", "", "only the block with this id");
  if (std::optional<int> code = ParseFlags(flags, args, io)) return *code;
  const std::string& tenant = flags.Get("tenant");
  const std::string& block_id = flags.Get("block");
  for (auto [flag, value] : {std::pair{"tenant", &tenant}, std::pair{"block", &block_id}}) {
    if (Status s = CheckSegment(flag, *value); !s.ok()) return io.Fail(2, th::Message(s));
  }

  Result<std::unique_ptr<Backend>> opened = OpenBlocks(flags);
  if (!opened.ok()) return io.Fail(1, th::Message(opened.status()));
  const std::string not_found =
      th::StrCat("block ", tenant.empty() ? "" : th::StrCat(tenant, "/"), block_id, " not found");
  if (*opened == nullptr) {
    if (!block_id.empty()) return io.Fail(1, not_found);
    Write(io.out, th::StrCat("no blocks under ", flags.Get("data-dir"), "/blocks\n"));
    return 0;
  }
  std::vector<BlockRef> refs;
  // A block named in full is verified even without a meta (and reported so); when looking
  // through folders, those without a meta are writes in progress or crash leftovers: skipped.
  const bool named = !tenant.empty() && !block_id.empty();
  if (named) {
    refs.push_back({tenant, block_id});
  } else {
    Result<std::vector<BlockRef>> listed = ListBlockFolders(opened->get(), tenant);
    if (!listed.ok()) return io.Fail(1, th::Message(listed.status()));
    for (BlockRef& r : *listed) {
      if (block_id.empty() || r.block_id == block_id) refs.push_back(std::move(r));
    }
    if (refs.empty() && !block_id.empty()) return io.Fail(1, not_found);
  }

  int clean = 0, bad = 0, skipped = 0;
  for (const BlockRef& ref : refs) {
    const std::string name = th::StrCat(ref.tenant, "/", ref.block_id);
    if (!named) {
      Result<store::backend::ObjectInfo> meta =
          (*opened)->Stat(block::BlockObjectKey(ref.tenant, ref.block_id, block::kMetaObject));
      if (absl::IsNotFound(meta.status())) {
        ++skipped;
        continue;
      }
    }
    Result<block::VerifyReport> report =
        block::VerifyBlock(opened->get(), ref.tenant, ref.block_id);
    if (!report.ok()) {
      ++bad;
      Write(io.out,
            absl::IsNotFound(report.status())
                ? th::StrCat(name, ": not found\n")
                : th::StrCat(name, ": cannot verify: ", th::Message(report.status()), "\n"));
      continue;
    }
    if (report->ok()) {
      ++clean;
      Write(io.out, th::StrCat(name, ": ok (", Count(report->meta->row_groups.size(), "row group"),
                               ", ", Count(report->traces_checked, "trace"), ", ",
                               Count(report->spans_checked, "span"), ", ",
                               Count(report->pages_checked, "page"), ")\n"));
      continue;
    }
    ++bad;
    std::string out = th::StrCat(name, ": ", report->problems.size(),
                                 report->problems.size() == 1 ? " problem\n" : " problems\n");
    for (const block::VerifyProblem& p : report->problems) {
      th::StrAppend(&out, "  ", block::FormatProblem(p), "\n");
    }
    Write(io.out, out);
  }
  Write(io.out,
        th::StrCat("verified ", clean + bad, clean + bad == 1 ? " block: " : " blocks: ", clean,
                   " ok, ", bad, " with problems",
                   skipped > 0 ? th::StrCat(", ", skipped, " incomplete skipped (no meta)") : "",
                   "\n"));
  return bad > 0 ? 1 : 0;
}

}  // namespace

int RunBlock(const std::vector<std::string>& args, std::FILE* out, std::FILE* err) {
  if (args.empty()) {
    Write(err, kUsage);
    return 2;
  }
  const std::string& sub = args[0];
  if (sub == "--help" || sub == "-h" || sub == "help") {
    Write(out, kUsage);
    return 0;
  }
  Io io{out, err, th::StrCat("block ", sub)};
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (sub == "ls") return RunLs(rest, io);
  if (sub == "dump") return RunDump(rest, io);
  if (sub == "verify") return RunVerify(rest, io);
  Write(err, th::StrCat("tracehouse block: unknown command \"", sub, "\"\n\n", kUsage));
  return 2;
}

int RunBlock(const std::vector<std::string>& args) { return RunBlock(args, stdout, stderr); }

}  // namespace th::app
