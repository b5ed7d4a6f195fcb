#include "restore/html_rewrite.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "rotguard/extract.h"
#include "rotguard/requisites.h"
#include "rotguard/restore.h"
#include "rotguard/url.h"
#include "util/ascii.h"

namespace rotguard::restore {
namespace {

// Rendered posts are extracted against this base, so a URL under it is a
// path the site serves itself.
constexpr std::string_view kPostBase = "http://rotguard.invalid/";

size_t FindIgnoreCase(std::string_view text, std::string_view needle,
                      size_t from = 0) {
  if (needle.size() > text.size()) return std::string_view::npos;
  for (size_t i = from; i + needle.size() <= text.size(); ++i) {
    if (EqualsIgnoreCase(text.substr(i, needle.size()), needle)) return i;
  }
  return std::string_view::npos;
}

// The tag name starting at `pos` (after '<' or "</"), lowercased.
std::string TagNameAt(std::string_view html, size_t pos) {
  size_t end = pos;
  while (end < html.size() &&
         std::isalnum(static_cast<unsigned char>(html[end]))) {
    ++end;
  }
  return AsciiLowercase(html.substr(pos, end - pos));
}

// The index just past the '>' that ends the tag starting at `lt`, with
// quoted attribute values skipped; html.size() when it never ends.
size_t TagEnd(std::string_view html, size_t lt) {
  char quote = '\0';
  for (size_t i = lt + 1; i < html.size(); ++i) {
    char c = html[i];
    if (quote != '\0') {
      if (c == quote) quote = '\0';
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      return i + 1;
    }
  }
  return html.size();
}

// Just past the end tag "</name ...>" at or after `from`; html.size()
// when there is none.
size_t PastEndTag(std::string_view html, size_t from, std::string_view name) {
  std::string needle = "</" + std::string(name);
  for (size_t at = FindIgnoreCase(html, needle, from);
       at != std::string_view::npos;
       at = FindIgnoreCase(html, needle, at + 1)) {
    size_t after = at + needle.size();
    if (after >= html.size() ||
        !std::isalnum(static_cast<unsigned char>(html[after]))) {
      return TagEnd(html, at);
    }
  }
  return html.size();
}

bool IsRawTextElement(std::string_view name) {
  return name == "style" || name == "textarea" || name == "title" ||
         name == "noscript" || name == "xmp";
}

// "<meta charset=...>" for the charset a Content-Type names, when the
// page's first 2 KiB do not declare one; else "".
std::string CharsetMeta(std::string_view html, std::string_view content_type) {
  size_t charset = FindIgnoreCase(content_type, "charset=");
  std::string_view head_part =
      html.substr(0, std::min<size_t>(html.size(), 2048));
  if (charset == std::string_view::npos ||
      FindIgnoreCase(head_part, "charset") != std::string_view::npos) {
    return "";
  }
  std::string name(TrimHeaderSpace(content_type.substr(charset + 8)));
  name.erase(
      std::remove_if(name.begin(), name.end(),
                     [](char c) {
                       return !(std::isalnum(static_cast<unsigned char>(c)) ||
                                c == '-' || c == '_');
                     }),
      name.end());
  return name.empty() ? "" : "<meta charset=\"" + name + "\">";
}

// Where the CSP meta goes: after the <head> start tag, else after an early
// <!doctype>, else 0.
size_t HeadInsertPoint(std::string_view html) {
  for (size_t pos = FindIgnoreCase(html, "<head"); pos != std::string::npos;
       pos = FindIgnoreCase(html, "<head", pos + 1)) {
    char next = pos + 5 < html.size() ? html[pos + 5] : '\0';
    if (next == '>' || next == ' ' || next == '\t' || next == '\n' ||
        next == '\r') {
      size_t close = html.find('>', pos);
      if (close != std::string::npos) return close + 1;
      break;
    }
  }
  size_t doctype = FindIgnoreCase(html, "<!doctype");
  if (doctype != std::string::npos && doctype < 64) {
    size_t close = html.find('>', doctype);
    if (close != std::string::npos) return close + 1;
  }
  return 0;
}

// Subresources with a scheme other than http(s) (file:///..., ftp:) are
// never captured and would reach outside the offline copy: removed. data:
// stays (inline bytes, allowed by the CSP).
void DropOtherSchemeSubresources(const ExtractedDocument& doc,
                                 std::vector<Edit>* edits) {
  for (const Link& link : doc.other_schemes) {
    if (link.kind == LinkKind::kLink || link.kind == LinkKind::kFrontmatter) {
      continue;
    }
    if (UrlScheme(link.url) == "data") continue;
    edits->push_back({link.start, link.end, ""});
  }
}

}  // namespace

std::string MimeOf(std::string_view content_type) {
  std::string_view head = content_type.substr(0, content_type.find(';'));
  return AsciiLowercase(TrimHeaderSpace(head));
}

bool IsHtml(std::string_view content_type) {
  std::string mime = MimeOf(content_type);
  return mime == "text/html" || mime == "application/xhtml+xml";
}

std::string ApplyEdits(std::string_view bytes, std::vector<Edit> edits) {
  std::sort(edits.begin(), edits.end(),
            [](const Edit& a, const Edit& b) { return a.start < b.start; });
  std::string out;
  size_t at = 0;
  for (const Edit& e : edits) {
    if (e.start < at || e.end > bytes.size() || e.end < e.start) continue;
    out.append(bytes.substr(at, e.start - at));
    out += e.text;
    at = e.end;
  }
  out.append(bytes.substr(at));
  return out;
}

std::string WithCspMeta(std::string html, std::string_view content_type) {
  std::string insert = CharsetMeta(html, content_type) + std::string(kCspMeta);
  html.insert(HeadInsertPoint(html), insert);
  return html;
}

ExtractedDocument ScanPageForRewrite(std::string_view html,
                                     const std::string& page_url) {
  // The raw scanner gives ExtractLinks' links in a fraction of the time;
  // gumbo reads the pages it does not model.
  std::optional<ExtractedDocument> scanned =
      extract::ScanPageLinks(html, page_url);
  if (scanned) return std::move(*scanned);
  ExtractOptions extract;
  extract.base_url = page_url;
  extract.keep_other_schemes = true;
  return ExtractLinks("page.html", html, DocumentFormat::kHtml, extract);
}

std::string RewriteScannedPage(std::string_view html,
                               const ExtractedDocument& doc,
                               const std::string& page_name,
                               const LinkTargetOf& restored_page,
                               const LinkTargetOf& requisite) {
  std::vector<Edit> edits;
  DropOtherSchemeSubresources(doc, &edits);
  for (const Link& link : doc.links) {
    if (link.kind == LinkKind::kFrontmatter) continue;
    if (link.kind == LinkKind::kLink) {
      std::optional<std::string> page = restored_page(link);
      if (page) {
        edits.push_back({link.start, link.end, RelativePath(page_name, *page)});
      }
      continue;
    }
    std::optional<std::string> local = requisite(link);
    edits.push_back(
        {link.start, link.end, local ? RelativePath(page_name, *local) : ""});
  }
  return ApplyEdits(html, std::move(edits));
}

std::string RewritePage(std::string_view html, const std::string& page_url,
                        const std::string& page_name,
                        const LocalFileOf& restored_page,
                        const LocalFileOf& requisite) {
  return RewriteScannedPage(
      html, ScanPageForRewrite(html, page_url), page_name,
      [&](const Link& link) { return restored_page(link.url); },
      [&](const Link& link) { return requisite(link.url); });
}

std::string WithoutScripts(std::string_view html) {
  std::string out;
  out.reserve(html.size());
  size_t copied = 0;
  size_t pos = 0;
  while ((pos = html.find('<', pos)) != std::string_view::npos) {
    if (html.substr(pos, 4) == "<!--") {
      size_t close = html.find("-->", pos + 4);
      pos = close == std::string_view::npos ? html.size() : close + 3;
      continue;
    }
    std::string name = TagNameAt(html, pos + 1);
    if (name.empty()) {
      ++pos;  // "</x>", "<!doctype>", a lone '<': no start tag
      if (pos < html.size() && (html[pos] == '/' || html[pos] == '!')) {
        pos = TagEnd(html, pos - 1);
      }
      continue;
    }
    size_t end = TagEnd(html, pos);
    if (name == "script") {
      out.append(html.substr(copied, pos - copied));
      copied = PastEndTag(html, end, "script");
      pos = copied;
    } else {
      pos = IsRawTextElement(name) ? PastEndTag(html, end, name) : end;
    }
  }
  out.append(html.substr(std::min(copied, html.size())));
  return out;
}

std::string RewriteCss(std::string_view css, const std::string& base,
                       const std::string& name, const LocalFileOf& requisite) {
  std::vector<Edit> edits;
  for (const extract::StylesheetReference& c :
       extract::ExtractStylesheetUrls(css)) {
    std::optional<std::string> url = ResolveUrl(base, c.target);
    if (!url) continue;
    std::string scheme = UrlScheme(*url);
    if (scheme != "http" && scheme != "https") continue;  // data: stays
    std::optional<std::string> local = requisite(*url);
    edits.push_back({c.start, c.end, local ? RelativePath(name, *local) : ""});
  }
  return ApplyEdits(css, std::move(edits));
}

std::string RewriteRenderedPost(
    std::string_view html, const std::string& html_name,
    const std::function<bool(const std::string& name)>& restored,
    const std::function<std::optional<std::string>(const std::string& written)>&
        copy_site_file) {
  ExtractOptions extract;
  extract.base_url = std::string(kPostBase) + html_name;
  extract.keep_other_schemes = true;
  ExtractedDocument doc =
      ExtractLinks("post.html", html, DocumentFormat::kHtml, extract);
  std::vector<Edit> edits;
  DropOtherSchemeSubresources(doc, &edits);
  for (const Link& link : doc.links) {
    if (link.kind == LinkKind::kLink || link.kind == LinkKind::kFrontmatter) {
      continue;
    }
    if (!link.url.starts_with(kPostBase)) {
      edits.push_back({link.start, link.end, ""});  // never captured
      continue;
    }
    std::string target = link.url.substr(kPostBase.size());
    target = target.substr(0, target.find_first_of("?#"));
    if (restored(target)) continue;  // an asset restored already
    std::optional<std::string> copied = copy_site_file(link.written);
    edits.push_back(
        {link.start, link.end, copied ? RelativePath(html_name, *copied) : ""});
  }
  return ApplyEdits(html, std::move(edits));
}

}  // namespace rotguard::restore
