#include "util/time_format.h"

#include <fmt/format.h>

#include <charconv>
#include <ctime>

namespace rotguard {
namespace {

bool ParseInt(std::string_view text, int* out) {
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

// The civil fields come from std::chrono's calendar, not fmt/chrono.h:
// fmt 9 (Debian 12) formats a system_clock time_point in the local time
// zone, and its std::tm path would need gmtime_r again.
struct CivilTime {
  int year;
  unsigned month;
  unsigned day;
  long hour;
  long minute;
  long second;
};

CivilTime ToCivil(std::chrono::sys_seconds t) {
  auto day = std::chrono::floor<std::chrono::days>(t);
  std::chrono::year_month_day ymd(day);
  std::chrono::hh_mm_ss time(t - day);
  return {static_cast<int>(ymd.year()),
          static_cast<unsigned>(ymd.month()),
          static_cast<unsigned>(ymd.day()),
          static_cast<long>(time.hours().count()),
          static_cast<long>(time.minutes().count()),
          static_cast<long>(time.seconds().count())};
}

}  // namespace

std::string FormatUtc(int64_t unix_seconds, UtcStyle style) {
  CivilTime c =
      ToCivil(std::chrono::sys_seconds(std::chrono::seconds(unix_seconds)));
  switch (style) {
    case UtcStyle::kIso:
      return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", c.year,
                         c.month, c.day, c.hour, c.minute, c.second);
    case UtcStyle::kIsoSpaced:
      return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}Z", c.year,
                         c.month, c.day, c.hour, c.minute, c.second);
    case UtcStyle::kDigits14:
      return fmt::format("{:04}{:02}{:02}{:02}{:02}{:02}", c.year, c.month,
                         c.day, c.hour, c.minute, c.second);
  }
  return "";
}

std::string FormatUtcMicros(std::chrono::system_clock::time_point when) {
  auto micros = std::chrono::floor<std::chrono::microseconds>(when);
  auto seconds = std::chrono::floor<std::chrono::seconds>(micros);
  CivilTime c = ToCivil(seconds);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", c.year,
                     c.month, c.day, c.hour, c.minute, c.second,
                     (micros - seconds).count());
}

std::optional<int64_t> UtcCalendarMicros(int year, int month, int day, int hour,
                                         int minute, int second) {
  static constexpr int kDays[12] = {31, 29, 31, 30, 31, 30,
                                    31, 31, 30, 31, 30, 31};
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 ||
      day > kDays[month - 1] || hour < 0 || hour > 23 || minute < 0 ||
      minute > 59 || second < 0 || second > 60) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<int64_t>(timegm(&tm)) * 1'000'000;
}

std::optional<int64_t> ParseWarcDateUs(std::string_view date) {
  // YYYY-MM-DDThh:mm:ss[.f+]Z
  if (date.size() < 20 || date[4] != '-' || date[7] != '-' || date[10] != 'T' ||
      date[13] != ':' || date[16] != ':' || date.back() != 'Z') {
    return std::nullopt;
  }
  std::tm tm{};
  int fields[6];
  const size_t starts[6] = {0, 5, 8, 11, 14, 17};
  const size_t lengths[6] = {4, 2, 2, 2, 2, 2};
  for (int i = 0; i < 6; ++i) {
    if (!ParseInt(date.substr(starts[i], lengths[i]), &fields[i])) {
      return std::nullopt;
    }
  }
  tm.tm_year = fields[0] - 1900;
  tm.tm_mon = fields[1] - 1;
  tm.tm_mday = fields[2];
  tm.tm_hour = fields[3];
  tm.tm_min = fields[4];
  tm.tm_sec = fields[5];
  int64_t micros = 0;
  std::string_view rest = date.substr(19, date.size() - 20);
  if (!rest.empty()) {
    if (rest[0] != '.' || rest.size() < 2) return std::nullopt;
    int64_t scale = 100000;
    for (char c : rest.substr(1)) {
      if (c < '0' || c > '9') return std::nullopt;
      micros += (c - '0') * scale;
      scale /= 10;
    }
  }
  return static_cast<int64_t>(timegm(&tm)) * 1'000'000 + micros;
}

}  // namespace rotguard
