// tracehouse: one program for the whole tracing stack. Subcommands dispatch here.
#include <cstdio>
#include <string>
#include <vector>

#include "app/block_command.h"
#include "app/collector_command.h"
#include "app/query_command.h"
#include "app/serve.h"
#include "common/allocator.h"
#include "common/build_info.h"
#include "tools/loadgen/loadgen.h"

namespace {

constexpr const char* kUsage =
    "usage: tracehouse <command> [flags]\n"
    "\n"
    "commands:\n"
    "  serve     receive, store and query traces (OTLP, Jaeger, Zipkin in; Tempo's API out)\n"
    "  collector run an OpenTelemetry Collector pipeline alone (agent or gateway)\n"
    "  validate  check a config file without starting anything\n"
    "  query     TraceQL search or one trace, from a running server\n"
    "  loadgen   send realistic synthetic traces over OTLP\n"
    "  block     look inside stored blocks: ls, dump, verify\n"
    "  version   print the version\n"
    "\n"
    "Run 'tracehouse <command> --help' for a command's flags.\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "%s", kUsage);
    return 2;
  }
  std::string command = argv[1];
  th::TuneAllocatorForBatches(command == "collector" ? th::AllocatorProfile::kCollector
                                                     : th::AllocatorProfile::kServe);
  std::vector<std::string> args(argv + 2, argv + argc);
  if (command == "serve") return th::app::RunServe(args);
  if (command == "collector") return th::app::RunCollector(args);
  if (command == "validate") return th::app::RunValidate(args);
  if (command == "loadgen") return th::tools::RunLoadgen(args);
  if (command == "query") return th::app::RunQuery(args);
  if (command == "block") return th::app::RunBlock(args);
  if (command == "version" || command == "--version") {
    if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
      std::printf("usage: tracehouse version\n\nPrints the version and revision.\n");
      return 0;
    }
    std::printf("tracehouse %s (revision %s)\n", std::string(th::build_info::Version()).c_str(),
                std::string(th::build_info::Revision()).c_str());
    return 0;
  }
  if (command == "--help" || command == "-h" || command == "help") {
    std::printf("%s", kUsage);
    return 0;
  }
  std::fprintf(stderr, "tracehouse: unknown command \"%s\"\n\n%s", command.c_str(), kUsage);
  return 2;
}
