#include "common/time_format.h"

#include <cctype>
#include <cstdio>

namespace popsweep {

// Howard Hinnant's public-domain civil calendar arithmetic, re-derived: eras
// of 400 years make the Gregorian leap rule a fixed 146097-day cycle.
std::int64_t days_from_civil(int year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const unsigned year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

void civil_from_days(std::int64_t days, int* year, unsigned* month, unsigned* day) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned day_of_era = static_cast<unsigned>(days - era * 146097);
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned month_index = (5 * day_of_year + 2) / 153;
  *day = day_of_year - (153 * month_index + 2) / 5 + 1;
  *month = month_index < 10 ? month_index + 3 : month_index - 9;
  *year = static_cast<int>(year_of_era + era * 400 + (*month <= 2 ? 1 : 0));
}

namespace {

bool is_leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

unsigned days_in_month(int year, unsigned month) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

// Reads exactly `width` digits at text[*pos].
bool read_digits(const std::string& text, size_t* pos, int width, int* value) {
  if (*pos + width > text.size()) return false;
  int result = 0;
  for (int i = 0; i < width; ++i) {
    const char c = text[*pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    result = result * 10 + (c - '0');
  }
  *pos += width;
  *value = result;
  return true;
}

bool expect(const std::string& text, size_t* pos, char c) {
  if (*pos < text.size() && text[*pos] == c) {
    ++*pos;
    return true;
  }
  return false;
}

std::optional<UnixSeconds> fail(std::string* why, const std::string& message) {
  if (why) *why = message;
  return std::nullopt;
}

}  // namespace

std::optional<UnixSeconds> parse_iso8601(const std::string& raw, std::string* why) {
  // Trim surrounding blanks: spreadsheets like to add them.
  const size_t first = raw.find_first_not_of(" \t\r\n");
  const size_t last = raw.find_last_not_of(" \t\r\n");
  if (first == std::string::npos) return fail(why, "empty timestamp");
  const std::string text = raw.substr(first, last - first + 1);

  size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_digits(text, &pos, 4, &year) || !expect(text, &pos, '-') ||
      !read_digits(text, &pos, 2, &month) || !expect(text, &pos, '-') ||
      !read_digits(text, &pos, 2, &day)) {
    return fail(why, "expected an ISO 8601 date YYYY-MM-DD, got '" + text + "'");
  }
  if (month < 1 || month > 12) return fail(why, "month out of range in '" + text + "'");
  if (day < 1 || static_cast<unsigned>(day) > days_in_month(year, month)) {
    return fail(why, "day out of range in '" + text + "'");
  }
  if (pos < text.size() && (text[pos] == 'T' || text[pos] == 't' || text[pos] == ' ')) {
    ++pos;
    if (!read_digits(text, &pos, 2, &hour) || !expect(text, &pos, ':') ||
        !read_digits(text, &pos, 2, &minute)) {
      return fail(why, "expected a time HH:MM[:SS] in '" + text + "'");
    }
    if (expect(text, &pos, ':') && !read_digits(text, &pos, 2, &second)) {
      return fail(why, "expected seconds SS in '" + text + "'");
    }
    if (expect(text, &pos, '.') || expect(text, &pos, ',')) {
      const size_t digits_start = pos;
      while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) ++pos;
      if (pos == digits_start) return fail(why, "empty fraction of a second in '" + text + "'");
    }
    if (hour > 23 || minute > 59 || second > 60) {
      return fail(why, "time of day out of range in '" + text + "'");
    }
  }
  int offset_seconds = 0;
  if (pos < text.size()) {
    const char sign = text[pos];
    if (sign == 'Z' || sign == 'z') {
      ++pos;
    } else if (sign == '+' || sign == '-') {
      ++pos;
      int offset_hours = 0, offset_minutes = 0;
      if (!read_digits(text, &pos, 2, &offset_hours)) {
        return fail(why, "malformed zone offset in '" + text + "'");
      }
      expect(text, &pos, ':');
      if (pos < text.size() && !read_digits(text, &pos, 2, &offset_minutes)) {
        return fail(why, "malformed zone offset in '" + text + "'");
      }
      if (offset_hours > 23 || offset_minutes > 59) {
        return fail(why, "zone offset out of range in '" + text + "'");
      }
      offset_seconds = (offset_hours * 3600 + offset_minutes * 60) * (sign == '-' ? -1 : 1);
    }
  }
  if (pos != text.size()) return fail(why, "unexpected text after the timestamp in '" + text + "'");

  const std::int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return days * kSecondsPerDay + hour * 3600 + minute * 60 + second - offset_seconds;
}

std::string format_iso8601(UnixSeconds t) {
  std::int64_t days = t / kSecondsPerDay;
  std::int64_t rest = t % kSecondsPerDay;
  if (rest < 0) {
    rest += kSecondsPerDay;
    --days;
  }
  int year = 0;
  unsigned month = 0, day = 0;
  civil_from_days(days, &year, &month, &day);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02dZ", year, month, day,
                static_cast<int>(rest / 3600), static_cast<int>(rest / 60 % 60),
                static_cast<int>(rest % 60));
  return buffer;
}

}  // namespace popsweep
