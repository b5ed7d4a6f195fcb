// Colour on terminals (ANSI SGR), decided once per stream: `--color
// auto|always|never` and the NO_COLOR convention (no-color.org: set and
// not empty turns colour off, unless the user asked for it explicitly).
#ifndef ROTGUARD_UTIL_COLOR_H_
#define ROTGUARD_UTIL_COLOR_H_

#include <optional>
#include <string>
#include <string_view>

namespace rotguard {

enum class ColorMode { kAuto, kAlways, kNever };

// "auto", "always", "never"; nullopt for anything else.
std::optional<ColorMode> ParseColorMode(std::string_view name);

// Whether to colour a stream: always and never mean what they say; auto
// colours a terminal (`is_tty`) unless NO_COLOR is set and not empty or
// TERM is "dumb". `no_color` and `term` are the variables' values,
// nullptr when unset.
bool ColorEnabled(ColorMode mode, bool is_tty, const char* no_color,
                  const char* term);

enum class Color { kRed, kYellow, kGreen, kBlue, kCyan, kDim, kBold };

// `text` between the SGR code of `color` and a reset; `text` as it is
// when `enabled` is false.
std::string Paint(std::string_view text, Color color, bool enabled);

}  // namespace rotguard

#endif  // ROTGUARD_UTIL_COLOR_H_
