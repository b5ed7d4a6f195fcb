// Planning and running rescues (rotguard/rescue.h). One Fetcher run drives
// every target through its steps as their replies come in: CDX lookup →
// (no good capture) TimeTravel lookup → TimeMap lookups; each lookup that
// lists good captures → fetch of the best-ranked memento (raw form, no
// redirects followed) → (not a 200) the next one. All requests go through
// one Fetcher whose per-host limits are the [rescue] ones, so every
// archive host sees at most `per_host` requests at once and `delay_ms`
// between them, and a 429 backs off like any other.
#include "rotguard/rescue.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "rescue/memento_fetch.h"
#include "rotguard/content_coding.h"
#include "rotguard/copy_choice.h"
#include "rotguard/health.h"
#include "rotguard/http_head.h"
#include "rotguard/rules.h"
#include "rotguard/url.h"
#include "rotguard/warc_writer.h"

namespace rotguard {
namespace {

int64_t SystemNowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool NeedsRescue(const std::optional<UrlRow>& url,
                 const std::vector<CaptureRow>& captures) {
  if (url) {
    const std::string& v = url->verdict;
    if (v == kVerdictFailing || v == kVerdictGone || v == kVerdictSoft404) {
      return true;
    }
  }
  return std::none_of(
      captures.begin(), captures.end(),
      [](const CaptureRow& c) { return !IsPublicArchiveCopy(c) && !c.lost; });
}

bool UnderPaths(const std::string& doc, const std::vector<std::string>& paths) {
  if (paths.empty()) return true;
  return std::any_of(paths.begin(), paths.end(), [&](std::string p) {
    while (p.size() > 2 && p.rfind("./", 0) == 0) p.erase(0, 2);
    if (p == "." || p.empty()) return true;
    return doc == p || doc.rfind(p.back() == '/' ? p : p + "/", 0) == 0;
  });
}

// True when the last lookup of `key` found no copy anywhere less than
// retry_after ago: every archive is asked again only after that.
Result<bool> NoneRecently(Manifest& manifest, const std::string& key,
                          const RescuePlanOptions& options) {
  if (options.retry_after_s <= 0) return false;
  Result<int64_t> none_at = manifest.LookupNoneAt(key);
  if (!none_at.ok()) return none_at.status();
  return *none_at != 0 &&
         options.now_us - *none_at < options.retry_after_s * 1'000'000;
}

// Adds `link` of a post dated `post_us` to the plan unless it is known.
Status ConsiderLink(Manifest& manifest, const LinkRow& link, int64_t post_us,
                    const RescuePlanOptions& options, const ScopeFilter& scope,
                    std::map<std::string, size_t>* index,
                    std::vector<RescueTarget>* out) {
  if (link.kind == "requisite") return Status::Ok();
  std::string scheme = UrlScheme(link.url);
  if (scheme != "http" && scheme != "https") return Status::Ok();
  std::string key = link.normalized.empty() ? link.url : link.normalized;
  if (!scope.InScope(key)) return Status::Ok();
  const bool again = options.again;
  auto known = index->find(key);
  if (known != index->end()) {
    RescueTarget& target = (*out)[known->second];
    if (post_us != 0 && (target.post_us == 0 || post_us < target.post_us)) {
      target.post_us = post_us;
    }
    return Status::Ok();
  }
  Result<std::optional<UrlRow>> url = manifest.FindUrl(key);
  if (!url.ok()) return url.status();
  // A takedown covers public copies too.
  if (*url && (*url)->verdict == kVerdictForgotten) return Status::Ok();
  Result<std::vector<CaptureRow>> captures = manifest.CapturesOf(key);
  if (!captures.ok()) return captures.status();
  if (!again && BestPublicCopy(*captures) != nullptr) return Status::Ok();
  if (!NeedsRescue(*url, *captures)) return Status::Ok();
  if (!again) {
    Result<bool> recent = NoneRecently(manifest, key, options);
    if (!recent.ok()) return recent.status();
    if (*recent) return Status::Ok();
  }
  (*index)[key] = out->size();
  out->push_back(RescueTarget{link.url, key, post_us});
  return Status::Ok();
}

}  // namespace

Result<std::vector<RescueTarget>> PlanRescue(
    Manifest& manifest, const std::vector<std::string>& paths,
    const RescuePlanOptions& options) {
  Result<ScopeFilter> scope = ScopeFilter::Create(options.scope);
  if (!scope.ok()) return scope.status();
  Result<std::vector<DocumentRow>> docs = manifest.ListDocuments();
  if (!docs.ok()) return docs.status();
  std::vector<RescueTarget> out;
  std::map<std::string, size_t> index;
  for (const DocumentRow& doc : *docs) {
    if (!UnderPaths(doc.path, paths)) continue;
    int64_t post_us = ParsePostDate(doc.date).value_or(0);
    Result<std::vector<LinkRow>> links = manifest.LinksOf(doc.path);
    if (!links.ok()) return links.status();
    for (const LinkRow& link : *links) {
      ROTGUARD_RETURN_IF_ERROR(
          ConsiderLink(manifest, link, post_us, options, *scope, &index, &out));
    }
  }
  return out;
}

Result<RescueSummary> RunRescue(Store& store,
                                const std::vector<RescueTarget>& targets,
                                const RescueOptions& options) {
  RescueSummary summary;
  summary.targets = static_cast<int64_t>(targets.size());
  if (targets.empty()) return summary;
  int64_t now_us = options.now_us ? options.now_us() : SystemNowUs();
  rescue::MementoFetch run(store, options, now_us);
  ROTGUARD_RETURN_IF_ERROR(run.Run(targets, &summary));
  // Remember which links no archive has (and forget it once one has).
  for (size_t i = 0; i < targets.size() && i < summary.results.size(); ++i) {
    const std::string& outcome = summary.results[i].outcome;
    if (outcome != "none" && outcome != "rescued") continue;
    ROTGUARD_RETURN_IF_ERROR(store.manifest().SetLookupNone(
        targets[i].normalized, outcome == "none" ? now_us : 0));
  }
  return summary;
}

}  // namespace rotguard
