// Names under <store>/warc/ that import, verify, repair and the manifest
// rebuild must agree on (the WARC writer spells the same suffix in
// warc/format.h, which is private to that module).
#ifndef ROTGUARD_VERIFY_STORE_NAMES_H_
#define ROTGUARD_VERIFY_STORE_NAMES_H_

#include <string_view>

namespace rotguard::verify {

// A file a run is still writing, or one a killed run left behind.
inline constexpr std::string_view kOpenSuffix = ".open";
// Where `rotguard import` puts the files it copies in.
inline constexpr std::string_view kImportedPrefix = "imported/";

}  // namespace rotguard::verify

#endif  // ROTGUARD_VERIFY_STORE_NAMES_H_
