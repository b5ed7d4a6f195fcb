// The rescue run's fetch sink (memento_fetch.h).
#include "rescue/memento_fetch.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "rotguard/content_coding.h"
#include "rotguard/http_head.h"
#include "rotguard/url.h"
#include "util/digits.h"
#include "util/time_format.h"

namespace rotguard::rescue {
namespace {

// Lookup replies larger than this are not parsed (a CDX reply of 150,000
// rows is about 20 MB).
constexpr size_t kMaxLookupBytes = 32u << 20;

int64_t UsOf(std::chrono::system_clock::time_point when) {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             when.time_since_epoch())
      .count();
}

// "https://web.archive.org/web/" for a CDX endpoint on web.archive.org.
std::string ReplayPrefixOf(const std::string& cdx_url) {
  size_t host = cdx_url.find("://");
  size_t path = cdx_url.find('/', host == std::string::npos ? 0 : host + 3);
  return cdx_url.substr(0, path) + "/web/";
}

std::string StripLabel(const std::string& digest) {
  size_t colon = digest.find(':');
  return colon == std::string::npos ? digest : digest.substr(colon + 1);
}

RecordRow RecordOf(const WarcRecordLocation& loc) {
  RecordRow row;
  row.warc_file = loc.file_name;
  row.offset = static_cast<int64_t>(loc.offset);
  row.compressed_length = static_cast<int64_t>(loc.compressed_length);
  row.type = loc.type;
  row.record_id = loc.record_id;
  row.target_uri = loc.target_uri;
  row.date = loc.date;
  row.block_digest = loc.block_digest;
  row.payload_digest = loc.payload_digest;
  return row;
}

int64_t SystemNowUnix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

MementoFetch::MementoFetch(Store& store, const RescueOptions& options,
                           int64_t now_us)
    : store_(store), options_(options), now_us_(now_us) {
  const RescueConfig& r = options.config.rescue;
  if (!r.cdx_url.empty()) lookups_.push_back({Step::kCdx, r.cdx_url});
  if (!r.timetravel_url.empty()) {
    lookups_.push_back({Step::kTimeTravel, r.timetravel_url});
  }
  for (const std::string& url : r.timemap_urls) {
    lookups_.push_back({Step::kTimeMap, url});
  }
}

Status MementoFetch::MakeFetcher() {
  FetchOptions fetch = options_.fetch;
  fetch.fetch = options_.config.fetch;
  // Only archives are asked: their limits are the run's limits.
  fetch.fetch.per_host = options_.config.rescue.per_host;
  fetch.fetch.delay_ms = options_.config.rescue.delay_ms;
  fetch.hosts.clear();
  WarcBodyOptions body{size_t{1} << 20, store_.root() / "tmp"};
  std::error_code ignored;
  std::filesystem::create_directories(body.temp_dir, ignored);
  fetch.new_body = WarcHttpResponseFactory(body);
  Result<std::unique_ptr<Fetcher>> made =
      options_.new_fetcher ? options_.new_fetcher(std::move(fetch))
                           : NewCurlFetcher(std::move(fetch));
  if (!made.ok()) return made.status();
  fetcher_ = std::move(*made);
  return Status::Ok();
}

Status MementoFetch::OpenWriter() {
  WarcWriterOptions w;
  w.directory = store_.warc_dir();
  w.user_agent = options_.config.fetch.user_agent;
  w.robots = options_.config.fetch.robots;
  w.body.temp_dir = store_.root() / "tmp";
  w.next_serial = [this]() -> uint64_t {
    Result<int64_t> serial = store_.NextWarcSerial();
    if (serial.ok()) return static_cast<uint64_t>(*serial);
    spdlog::error("WARC serial: {}", serial.status().message());
    return 0;
  };
  w.on_warcinfo = [this](const WarcRecordLocation& loc) {
    WarcFileRow file;
    file.name = loc.file_name;
    file.state = WarcFileState::kOpen;
    file.created_unix = SystemNowUnix();
    opened_.push_back(file);
    warcinfo_.push_back(RecordOf(loc));
  };
  w.on_file_closed = [this](const WarcFileSummary& summary) {
    closed_.push_back(summary);
  };
  Result<std::unique_ptr<WarcWriter>> writer = WarcWriter::Open(std::move(w));
  if (!writer.ok()) return writer.status();
  writer_ = std::move(*writer);
  return Status::Ok();
}

Status MementoFetch::Run(const std::vector<RescueTarget>& targets,
                         RescueSummary* summary) {
  ROTGUARD_RETURN_IF_ERROR(MakeFetcher());
  ROTGUARD_RETURN_IF_ERROR(OpenWriter());
  for (const RescueTarget& t : targets) {
    Target target;
    target.target = t;
    target.result.url = t.url;
    targets_.push_back(std::move(target));
  }
  for (size_t i = 0; i < targets_.size(); ++i) StartLookup(i);
  Status ran = fetcher_->Run(*this);
  Status closed = writer_->Close();
  for (const WarcFileSummary& file : closed_) {
    Status done = store_.manifest().CloseWarcFile(
        file.file_name, static_cast<int64_t>(file.size), file.sha256,
        static_cast<int64_t>(file.record_count));
    if (closed.ok()) closed = done;
  }
  ROTGUARD_RETURN_IF_ERROR(ran);
  ROTGUARD_RETURN_IF_ERROR(failure_);
  ROTGUARD_RETURN_IF_ERROR(closed);
  summary->requests = requests_;
  for (Target& t : targets_) {
    const std::string& outcome = t.result.outcome;
    if (outcome == "rescued") ++summary->rescued;
    if (outcome == "none") ++summary->none;
    if (outcome == "failed") ++summary->failed;
    summary->results.push_back(std::move(t.result));
  }
  return Status::Ok();
}

std::string MementoFetch::LookupUrl(const Lookup& lookup,
                                    const Target& target) const {
  const std::string& url = target.target.url;
  switch (lookup.step) {
    case Step::kCdx:
      return lookup.base + "?url=" + PercentEncodeUnreserved(url) +
             "&output=json&fl=timestamp,original,statuscode,mimetype"
             "&filter=statuscode:200";
    case Step::kTimeTravel: {
      int64_t at = target.target.post_us != 0 ? target.target.post_us : now_us_;
      int64_t seconds = at / 1'000'000;
      return lookup.base + "/" + FormatUtc(seconds, UtcStyle::kDigits14) + "/" +
             url;
    }
    case Step::kTimeMap:
      return lookup.base + url;
  }
  return "";
}

Result<std::vector<Memento>> MementoFetch::ParseReply(
    const Lookup& lookup, const std::string& body) const {
  switch (lookup.step) {
    case Step::kCdx:
      return ParseCdxJson(body, ReplayPrefixOf(lookup.base));
    case Step::kTimeTravel:
      return ParseTimeTravelJson(body);
    case Step::kTimeMap:
      return ParseLinkTimeMap(body);
  }
  return std::vector<Memento>();
}

void MementoFetch::AddJob(const std::string& url, Job job,
                          bool follow_redirects) {
  FetchJob fetch;
  fetch.url = url;
  fetch.tag = next_tag_++;
  fetch.follow_redirects = follow_redirects;
  fetch.follow_meta_refresh = false;
  jobs_[fetch.tag] = std::move(job);
  fetcher_->Add(std::move(fetch));
}

void MementoFetch::StartLookup(size_t index) {
  Target& target = targets_[index];
  if (!failure_.ok()) return End(index, "failed");
  if (target.lookup >= lookups_.size()) {
    return End(index, target.result.error.empty() ? "none" : "failed");
  }
  Job job;
  job.target = index;
  job.lookup = true;
  job.lookup_index = target.lookup++;
  AddJob(LookupUrl(lookups_[job.lookup_index], target), std::move(job), true);
}

void MementoFetch::StartNextCandidate(size_t index) {
  Target& target = targets_[index];
  if (target.next_candidate >= target.candidates.size() ||
      target.tried >= options_.config.rescue.max_candidates || !failure_.ok()) {
    return StartLookup(index);
  }
  Job job;
  job.target = index;
  job.memento = target.candidates[target.next_candidate++];
  std::string raw = RawMementoUri(job.memento.uri);
  AddJob(raw, std::move(job), false);
}

void MementoFetch::End(size_t index, const std::string& outcome) {
  RescueResult& result = targets_[index].result;
  result.outcome = outcome;
  if (outcome == "rescued") {
    spdlog::info("rescued {} from {}", result.url, result.memento_uri);
  } else {
    spdlog::info("no public copy of {}{}{}", result.url,
                 result.error.empty() ? "" : ": ", result.error);
  }
}

void MementoFetch::OnExchange(const FetchJob& fetch_job,
                              FetchedExchange& exchange) {
  ++requests_;
  if (exchange.retrying) return;
  auto found = jobs_.find(fetch_job.tag);
  if (found == jobs_.end()) return;
  Job& job = found->second;
  job.status = exchange.http_status;
  if (!exchange.next_url.empty() || !exchange.response) return;
  Status status = job.lookup ? ReadLookupBody(exchange, job)
                             : WriteMemento(fetch_job, exchange, job);
  if (!status.ok()) {
    Target& target = targets_[job.target];
    target.result.error = status.message();
    if (!job.lookup && failure_.ok()) failure_ = status;
  }
}

void MementoFetch::OnDone(const FetchOutcome& outcome) {
  auto found = jobs_.find(outcome.job.tag);
  if (found == jobs_.end()) return;
  Job job = std::move(found->second);
  jobs_.erase(found);
  if (job.lookup) {
    FinishLookup(job, outcome);
  } else {
    FinishFetch(job, outcome);
  }
}

Status MementoFetch::ReadLookupBody(FetchedExchange& exchange, Job& job) {
  if (exchange.http_status != 200) return Status::Ok();
  if (exchange.response->payload_length() > kMaxLookupBytes) {
    return Status::ResourceExhausted("archive reply too large");
  }
  std::string coded;
  ROTGUARD_RETURN_IF_ERROR(
      exchange.response->ForEachBodyChunk([&coded](std::string_view chunk) {
        coded.append(chunk);
        return Status::Ok();
      }));
  std::string coding;
  warc::FindHeader(exchange.response->head(), "Content-Encoding", &coding);
  ContentDecodeLimits limits;
  limits.max_decoded = kMaxLookupBytes;
  Result<std::string> decoded = DecodeContent(coding, coded, limits);
  if (!decoded.ok()) return decoded.status();
  job.body = std::move(*decoded);
  return Status::Ok();
}

void MementoFetch::FinishLookup(Job& job, const FetchOutcome& outcome) {
  Target& target = targets_[job.target];
  const Lookup& lookup = lookups_[job.lookup_index];
  std::string name = UrlHost(lookup.base);
  // 404: the archive has nothing for this URL (TimeTravel, TimeMaps).
  if (job.status != 200 && job.status != 404) {
    std::string why = outcome.error.empty()
                          ? "HTTP " + std::to_string(job.status)
                          : outcome.error;
    target.result.error +=
        (target.result.error.empty() ? "" : "; ") + name + ": " + why;
    return StartLookup(job.target);
  }
  std::vector<Memento> listed;
  if (job.status == 200) {
    Result<std::vector<Memento>> parsed = ParseReply(lookup, job.body);
    if (!parsed.ok()) {
      target.result.error += (target.result.error.empty() ? "" : "; ") + name +
                             ": " + parsed.status().message();
    } else {
      listed = std::move(*parsed);
    }
  }
  int64_t post = target.target.post_us != 0 ? target.target.post_us : now_us_;
  target.candidates = RankMementos(listed, post);
  target.next_candidate = 0;
  StartNextCandidate(job.target);
}

void MementoFetch::FinishFetch(Job& job, const FetchOutcome& outcome) {
  Target& target = targets_[job.target];
  if (job.written) return End(job.target, "rescued");
  ++target.tried;
  if (job.status != 200) {
    spdlog::info("memento {} not used: {}", job.memento.uri,
                 outcome.error.empty() ? "HTTP " + std::to_string(job.status)
                                       : outcome.error);
  }
  StartNextCandidate(job.target);
}

Status MementoFetch::WriteMemento(const FetchJob& fetch_job,
                                  FetchedExchange& exchange, Job& job) {
  // Never a redirect or error capture, nor a cut body.
  if (exchange.http_status != 200 || !exchange.response->truncated().empty()) {
    return Status::Ok();
  }
  auto* response = dynamic_cast<WarcHttpResponse*>(exchange.response.get());
  if (response == nullptr) {
    return Status::Internal("rescue fetcher bodies must be WARC responses");
  }
  std::string header;
  std::optional<int64_t> memento_us;
  if (warc::FindHeader(response->head(), "Memento-Datetime", &header)) {
    memento_us = ParseHttpDate(header);
  }
  if (!memento_us) memento_us = job.memento.datetime_us;
  WarcCapture capture;
  capture.target_uri = fetch_job.url;
  capture.ip_address = exchange.ip_address;
  capture.protocol = exchange.protocol;
  capture.date = exchange.started;
  // Reformatted from the parsed value: an archive's header bytes never
  // reach the WARC head.
  capture.memento_datetime = FormatHttpDate(*memento_us);
  Result<WarcExchangeLocations> written =
      writer_->WriteExchange(capture, exchange.request_head, *response);
  if (!written.ok()) return written.status();
  ROTGUARD_RETURN_IF_ERROR(Commit(*written, job, exchange, *memento_us));
  job.written = true;
  RescueResult& result = targets_[job.target].result;
  result.memento_uri = fetch_job.url;
  result.archive = UrlHost(fetch_job.url);
  result.memento_at_us = *memento_us;
  result.error.clear();
  return Status::Ok();
}

Status MementoFetch::Commit(const WarcExchangeLocations& locations,
                            const Job& job, const FetchedExchange& exchange,
                            int64_t memento_us) {
  ROTGUARD_RETURN_IF_ERROR(writer_->Sync());
  Manifest& manifest = store_.manifest();
  for (const WarcFileRow& file : opened_) {
    ROTGUARD_RETURN_IF_ERROR(manifest.AddWarcFile(file));
  }
  opened_.clear();
  std::vector<RecordRow> records = std::move(warcinfo_);
  warcinfo_.clear();
  records.push_back(RecordOf(locations.request));
  records.push_back(RecordOf(locations.response));
  const WarcRecordLocation& loc = locations.response;
  CaptureRow c;
  c.url = loc.target_uri;
  c.normalized = targets_[job.target].target.normalized;
  c.captured_at_us = UsOf(exchange.started);
  c.http_status = exchange.http_status;
  c.final_url = loc.target_uri;
  c.warc_file = loc.file_name;
  c.record_offset = static_cast<int64_t>(loc.offset);
  c.compressed_length = static_cast<int64_t>(loc.compressed_length);
  c.record_id = loc.record_id;
  c.block_sha1 = StripLabel(loc.block_digest);
  c.payload_sha1 = StripLabel(loc.payload_digest);
  c.payload_sha256 = loc.payload_sha256;
  c.payload_length = static_cast<int64_t>(loc.payload_length);
  warc::FindHeader(exchange.response->head(), "Content-Type", &c.content_type);
  c.source = kSourcePublicArchive;
  c.archive = UrlHost(loc.target_uri);
  c.memento_at_us = memento_us;
  return manifest.CommitBatch(records, {c}, {});
}

}  // namespace rotguard::rescue
