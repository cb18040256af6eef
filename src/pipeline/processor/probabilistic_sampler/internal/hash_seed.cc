#include "pipeline/processor/probabilistic_sampler/internal/hash_seed.h"

#include "common/strings.h"

namespace th::pipeline::probabilistic_sampler {
namespace {

bool IsLcAlpha(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsKeyChar(char c) {
  return IsLcAlpha(c) || IsDigit(c) || c == '_' || c == '-' || c == '*' || c == '/';
}

// W3C key: simple-key = lcalpha 0*255(keychar); multi-tenant = (lcalpha/digit) 0*240(keychar)
// "@" lcalpha 0*13(keychar).
bool ValidW3CKey(std::string_view key) {
  size_t at = key.find('@');
  auto all_key_chars = [](std::string_view s) {
    for (char c : s) {
      if (!IsKeyChar(c)) return false;
    }
    return true;
  };
  if (at == std::string_view::npos) {
    return !key.empty() && key.size() <= 256 && IsLcAlpha(key[0]) && all_key_chars(key);
  }
  std::string_view tenant = key.substr(0, at);
  std::string_view system = key.substr(at + 1);
  return !tenant.empty() && tenant.size() <= 241 && (IsLcAlpha(tenant[0]) || IsDigit(tenant[0])) &&
         all_key_chars(tenant) && !system.empty() && system.size() <= 14 &&
         IsLcAlpha(system[0]) && all_key_chars(system);
}

// W3C value: 0*255(chr) nblk-chr; chr is 0x20-0x7E except ',' and '='.
bool ValidW3CValue(std::string_view value) {
  if (value.empty() || value.size() > 256 || value.back() == ' ') return false;
  for (char c : value) {
    if (c < 0x20 || c > 0x7e || c == ',' || c == '=') return false;
  }
  return true;
}

// OTel value: key ":" value pairs separated by ';'; key = lcalpha *(lcalpha / digit);
// value = *(alnum / "." / "_" / "-").
bool ParseOTelValue(std::string_view text, TraceState* out) {
  if (text.size() > 256) return false;
  size_t pos = 0;
  while (true) {
    size_t end = text.find(';', pos);
    std::string_view item = text.substr(pos, end == std::string_view::npos ? end : end - pos);
    size_t colon = item.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    std::string_view key = item.substr(0, colon);
    std::string_view value = item.substr(colon + 1);
    if (!IsLcAlpha(key[0])) return false;
    for (char c : key) {
      if (!IsLcAlpha(c) && !IsDigit(c)) return false;
    }
    for (char c : value) {
      bool ok = IsLcAlpha(c) || IsDigit(c) || (c >= 'A' && c <= 'Z') || c == '.' || c == '_' ||
                c == '-';
      if (!ok) return false;
    }
    if (key == "rv") {
      out->rv = std::string(value);
    } else if (key == "th") {
      out->th = std::string(value);
    } else {
      out->otel_extra.emplace_back(std::string(key), std::string(value));
    }
    if (end == std::string_view::npos) return true;
    pos = end + 1;
  }
}

std::string Hex14(uint64_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(14, '0');
  for (int i = 13; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kDigits[v & 0xf];
    v >>= 4;
  }
  return out;
}

}  // namespace

uint32_t Fnv1a32(std::string_view data, uint32_t hash) {
  for (char c : data) {
    hash ^= static_cast<uint8_t>(c);
    hash *= kFnv32Prime;
  }
  return hash;
}

uint32_t SeededHash(std::string_view bytes, uint32_t seed) {
  char le[4];
  for (int i = 0; i < 4; ++i) le[i] = static_cast<char>((seed >> (8 * i)) & 0xff);
  return Fnv1a32(bytes, Fnv1a32(std::string_view(le, 4)));
}

uint32_t ScaledSampleRate(float percent) {
  if (percent > 100) percent = 100;
  if (!(percent > 0)) return 0;
  // Go evaluates `pct * percentageScaleFactor` in float32: the constant 163.84 is rounded to
  // float32 first. `volatile` keeps the product from being contracted or kept in wider registers.
  volatile float product = percent * static_cast<float>(kNumHashBuckets / 100.0);
  return static_cast<uint32_t>(product);
}

uint64_t RandomnessFromHash(uint32_t hash32) {
  uint64_t hashed = hash32 & (kNumHashBuckets - 1);
  uint64_t rprime14 = kNumHashBuckets - 1 - hashed;
  uint64_t unused18 = hash32 >> 14;
  uint64_t mixed28 = unused18 ^ (unused18 << 10);
  return (rprime14 << 42) | (mixed28 << 14) | hashed;
}

uint64_t ThresholdFromScaledRate(uint32_t scaled) {
  return static_cast<uint64_t>(kNumHashBuckets - scaled) << 42;
}

std::string ThresholdTValue(uint64_t threshold) {
  if (threshold == kAlwaysSampleThreshold) return "0";
  if (threshold >= kNeverSampleThreshold) return "";
  std::string hex = Hex14(threshold);
  while (!hex.empty() && hex.back() == '0') hex.pop_back();
  return hex;
}

std::string RandomnessRValue(uint64_t randomness) {
  return Hex14(randomness & (kMaxAdjustedCount - 1));
}

bool ParseTraceState(std::string_view text, TraceState* out) {
  *out = TraceState{};
  if (text.size() > 1024) return false;
  size_t pos = 0;
  int count = 0;
  while (pos <= text.size()) {
    size_t end = text.find(',', pos);
    std::string_view member =
        TrimBlanks(text.substr(pos, end == std::string_view::npos ? end : end - pos));
    if (!member.empty()) {
      if (++count > 32) return false;
      size_t eq = member.find('=');
      if (eq == std::string_view::npos) return false;
      std::string_view key = member.substr(0, eq);
      std::string_view value = member.substr(eq + 1);
      if (!ValidW3CKey(key) || !ValidW3CValue(value)) return false;
      if (key == "ot") {
        if (!ParseOTelValue(value, out)) return false;
      } else {
        out->members.emplace_back(std::string(key), std::string(value));
      }
    }
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return true;
}

std::string SerializeTraceState(const TraceState& ts) {
  std::string otel;
  auto add = [&otel](std::string_view k, std::string_view v) {
    if (!otel.empty()) otel += ';';
    otel.append(k).append(":").append(v);
  };
  if (!ts.rv.empty()) add("rv", ts.rv);
  if (!ts.th.empty()) add("th", ts.th);
  for (const auto& [k, v] : ts.otel_extra) add(k, v);
  std::string out;
  if (!otel.empty()) out = "ot=" + otel;
  for (const auto& [k, v] : ts.members) {
    if (!out.empty()) out += ',';
    out.append(k).append("=").append(v);
  }
  return out;
}

}  // namespace th::pipeline::probabilistic_sampler
