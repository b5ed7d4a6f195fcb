// What a proxy and per-host credentials change about a request and its
// record (fetch_internal.h): the credential header lines for a hop, the
// request head as written to the WARC (origin-form request line, credential
// values redacted), the proxy as shown in messages, and the name lookup the
// address guard makes for a target behind a proxy.
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fetch/fetch_internal.h"
#include "rotguard/config.h"
#include "util/ascii.h"

namespace rotguard::fetch_internal {
namespace {

bool IsCredentialHeader(std::string_view line) {
  for (std::string_view name :
       {"authorization:", "proxy-authorization:", "cookie:"}) {
    if (line.size() >= name.size() && StartsWithIgnoreCase(line, name)) {
      return true;
    }
  }
  return false;
}

// "GET http://host:port/p?q HTTP/1.1" (absolute form, as sent to an HTTP
// proxy) → "GET /p?q HTTP/1.1", what the origin server is asked for.
std::string OriginFormRequestLine(std::string_view line) {
  const size_t sp = line.find(' ');
  if (sp == std::string_view::npos) return std::string(line);
  std::string_view target = line.substr(sp + 1);
  const size_t end = target.find(' ');
  std::string_view rest =
      end == std::string_view::npos ? "" : target.substr(end);
  target = target.substr(0, end);
  if (!StartsWithIgnoreCase(target, "http://") &&
      !StartsWithIgnoreCase(target, "https://")) {
    return std::string(line);
  }
  const size_t authority = target.find("://") + 3;
  const size_t path = target.find_first_of("/?", authority);
  std::string origin(line.substr(0, sp + 1));
  if (path == std::string_view::npos) {
    origin += '/';
  } else {
    if (target[path] == '?') origin += '/';
    origin.append(target.substr(path));
  }
  origin.append(rest);
  return origin;
}

}  // namespace

std::vector<std::string> CredentialHeaderLines(const FetchConfig& fetch,
                                               std::string_view host) {
  std::vector<std::string> lines;
  const HostCredentials* entry = FindHostCredentials(fetch, host);
  if (entry == nullptr) return lines;
  for (const auto& [name, value] : entry->headers) {
    lines.push_back(name + ": " + value);
  }
  if (!entry->cookies.empty()) lines.push_back("Cookie: " + entry->cookies);
  return lines;
}

std::string RecordedRequestHead(std::string_view head, bool redact) {
  std::string out;
  out.reserve(head.size());
  bool first = true;
  while (!head.empty()) {
    size_t eol = head.find('\n');
    std::string_view line =
        head.substr(0, eol == std::string_view::npos ? head.size() : eol + 1);
    head.remove_prefix(line.size());
    if (first) {
      first = false;
      std::string_view bare = line;
      while (!bare.empty() && (bare.back() == '\n' || bare.back() == '\r')) {
        bare.remove_suffix(1);
      }
      out += OriginFormRequestLine(bare);
      out.append(line.substr(bare.size()));
    } else if (StartsWithIgnoreCase(line, "proxy-connection:")) {
      continue;  // said to the proxy only; the target never sees it
    } else if (redact && IsCredentialHeader(line)) {
      const size_t colon = line.find(':');
      const bool crlf = line.size() >= 2 && line[line.size() - 2] == '\r';
      out.append(line.substr(0, colon + 1)).append(" ");
      out.append(kRedactedCredential);
      out += crlf ? "\r\n" : "\n";
    } else {
      out.append(line);
    }
  }
  return out;
}

std::string ProxyForDisplay(std::string_view proxy) {
  const size_t scheme = proxy.find("://");
  const size_t start = scheme == std::string_view::npos ? 0 : scheme + 3;
  const size_t end = proxy.find_first_of("/?#", start);
  const size_t at = proxy.substr(0, end).rfind('@');
  if (at == std::string_view::npos || at < start) return std::string(proxy);
  return std::string(proxy.substr(0, start)) +
         std::string(proxy.substr(at + 1));
}

std::map<std::string, std::vector<std::string>> MappedAddresses(
    const std::vector<std::string>& resolve) {
  std::map<std::string, std::vector<std::string>> mapped;
  for (std::string_view entry : resolve) {
    if (!entry.empty() && entry.front() == '-') continue;  // a removal
    if (!entry.empty() && entry.front() == '+') entry.remove_prefix(1);
    size_t host_end = entry.find(':');
    std::string_view host = entry.substr(0, host_end);
    if (!entry.empty() && entry.front() == '[') {
      host_end = entry.find(']');
      if (host_end == std::string_view::npos) continue;
      host = entry.substr(1, host_end - 1);
      ++host_end;
    }
    const size_t port_end = entry.find(':', host_end + 1);
    if (host.empty() || host_end == std::string_view::npos ||
        port_end == std::string_view::npos) {
      continue;
    }
    std::vector<std::string>& addresses = mapped[AsciiLowercase(host)];
    std::string_view list = entry.substr(port_end + 1);
    while (!list.empty()) {
      const size_t comma = list.find(',');
      std::string_view one = list.substr(0, comma);
      if (one.size() >= 2 && one.front() == '[' && one.back() == ']') {
        one = one.substr(1, one.size() - 2);
      }
      if (!one.empty()) addresses.emplace_back(one);
      list.remove_prefix(comma == std::string_view::npos ? list.size()
                                                         : comma + 1);
    }
  }
  return mapped;
}

Result<std::vector<std::string>> LookUpHost(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* raw = nullptr;
  const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &raw);
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(raw, &freeaddrinfo);
  if (rc != 0) return Status::NotFound(gai_strerror(rc));
  std::vector<std::string> addresses;
  for (const addrinfo* a = list.get(); a != nullptr; a = a->ai_next) {
    char ip[NI_MAXHOST] = {};
    if (getnameinfo(a->ai_addr, a->ai_addrlen, ip, sizeof ip, nullptr, 0,
                    NI_NUMERICHOST) != 0) {
      continue;
    }
    if (std::find(addresses.begin(), addresses.end(), ip) == addresses.end()) {
      addresses.emplace_back(ip);
    }
  }
  if (addresses.empty()) return Status::NotFound("no address");
  return addresses;
}

}  // namespace rotguard::fetch_internal
