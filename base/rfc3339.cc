#include "base/rfc3339.h"

#include <chrono>
#include <cstdio>
#include <limits>

namespace tokenledger {

std::string format_rfc3339(TimeNs time_ns) {
  using namespace std::chrono;
  const sys_time<nanoseconds> time{nanoseconds(time_ns)};
  const sys_days day = floor<days>(time);
  const year_month_day date(day);
  const hh_mm_ss<seconds> clock(floor<seconds>(time - day));
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()));
  return text;
}

namespace {

// Reads exactly `count` digits at `*at`.
bool digits(std::string_view text, std::size_t* at, std::size_t count, int* value) {
  if (*at + count > text.size()) return false;
  int result = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const char c = text[*at + i];
    if (c < '0' || c > '9') return false;
    result = result * 10 + (c - '0');
  }
  *at += count;
  *value = result;
  return true;
}

bool expect(std::string_view text, std::size_t* at, std::string_view any_of) {
  if (*at >= text.size() || any_of.find(text[*at]) == std::string_view::npos) return false;
  ++*at;
  return true;
}

}  // namespace

bool parse_rfc3339(std::string_view text, TimeNs* time_ns) {
  using namespace std::chrono;
  if (text.size() > 64) return false;
  std::size_t at = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(text, &at, 4, &year) || !expect(text, &at, "-") || !digits(text, &at, 2, &month) ||
      !expect(text, &at, "-") || !digits(text, &at, 2, &day) || !expect(text, &at, "Tt ") ||
      !digits(text, &at, 2, &hour) || !expect(text, &at, ":") || !digits(text, &at, 2, &minute) ||
      !expect(text, &at, ":") || !digits(text, &at, 2, &second)) {
    return false;
  }
  std::int64_t fraction_ns = 0;
  if (at < text.size() && text[at] == '.') {
    ++at;
    std::size_t count = 0;
    std::int64_t scale = 100'000'000;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      if (count < 9) fraction_ns += (text[at] - '0') * scale;
      scale /= 10;
      ++count;
      ++at;
    }
    if (count == 0) return false;
  }
  int offset_minutes = 0;
  if (at < text.size() && (text[at] == 'Z' || text[at] == 'z')) {
    ++at;
  } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    const int sign = text[at] == '-' ? -1 : 1;
    ++at;
    int offset_hours = 0, offset_mins = 0;
    if (!digits(text, &at, 2, &offset_hours) || !expect(text, &at, ":") ||
        !digits(text, &at, 2, &offset_mins) || offset_hours > 23 || offset_mins > 59) {
      return false;
    }
    offset_minutes = sign * (offset_hours * 60 + offset_mins);
  } else {
    return false;  // no zone
  }
  if (at != text.size()) return false;
  const year_month_day date{std::chrono::year(year),
                            std::chrono::month(static_cast<unsigned>(month)),
                            std::chrono::day(static_cast<unsigned>(day))};
  // Second 60 is a leap second: it counts as the following second, as POSIX time does.
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return false;
  const auto instant =
      sys_days(date) + hours(hour) + minutes(minute) + seconds(second) - minutes(offset_minutes);
  // Times are int64 nanoseconds: 1677-09-21 to 2262-04-11. Outside that range the conversion
  // would overflow (found by fuzz_rfc3339), so such a time is refused like any invalid one.
  constexpr std::int64_t seconds_max = std::numeric_limits<TimeNs>::max() / 1'000'000'000 - 1;
  const std::int64_t whole_seconds = instant.time_since_epoch().count();
  if (whole_seconds > seconds_max || whole_seconds < -seconds_max) return false;
  *time_ns = whole_seconds * 1'000'000'000 + fraction_ns;
  return true;
}

}  // namespace tokenledger
