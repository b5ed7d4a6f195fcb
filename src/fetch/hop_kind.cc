// Hop kinds: how one hop of a chain led to the next.
#include "rotguard/fetch.h"

namespace rotguard {

const char* HopKindName(HopKind kind) {
  switch (kind) {
    case HopKind::kFirst:
      return "first";
    case HopKind::kLocation:
      return "location";
    case HopKind::kRefresh:
      return "refresh";
    case HopKind::kMetaRefresh:
      return "meta-refresh";
  }
  return "first";
}

}  // namespace rotguard
