// `report --since` selection (report_since.h) and the --since argument.
#include "verify/report_since.h"

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "rotguard/health.h"
#include "rotguard/report.h"

namespace rotguard {
namespace {

// A link that does not answer as it should; rate-limited is left out: a
// 429 says "slow down", not that the link broke, and comes and goes.
bool IsFailingVerdict(const std::string& verdict) {
  return verdict == kVerdictFailing || verdict == kVerdictSoft404 ||
         verdict == kVerdictUnreachable || verdict == kVerdictServerError ||
         verdict == kVerdictBlocked;
}

bool IsBrokenVerdict(const std::string& verdict) {
  return verdict == kVerdictGone || IsFailingVerdict(verdict);
}

bool IsWorkingVerdict(const std::string& verdict) {
  return verdict == kVerdictOk || verdict == kVerdictRedirected ||
         verdict == kVerdictDrifted || verdict == kVerdictMoved;
}

// The change of verdict from `before` to `now`, "" when none is listed.
std::string VerdictChange(const std::string& before, const std::string& now) {
  if (before == now) return "";
  if (now == kVerdictGone) return kChangeGone;
  if (now == kVerdictMoved) return kChangeMoved;
  if (IsFailingVerdict(now) && !IsBrokenVerdict(before)) return kChangeFailing;
  if (IsWorkingVerdict(now) && IsBrokenVerdict(before)) {
    return kChangeRecovered;
  }
  return "";
}

bool ReadNumber(const std::string& text, size_t at, size_t digits, int* out) {
  if (at + digits > text.size()) return false;
  int value = 0;
  for (size_t i = at; i < at + digits; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  *out = value;
  return true;
}

// "Z", "+HH:MM", "-HH:MM" or nothing (UTC) at `at`, as seconds east of
// UTC; nullopt for anything else.
std::optional<int64_t> ParseZone(const std::string& text, size_t at) {
  if (at == text.size()) return 0;
  if (text.substr(at) == "Z" || text.substr(at) == "z") return 0;
  int hours = 0;
  int minutes = 0;
  if (text.size() != at + 6 || (text[at] != '+' && text[at] != '-') ||
      !ReadNumber(text, at + 1, 2, &hours) || text[at + 3] != ':' ||
      !ReadNumber(text, at + 4, 2, &minutes) || hours > 23 || minutes > 59) {
    return std::nullopt;
  }
  const int64_t offset = hours * 3600 + minutes * 60;
  return text[at] == '-' ? -offset : offset;
}

// HH:MM[:SS] at `at` into *tm; the position after it, or npos.
size_t ParseClock(const std::string& text, size_t at, std::tm* tm) {
  if (!ReadNumber(text, at, 2, &tm->tm_hour) || at + 2 >= text.size() ||
      text[at + 2] != ':' || !ReadNumber(text, at + 3, 2, &tm->tm_min)) {
    return std::string::npos;
  }
  at += 5;
  if (at < text.size() && text[at] == ':') {
    if (!ReadNumber(text, at + 1, 2, &tm->tm_sec)) return std::string::npos;
    at += 3;
  }
  if (tm->tm_hour > 23 || tm->tm_min > 59 || tm->tm_sec > 60) {
    return std::string::npos;
  }
  return at;
}

}  // namespace

std::string VerdictAt(const LinkHistory& history, int64_t at_unix) {
  const VerdictChangeRow* last = nullptr;
  for (const VerdictChangeRow& change : history.changes) {
    if (change.changed_unix > at_unix) break;
    last = &change;
  }
  if (last != nullptr) return last->verdict;
  if (!history.changes.empty()) return history.changes.front().previous;
  return history.verdict_now;
}

LinkChange ClassifyChange(const LinkHistory& history, int64_t since_unix) {
  LinkChange out;
  const std::string now = history.verdict_now == kVerdictUnchecked
                              ? std::string()
                              : history.verdict_now;
  out.previous_verdict = VerdictAt(history, since_unix);
  if (!history.changes.empty() &&
      history.changes.back().changed_unix > since_unix) {
    out.changed_unix = history.changes.back().changed_unix;
  }
  out.change = VerdictChange(out.previous_verdict, now);
  if (out.change.empty() && history.rescued_since) out.change = kChangeRescued;
  if (out.change.empty() && history.first_seen_unix > since_unix) {
    out.change = kChangeNew;
  }
  return out;
}

const std::vector<std::string>& ChangesInOrder() {
  static const std::vector<std::string> order = {
      kChangeGone,      kChangeMoved,   kChangeFailing,
      kChangeRecovered, kChangeRescued, kChangeNew};
  return order;
}

std::string ChangeLabel(const std::string& change) {
  std::string label = change;
  for (char& c : label) {
    if (c == '-') c = ' ';
  }
  return label;
}

std::optional<int64_t> ParseReportSince(const std::string& text) {
  std::tm tm{};
  if (text.size() < 10 || !ReadNumber(text, 0, 4, &tm.tm_year) ||
      text[4] != '-' || !ReadNumber(text, 5, 2, &tm.tm_mon) || text[7] != '-' ||
      !ReadNumber(text, 8, 2, &tm.tm_mday) || tm.tm_mon < 1 || tm.tm_mon > 12 ||
      tm.tm_mday < 1 || tm.tm_mday > 31) {
    return std::nullopt;
  }
  size_t at = 10;
  if (at < text.size()) {
    if (text[at] != 'T' && text[at] != 't' && text[at] != ' ') {
      return std::nullopt;
    }
    at = ParseClock(text, at + 1, &tm);
    if (at == std::string::npos) return std::nullopt;
  }
  std::optional<int64_t> zone = ParseZone(text, at);
  if (!zone) return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const int64_t day_month = tm.tm_mday;
  const int64_t unix_seconds = static_cast<int64_t>(timegm(&tm));
  if (tm.tm_mday != day_month) return std::nullopt;  // 2026-02-31
  return unix_seconds - *zone;
}

Result<std::optional<int64_t>> LastArchiveRunStart(Manifest& manifest) {
  Result<std::vector<RunRow>> runs = manifest.ListRuns();
  if (!runs.ok()) return runs.status();
  std::optional<int64_t> start;
  for (const RunRow& run : *runs) {
    if (run.command != "archive") continue;
    if (!start || run.started_unix >= *start) start = run.started_unix;
  }
  return start;
}

}  // namespace rotguard
