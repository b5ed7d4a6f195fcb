// UTC text forms of instants: the one place for the date formats that
// WARC headers and file names, WACZ, the restore index and the health
// report write.
#ifndef ROTGUARD_UTIL_TIME_FORMAT_H_
#define ROTGUARD_UTIL_TIME_FORMAT_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rotguard {

enum class UtcStyle {
  kIso,        // 2024-02-29T23:59:59Z (RFC 3339, WACZ, the health report)
  kIsoSpaced,  // 2024-02-29 23:59:59Z (the restore index page)
  kDigits14,   // 20240229235959 (WARC file names)
};

// `unix_seconds` (seconds since 1970-01-01T00:00:00Z, leap seconds not
// counted) in `style`. Callers choose how they round finer units away.
std::string FormatUtc(int64_t unix_seconds, UtcStyle style);

// WARC-Date with microseconds, 2024-02-29T23:59:59.123456Z. Finer units
// are dropped, rounding towards the past (also before 1970).
std::string FormatUtcMicros(std::chrono::system_clock::time_point when);

// Microseconds since the epoch of a UTC calendar time (the parsing side:
// 14-digit timestamps, HTTP dates), or nullopt when a field is out of
// range (year 1-9999, the day within its month, February 29 always
// allowed; second 60 for a leap second).
std::optional<int64_t> UtcCalendarMicros(int year, int month, int day, int hour,
                                         int minute, int second);
// "2026-01-02T03:04:05.123456Z" (fraction optional) → microseconds since
// the epoch; nullopt when malformed.
std::optional<int64_t> ParseWarcDateUs(std::string_view date);

}  // namespace rotguard

#endif  // ROTGUARD_UTIL_TIME_FORMAT_H_
