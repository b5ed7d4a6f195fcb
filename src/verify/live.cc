// `verify --live`: health of every linked URL, re-checked on the web (see
// live.h for the request plan and the soft-404 heuristic).
#include "rotguard/live.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "rotguard/chain_outcome.h"
#include "rotguard/health.h"
#include "rotguard/http_head.h"
#include "rotguard/rules.h"
#include "rotguard/url.h"
#include "rotguard/warc_writer.h"
#include "util/ascii.h"

namespace rotguard {
namespace {

// Which request of a URL a job is; the job tag is url_index * 4 + phase.
enum Phase : uint64_t { kHead = 0, kGet = 1, kSibling = 2 };
constexpr uint64_t kPhases = 4;

constexpr size_t kTitleScanBytes = 64 * 1024;
constexpr double kSameSizeTolerance = 0.05;

// One fetched chain, as far as health is concerned.
struct Chain {
  bool fetched = false;
  FetchOutcome outcome;
  std::vector<std::pair<std::string, int>> hops;  // url, status
  // Of the last response of the chain.
  std::string content_type;
  std::string payload_sha1;  // "sha1:BASE32"
  uint64_t payload_size = 0;
  std::string title;
};

struct UrlCheck {
  UrlRow row;
  std::string previous_verdict;
  Chain head;
  Chain get;
  Chain sibling;
  bool soft_404 = false;
};

bool Failed(const Chain& chain) {
  return chain.outcome.failure != FailureClass::kNone ||
         chain.outcome.final_status >= 400 || chain.outcome.final_status == 0;
}

bool IsHtml(const std::string& content_type) {
  return StartsWithIgnoreCase(content_type, "text/html") ||
         StartsWithIgnoreCase(content_type, "application/xhtml");
}

// The path of an absolute http(s) URL ("/" when empty); "" otherwise.
std::string PathOf(const std::string& url) {
  const UrlComponents parts = SplitUrl(url);
  if (!parts.scheme || !parts.authority) return "";
  return parts.path.empty() ? "/" : std::string(parts.path);
}

// The text of the first <title> element in the first bytes of an HTML page
// (uncompressed pages only; a gzip body simply has none).
std::string TitleOf(const WarcBody& body) {
  std::string head;
  Status status = body.ForEachChunk([&head](std::string_view chunk) {
    head.append(chunk.substr(0, kTitleScanBytes - head.size()));
    return head.size() >= kTitleScanBytes ? Status::Internal("enough")
                                          : Status::Ok();
  });
  (void)status;  // "enough" only stops the scan early
  const std::string lower = AsciiLowercase(head);
  const size_t open = lower.find("<title");
  if (open == std::string::npos) return "";
  const size_t start = lower.find('>', open);
  if (start == std::string::npos) return "";
  const size_t end = lower.find("</title", start);
  if (end == std::string::npos) return "";
  std::string title = head.substr(start + 1, end - start - 1);
  const size_t first = title.find_first_not_of(" \t\r\n");
  const size_t last = title.find_last_not_of(" \t\r\n");
  return first == std::string::npos ? ""
                                    : title.substr(first, last - first + 1);
}

bool SamePage(const Chain& a, const Chain& b) {
  if (!a.payload_sha1.empty() && a.payload_sha1 == b.payload_sha1) return true;
  if (a.title.empty() || a.title != b.title) return false;
  const double larger =
      static_cast<double>(std::max(a.payload_size, b.payload_size));
  const double diff = static_cast<double>(
      a.payload_size > b.payload_size ? a.payload_size - b.payload_size
                                      : b.payload_size - a.payload_size);
  return larger == 0 || diff <= larger * kSameSizeTolerance;
}

std::string RandomHexName() {
  static thread_local std::mt19937_64 engine{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string name;
  uint64_t bits = engine();
  for (int i = 0; i < 16; ++i, bits >>= 4) name += kHex[bits & 0xF];
  return name;
}

// Runs the request plan of every URL inside one Fetcher::Run(): follow-up
// requests are added from OnDone as earlier ones finish.
class LiveChecker : public FetchSink {
 public:
  LiveChecker(Fetcher& fetcher, const LiveCheckOptions& options,
              std::vector<UrlCheck>& checks)
      : fetcher_(fetcher), options_(options), checks_(checks) {}

  void Start() {
    for (size_t i = 0; i < checks_.size(); ++i) {
      const std::string& url = checks_[i].row.normalized;
      // Shorteners' interstitial pages need a body to be followed.
      Add(i, IsShortener(url) ? kGet : kHead, url);
    }
  }

  void OnExchange(const FetchJob& job, FetchedExchange& exchange) override {
    if (exchange.retrying) return;  // the retry's answer counts
    Chain& chain = ChainOf(job.tag);
    chain.hops.emplace_back(exchange.url, exchange.http_status);
    chain.content_type.clear();
    chain.payload_sha1.clear();
    chain.title.clear();
    if (exchange.response == nullptr) return;
    warc::FindHeader(exchange.response->head(), "Content-Type",
                     &chain.content_type);
    if (job.method == "HEAD" || !exchange.next_url.empty()) return;
    chain.payload_size = exchange.response->payload_length();
    // The CLI's fetcher makes WARC responses, which hash as they receive.
    auto* response = dynamic_cast<WarcHttpResponse*>(exchange.response.get());
    if (response == nullptr) return;
    if (response->FinishBody().ok()) {
      chain.payload_sha1 = response->payload_digest();
    }
    if (IsHtml(chain.content_type)) chain.title = TitleOf(response->body());
  }

  void OnDone(const FetchOutcome& outcome) override {
    const size_t index = outcome.job.tag / kPhases;
    const Phase phase = static_cast<Phase>(outcome.job.tag % kPhases);
    Chain& chain = ChainOf(outcome.job.tag);
    chain.fetched = true;
    chain.outcome = outcome;
    if (outcome.failure == FailureClass::kCancelled) return;
    UrlCheck& check = checks_[index];
    switch (phase) {
      case kHead:
        // HEAD is not trusted on failure (405/403/500 where GET works),
        // and the soft-404 check needs the page itself.
        if (Failed(chain) || WantsSoft404Check(check, chain)) {
          Add(index, kGet, check.row.normalized);
        }
        break;
      case kGet:
        if (WantsSoft404Check(check, chain)) AddSibling(index, check);
        break;
      case kSibling:
        check.soft_404 = !Failed(chain) && chain.outcome.final_status == 200 &&
                         SamePage(check.get, chain);
        break;
    }
  }

  bool IsShortener(const std::string& url) const {
    return IsShortenerUrl(options_.config.shortener, url);
  }

 private:
  Chain& ChainOf(uint64_t tag) {
    UrlCheck& check = checks_[tag / kPhases];
    switch (tag % kPhases) {
      case kHead:
        return check.head;
      case kGet:
        return check.get;
      default:
        return check.sibling;
    }
  }

  void Add(size_t index, Phase phase, const std::string& url) {
    FetchJob job;
    job.url = url;
    job.tag = index * kPhases + phase;
    job.method = phase == kHead ? "HEAD" : "GET";
    fetcher_.Add(std::move(job));
  }

  // An HTML page that answered 200, not a site root, not checked yet.
  bool WantsSoft404Check(const UrlCheck& check, const Chain& chain) const {
    if (!options_.soft_404_check || check.sibling.fetched) return false;
    if (Failed(chain) || chain.outcome.final_status != 200) return false;
    if (!IsHtml(chain.content_type)) return false;
    return PathOf(check.row.normalized) != "/";
  }

  // The sibling of the link itself (a parked domain redirects every path
  // to one lander), or for a shortener link of its target.
  void AddSibling(size_t index, const UrlCheck& check) {
    std::string base = check.row.normalized;
    if (IsShortener(base)) base = check.get.outcome.final_url;
    if (PathOf(base) == "/") return;
    const std::string name =
        options_.random_name ? options_.random_name() : RandomHexName();
    const std::string sibling = SiblingUrl(base, name);
    if (!sibling.empty()) Add(index, kSibling, sibling);
  }

  Fetcher& fetcher_;
  const LiveCheckOptions& options_;
  std::vector<UrlCheck>& checks_;
};

// The chain whose answer decides: the GET when one was made (HEAD is not
// trusted alone), else the HEAD.
const Chain& DecidingChain(const UrlCheck& check) {
  return check.get.fetched ? check.get : check.head;
}

HealthObservation ObservationOf(const UrlCheck& check,
                                const LiveCheckOptions& options) {
  const Chain& chain = DecidingChain(check);
  ChainFacts facts;
  facts.link_url = check.row.normalized;
  for (const auto& [url, status] : chain.hops)
    facts.hops.push_back({url, status});
  facts.failure = chain.outcome.failure;
  facts.final_status = chain.outcome.final_status;
  facts.last_attempted = chain.outcome.final_url;
  HealthObservation observation = JudgeChain(options.config, facts).observation;
  observation.at_unix = options.now_unix;
  observation.soft_404 = check.soft_404;
  return observation;
}

std::string FinalTarget(const UrlCheck& check,
                        const LiveCheckOptions& options) {
  const Chain& chain = DecidingChain(check);
  std::vector<std::string> urls;
  for (const auto& hop : chain.hops) urls.push_back(hop.first);
  if (urls.size() < 2) return "";
  return FinalNonShortenerUrl(options.config.shortener, urls);
}

LiveUrlResult ResultOf(const UrlCheck& check) {
  const Chain& chain = DecidingChain(check);
  LiveUrlResult result;
  result.url = check.row.normalized;
  result.previous_verdict = check.previous_verdict;
  result.verdict = check.row.verdict;
  result.failure_class = check.row.failure_class;
  result.consecutive_failures = check.row.consecutive_failures;
  result.final_status = chain.outcome.final_status;
  result.final_url = chain.outcome.final_url;
  result.soft_404 = check.soft_404;
  result.requests = static_cast<int>(check.head.fetched) +
                    static_cast<int>(check.get.fetched) +
                    static_cast<int>(check.sibling.fetched);
  return result;
}

bool WasCancelled(const UrlCheck& check) {
  auto cancelled = [](const Chain& chain) {
    return chain.fetched && chain.outcome.failure == FailureClass::kCancelled;
  };
  return cancelled(check.head) || cancelled(check.get) ||
         cancelled(check.sibling) || !DecidingChain(check).fetched;
}

}  // namespace

std::string SiblingUrl(const std::string& url, const std::string& name) {
  const UrlComponents parts = SplitUrl(url);
  if (!parts.scheme || !parts.authority) return "";
  const std::string scheme = AsciiLowercase(*parts.scheme);
  if (scheme != "http" && scheme != "https") return "";
  // Everything before the path: scheme, "//" and authority.
  const std::string origin =
      url.substr(0, static_cast<size_t>(parts.path.data() - url.data()));
  const std::string path = parts.path.empty() ? "/" : std::string(parts.path);
  const size_t slash = path.rfind('/');
  const std::string directory = path.substr(0, slash + 1);
  const std::string last = path.substr(slash + 1);
  const size_t dot = last.rfind('.');
  const std::string extension =
      dot == std::string::npos || dot == 0 ? "" : last.substr(dot);
  return origin + directory + name + extension;
}

int64_t HealthNowUnix() {
  if (const char* hook = std::getenv("ROTGUARD_TEST_NOW")) {
    char* end = nullptr;
    const long long value = std::strtoll(hook, &end, 10);
    if (end != hook && *end == '\0' && value > 0) return value;
  }
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<LiveSummary> RunLiveCheck(Manifest& manifest, Fetcher& fetcher,
                                 const LiveCheckOptions& options) {
  auto urls = manifest.ListLinkedUrls();
  if (!urls.ok()) return urls.status();
  std::vector<UrlCheck> checks;
  checks.reserve(urls->size());
  for (UrlRow& row : *urls) {
    UrlCheck check;
    check.previous_verdict = row.verdict;
    check.row = std::move(row);
    checks.push_back(std::move(check));
  }

  LiveChecker checker(fetcher, options, checks);
  checker.Start();
  Status run = fetcher.Run(checker);
  if (!run.ok()) return run;

  LiveSummary summary;
  std::vector<UrlRow> updated;
  for (UrlCheck& check : checks) {
    if (WasCancelled(check)) {
      summary.cancelled = true;
      continue;
    }
    ApplyHealthObservation(options.config.health, ObservationOf(check, options),
                           &check.row);
    const std::string target = FinalTarget(check, options);
    if (!target.empty()) check.row.final_url = target;
    updated.push_back(check.row);
    summary.results.push_back(ResultOf(check));
    ++summary.verdicts[check.row.verdict];
  }
  Status saved = manifest.UpdateUrlsBatch(updated);
  if (!saved.ok()) return saved;
  return summary;
}

}  // namespace rotguard
