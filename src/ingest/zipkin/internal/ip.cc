#include "ingest/zipkin/internal/ip.h"

#include <arpa/inet.h>

#include <cstring>

#include "common/strings.h"

namespace th::ingest::zipkin {
namespace {

constexpr uint8_t kV4InV6Prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

void AppendV4(const uint8_t* p, std::string* out) {
  th::StrAppend(out, static_cast<int>(p[0]), ".", static_cast<int>(p[1]), ".",
                static_cast<int>(p[2]), ".", static_cast<int>(p[3]));
}

}  // namespace

bool FormatIp(std::string_view raw, std::string* out) {
  const auto* p = reinterpret_cast<const uint8_t*>(raw.data());
  if (raw.size() == 4) {
    AppendV4(p, out);
    return true;
  }
  if (raw.size() != 16) return false;
  if (std::memcmp(p, kV4InV6Prefix, sizeof(kV4InV6Prefix)) == 0) {
    AppendV4(p + 12, out);
    return true;
  }
  // Go's rule: the longest run of zero groups (the first on a tie), if longer than one group,
  // becomes "::".
  int e0 = -1;
  int e1 = -1;
  for (int i = 0; i < 16; i += 2) {
    int j = i;
    while (j < 16 && p[j] == 0 && p[j + 1] == 0) j += 2;
    if (j > i && j - i > e1 - e0) {
      e0 = i;
      e1 = j;
      i = j;
    }
  }
  if (e1 - e0 <= 2) {
    e0 = -1;
    e1 = -1;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 16; i += 2) {
    if (i == e0) {
      out->append("::");
      i = e1;
      if (i >= 16) break;
    } else if (i > 0) {
      out->push_back(':');
    }
    unsigned group = (static_cast<unsigned>(p[i]) << 8) | p[i + 1];
    char buf[4];
    int n = 0;
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      unsigned d = (group >> shift) & 0xf;
      if (d != 0 || started || shift == 0) {
        buf[n++] = kHex[d];
        started = true;
      }
    }
    out->append(buf, static_cast<size_t>(n));
  }
  return true;
}

bool ParseIp(std::string_view text, std::array<uint8_t, 16>* out) {
  char buf[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof(buf)) return false;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  if (std::memchr(text.data(), '\0', text.size()) != nullptr) return false;
  uint8_t v4[4];
  // glibc's inet_pton rejects leading zeros in IPv4 octets, as Go's ParseIP does.
  if (inet_pton(AF_INET, buf, v4) == 1) {
    std::memcpy(out->data(), kV4InV6Prefix, 12);
    std::memcpy(out->data() + 12, v4, 4);
    return true;
  }
  return inet_pton(AF_INET6, buf, out->data()) == 1;
}

}  // namespace th::ingest::zipkin
