// `rotguard forget URL`: which captures and records go with a URL
// (rotguard/forget.h says the rule), then one manifest transaction.
#include "rotguard/forget.h"

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "rotguard/requisites.h"
#include "rotguard/restore.h"
#include "rotguard/url.h"

namespace rotguard {
namespace {

int64_t NowOr(int64_t given) {
  if (given != 0) return given;
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool IsGood(const CaptureRow& c) {
  return c.http_status >= 200 && c.http_status < 300 && !c.lost;
}

bool TypeIs(const CaptureRow& c, std::string_view prefix) {
  return c.content_type.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), c.content_type.begin(),
                    [](char a, char b) {
                      return a == (b >= 'A' && b <= 'Z' ? b + 32 : b);
                    });
}

bool IsHtmlPage(const CaptureRow& c) {
  return IsGood(c) &&
         (TypeIs(c, "text/html") || TypeIs(c, "application/xhtml"));
}

class Forgetter {
 public:
  Forgetter(Store& store, const ForgetOptions& options)
      : store_(store), manifest_(store.manifest()), options_(options) {}

  Result<ForgetResult> Run(const std::string& url) {
    std::optional<std::string> key = NormalizeUrl(url);
    std::string scheme = UrlScheme(url);
    if (!key || (scheme != "http" && scheme != "https")) {
      return Status::InvalidArgument(url + ": not an absolute http(s) URL");
    }
    result_.url = url;
    result_.normalized = *key;
    Result<std::vector<CaptureRow>> all = manifest_.ListCaptures();
    if (!all.ok()) return all.status();
    all_ = std::move(*all);
    result_.captures = RemoveUrl(*key);
    ROTGUARD_RETURN_IF_ERROR(RemoveUnneededRequisites(*key));
    result_.dependents =
        static_cast<int64_t>(removed_.size()) - result_.captures;
    ROTGUARD_RETURN_IF_ERROR(CollectRecords());
    ForgetRows rows;
    rows.tombstone = {url, *key, options_.reason, NowOr(options_.now_unix)};
    rows.capture_ids.assign(removed_.begin(), removed_.end());
    rows.records = std::move(records_);
    result_.records = static_cast<int64_t>(rows.records.size());
    ROTGUARD_RETURN_IF_ERROR(manifest_.Forget(rows));
    return result_;
  }

 private:
  // Every capture of `key` and every hop of the chains they start; the
  // number of captures of `key` itself.
  int64_t RemoveUrl(const std::string& key) {
    int64_t own = 0;
    std::set<std::string> chains;
    for (const CaptureRow& c : all_) {
      if (c.normalized != key) continue;
      ++own;
      removed_.insert(c.id);
      if (!c.chain_id.empty() && c.hop_index == 0) chains.insert(c.chain_id);
    }
    for (const CaptureRow& c : all_) {
      if (chains.count(c.chain_id)) removed_.insert(c.id);
    }
    return own;
  }

  // Normalized requisites of a page capture (url()/@import targets for a
  // stylesheet); nullopt when its payload cannot be read.
  std::optional<std::set<std::string>> ReferencesOf(const CaptureRow& c) {
    Result<CapturePayload> payload =
        ReadCapturePayload(manifest_, store_.warc_dir(), c,
                           /*decode_content=*/true, options_.max_decoded);
    if (!payload.ok()) return std::nullopt;
    std::set<std::string> out;
    auto add = [&](std::string_view target) {
      std::optional<std::string> resolved = ResolveUrl(c.url, target);
      if (!resolved) return;
      std::optional<std::string> key = NormalizeUrl(*resolved);
      if (key) out.insert(*key);
    };
    if (TypeIs(c, "text/css")) {
      for (const auto& ref : extract::ExtractStylesheetUrls(payload->bytes)) {
        add(ref.target);
      }
    } else {
      for (const std::string& r :
           extract::ExtractPageRequisites(payload->bytes, c.url)) {
        add(r);
      }
    }
    return out;
  }

  // Requisites of the removed pages (and of their removed stylesheets).
  std::set<std::string> Candidates(const std::string& key) {
    std::set<std::string> candidates;
    for (const CaptureRow& c : all_) {
      if (!removed_.count(c.id) || !IsHtmlPage(c)) continue;
      std::optional<std::set<std::string>> refs = ReferencesOf(c);
      if (refs) candidates.insert(refs->begin(), refs->end());
    }
    for (const CaptureRow& c : all_) {
      if (!candidates.count(c.normalized) || !IsGood(c) ||
          !TypeIs(c, "text/css")) {
        continue;
      }
      std::optional<std::set<std::string>> refs = ReferencesOf(c);
      if (refs) candidates.insert(refs->begin(), refs->end());
    }
    candidates.erase(key);
    return candidates;
  }

  Status RemoveUnneededRequisites(const std::string& key) {
    std::set<std::string> candidates = Candidates(key);
    if (candidates.empty()) return Status::Ok();
    Result<std::vector<UrlRow>> linked = manifest_.ListLinkedUrls();
    if (!linked.ok()) return linked.status();
    for (const UrlRow& u : *linked) candidates.erase(u.normalized);
    if (!KeepWhatKeptCapturesNeed(&candidates)) return Status::Ok();
    for (const std::string& r : candidates) RemoveUrl(r);
    return Status::Ok();
  }

  // Takes off `candidates` what a kept page or kept stylesheet names, until
  // nothing changes (a stylesheet kept by a page keeps its url()s); false
  // when a kept one cannot be read, as it might need anything.
  bool KeepWhatKeptCapturesNeed(std::set<std::string>* candidates) {
    std::set<int64_t> read;
    for (bool changed = true; changed && !candidates->empty();) {
      changed = false;
      for (const CaptureRow& c : all_) {
        if (removed_.count(c.id) || read.count(c.id) ||
            candidates->count(c.normalized)) {
          continue;
        }
        if (!IsHtmlPage(c) && !(IsGood(c) && TypeIs(c, "text/css"))) continue;
        read.insert(c.id);
        std::optional<std::set<std::string>> refs = ReferencesOf(c);
        if (!refs) return false;
        for (const std::string& r : *refs) changed |= candidates->erase(r) > 0;
      }
    }
    return true;
  }

  // The record of each removed capture and the records written with it
  // (same file, same WARC-Target-URI and WARC-Date).
  Status CollectRecords() {
    std::map<std::string, std::set<int64_t>> offsets;
    for (const CaptureRow& c : all_) {
      if (removed_.count(c.id)) offsets[c.warc_file].insert(c.record_offset);
    }
    for (const auto& [file, at] : offsets) {
      Result<std::vector<RecordRow>> rows = manifest_.RecordsOf(file);
      if (!rows.ok()) return rows.status();
      std::set<std::pair<std::string, std::string>> exchanges;
      for (const RecordRow& r : *rows) {
        if (at.count(r.offset)) exchanges.insert({r.target_uri, r.date});
      }
      for (const RecordRow& r : *rows) {
        if (at.count(r.offset) || exchanges.count({r.target_uri, r.date})) {
          records_.push_back({file, r.offset});
        }
      }
    }
    return Status::Ok();
  }

  Store& store_;
  Manifest& manifest_;
  ForgetOptions options_;
  std::vector<CaptureRow> all_;
  std::set<int64_t> removed_;
  std::vector<ForgetRows::Location> records_;
  ForgetResult result_;
};

}  // namespace

Result<ForgetResult> ForgetUrl(Store& store, const std::string& url,
                               const ForgetOptions& options) {
  Forgetter forgetter(store, options);
  return forgetter.Run(url);
}

}  // namespace rotguard
