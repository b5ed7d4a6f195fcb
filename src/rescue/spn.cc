// Save Page Now 2 replies, requests and the client-side rate limit
// (rotguard/rescue.h). Pure: no I/O, no clock of its own.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "rotguard/rescue.h"
#include "util/digits.h"

namespace rotguard {
namespace {

// A string member of `j`, "" when absent or not a string.
std::string StringField(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

}  // namespace

Result<SpnReply> ParseSpnReply(std::string_view body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::InvalidArgument("Save Page Now reply is not a JSON object");
  }
  SpnReply reply;
  reply.status = StringField(j, "status");
  reply.job_id = StringField(j, "job_id");
  reply.timestamp = StringField(j, "timestamp");
  reply.original_url = StringField(j, "original_url");
  std::string ext = StringField(j, "status_ext");
  std::string message = StringField(j, "message");
  reply.message =
      ext.empty() || message.empty() ? ext + message : ext + ": " + message;
  if (reply.status.empty() && !reply.job_id.empty()) reply.status = "pending";
  if (reply.status != "pending" && reply.status != "success" &&
      reply.status != "error") {
    return Status::InvalidArgument("Save Page Now reply has no known status");
  }
  if (reply.status == "success" &&
      (!AllAsciiDigits(reply.timestamp) || reply.timestamp.size() != 14 ||
       reply.original_url.empty())) {
    return Status::InvalidArgument(
        "Save Page Now success without a timestamp and original_url");
  }
  return reply;
}

std::string SpnFormBody(const std::string& url,
                        const std::string& if_not_archived_within) {
  std::string body = "url=" + PercentEncodeUnreserved(url);
  if (!if_not_archived_within.empty()) {
    body += "&if_not_archived_within=" +
            PercentEncodeUnreserved(if_not_archived_within);
  }
  return body;
}

std::string SpnMementoUrl(const std::string& endpoint,
                          const std::string& timestamp,
                          const std::string& original) {
  size_t host = endpoint.find("://");
  size_t path = endpoint.find('/', host == std::string::npos ? 0 : host + 3);
  return endpoint.substr(0, path) + "/web/" + timestamp + "/" + original;
}

TokenBucket::TokenBucket(int per_minute, int burst)
    : interval_us_(60'000'000 / (per_minute < 1 ? 1 : per_minute)),
      capacity_us_(interval_us_ * (burst < 1 ? 1 : burst)),
      credit_us_(capacity_us_) {}

int64_t TokenBucket::CreditAt(int64_t now_us) const {
  if (last_us_ < 0 || now_us <= last_us_) return credit_us_;
  int64_t grown = credit_us_ + (now_us - last_us_);
  return grown > capacity_us_ ? capacity_us_ : grown;
}

bool TokenBucket::TryTake(int64_t now_us) {
  if (now_us < paused_until_us_) return false;
  int64_t credit = CreditAt(now_us);
  if (credit < interval_us_) return false;
  credit_us_ = credit - interval_us_;
  last_us_ = last_us_ < 0 || now_us > last_us_ ? now_us : last_us_;
  return true;
}

int64_t TokenBucket::NextAt(int64_t now_us) const {
  int64_t credit = CreditAt(now_us);
  int64_t at =
      credit >= interval_us_ ? now_us : now_us + (interval_us_ - credit);
  return at < paused_until_us_ ? paused_until_us_ : at;
}

void TokenBucket::PauseUntil(int64_t until_us) {
  if (until_us > paused_until_us_) paused_until_us_ = until_us;
}

}  // namespace rotguard
