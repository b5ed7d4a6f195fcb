// Text from the outside world (URLs from WARC headers, file names, server
// messages) made safe to print on a terminal, so a hostile capture cannot
// recolour, retitle or clear the user's terminal (ESC sequences, BEL) or
// forge an output line (CR, LF).
#ifndef ROTGUARD_UTIL_TERMINAL_TEXT_H_
#define ROTGUARD_UTIL_TERMINAL_TEXT_H_

#include <string>
#include <string_view>

namespace rotguard {

// `text` with every byte a terminal could act on written as %XX (upper
// case hex, as in a URL): the C0 controls (NUL to US, so TAB, LF and CR
// too), DEL, the C1 controls U+0080 to U+009F (both bytes of their UTF-8
// form: some terminals take them as ESC sequences) and every byte that is
// not part of well-formed UTF-8. Printable ASCII and well-formed UTF-8
// above U+009F are copied. '%' itself is kept, so a URL reads as written.
// For human-readable output only: JSON output has its own escaping.
std::string TerminalSafe(std::string_view text);
// The same, appended to `out` (for output loops that build one buffer).
void AppendTerminalSafe(std::string_view text, std::string* out);

}  // namespace rotguard

#endif  // ROTGUARD_UTIL_TERMINAL_TEXT_H_
