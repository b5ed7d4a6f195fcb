// Takedowns (`rotguard forget`): a URL's captures leave the manifest and a
// tombstone keeps it from being fetched, exported or restored again;
// `--purge` then rewrites the WARC files without its records.
//
// What one forget removes (the "dependents" are not tombstoned: another
// post may still cite them and archive them again):
//   - every capture of the URL itself (live, imported, public-archive
//     copies, revisits), and every hop of the redirect chains they start;
//   - its page requisites (and the url()/@import targets of its
//     stylesheets) that nothing kept needs: no post links to them and no
//     kept 2xx HTML capture names them as a requisite;
//   - with each capture's record, the records of the same exchange: the
//     records of the same file with the same WARC-Target-URI and WARC-Date
//     (the request, metadata and resource records written with it).
// The records stay in the WARC files, marked forgotten, until a purge.
//
// A purge refuses (FailedPrecondition naming both) when a kept capture is
// a revisit of a record it would drop: that copy would no longer resolve.
// Forget the revisit's URL too, or keep the bytes (forget without purge).
#ifndef ROTGUARD_FORGET_H_
#define ROTGUARD_FORGET_H_

#include <cstdint>
#include <string>
#include <vector>

#include "rotguard/env.h"
#include "rotguard/status.h"
#include "rotguard/store.h"

namespace rotguard {

struct ForgetOptions {
  std::string reason;
  int64_t now_unix = 0;  // 0: the clock
  // Decoded size cap for the pages read to find requisites (0: default).
  uint64_t max_decoded = 0;
};

struct ForgetResult {
  std::string url;         // as given
  std::string normalized;  // the tombstone's key
  int64_t captures = 0;    // of the URL itself
  int64_t dependents = 0;  // chain hops and requisites removed with it
  int64_t records = 0;     // records marked forgotten
};

// Needs the exclusive lock. InvalidArgument for a URL that is not an
// absolute http(s) URL. A URL with no capture still gets its tombstone.
Result<ForgetResult> ForgetUrl(Store& store, const std::string& url,
                               const ForgetOptions& options = {});

struct PurgeOptions {
  // New files, syncs, renames and the directory syncs go through it.
  Env* env = Env::Default();
  int64_t now_unix = 0;  // 0: the clock
};

struct PurgeResult {
  struct File {
    std::string old_name;
    std::string new_name;
    int64_t kept = 0;     // records copied
    int64_t dropped = 0;  // forgotten records left behind
  };
  std::vector<File> files;
  int64_t leftovers_removed = 0;  // files of an interrupted purge unlinked
};

// Rewrites every WARC file holding forgotten records: a new file (a new
// name, written through the Env and fdatasynced) with the kept records
// byte for byte; each new file read back and every kept record's digests
// and id checked; then ONE manifest transaction moves the kept rows to the
// new files; only then are the old files unlinked (and the directory
// fsynced). Files an interrupted purge left (purged_files) are unlinked
// first. On failure before the switch the new files are removed and the
// store is as it was. Needs the exclusive lock.
Result<PurgeResult> PurgeForgotten(Store& store,
                                   const PurgeOptions& options = {});

}  // namespace rotguard

#endif  // ROTGUARD_FORGET_H_
