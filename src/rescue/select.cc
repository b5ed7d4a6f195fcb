// Choosing among an archive's captures (rotguard/rescue.h): the newest good
// one at or before the post's date, else the oldest after it.
#include <algorithm>
#include <cstddef>
#include <set>
#include <string>
#include <vector>

#include "rotguard/rescue.h"

namespace rotguard {
namespace {

// A listed 200, or a status the listing does not give (TimeTravel,
// TimeMaps): the fetch then checks the archived status itself.
bool MayBeGood(const Memento& m) { return m.status == 200 || m.status == 0; }

}  // namespace

std::vector<Memento> RankMementos(const std::vector<Memento>& mementos,
                                  int64_t post_us) {
  struct Ranked {
    Memento memento;
    size_t index;  // input order, for stable ties
  };
  std::vector<Ranked> before, after;
  std::set<std::string> seen;
  for (size_t i = 0; i < mementos.size(); ++i) {
    const Memento& m = mementos[i];
    if (!MayBeGood(m) || !seen.insert(m.uri).second) continue;
    (m.datetime_us <= post_us ? before : after).push_back(Ranked{m, i});
  }
  // Nearest first on each side; on equal datetimes a listed 200 wins, then
  // the order the archives listed them in.
  auto listed_first = [](const Ranked& a, const Ranked& b) {
    if ((a.memento.status == 200) != (b.memento.status == 200)) {
      return a.memento.status == 200;
    }
    return a.index < b.index;
  };
  std::sort(before.begin(), before.end(),
            [&](const Ranked& a, const Ranked& b) {
              if (a.memento.datetime_us != b.memento.datetime_us) {
                return a.memento.datetime_us > b.memento.datetime_us;
              }
              return listed_first(a, b);
            });
  std::sort(after.begin(), after.end(), [&](const Ranked& a, const Ranked& b) {
    if (a.memento.datetime_us != b.memento.datetime_us) {
      return a.memento.datetime_us < b.memento.datetime_us;
    }
    return listed_first(a, b);
  });
  std::vector<Memento> out;
  out.reserve(before.size() + after.size());
  for (Ranked& r : before) out.push_back(std::move(r.memento));
  for (Ranked& r : after) out.push_back(std::move(r.memento));
  return out;
}

std::string RawMementoUri(const std::string& uri_m) {
  // ".../web/<digits>/<original>": the digits end at the first '/' after
  // "/web/"; a modifier already there ("id_", "im_") is replaced.
  size_t web = uri_m.find("/web/");
  if (web == std::string::npos) return uri_m;
  size_t start = web + 5;
  size_t slash = uri_m.find('/', start);
  if (slash == std::string::npos) return uri_m;
  size_t digits = start;
  while (digits < slash && uri_m[digits] >= '0' && uri_m[digits] <= '9') {
    ++digits;
  }
  if (digits - start < 4 || digits - start > 14) return uri_m;
  std::string modifier = uri_m.substr(digits, slash - digits);
  if (!modifier.empty() && (modifier.size() != 3 || modifier[2] != '_')) {
    return uri_m;  // not a timestamp segment
  }
  return uri_m.substr(0, digits) + "id_" + uri_m.substr(slash);
}

}  // namespace rotguard
