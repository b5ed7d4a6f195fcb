// Fuzz target: restore's file-name mapper. Lines of the input are URLs
// (an optional tab then a Content-Type). Aborts when a name is unsafe
// (absolute, ".", "..", control bytes, backslash, a component over 100
// bytes, a path over 240 bytes), when two URLs share a name (compared
// case-insensitively), or when one URL gets two names.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "rotguard/restore.h"

namespace {

void Check(bool ok, const char* what, std::string_view name) {
  if (!ok) {
    std::fprintf(stderr, "unsafe name (%s): %.*s\n", what,
                 static_cast<int>(name.size()), name.data());
    std::abort();
  }
}

void CheckSafe(std::string_view name) {
  Check(!name.empty() && name.front() != '/', "absolute or empty", name);
  Check(name.size() <= 240, "path over 240 bytes", name);
  size_t begin = 0;
  while (begin <= name.size()) {
    size_t end = name.find('/', begin);
    if (end == std::string_view::npos) end = name.size();
    std::string_view part = name.substr(begin, end - begin);
    Check(!part.empty() && part != "." && part != "..", "bad component", name);
    Check(part.size() <= 100, "component over 100 bytes", name);
    for (unsigned char c : part) {
      Check(c >= 0x20 && c != 0x7f && c != '\\', "control or backslash", name);
    }
    begin = end + 1;
  }
}

std::string Folded(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(c));
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  rotguard::AssetNamer namer;
  std::map<std::string, std::string> url_by_folded_name;
  for (int lines = 0; lines < 64 && !input.empty(); ++lines) {
    size_t eol = input.find('\n');
    std::string_view line = input.substr(0, eol);
    input = eol == std::string_view::npos ? "" : input.substr(eol + 1);
    size_t tab = line.find('\t');
    std::string url(line.substr(0, tab));
    std::string_view type =
        tab == std::string_view::npos ? "" : line.substr(tab + 1);
    CheckSafe(rotguard::SafeAssetPath(url, type));
    std::string name = namer.NameFor(url, type);
    CheckSafe(name);
    Check(namer.NameFor(url, type) == name, "unstable name", name);
    auto [it, fresh] = url_by_folded_name.emplace(Folded(name), url);
    Check(fresh || it->second == url, "two URLs share a name", name);
  }
  return 0;
}
