#include "util/time_format.h"

#include <fmt/format.h>

#include <ctime>

namespace rotguard {
namespace {

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

}  // namespace rotguard
