// `tracehouse block ls|dump|verify`: looks inside the blocks stored under <data-dir>/blocks (the
// local backend's root in `serve`), without a running server.
//
//   ls      one line per visible block (tenant, id, time range, traces, spans, bytes, row groups,
//           format version), sorted by tenant then start time; --json for a JSON document.
//   dump    one block's meta (dedicated keys, columns, index pages, bloom shards, row groups with
//           their statistics and column chunks' sizes and page encodings), then its first
//           --traces N traces as waterfalls (as OTLP/JSON with --json).
//   verify  VerifyBlock (store/block/block_verify.h) on one or every block; prints each problem
//           with its location.
//
// Exit codes: 0 success (verify: every block clean); 1 a block could not be read or has
// problems; 2 a usage error (bad flag, missing --tenant/--block, unknown subcommand).
//
// Safe next to a running `serve`: it only reads, and opening the local backend here removes no
// upload in flight. Not thread-safe (writes to the given streams).
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace th::app {

// Runs `tracehouse block <args…>` (args start with the subcommand) writing to `out` and `err`;
// returns the exit code.
int RunBlock(const std::vector<std::string>& args, std::FILE* out, std::FILE* err);

// The same on stdout and stderr.
int RunBlock(const std::vector<std::string>& args);

}  // namespace th::app
