// AWS Signature Version 4 for S3 requests signed in the Authorization header, written from the
// published algorithm (Debian has no AWS SDK). Pure functions over strings: no clock, no I/O;
// the caller supplies the timestamp. The S3 flavour: the path is encoded once per segment and
// never normalised ("a/./b" stays), and the payload hash is sent as x-amz-content-sha256.
//
// Thread-safe: pure functions.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace th::store::backend::s3 {

// A name/value pair, unencoded. Names of headers are matched case-insensitively.
using Param = std::pair<std::string, std::string>;

// What a signature covers.
struct SigningInput {
  std::string_view method;  // "GET", "PUT", ...
  // Unencoded path starting with '/', e.g. "/bucket/a b/c"; each segment is URI-encoded.
  std::string_view path;
  // Unencoded query parameters in any order; a bare sub-resource ("uploads") has value "".
  std::vector<Param> query;
  // Every header to sign (host and x-amz-date included), names in any case. Repeated names are
  // joined with ',' in the order given.
  std::vector<Param> headers;
  // Hex SHA-256 of the payload, or "UNSIGNED-PAYLOAD".
  std::string_view payload_hash;
};

struct SigningScope {
  std::string_view access_key;
  std::string_view secret_key;
  std::string_view region;   // e.g. "us-east-1"
  std::string_view service;  // "s3"
  std::string_view amz_date;  // "YYYYMMDDTHHMMSSZ", the x-amz-date header's value
};

// AWS URI encoding: every byte except A-Z a-z 0-9 '-' '.' '_' '~' becomes %XX (upper-case hex);
// '/' is kept when !encode_slash (paths).
std::string UriEncode(std::string_view s, bool encode_slash);

// Each path segment encoded, slashes kept: "/b/a b" -> "/b/a%20b". An empty path is "/".
std::string CanonicalPath(std::string_view path);

// Parameters encoded, sorted by name then value, joined "a=1&b=&c=3".
std::string CanonicalQuery(const std::vector<Param>& query);

// Lower-case header names, sorted, joined with ';'.
std::string SignedHeaders(const std::vector<Param>& headers);

// The canonical request: method, path, query, "name:value" header lines (names lower-case,
// values trimmed with inner runs of spaces collapsed), signed headers, payload hash.
std::string CanonicalRequest(const SigningInput& input);

// "AWS4-HMAC-SHA256\n<amz_date>\n<date>/<region>/<service>/aws4_request\n<hex sha256 of cr>".
std::string StringToSign(const SigningScope& scope, std::string_view canonical_request);

// HMAC chain "AWS4"+secret -> date -> region -> service -> "aws4_request"; 32 raw bytes.
std::string SigningKey(const SigningScope& scope);

// Lower-case hex signature of `input`.
std::string Signature(const SigningInput& input, const SigningScope& scope);

// "AWS4-HMAC-SHA256 Credential=<key>/<scope>, SignedHeaders=<...>, Signature=<hex>".
std::string Authorization(const SigningInput& input, const SigningScope& scope);

// "YYYYMMDDTHHMMSSZ" in UTC.
std::string AmzDate(std::chrono::system_clock::time_point t);

std::string Sha256Hex(std::string_view bytes);
// Raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data);
std::string HexEncode(std::string_view bytes);

// The hex SHA-256 of the empty string.
inline constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

}  // namespace th::store::backend::s3
