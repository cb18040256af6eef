// Runs the TraceQL corpus in tests/traceql/ (STYLE.md §8): every query of each bucket must have
// its bucket's outcome, and every valid query must survive the printer round trip. Each failing
// line is reported as file:line so one run lists them all.
#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "query/traceql/traceql.h"

namespace th::query::traceql {
namespace {

struct CorpusLine {
  int number;
  std::string query;
};

// Non-blank lines whose first non-blank character is not `#`, trailing whitespace stripped.
std::vector<CorpusLine> ReadCorpus(const std::string& name) {
  std::ifstream in(std::string(TH_TRACEQL_CORPUS_DIR) + "/" + name);
  std::vector<CorpusLine> lines;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) {
      line.pop_back();
    }
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    lines.push_back({number, line});
  }
  return lines;
}

std::string KindName(ParseError::Kind k) {
  switch (k) {
    case ParseError::Kind::kParse: return "parse error";
    case ParseError::Kind::kValidation: return "validation error";
    case ParseError::Kind::kUnsupported: return "unsupported";
  }
  return "?";
}

// Queries that parse (whatever validation says) must print to text that parses to the same tree.
void ExpectSyntaxRoundTrip(const std::string& file, const CorpusLine& l) {
  auto q = ParseSyntax(l.query);
  if (!q.ok()) return;
  std::string printed = Print(**q);
  ParseError err;
  auto again = ParseSyntax(printed, &err);
  if (!again.ok()) {
    ADD_FAILURE() << "tests/traceql/" << file << ":" << l.number << ": `" << l.query
                  << "` printed as `" << printed << "`, which fails: " << err.ToString();
  } else if (Print(**again) != printed) {
    ADD_FAILURE() << "tests/traceql/" << file << ":" << l.number << ": `" << l.query
                  << "` round trip differs: `" << printed << "` then `" << Print(**again) << "`";
  }
}

void ExpectBucket(const std::string& file, ParseError::Kind want) {
  std::vector<CorpusLine> lines = ReadCorpus(file);
  ASSERT_FALSE(lines.empty()) << "no queries in tests/traceql/" << file;
  int failures = 0;
  for (const CorpusLine& l : lines) {
    ExpectSyntaxRoundTrip(file, l);
    ParseError err;
    auto q = Parse(l.query, &err);
    if (q.ok()) {
      ++failures;
      ADD_FAILURE() << "tests/traceql/" << file << ":" << l.number << ": `" << l.query
                    << "` parsed and validated, want " << KindName(want);
    } else if (err.kind != want) {
      ++failures;
      ADD_FAILURE() << "tests/traceql/" << file << ":" << l.number << ": `" << l.query
                    << "` got " << err.ToString() << ", want " << KindName(want);
    }
  }
  ::testing::Test::RecordProperty("failures", failures);
}

TEST(TraceqlCorpus, ValidQueriesParseValidateAndRoundTrip) {
  std::vector<CorpusLine> lines = ReadCorpus("valid.txt");
  ASSERT_FALSE(lines.empty()) << "no queries in tests/traceql/valid.txt";
  for (const CorpusLine& l : lines) {
    std::string where = "tests/traceql/valid.txt:" + std::to_string(l.number) + ": `" + l.query + "`";
    ParseError err;
    auto q = Parse(l.query, &err);
    if (!q.ok()) {
      ADD_FAILURE() << where << " got " << err.ToString();
      continue;
    }
    std::string printed = Print(**q);
    auto again = Parse(printed, &err);
    if (!again.ok()) {
      ADD_FAILURE() << where << " printed as `" << printed << "`, which fails: " << err.ToString();
      continue;
    }
    std::string reprinted = Print(**again);
    if (reprinted != printed) {
      ADD_FAILURE() << where << " round trip differs: `" << printed << "` then `" << reprinted
                    << "`";
    }
  }
}

TEST(TraceqlCorpus, ParseErrorQueriesFailToParse) {
  ExpectBucket("parse_error.txt", ParseError::Kind::kParse);
}

TEST(TraceqlCorpus, ValidationErrorQueriesFailValidation) {
  ExpectBucket("validation_error.txt", ParseError::Kind::kValidation);
}

TEST(TraceqlCorpus, UnsupportedQueriesAreReportedUnsupported) {
  ExpectBucket("unsupported.txt", ParseError::Kind::kUnsupported);
}

}  // namespace
}  // namespace th::query::traceql
