// IP text must match Go's net.IP String()/ParseIP, since the Collector's attribute values come
// from there.
#include "ingest/zipkin/internal/ip.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "ingest/zipkin/internal/text.h"

namespace th::ingest::zipkin {
namespace {

std::string Format(std::string_view raw) {
  std::string out;
  EXPECT_TRUE(FormatIp(raw, &out)) << raw.size();
  return out;
}

std::string RoundTrip(std::string_view text) {
  std::array<uint8_t, 16> ip;
  if (!ParseIp(text, &ip)) return "<invalid>";
  std::string out;
  FormatIp(std::string_view(reinterpret_cast<const char*>(ip.data()), 16), &out);
  return out;
}

TEST(ZipkinIp, FormatsAsGoDoes) {
  EXPECT_EQ(Format(std::string("\x7f\x00\x00\x01", 4)), "127.0.0.1");
  EXPECT_EQ(Format(std::string(16, '\0')), "::");
  EXPECT_EQ(Format(std::string("\0\0\0\0\0\0\0\0\0\0\xff\xff\x01\x02\x03\x04", 16)), "1.2.3.4");
  // IPv4-compatible addresses are not special in Go (glibc would print ::1.2.3.4).
  EXPECT_EQ(Format(std::string("\0\0\0\0\0\0\0\0\0\0\0\0\x01\x02\x03\x04", 16)), "::102:304");
  EXPECT_EQ(Format(std::string("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16)), "::1");
  EXPECT_EQ(Format(std::string("\x20\x01\x0d\xb8\0\0\0\0\0\x01\0\0\0\0\0\x01", 16)),
            "2001:db8::1:0:0:1");
  // A single zero group is not shortened; the first of equal runs is.
  EXPECT_EQ(Format(std::string("\0\x01\0\0\0\x01\0\0\0\x01\0\0\0\x01\0\0", 16)),
            "1:0:1:0:1:0:1:0");
  EXPECT_EQ(Format(std::string("\0\x01\0\0\0\0\0\x01\0\0\0\0\0\x01\xab\xcd", 16)),
            "1::1:0:0:1:abcd");
  std::string out;
  EXPECT_FALSE(FormatIp("12345", &out));
}

TEST(ZipkinIp, ParsesAsGoDoes) {
  EXPECT_EQ(RoundTrip("10.0.0.1"), "10.0.0.1");
  EXPECT_EQ(RoundTrip("::ffff:10.0.0.1"), "10.0.0.1");
  EXPECT_EQ(RoundTrip("2001:DB8:0:0:0:0:0:1"), "2001:db8::1");
  EXPECT_EQ(RoundTrip("010.0.0.1"), "<invalid>");  // leading zeros, rejected since Go 1.17
  EXPECT_EQ(RoundTrip("1.2.3"), "<invalid>");
  EXPECT_EQ(RoundTrip("fe80::1%eth0"), "<invalid>");
  EXPECT_EQ(RoundTrip("localhost"), "<invalid>");
  EXPECT_EQ(RoundTrip(std::string("1.2.3.4\0", 8)), "<invalid>");
  EXPECT_EQ(RoundTrip(std::string(100, '1')), "<invalid>");
}

TEST(ZipkinText, HexIdsAreRightAligned) {
  model::SpanId id;
  EXPECT_EQ(ParseHexId("1", &id), HexIdError::kNone);
  EXPECT_EQ(model::ToHex(id.View()), "0000000000000001");
  EXPECT_EQ(ParseHexId("fFf", &id), HexIdError::kNone);
  EXPECT_EQ(model::ToHex(id.View()), "0000000000000fff");
  EXPECT_EQ(ParseHexId("", &id), HexIdError::kEmpty);
  EXPECT_EQ(ParseHexId("0x1", &id), HexIdError::kNotHex);
  EXPECT_EQ(ParseHexId("11111111111111111", &id), HexIdError::kTooLong);
  model::TraceId trace;
  EXPECT_EQ(ParseHexId("123456789abcdef0123456789abcdef", &trace), HexIdError::kNone);
  EXPECT_EQ(model::ToHex(trace.View()), "0123456789abcdef0123456789abcdef");
}

TEST(ZipkinText, QuoteBoundsAndEscapes) {
  EXPECT_EQ(Quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\x0a\"");
  EXPECT_EQ(Quote(std::string(100, 'x')), "\"" + std::string(64, 'x') + "\"...");
}

}  // namespace
}  // namespace th::ingest::zipkin
