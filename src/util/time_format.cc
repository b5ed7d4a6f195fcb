#include "util/time_format.h"

#include <fmt/format.h>

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

}  // namespace rotguard
