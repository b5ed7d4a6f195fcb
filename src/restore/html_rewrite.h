// Byte-exact link rewriting for `restore`: a page, stylesheet or rendered
// post keeps every byte except the URL spans it replaces (SPEC §8), so a
// restored file differs from the archived one only where a link now points
// at a local copy (or at nothing, for a subresource never captured).
#ifndef ROTGUARD_RESTORE_HTML_REWRITE_H_
#define ROTGUARD_RESTORE_HTML_REWRITE_H_

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rotguard/extract.h"

namespace rotguard::restore {

// Every restored HTML file carries it: offline copies load nothing from
// the network.
inline constexpr std::string_view kCspMeta =
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
    "'self' data: blob: 'unsafe-inline'\">";

// "text/html" from "Text/HTML; charset=utf-8".
std::string MimeOf(std::string_view content_type);
// text/html or application/xhtml+xml.
bool IsHtml(std::string_view content_type);

// One replacement of the byte span [start, end).
struct Edit {
  size_t start;
  size_t end;
  std::string text;
};

// Applies non-overlapping edits (sorted here); overlapping ones and spans
// outside `bytes` are dropped, so the result never depends on their order.
std::string ApplyEdits(std::string_view bytes, std::vector<Edit> edits);

// Adds the CSP meta tag (and a charset declaration when the page has none
// but its HTTP Content-Type named one) right after <head ...>, else after
// an early <!doctype>, else at the very start.
std::string WithCspMeta(std::string html, std::string_view content_type);

// A browser's rendered DOM snapshot without its <script> elements (start
// tag to end tag, inline or external): the DOM is already what the
// scripts built, and run again offline they would rebuild it from
// requests that can only fail. Comments, attribute values and the raw
// text of <style>, <textarea>, <title>, <noscript> and <xmp> are skipped
// over, never cut; every other byte stays. An unclosed <script> runs to
// the end, as a parser would read it.
std::string WithoutScripts(std::string_view html);

// The local file (relative to the output root) restored for an absolute
// URL, or nullopt.
using LocalFileOf =
    std::function<std::optional<std::string>(const std::string& url)>;

// An archived page saved as `page_name`: links (<a href>) to pages restored
// in this run point at their local files, other links stay as they were;
// requisites (img src, stylesheets, scripts, ...) point at their local
// copies, or become empty when there is none, so nothing loads from the
// network.
std::string RewritePage(std::string_view html, const std::string& page_url,
                        const std::string& page_name,
                        const LocalFileOf& restored_page,
                        const LocalFileOf& requisite);

// Every link of an archived page with its byte span, as RewritePage edits
// them: from the requisite scanner (extract::ScanPageLinks), or from gumbo
// for a page the scanner does not model. Touches nothing but its
// arguments, so `restore` scans pages on another thread while it writes.
ExtractedDocument ScanPageForRewrite(std::string_view html,
                                     const std::string& page_url);

// The local file (relative to the output root) restored for a link of a
// page, or nullopt; the link's `normalized` is its manifest key already.
using LinkTargetOf = std::function<std::optional<std::string>(const Link&)>;

// RewritePage from the page's ScanPageForRewrite() links.
std::string RewriteScannedPage(std::string_view html,
                               const ExtractedDocument& doc,
                               const std::string& page_name,
                               const LinkTargetOf& restored_page,
                               const LinkTargetOf& requisite);

// A stylesheet fetched from `base` and saved as `name`: its http(s) url()
// and @import targets point at their local copies or become empty; data:
// URLs stay.
std::string RewriteCss(std::string_view css, const std::string& base,
                       const std::string& name, const LocalFileOf& requisite);

// A post rendered to HTML and saved as `html_name`: subresources the site
// serves itself (relative or root paths) point at a local copy
// (`copy_site_file` gets the path as written and returns the copy's name),
// except those already restored (`restored` says); others are removed.
// Links are left alone.
std::string RewriteRenderedPost(
    std::string_view html, const std::string& html_name,
    const std::function<bool(const std::string& name)>& restored,
    const std::function<std::optional<std::string>(const std::string& written)>&
        copy_site_file);

}  // namespace rotguard::restore

#endif  // ROTGUARD_RESTORE_HTML_REWRITE_H_
