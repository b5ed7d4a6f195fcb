// The private-address guard (SPEC §6 "Safety"): which connected addresses
// a post must not be able to make the archiver reach.
#include "fetch/address_guard.h"

#include <arpa/inet.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <string>

#include "rotguard/fetch.h"
#include "util/ascii.h"

namespace rotguard {
namespace {

bool IsNonPublicV4(uint32_t a) {  // host byte order
  auto in = [a](uint32_t net, int bits) {
    uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
    return (a & mask) == net;
  };
  return in(0x00000000, 8)      // "this network", 0.0.0.0
         || in(0x0A000000, 8)   // 10/8
         || in(0x64400000, 10)  // 100.64/10 CGNAT
         || in(0x7F000000, 8)   // loopback
         || in(0xA9FE0000, 16)  // link-local, 169.254.169.254 metadata
         || in(0xAC100000, 12)  // 172.16/12
         || in(0xC0000000, 24)  // 192.0.0/24 IETF protocol assignments
         || in(0xC0000200, 24)  // 192.0.2/24 TEST-NET-1
         || in(0xC0586300, 24)  // 192.88.99/24 6to4 relay (deprecated)
         || in(0xC0A80000, 16)  // 192.168/16
         || in(0xC6120000, 15)  // 198.18/15 benchmarking
         || in(0xC6336400, 24)  // 198.51.100/24 TEST-NET-2
         || in(0xCB007100, 24)  // 203.0.113/24 TEST-NET-3
         || in(0xE0000000, 4)   // multicast
         || in(0xF0000000, 4);  // reserved, broadcast
}

uint32_t V4At(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
         (uint32_t{p[2]} << 8) | p[3];
}

bool IsNonPublicV6(const std::array<unsigned char, 16>& b) {
  static constexpr unsigned char kZero[16] = {};
  if (std::memcmp(b.data(), kZero, 15) == 0 && (b[15] == 0 || b[15] == 1)) {
    return true;  // :: unspecified, ::1 loopback
  }
  // ::ffff:a.b.c.d (v4-mapped) and ::a.b.c.d (v4-compatible, deprecated)
  static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0,    0,
                                                0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(b.data(), kMapped, 12) == 0 ||
      std::memcmp(b.data(), kZero, 12) == 0) {
    return IsNonPublicV4(V4At(b.data() + 12));
  }
  // 64:ff9b::/96 NAT64 embeds a v4 address.
  static constexpr unsigned char kNat64[12] = {0, 0x64, 0xff, 0x9b};
  if (std::memcmp(b.data(), kNat64, 12) == 0) {
    return IsNonPublicV4(V4At(b.data() + 12));
  }
  if ((b[0] & 0xfe) == 0xfc) return true;                  // fc00::/7 ULA
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return true;  // fe80::/10
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return true;  // fec0::/10
  if (b[0] == 0xff) return true;                           // multicast
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) {
    return true;  // 2001:db8::/32 documentation
  }
  if (b[0] == 0x20 && b[1] == 0x02) {  // 2002::/16 6to4 embeds a v4
    return IsNonPublicV4(V4At(b.data() + 2));
  }
  if (b[0] == 0x01 && b[1] == 0x00 &&
      std::memcmp(b.data() + 2, kZero, 6) == 0) {
    return true;  // 100::/64 discard
  }
  // Only 2000::/3 is global unicast; everything else is reserved.
  return (b[0] & 0xe0) != 0x20;
}

}  // namespace

bool IsNonPublicAddress(const std::string& ip_literal) {
  std::string ip = ip_literal;
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') {
    ip = ip.substr(1, ip.size() - 2);
  }
  if (size_t zone = ip.find('%'); zone != std::string::npos) ip.resize(zone);
  unsigned char v4[4];
  if (inet_pton(AF_INET, ip.c_str(), v4) == 1) return IsNonPublicV4(V4At(v4));
  std::array<unsigned char, 16> v6{};
  if (inet_pton(AF_INET6, ip.c_str(), v6.data()) == 1) return IsNonPublicV6(v6);
  return true;  // not an address at all: refuse rather than guess
}

}  // namespace rotguard

namespace rotguard::fetch_internal {

// "HOST:PORT:..." with HOST possibly a bracketed IPv6 literal: the pair it
// names, when both parts are there and PORT is a number.
void ExplicitMappings::AddNamed(std::string_view entry) {
  std::string_view host;
  size_t colon;
  if (!entry.empty() && entry.front() == '[') {
    size_t close = entry.find(']');
    if (close == std::string_view::npos) return;
    host = entry.substr(1, close - 1);
    colon = close + 1;
    if (colon >= entry.size() || entry[colon] != ':') return;
  } else {
    colon = entry.find(':');
    if (colon == std::string_view::npos) return;
    host = entry.substr(0, colon);
  }
  size_t end = entry.find(':', colon + 1);
  std::string_view port = entry.substr(colon + 1, end == std::string_view::npos
                                                      ? std::string_view::npos
                                                      : end - colon - 1);
  if (host.empty() || port.empty() || port.size() > 5) return;
  int number = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return;
    number = number * 10 + (c - '0');
  }
  named_.emplace(AsciiLowercase(host), number);
}

void ExplicitMappings::AddResolve(std::string_view entry) {
  if (!entry.empty() && entry.front() == '-') return;  // a removal
  if (!entry.empty() && entry.front() == '+') entry.remove_prefix(1);
  AddNamed(entry);
}

void ExplicitMappings::AddConnectTo(std::string_view entry) { AddNamed(entry); }

bool ExplicitMappings::Permits(std::string_view host, int port) const {
  return named_.count({std::string(host), port}) > 0;
}

}  // namespace rotguard::fetch_internal

namespace rotguard {

bool IsExplicitlyMapped(const std::vector<std::string>& resolve,
                        const std::vector<std::string>& connect_to,
                        std::string_view host, int port) {
  fetch_internal::ExplicitMappings mappings;
  for (const std::string& entry : resolve) mappings.AddResolve(entry);
  for (const std::string& entry : connect_to) mappings.AddConnectTo(entry);
  return mappings.Permits(host, port);
}

}  // namespace rotguard
