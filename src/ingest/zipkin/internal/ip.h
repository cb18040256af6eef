// IP address text for Zipkin endpoints, rendered exactly as Go's net.IP.String() does, because
// the Collector's attribute values (network.peer.address, ...) come from there. Internal to
// ingest/zipkin; pure functions, thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace th::ingest::zipkin {

// Appends the text of a 4- or 16-byte address to `out` ("10.0.0.1"; IPv4-mapped IPv6 addresses
// print as IPv4, as Go does; IPv6 in RFC 5952 form). False for any other size.
bool FormatIp(std::string_view raw, std::string* out);

// Parses IPv4 dotted-decimal or IPv6 text as Go's net.ParseIP (no zones, no leading zeros in
// IPv4 octets) into 16 bytes (IPv4 as IPv4-mapped IPv6). False when it is not an address.
bool ParseIp(std::string_view text, std::array<uint8_t, 16>* out);

}  // namespace th::ingest::zipkin
