// The text of policies/default.toml, compiled in at build time so the
// shipped file and a fresh store's rotguard.toml come from one source.
#ifndef ROTGUARD_POLICY_DEFAULT_POLICY_H_
#define ROTGUARD_POLICY_DEFAULT_POLICY_H_

#include <string_view>

namespace rotguard {

extern const std::string_view kDefaultPolicyToml;

}  // namespace rotguard

#endif  // ROTGUARD_POLICY_DEFAULT_POLICY_H_
