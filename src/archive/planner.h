// The plan of an archive run: which linked URLs are due (SPEC §6
// "Incremental"), as fetch jobs with what each is for. A pure function of
// the links, the URLs named on the command line, the manifest's urls rows,
// the scope and the clock, so it is tested without a fetcher or a store.
#ifndef ROTGUARD_ARCHIVE_PLANNER_H_
#define ROTGUARD_ARCHIVE_PLANNER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "rotguard/archive.h"
#include "rotguard/config.h"
#include "rotguard/extract.h"
#include "rotguard/manifest.h"
#include "rotguard/rules.h"
#include "rotguard/status.h"

namespace rotguard::archiver {

// What a job is for.
enum class JobRole {
  kTarget,     // a URL a post links to (or named on the command line)
  kOriginal,   // the s0 original of a Blogger image
  kRequisite,  // a page requisite of a fetched target page
  kCssAsset,   // a url()/@import of a fetched stylesheet
  kBrowser,    // a request the browser lane's Chromium made (one hop)
};

struct JobInfo {
  JobRole role = JobRole::kTarget;
  std::string normalized;
  std::string kind;  // link kind of a target
  std::string asset_key;
  std::optional<UrlRow> before;  // the urls row when planned
};

// One job of the plan: the URL as fetched and what it is for.
struct PlannedJob {
  std::string url;
  JobInfo info;
};

struct PlanInput {
  const std::vector<Link>* links = nullptr;        // of the scanned posts
  const std::vector<std::string>* urls = nullptr;  // named directly
  // The manifest's urls rows, by normalized URL.
  const std::unordered_map<std::string, UrlRow>* known = nullptr;
  const ScopeFilter* scope = nullptr;
  int64_t now_us = 0;
  bool all = false;      // --all: every URL is due
  bool dry_run = false;  // also list the due URLs
};

struct Plan {
  std::vector<PlannedJob> jobs;  // targets, each followed by its original
  int64_t due = 0;               // due targets (originals not counted)
  std::vector<DueUrl> due_urls;  // with dry_run: targets and originals
};

// One target per normalized URL (a `link` or `url` occurrence names its
// kind: it is the one whose page requisites are fetched), in first-seen
// order, posts' links before named URLs; out-of-scope URLs are skipped. A
// Blogger image also plans its s0 original when that is due, even when
// the image itself is not. InvalidArgument for a named URL that is not an
// absolute http(s) URL.
Result<Plan> PlanDue(const Config& config, const PlanInput& input);

}  // namespace rotguard::archiver

#endif  // ROTGUARD_ARCHIVE_PLANNER_H_
