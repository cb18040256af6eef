#include "store/backend/s3/sigv4.h"

#include <algorithm>
#include <ctime>

#include "common/strings.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

namespace th::store::backend::s3 {
namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr char kHexUpper[] = "0123456789ABCDEF";

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Trims the value and collapses inner runs of spaces to one, as SigV4 requires.
std::string CanonicalHeaderValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

// Headers grouped by lower-case name, sorted by name; values of repeated names joined with ','.
std::vector<Param> GroupHeaders(const std::vector<Param>& headers) {
  std::vector<Param> lowered;
  lowered.reserve(headers.size());
  for (const Param& h : headers) lowered.emplace_back(Lower(h.first), CanonicalHeaderValue(h.second));
  std::stable_sort(lowered.begin(), lowered.end(),
                   [](const Param& a, const Param& b) { return a.first < b.first; });
  std::vector<Param> grouped;
  for (Param& h : lowered) {
    if (!grouped.empty() && grouped.back().first == h.first) {
      th::StrAppend(&grouped.back().second, ",", h.second);
    } else {
      grouped.push_back(std::move(h));
    }
  }
  return grouped;
}

std::string_view DateOf(std::string_view amz_date) { return amz_date.substr(0, 8); }

}  // namespace

std::string UriEncode(std::string_view s, bool encode_slash) {
  std::string out;
  out.reserve(s.size() * 3 / 2);
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c) || (c == '/' && !encode_slash)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHexUpper[c >> 4]);
      out.push_back(kHexUpper[c & 0xF]);
    }
  }
  return out;
}

std::string CanonicalPath(std::string_view path) {
  if (path.empty()) return "/";
  return UriEncode(path, /*encode_slash=*/false);
}

std::string CanonicalQuery(const std::vector<Param>& query) {
  std::vector<Param> encoded;
  encoded.reserve(query.size());
  for (const Param& p : query) {
    encoded.emplace_back(UriEncode(p.first, true), UriEncode(p.second, true));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const Param& p : encoded) {
    if (!out.empty()) out.push_back('&');
    th::StrAppend(&out, p.first, "=", p.second);
  }
  return out;
}

std::string SignedHeaders(const std::vector<Param>& headers) {
  std::string out;
  for (const Param& h : GroupHeaders(headers)) {
    if (!out.empty()) out.push_back(';');
    out += h.first;
  }
  return out;
}

std::string CanonicalRequest(const SigningInput& input) {
  std::vector<Param> grouped = GroupHeaders(input.headers);
  std::string out = th::StrCat(input.method, "\n", CanonicalPath(input.path), "\n",
                               CanonicalQuery(input.query), "\n");
  std::string names;
  for (const Param& h : grouped) {
    th::StrAppend(&out, h.first, ":", h.second, "\n");
    if (!names.empty()) names.push_back(';');
    names += h.first;
  }
  th::StrAppend(&out, "\n", names, "\n", input.payload_hash);
  return out;
}

std::string StringToSign(const SigningScope& scope, std::string_view canonical_request) {
  return th::StrCat("AWS4-HMAC-SHA256\n", scope.amz_date, "\n", DateOf(scope.amz_date), "/",
                    scope.region, "/", scope.service, "/aws4_request\n",
                    Sha256Hex(canonical_request));
}

std::string SigningKey(const SigningScope& scope) {
  std::string k = HmacSha256(th::StrCat("AWS4", scope.secret_key), DateOf(scope.amz_date));
  k = HmacSha256(k, scope.region);
  k = HmacSha256(k, scope.service);
  return HmacSha256(k, "aws4_request");
}

std::string Signature(const SigningInput& input, const SigningScope& scope) {
  return HexEncode(HmacSha256(SigningKey(scope), StringToSign(scope, CanonicalRequest(input))));
}

std::string Authorization(const SigningInput& input, const SigningScope& scope) {
  return th::StrCat("AWS4-HMAC-SHA256 Credential=", scope.access_key, "/", DateOf(scope.amz_date),
                    "/", scope.region, "/", scope.service, "/aws4_request, SignedHeaders=",
                    SignedHeaders(input.headers), ", Signature=", Signature(input, scope));
}

std::string AmzDate(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  size_t n = std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return std::string(buf, n);
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string HexEncode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char ch : bytes) {
    unsigned char c = static_cast<unsigned char>(ch);
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xF]);
  }
  return out;
}

}  // namespace th::store::backend::s3
