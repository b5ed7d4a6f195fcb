// The capture-quality signals of a page (rotguard/capture_quality.h),
// counted from the tokens the requisite scanner (requisites.cc) already
// passes over, so judging a page costs no second parse.
#ifndef ROTGUARD_EXTRACT_PAGE_SIGNALS_H_
#define ROTGUARD_EXTRACT_PAGE_SIGNALS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "rotguard/capture_quality.h"

namespace rotguard::extract {

// Fed in document order by the scanner. Keeps counters and flags only (no
// element stack), so hostile nesting costs nothing extra.
class PageSignalCounter {
 public:
  // Character data between tags (outside raw-text and script elements).
  void Text(std::string_view text);
  // An HTML start tag the tree builder keeps; `id` as written; `has_src`:
  // it has a non-blank src attribute.
  void StartTag(std::string_view name, std::string_view id, bool self_closing,
                bool has_src);
  void EndTag(std::string_view name);
  // The content of a raw-text (title, style, ...) or script element.
  void RawContent(std::string_view element, std::string_view content);

  // The signals; looks for challenge signatures and an error title in
  // `html` only when the page has little visible text.
  PageSignals Finish(std::string_view html);

 private:
  bool Hidden() const { return hidden_depth_ > 0; }
  void CountVisible(std::string_view text);

  PageSignals signals_;
  int64_t hidden_depth_ = 0;    // open nav/header/footer/aside/template
  int64_t noscript_depth_ = 0;  // open <noscript>
  std::string noscript_text_;   // lowercase, capped
  std::string title_;           // the first <title>, lowercase, capped
  bool title_seen_ = false;
  bool pending_space_ = false;
  // The app root being read: its element name while open.
  std::string app_root_;
  bool app_root_done_ = false;
  bool app_root_has_content_ = false;
};

}  // namespace rotguard::extract

#endif  // ROTGUARD_EXTRACT_PAGE_SIGNALS_H_
