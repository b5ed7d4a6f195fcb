// `report --since`: which links changed after a given time, judged from
// the verdict history the manifest keeps (schema v6), the URL's first
// sighting and its public-archive copies.
#ifndef ROTGUARD_VERIFY_REPORT_SINCE_H_
#define ROTGUARD_VERIFY_REPORT_SINCE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "rotguard/manifest.h"

namespace rotguard {

// What is known of one URL for the --since selection.
struct LinkHistory {
  std::string verdict_now;                // "" or unchecked: never judged
  std::vector<VerdictChangeRow> changes;  // oldest first
  int64_t first_seen_unix = 0;
  bool rescued_since = false;  // a public-archive copy captured after since
};

// The verdict the URL had at `at_unix`: the last change up to then, else
// what the first later change replaced; with no history at all, the
// verdict it has now (it was judged before the history was kept).
std::string VerdictAt(const LinkHistory& history, int64_t at_unix);

struct LinkChange {
  std::string change;  // a kChange* name; "" when nothing changed
  std::string previous_verdict;
  int64_t changed_unix = 0;
};

// The one change a link is listed under, worst first (report.h).
LinkChange ClassifyChange(const LinkHistory& history, int64_t since_unix);

// Change names in the order reports list them.
const std::vector<std::string>& ChangesInOrder();
// "newly gone", "new link": for text.
std::string ChangeLabel(const std::string& change);

}  // namespace rotguard

#endif  // ROTGUARD_VERIFY_REPORT_SINCE_H_
