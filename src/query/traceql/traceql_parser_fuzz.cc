// Fuzz target for the TraceQL front end: any bytes must parse or fail with a positioned error,
// never crash; and whatever parses must print to text that parses to the same tree.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "query/traceql/traceql.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;  // long inputs only slow the search down
  std::string_view text(reinterpret_cast<const char*>(data), size);
  th::query::traceql::ParseError err;
  auto q = th::query::traceql::Parse(text, &err);
  if (!q.ok()) {
    if (err.line < 1 || err.column < 1 || err.message.empty()) std::abort();
    return 0;
  }
  std::string printed = th::query::traceql::Print(**q);
  auto again = th::query::traceql::Parse(printed);
  if (!again.ok() || th::query::traceql::Print(**again) != printed) std::abort();
  return 0;
}
