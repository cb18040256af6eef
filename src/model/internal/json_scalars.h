// Reading proto3 JSON scalars out of a simdjson DOM element: 64-bit integers as numbers or
// decimal strings, doubles as numbers or strings ("NaN", "Infinity", "-Infinity", decimals).
// Each function returns an empty string_view on success, otherwise what was wrong (static text),
// which the caller prefixes with the field's path. Internal to model/; stateless, thread-safe.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>
#include <system_error>

#include <simdjson.h>

namespace th::model::internal {

inline constexpr std::string_view kExpectedInteger = "expected an integer or a decimal string";

inline bool IsIntegral(double d) { return std::isfinite(d) && std::trunc(d) == d; }

// A decimal string element (the proto3 JSON form of 64-bit integers) as T.
template <typename T>
std::string_view ReadDecimalString(const simdjson::dom::element& e, T* out) {
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS) return kExpectedInteger;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  if (ec == std::errc::result_out_of_range) return "out of range";
  if (ec != std::errc() || end != s.data() + s.size()) return kExpectedInteger;
  return {};
}

// 64-bit integers arrive as JSON numbers or as decimal strings (proto3 JSON writes them as
// strings because JavaScript numbers lose precision past 2^53). Numbers written with a fraction
// or exponent are accepted when their value is integral.
inline std::string_view ReadUnsigned(const simdjson::dom::element& e, uint64_t max, uint64_t* out) {
  uint64_t v = 0;
  switch (e.type()) {
    case simdjson::dom::element_type::UINT64:
      if (e.get_uint64().get(v) != simdjson::SUCCESS) return kExpectedInteger;
      break;
    case simdjson::dom::element_type::INT64: {
      int64_t s = 0;
      if (e.get_int64().get(s) != simdjson::SUCCESS) return kExpectedInteger;
      if (s < 0) return "out of range";
      v = static_cast<uint64_t>(s);
      break;
    }
    case simdjson::dom::element_type::DOUBLE: {
      double d = 0;
      if (e.get_double().get(d) != simdjson::SUCCESS || !IsIntegral(d)) {
        return kExpectedInteger;
      }
      if (d < 0 || d >= 18446744073709551616.0) return "out of range";
      v = static_cast<uint64_t>(d);
      break;
    }
    case simdjson::dom::element_type::STRING: {
      std::string_view error = ReadDecimalString(e, &v);
      if (!error.empty()) return error;
      break;
    }
    default:
      return kExpectedInteger;
  }
  if (v > max) return "out of range";
  *out = v;
  return {};
}

inline std::string_view ReadSigned(const simdjson::dom::element& e, int64_t min, int64_t max,
                                   int64_t* out) {
  int64_t v = 0;
  switch (e.type()) {
    case simdjson::dom::element_type::INT64:
      if (e.get_int64().get(v) != simdjson::SUCCESS) return kExpectedInteger;
      break;
    case simdjson::dom::element_type::UINT64:
      // simdjson only reports UINT64 for values above INT64_MAX.
      return "out of range";
    case simdjson::dom::element_type::DOUBLE: {
      double d = 0;
      if (e.get_double().get(d) != simdjson::SUCCESS || !IsIntegral(d)) {
        return kExpectedInteger;
      }
      if (d < -9223372036854775808.0 || d >= 9223372036854775808.0) {
        return "out of range";
      }
      v = static_cast<int64_t>(d);
      break;
    }
    case simdjson::dom::element_type::STRING: {
      std::string_view error = ReadDecimalString(e, &v);
      if (!error.empty()) return error;
      break;
    }
    default:
      return kExpectedInteger;
  }
  if (v < min || v > max) return "out of range";
  *out = v;
  return {};
}

// proto3 JSON writes doubles as numbers, or as strings: "NaN", "Infinity", "-Infinity", or a
// decimal number.
inline std::string_view ReadDouble(const simdjson::dom::element& e, double* out) {
  constexpr std::string_view kExpected = "expected a number or a numeric string";
  if (e.is_number()) {
    if (e.get_double().get(*out) != simdjson::SUCCESS) return kExpected;
    return {};
  }
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS) return kExpected;
  if (s == "NaN") {
    *out = std::numeric_limits<double>::quiet_NaN();
  } else if (s == "Infinity") {
    *out = std::numeric_limits<double>::infinity();
  } else if (s == "-Infinity") {
    *out = -std::numeric_limits<double>::infinity();
  } else {
    double d = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec == std::errc::result_out_of_range) return "out of range";
    // from_chars also reads "inf" and "nan"; proto3 JSON spells those only as above.
    if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(d)) {
      return kExpected;
    }
    *out = d;
  }
  return {};
}

}  // namespace th::model::internal
