// Which archived copy of a link to use (SPEC §8): the link's own captures
// first; a copy fetched from a public web archive (CaptureRow::source ==
// "public-archive", see `rotguard rescue`) only where the link has no own
// good capture. Pure functions of manifest rows, shared by report, restore,
// extract, export and `fix`.
#ifndef ROTGUARD_COPY_CHOICE_H_
#define ROTGUARD_COPY_CHOICE_H_

#include <optional>
#include <string>
#include <vector>

#include "rotguard/manifest.h"
#include "rotguard/status.h"

namespace rotguard {

// True for a copy fetched from a public web archive.
bool IsPublicArchiveCopy(const CaptureRow& capture);

// True for a non-lost capture with a 2xx status (or a non-HTTP record).
bool IsGoodCopy(const CaptureRow& capture);

// `captures` without the public-archive ones when some own capture is good
// (they are then never chosen); unchanged otherwise. Order is kept.
std::vector<CaptureRow> PreferOwnCopies(std::vector<CaptureRow> captures);

// The public-archive copy to point at: among good public-archive captures,
// the most recently rescued one (captured_at_us, then the highest id);
// nullptr when there is none.
const CaptureRow* BestPublicCopy(const std::vector<CaptureRow>& captures);

// BestPublicCopy() of the captures of `normalized` in `manifest`: "the best
// memento for this link" (`fix`, `report`). nullopt when there is none.
Result<std::optional<CaptureRow>> FindBestMemento(
    Manifest& manifest, const std::string& normalized);

// "web.archive.org, memento 2019-05-01T10:00:00Z" style text naming where a
// public-archive copy came from; "" for an own capture.
std::string CopyOrigin(const CaptureRow& capture);

}  // namespace rotguard

#endif  // ROTGUARD_COPY_CHOICE_H_
