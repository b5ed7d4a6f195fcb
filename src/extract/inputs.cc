// Feeds, sitemaps and WXR exports (over xml_tree.h) and bookmark files
// (over gumbo) → one ExtractedDocument per entry, spans into the file.
//
// Each entry's links are collected in a Collector over the entry's own
// bytes (not the whole file: FinalizeCandidates indexes the lines of its
// content, which would make a feed of n entries cost n times the file),
// then shifted to file offsets and located in one line index of the file.
#include "rotguard/inputs.h"

#include <gumbo.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "extract/collector.h"
#include "extract/html.h"
#include "extract/xml_tree.h"
#include "rotguard/url.h"
#include "util/ascii.h"
#include "util/time_format.h"

namespace rotguard {
namespace {

using extract::Collector;
using extract::MappedText;
using extract::Origin;
using extract::XmlElement;
using extract::XmlTree;

constexpr size_t kNpos = std::string_view::npos;

// Byte offset → 1-based line and byte column in the whole file.
class FileLines {
 public:
  explicit FileLines(std::string_view text) {
    starts_.push_back(0);
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') starts_.push_back(i + 1);
    }
  }
  void Locate(size_t offset, int* line, int* column) const {
    auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
    size_t index = static_cast<size_t>(it - starts_.begin()) - 1;
    *line = static_cast<int>(index + 1);
    *column = static_cast<int>(offset - starts_[index] + 1);
  }

 private:
  std::vector<size_t> starts_;
};

std::string Trim(std::string_view s) {
  size_t begin = 0, end = s.size();
  while (begin < end && extract::IsHtmlSpace(s[begin])) ++begin;
  while (end > begin && extract::IsHtmlSpace(s[end - 1])) --end;
  return std::string(s.substr(begin, end - begin));
}

bool IsHttpUrl(std::string_view url) {
  std::string scheme = UrlScheme(url);
  return scheme == "http" || scheme == "https";
}

// The links of one entry: candidates relative to content[begin_, end_).
class EntryLinks {
 public:
  EntryLinks(std::string_view content, size_t begin, size_t end)
      : content_(content),
        begin_(begin),
        collector_(content.substr(begin, end - begin)) {}

  // HTML carried in content[begin, end): as markup (Atom xhtml) or as
  // XML text (CDATA or entity-escaped).
  void AddHtml(size_t begin, size_t end, bool markup) {
    MappedText mapped = extract::DecodeXmlText(content_, begin, end, markup);
    if (mapped.text.empty()) return;
    Collector html(mapped.text);
    extract::ExtractHtml(0, mapped.text.size(), &html, nullptr);
    for (extract::Candidate& c : html.candidates()) {
      if (c.end <= c.start) continue;
      AddMapped(mapped, c.start, c.end, c.kind, std::move(c.target));
    }
    for (const extract::IgnoreMarker& m : html.markers()) {
      size_t at =
          m.offset < mapped.origin.size() ? mapped.origin[m.offset] : end;
      collector_.AddMarker(at - begin_, m.kind);
    }
  }

  // A URL written as the text of an element (<loc>, <link>).
  void AddText(size_t begin, size_t end, LinkKind kind) {
    MappedText mapped = extract::DecodeXmlText(content_, begin, end, false);
    size_t s = 0, e = mapped.text.size();
    while (s < e && extract::IsHtmlSpace(mapped.text[s])) ++s;
    while (e > s && extract::IsHtmlSpace(mapped.text[e - 1])) --e;
    if (s == e) return;
    AddMapped(mapped, s, e, kind, mapped.text.substr(s, e - s));
  }

  // The value of attribute `name` of the start tag at `tag_begin`.
  void AddAttribute(const XmlElement& element, std::string_view name,
                    LinkKind kind) {
    auto [begin, end] =
        extract::AttributeValueSpan(content_, element.tag_begin, name);
    if (begin == kNpos) return;
    AddText(begin, end, kind);
  }

  // A span whose target the caller decoded (an HTML attribute).
  void AddRaw(size_t begin, size_t end, LinkKind kind, std::string target) {
    collector_.AddCandidate(kind, Origin::kHtml, begin - begin_, end - begin_,
                            std::move(target));
  }

  // Classifies the candidates and moves the links to file offsets.
  ExtractedDocument Finish(const std::string& base, bool keep_other_schemes,
                           const FileLines& lines) {
    ExtractedDocument doc;
    extract::FinalizeCandidates(&collector_, base, keep_other_schemes, &doc);
    for (std::vector<Link>* links : {&doc.links, &doc.other_schemes}) {
      for (Link& link : *links) {
        link.start += begin_;
        link.end += begin_;
        lines.Locate(link.start, &link.line, &link.column);
      }
    }
    int line = 0, column = 0;
    lines.Locate(begin_, &line, &column);
    for (ExtractWarning& warning : doc.warnings) {
      if (warning.line == 1) warning.column += column - 1;
      warning.line += line - 1;
    }
    return doc;
  }

  bool escaped() const { return escaped_; }

 private:
  void AddMapped(const MappedText& mapped, size_t s, size_t e, LinkKind kind,
                 std::string target) {
    size_t raw_begin = mapped.origin[s];
    size_t raw_end = mapped.origin_end[e - 1];
    if (raw_end - raw_begin != e - s) escaped_ = true;
    collector_.AddCandidate(kind, Origin::kHtml, raw_begin - begin_,
                            raw_end - begin_, std::move(target));
  }

  std::string_view content_;
  size_t begin_;
  Collector collector_;
  bool escaped_ = false;
};

// RFC 822 dates of RSS ("Mon, 06 Sep 2021 16:45:00 +0000", "GMT", "EST",
// no weekday, no seconds, two-digit years) → unix seconds.
std::optional<int64_t> ParseRfc822(std::string_view text) {
  std::string s = Trim(text);
  if (size_t comma = s.find(','); comma != std::string::npos) {
    s = Trim(std::string_view(s).substr(comma + 1));
  }
  char month[4] = {};
  char zone[8] = {};
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  int n = std::sscanf(s.c_str(), "%d %3s %d %d:%d:%d %7s", &day, month, &year,
                      &hour, &minute, &second, zone);
  if (n < 6) {
    second = 0;
    n = std::sscanf(s.c_str(), "%d %3s %d %d:%d %7s", &day, month, &year, &hour,
                    &minute, zone);
    if (n < 5) return std::nullopt;
  }
  static constexpr std::string_view kMonths[] = {"jan", "feb", "mar", "apr",
                                                 "may", "jun", "jul", "aug",
                                                 "sep", "oct", "nov", "dec"};
  std::string lower = AsciiLowercase(month);
  auto it = std::find(std::begin(kMonths), std::end(kMonths), lower);
  if (it == std::end(kMonths)) return std::nullopt;
  if (year < 100) year += year < 50 ? 2000 : 1900;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = static_cast<int>(it - std::begin(kMonths));
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  int64_t seconds = static_cast<int64_t>(timegm(&tm));
  std::string z = AsciiLowercase(zone);
  int offset = 0;  // minutes east of UTC
  static constexpr std::pair<std::string_view, int> kZones[] = {
      {"est", -300}, {"edt", -240}, {"cst", -360}, {"cdt", -300},
      {"mst", -420}, {"mdt", -360}, {"pst", -480}, {"pdt", -420}};
  if ((z[0] == '+' || z[0] == '-') && z.size() == 5 &&
      z.find_first_not_of("0123456789", 1) == std::string::npos) {
    offset = std::stoi(z.substr(1, 2)) * 60 + std::stoi(z.substr(3, 2));
    if (z[0] == '-') offset = -offset;
  }
  for (const auto& [name, minutes] : kZones) {
    if (z == name) offset = minutes;
  }
  return seconds - int64_t{offset} * 60;
}

std::string RssDate(std::string_view written) {
  std::optional<int64_t> seconds = ParseRfc822(written);
  return seconds ? FormatUtc(*seconds, UtcStyle::kIso) : Trim(written);
}

// Unix seconds as written in a bookmark (ADD_DATE, time_added); some
// exports write microseconds.
std::string UnixDate(std::string_view written) {
  std::string digits = Trim(written);
  if (digits.empty() || digits.size() > 18 ||
      digits.find_first_not_of("0123456789") != std::string::npos) {
    return digits;
  }
  int64_t value = std::stoll(digits);
  if (value > 100'000'000'000'000) value /= 1'000'000;  // microseconds
  return FormatUtc(value, UtcStyle::kIso);
}

// Gives repeated ids a "~N" suffix so each entry's key is unique.
class IdSet {
 public:
  std::string Unique(std::string id) {
    int& count = seen_[id];
    ++count;
    return count == 1 ? id : id + "~" + std::to_string(count);
  }

 private:
  std::map<std::string, int> seen_;
};

// Everything the readers share for one file.
struct ReadContext {
  std::string_view content;
  const ExtractOptions& options;
  const InputLimits& limits;
  FileLines lines;
  IdSet ids;
  StructuredInput* out;

  bool Full() const { return out->entries.size() >= limits.max_entries; }

  void Add(InputEntry entry, EntryLinks& links) {
    std::string base =
        IsHttpUrl(entry.public_url) ? entry.public_url : options.base_url;
    if (entry.id.empty()) {
      entry.id = "entry-" + std::to_string(out->entries.size() + 1);
    }
    entry.id = ids.Unique(std::move(entry.id));
    entry.fidelity =
        links.escaped() ? SpanFidelity::kEscaped : SpanFidelity::kExact;
    std::string title = std::move(entry.extracted.front_matter.title);
    std::string date = std::move(entry.extracted.front_matter.date);
    std::optional<bool> draft = entry.extracted.front_matter.draft;
    entry.extracted = links.Finish(base, options.keep_other_schemes, lines);
    entry.extracted.front_matter.title = std::move(title);
    entry.extracted.front_matter.date = std::move(date);
    entry.extracted.front_matter.draft = draft;
    out->entries.push_back(std::move(entry));
  }
};

const XmlElement& At(const XmlTree& tree, int64_t index) {
  return tree.elements[static_cast<size_t>(index)];
}

// RSS 2.0: channel/item; content:encoded (else description) is the HTML;
// enclosures are links.
void ReadRssItem(const XmlTree& tree, uint32_t item, ReadContext* ctx) {
  const XmlElement& element = tree.elements[item];
  InputEntry entry;
  entry.public_url = tree.ChildText(item, "", "link");
  std::string guid = tree.ChildText(item, "", "guid");
  entry.id = !guid.empty()               ? guid
             : !entry.public_url.empty() ? entry.public_url
                                         : "item-" + std::to_string(item);
  if (entry.public_url.empty() && IsHttpUrl(guid)) entry.public_url = guid;
  FrontMatter& fm = entry.extracted.front_matter;
  fm.title = tree.ChildText(item, "", "title");
  std::string pub_date = tree.ChildText(item, "", "pubDate");
  fm.date = !pub_date.empty() ? RssDate(pub_date)
                              : tree.ChildText(item, extract::kDcNs, "date");
  EntryLinks links(ctx->content, element.tag_begin, element.content_end);
  int64_t html = tree.Child(item, extract::kContentNs, "encoded");
  if (html < 0) html = tree.Child(item, "", "description");
  if (html >= 0) {
    links.AddHtml(At(tree, html).content_begin, At(tree, html).content_end,
                  false);
  }
  for (uint32_t enclosure : tree.Children(item, "", "enclosure")) {
    const XmlElement& e = tree.elements[enclosure];
    bool image = e.Attribute("type").starts_with("image/");
    links.AddAttribute(e, "url", image ? LinkKind::kImage : LinkKind::kLink);
  }
  ctx->Add(std::move(entry), links);
}

void ReadRss(const XmlTree& tree, ReadContext* ctx) {
  int64_t channel = tree.Child(0, "", "channel");
  if (channel < 0) return;
  for (uint32_t item :
       tree.Children(static_cast<uint32_t>(channel), "", "item")) {
    if (ctx->Full()) return;
    ReadRssItem(tree, item, ctx);
  }
}

// Blogger's export marks each entry's kind with a category; only posts
// are posts (comments, settings, the template and pages are not).
bool IsBloggerNonPost(const XmlTree& tree, uint32_t entry) {
  constexpr std::string_view kKindScheme =
      "http://schemas.google.com/g/2005#kind";
  for (uint32_t cat : tree.Children(entry, extract::kAtomNs, "category")) {
    const XmlElement& c = tree.elements[cat];
    if (c.Attribute("scheme") == kKindScheme) {
      return !c.Attribute("term").ends_with("#post");
    }
  }
  return false;
}

// app:control/app:draft = yes (either APP namespace).
std::optional<bool> AtomDraft(const XmlTree& tree, uint32_t entry) {
  for (uint32_t child : tree.elements[entry].children) {
    if (tree.elements[child].local != "control") continue;
    for (uint32_t c : tree.elements[child].children) {
      if (tree.elements[c].local == "draft") {
        return Trim(tree.elements[c].text) == "yes";
      }
    }
  }
  return std::nullopt;
}

void AddAtomContent(const XmlTree& tree, uint32_t entry, EntryLinks* links) {
  int64_t content = tree.Child(entry, extract::kAtomNs, "content");
  if (content < 0) content = tree.Child(entry, extract::kAtomNs, "summary");
  if (content < 0) return;
  const XmlElement& c = At(tree, content);
  std::string type = c.Attribute("type");
  if (type == "html" || type == "text/html") {
    links->AddHtml(c.content_begin, c.content_end, false);
  } else if (type == "xhtml") {
    links->AddHtml(c.content_begin, c.content_end, true);
  }
}

void ReadAtomEntry(const XmlTree& tree, uint32_t index, ReadContext* ctx) {
  if (IsBloggerNonPost(tree, index)) return;
  const XmlElement& element = tree.elements[index];
  InputEntry entry;
  EntryLinks links(ctx->content, element.tag_begin, element.content_end);
  for (uint32_t link : tree.Children(index, extract::kAtomNs, "link")) {
    const XmlElement& l = tree.elements[link];
    std::string rel = l.Attribute("rel");
    if ((rel.empty() || rel == "alternate") && entry.public_url.empty()) {
      entry.public_url = Trim(l.Attribute("href"));
    } else if (rel == "enclosure") {
      links.AddAttribute(l, "href", LinkKind::kLink);
    }
  }
  entry.id = tree.ChildText(index, extract::kAtomNs, "id");
  if (entry.id.empty()) entry.id = entry.public_url;
  if (entry.id.empty()) entry.id = "entry-" + std::to_string(index);
  FrontMatter& fm = entry.extracted.front_matter;
  fm.title = tree.ChildText(index, extract::kAtomNs, "title");
  fm.date = tree.ChildText(index, extract::kAtomNs, "published");
  if (fm.date.empty())
    fm.date = tree.ChildText(index, extract::kAtomNs, "updated");
  fm.draft = AtomDraft(tree, index);
  AddAtomContent(tree, index, &links);
  ctx->Add(std::move(entry), links);
}

void ReadAtom(const XmlTree& tree, ReadContext* ctx) {
  for (uint32_t entry : tree.Children(0, extract::kAtomNs, "entry")) {
    if (ctx->Full()) return;
    ReadAtomEntry(tree, entry, ctx);
  }
}

// urlset/url: loc is the link (lastmod its date), image:image/image:loc
// are images. Sitemaps without the namespace are read too.
void ReadSitemap(const XmlTree& tree, ReadContext* ctx) {
  const std::string& ns = tree.elements[0].ns;
  for (uint32_t url : tree.Children(0, ns, "url")) {
    if (ctx->Full()) return;
    int64_t loc = tree.Child(url, ns, "loc");
    if (loc < 0) continue;
    const XmlElement& element = tree.elements[url];
    InputEntry entry;
    entry.public_url = tree.ChildText(url, ns, "loc");
    entry.id = entry.public_url;
    entry.extracted.front_matter.date = tree.ChildText(url, ns, "lastmod");
    EntryLinks links(ctx->content, element.tag_begin, element.content_end);
    links.AddText(At(tree, loc).content_begin, At(tree, loc).content_end,
                  LinkKind::kLink);
    for (uint32_t image : tree.Children(url, extract::kImageNs, "image")) {
      int64_t image_loc = tree.Child(image, extract::kImageNs, "loc");
      if (image_loc < 0) continue;
      links.AddText(At(tree, image_loc).content_begin,
                    At(tree, image_loc).content_end, LinkKind::kImage);
    }
    ctx->Add(std::move(entry), links);
  }
}

// The text of the item's child in the WordPress export namespace (its
// version, 1.0 to 1.2, is part of the URI).
const XmlElement* WpChild(const XmlTree& tree, uint32_t item,
                          std::string_view local) {
  for (uint32_t child : tree.elements[item].children) {
    const XmlElement& c = tree.elements[child];
    if (c.local == local && c.ns.starts_with(extract::kWpNsPrefix)) return &c;
  }
  return nullptr;
}

std::string WpText(const XmlTree& tree, uint32_t item, std::string_view local) {
  const XmlElement* child = WpChild(tree, item, local);
  return child == nullptr ? "" : Trim(child->text);
}

// wp:post_date_gmt "2021-03-04 10:20:30" → RFC 3339; drafts have
// "0000-00-00 00:00:00" there, then wp:post_date as written.
std::string WxrDate(const XmlTree& tree, uint32_t item) {
  std::string gmt = WpText(tree, item, "post_date_gmt");
  if (gmt.size() == 19 && !gmt.starts_with("0000") && gmt[10] == ' ') {
    return gmt.substr(0, 10) + "T" + gmt.substr(11) + "Z";
  }
  return WpText(tree, item, "post_date");
}

void ReadWxrPost(const XmlTree& tree, uint32_t item, ReadContext* ctx) {
  const XmlElement& element = tree.elements[item];
  InputEntry entry;
  entry.public_url = tree.ChildText(item, "", "link");
  entry.id = WpText(tree, item, "post_id");
  if (entry.id.empty()) entry.id = tree.ChildText(item, "", "guid");
  entry.extracted.front_matter.title = tree.ChildText(item, "", "title");
  entry.extracted.front_matter.date = WxrDate(tree, item);
  EntryLinks links(ctx->content, element.tag_begin, element.content_end);
  int64_t html = tree.Child(item, extract::kContentNs, "encoded");
  if (html >= 0) {
    links.AddHtml(At(tree, html).content_begin, At(tree, html).content_end,
                  false);
  }
  ctx->Add(std::move(entry), links);
}

// WXR: published posts and pages are posts; attachments whose parent is
// one of them (or none: the media library) are the links of one
// "attachments" entry; drafts, private posts and menu items are left out.
void ReadWxr(const XmlTree& tree, ReadContext* ctx) {
  int64_t channel = tree.Child(0, "", "channel");
  if (channel < 0) return;
  std::vector<uint32_t> items =
      tree.Children(static_cast<uint32_t>(channel), "", "item");
  std::map<std::string, bool> published;  // post id → published post/page
  for (uint32_t item : items) {
    std::string type = WpText(tree, item, "post_type");
    published[WpText(tree, item, "post_id")] =
        (type == "post" || type == "page") &&
        WpText(tree, item, "status") == "publish";
  }
  std::vector<const XmlElement*> attachments;
  for (uint32_t item : items) {
    if (ctx->Full()) return;
    std::string id = WpText(tree, item, "post_id");
    if (published[id]) ReadWxrPost(tree, item, ctx);
    if (WpText(tree, item, "post_type") != "attachment") continue;
    std::string parent = WpText(tree, item, "post_parent");
    const XmlElement* url = WpChild(tree, item, "attachment_url");
    if (url != nullptr &&
        (parent.empty() || parent == "0" || published[parent])) {
      attachments.push_back(url);
    }
  }
  if (attachments.empty()) return;
  InputEntry entry;
  entry.id = "attachments";
  EntryLinks links(ctx->content, attachments.front()->tag_begin,
                   attachments.back()->content_end);
  for (const XmlElement* url : attachments) {
    links.AddText(url->content_begin, url->content_end, LinkKind::kLink);
  }
  ctx->Add(std::move(entry), links);
}

struct GumboOutputDeleter {
  void operator()(GumboOutput* output) const {
    gumbo_destroy_output(&kGumboDefaultOptions, output);
  }
};

const GumboAttribute* AttributeOf(const GumboElement& element,
                                  const char* name) {
  return gumbo_get_attribute(&element.attributes, name);
}

std::string TextOf(const GumboNode* node) {
  std::string text;
  const GumboVector& children = node->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    const auto* child = static_cast<const GumboNode*>(children.data[i]);
    if (child->type == GUMBO_NODE_TEXT) text += child->v.text.text;
  }
  return Trim(text);
}

// One bookmark: <A HREF=… ADD_DATE=…> (Pocket: time_added).
void ReadBookmark(const GumboNode* node, ReadContext* ctx) {
  const GumboElement& element = node->v.element;
  const GumboAttribute* href = AttributeOf(element, "href");
  if (href == nullptr) return;
  const char* data = href->original_value.data;
  size_t length = href->original_value.length;
  const char* base = ctx->content.data();
  if (data < base || data + length > base + ctx->content.size()) return;
  size_t begin = static_cast<size_t>(data - base), end = begin + length;
  if (length >= 2 && (data[0] == '"' || data[0] == '\'')) {
    ++begin;
    --end;
  }
  InputEntry entry;
  entry.public_url = Trim(href->value);
  entry.id = entry.public_url;
  entry.extracted.front_matter.title = TextOf(node);
  const GumboAttribute* date = AttributeOf(element, "add_date");
  if (date == nullptr) date = AttributeOf(element, "time_added");
  if (date != nullptr)
    entry.extracted.front_matter.date = UnixDate(date->value);
  EntryLinks links(ctx->content, begin, end);
  // As in an HTML post: the span is the value as written, the URL what
  // gumbo decoded (character references).
  links.AddRaw(begin, end, LinkKind::kLink, href->value);
  ctx->Add(std::move(entry), links);
}

void ReadBookmarks(ReadContext* ctx) {
  if (extract::NestsTooDeepForOneParse(ctx->content)) {
    ctx->out->warnings.push_back({1, 1, "nested too deeply; not read"});
    return;
  }
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 0;
  std::unique_ptr<GumboOutput, GumboOutputDeleter> output(
      gumbo_parse_with_options(&options, ctx->content.data(),
                               ctx->content.size()));
  std::vector<const GumboNode*> stack = {output->root};
  while (!stack.empty()) {
    const GumboNode* node = stack.back();
    stack.pop_back();
    if (node->type != GUMBO_NODE_ELEMENT) continue;
    if (node->v.element.tag == GUMBO_TAG_A) {
      if (ctx->Full()) return;
      ReadBookmark(node, ctx);
      continue;
    }
    const GumboVector& children = node->v.element.children;
    for (unsigned i = children.length; i > 0; --i) {
      stack.push_back(static_cast<const GumboNode*>(children.data[i - 1]));
    }
  }
}

// The position after `<!--…-->`, `<?…?>` or `<!…>` at `i`, or i.
size_t SkipProlog(std::string_view head, size_t i) {
  if (head.substr(i).starts_with("<!--")) {
    size_t end = head.find("-->", i + 4);
    return end == kNpos ? head.size() : end + 3;
  }
  if (head.substr(i).starts_with("<?") || head.substr(i).starts_with("<!")) {
    size_t end = head.find('>', i + 2);
    return end == kNpos ? head.size() : end + 1;
  }
  return i;
}

// The root element's name (prefix included) after the prolog; "" when
// the text does not start like XML or HTML.
std::string_view RootName(std::string_view head, bool* bookmark_doctype) {
  size_t i = head.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  for (;;) {
    while (i < head.size() && extract::IsHtmlSpace(head[i])) ++i;
    if (i >= head.size() || head[i] != '<') return "";
    if (EqualsIgnoreCase(head.substr(i, 10), "<!doctype ") &&
        EqualsIgnoreCase(head.substr(i + 10, 24), "NETSCAPE-Bookmark-file-1")) {
      *bookmark_doctype = true;
    }
    size_t next = SkipProlog(head, i);
    if (next == i) break;
    i = next;
  }
  size_t end = i + 1;
  while (end < head.size() && !extract::IsHtmlSpace(head[end]) &&
         head[end] != '>' && head[end] != '/') {
    ++end;
  }
  return head.substr(i + 1, end - i - 1);
}

bool IsPocketExport(std::string_view head) {
  std::string lower = AsciiLowercase(head.substr(0, 1024));
  return lower.find("<title>pocket export</title>") != std::string::npos;
}

}  // namespace

std::string_view InputTypeName(InputType type) {
  switch (type) {
    case InputType::kPost:
      return "post";
    case InputType::kRss:
      return "rss";
    case InputType::kAtom:
      return "atom";
    case InputType::kSitemap:
      return "sitemap";
    case InputType::kSitemapIndex:
      return "sitemap-index";
    case InputType::kWxr:
      return "wxr";
    case InputType::kBookmarks:
      return "bookmarks";
  }
  return "post";
}

InputType DetectInputType(std::string_view head) {
  head = head.substr(0, 64 << 10);
  bool bookmark_doctype = false;
  std::string_view root = RootName(head, &bookmark_doctype);
  if (bookmark_doctype) return InputType::kBookmarks;
  if (root.empty()) return InputType::kPost;
  size_t colon = root.find(':');
  std::string_view local = colon == kNpos ? root : root.substr(colon + 1);
  if (local == "rss") {
    bool wxr = head.find(extract::kWpNsPrefix) != kNpos;
    return wxr ? InputType::kWxr : InputType::kRss;
  }
  if (local == "feed") return InputType::kAtom;
  if (local == "urlset") return InputType::kSitemap;
  if (local == "sitemapindex") return InputType::kSitemapIndex;
  if (EqualsIgnoreCase(root, "html") && IsPocketExport(head)) {
    return InputType::kBookmarks;
  }
  return InputType::kPost;
}

StructuredInput ReadStructuredInput(std::string_view content, InputType type,
                                    const ExtractOptions& options,
                                    const InputLimits& limits) {
  StructuredInput out;
  out.type = type;
  ReadContext ctx{content, options, limits, FileLines(content), {}, &out};
  if (type == InputType::kBookmarks) {
    if (content.size() > limits.max_bytes) {
      out.warnings.push_back({1, 1,
                              "larger than " +
                                  std::to_string(limits.max_bytes) +
                                  " bytes; not read"});
    } else {
      ReadBookmarks(&ctx);
    }
    return out;
  }
  if (type == InputType::kPost || type == InputType::kSitemapIndex) return out;
  XmlTree tree = extract::ParseXmlTree(content, limits);
  out.warnings = std::move(tree.warnings);
  if (tree.elements.empty()) return out;
  if (type == InputType::kRss) ReadRss(tree, &ctx);
  if (type == InputType::kAtom) ReadAtom(tree, &ctx);
  if (type == InputType::kSitemap) ReadSitemap(tree, &ctx);
  if (type == InputType::kWxr) ReadWxr(tree, &ctx);
  if (out.entries.size() >= limits.max_entries) {
    out.warnings.push_back({1, 1,
                            "more than " + std::to_string(limits.max_entries) +
                                " entries; the rest are not read"});
  }
  return out;
}

std::vector<std::string> SitemapIndexChildren(
    std::string_view content, std::vector<ExtractWarning>* warnings,
    const InputLimits& limits) {
  XmlTree tree = extract::ParseXmlTree(content, limits);
  for (ExtractWarning& w : tree.warnings) warnings->push_back(std::move(w));
  std::vector<std::string> children;
  if (tree.elements.empty()) return children;
  const std::string& ns = tree.elements[0].ns;
  for (uint32_t sitemap : tree.Children(0, ns, "sitemap")) {
    std::string loc = tree.ChildText(sitemap, ns, "loc");
    if (!loc.empty()) children.push_back(std::move(loc));
  }
  return children;
}

}  // namespace rotguard
