#include "util/color.h"

#include <string>
#include <string_view>

namespace rotguard {

std::optional<ColorMode> ParseColorMode(std::string_view name) {
  if (name == "auto") return ColorMode::kAuto;
  if (name == "always") return ColorMode::kAlways;
  if (name == "never") return ColorMode::kNever;
  return std::nullopt;
}

bool ColorEnabled(ColorMode mode, bool is_tty, const char* no_color,
                  const char* term) {
  switch (mode) {
    case ColorMode::kAlways:
      return true;
    case ColorMode::kNever:
      return false;
    case ColorMode::kAuto:
      break;
  }
  if (no_color != nullptr && no_color[0] != '\0') return false;
  if (term != nullptr && std::string_view(term) == "dumb") return false;
  return is_tty;
}

std::string Paint(std::string_view text, Color color, bool enabled) {
  if (!enabled) return std::string(text);
  const char* code = "";
  switch (color) {
    case Color::kRed:
      code = "31";
      break;
    case Color::kYellow:
      code = "33";
      break;
    case Color::kGreen:
      code = "32";
      break;
    case Color::kBlue:
      code = "34";
      break;
    case Color::kCyan:
      code = "36";
      break;
    case Color::kDim:
      code = "2";
      break;
    case Color::kBold:
      code = "1";
      break;
  }
  return "\x1b[" + std::string(code) + "m" + std::string(text) + "\x1b[0m";
}

}  // namespace rotguard
