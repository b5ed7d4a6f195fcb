// Which connections the private-address guard lets through unchecked
// (SPEC §6 "Safety"): exactly the (host, port) pairs that an explicit
// `--resolve HOST:PORT:ADDR` or `--connect-to HOST:PORT:CHOST:CPORT` entry
// names, nothing else. A mapping is per port (as curl applies it), so
// another port of a mapped host is checked like any other connection; an
// entry with an empty host or port (a curl wildcard) names no pair and
// permits nothing, though curl still routes by it.
#ifndef ROTGUARD_FETCH_ADDRESS_GUARD_H_
#define ROTGUARD_FETCH_ADDRESS_GUARD_H_

#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace rotguard::fetch_internal {

class ExplicitMappings {
 public:
  // A `resolve` entry ("[+]HOST:PORT:ADDR[,ADDR]"; a "-HOST:PORT" removal
  // permits nothing).
  void AddResolve(std::string_view entry);
  // A `connect_to` entry ("HOST:PORT:CONNECT-HOST:CONNECT-PORT").
  void AddConnectTo(std::string_view entry);
  // True when an entry names `host` (lowercase, no brackets) and `port`.
  bool Permits(std::string_view host, int port) const;

 private:
  void AddNamed(std::string_view entry);
  std::set<std::pair<std::string, int>> named_;
};

}  // namespace rotguard::fetch_internal

#endif  // ROTGUARD_FETCH_ADDRESS_GUARD_H_
