// What is due; rules in planner.h.
#include "archive/planner.h"

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "rotguard/url.h"

namespace rotguard::archiver {
namespace {

// The candidate targets: url and normalized URL in first-seen order, and
// the kind that names each.
struct Candidates {
  std::vector<std::pair<std::string, std::string>> order;  // url, normalized
  std::unordered_map<std::string, std::string> kind_of;

  void Consider(const std::string& url, const std::string& normalized,
                const std::string& kind) {
    auto [it, inserted] = kind_of.emplace(normalized, kind);
    if (inserted) {
      order.emplace_back(url, normalized);
    } else if (kind == "link" || kind == "url") {
      it->second = kind;
    }
  }
};

Result<Candidates> CandidatesOf(const PlanInput& input) {
  Candidates candidates;
  for (const Link& link : *input.links) {
    if (link.normalized.empty()) continue;
    candidates.Consider(link.url, link.normalized,
                        std::string(LinkKindName(link.kind)));
  }
  for (const std::string& url : *input.urls) {
    std::optional<std::string> normalized = NormalizeUrl(url);
    if (!normalized) {
      return Status::InvalidArgument("'" + url +
                                     "': not an absolute http(s) URL");
    }
    candidates.Consider(url, *normalized, "url");
  }
  return candidates;
}

const UrlRow* Known(const PlanInput& input, const std::string& normalized) {
  auto row = input.known->find(normalized);
  return row == input.known->end() ? nullptr : &row->second;
}

// The s0 original of a Blogger image, when it is in scope and due.
void PlanOriginal(const Config& config, const PlanInput& input,
                  const std::string& url, const std::string& asset_key,
                  Plan* plan) {
  std::optional<std::string> original = BloggerOriginalUrl(config.blogger, url);
  if (!original) return;
  std::optional<std::string> original_key = NormalizeUrl(*original);
  if (!original_key || !input.scope->InScope(*original_key)) return;
  const UrlRow* before = Known(input, *original_key);
  DueReason due = DecideDue(before, input.now_us, config.health, input.all);
  if (due == DueReason::kNotDue) return;
  if (input.dry_run) {
    plan->due_urls.push_back({*original, *original_key, "original", due});
  }
  JobInfo info;
  info.role = JobRole::kOriginal;
  info.normalized = *original_key;
  info.kind = "original";
  info.asset_key = asset_key;
  if (before) info.before = *before;
  plan->jobs.push_back({*original, std::move(info)});
}

}  // namespace

Result<Plan> PlanDue(const Config& config, const PlanInput& input) {
  Result<Candidates> candidates = CandidatesOf(input);
  if (!candidates.ok()) return candidates.status();
  Plan plan;
  for (const auto& [url, normalized] : candidates->order) {
    if (!input.scope->InScope(normalized)) continue;
    const UrlRow* before = Known(input, normalized);
    DueReason reason =
        DecideDue(before, input.now_us, config.health, input.all);
    std::string asset_key = BloggerAssetKey(config.blogger, url);
    if (reason != DueReason::kNotDue) {
      ++plan.due;
      const std::string& kind = candidates->kind_of[normalized];
      if (input.dry_run) {
        plan.due_urls.push_back({url, normalized, kind, reason});
      }
      JobInfo info;
      info.role = JobRole::kTarget;
      info.normalized = normalized;
      info.kind = kind;
      info.asset_key = asset_key;
      if (before) info.before = *before;
      plan.jobs.push_back({url, std::move(info)});
    }
    PlanOriginal(config, input, url, asset_key, &plan);
  }
  return plan;
}

}  // namespace rotguard::archiver
