#include "common/clock.hpp"

#include <chrono>
#include <cstdio>

#include "common/utf8.hpp"

namespace jiesu {

// Howard Hinnant's civil-date algorithms (public domain formulas, written out here).
std::int64_t DaysFromCivil(Date d) {
  const std::int64_t y = d.month <= 2 ? d.year - 1 : d.year;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = (d.month + 9) % 12;
  const std::int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Date CivilFromDays(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const int year = static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0));
  return {year, month, day};
}

int Weekday(Date d) {
  const std::int64_t days = DaysFromCivil(d);  // 1970-01-01 was a Thursday (3).
  return static_cast<int>(((days % 7) + 7 + 3) % 7);
}

Date AddDays(Date d, std::int64_t n) { return CivilFromDays(DaysFromCivil(d) + n); }

static std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

Date BeijingDate(Timestamp t) {
  return CivilFromDays(FloorDiv(t + kBeijingOffsetSeconds, kSecondsPerDay));
}

Timestamp BeijingMidnight(Date d) { return DaysFromCivil(d) * kSecondsPerDay - kBeijingOffsetSeconds; }

std::string FormatTime(Timestamp t) {
  const Timestamp local = t + kBeijingOffsetSeconds;
  const std::int64_t days = FloorDiv(local, kSecondsPerDay);
  const std::int64_t secs = local - days * kSecondsPerDay;
  const Date d = CivilFromDays(days);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", d.year, d.month, d.day,
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60));
  return buf;
}

std::string FormatDate(Date d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

std::string FormatMonth(Date d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", d.year, d.month);
  return buf;
}

namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

bool ValidDate(Date d) {
  if (d.year < 1900 || d.year > 2999 || d.month < 1 || d.month > 12 || d.day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (d.year % 4 == 0 && d.year % 100 != 0) || d.year % 400 == 0;
  const int max = kDays[d.month - 1] + (d.month == 2 && leap ? 1 : 0);
  return d.day <= max;
}

}  // namespace

Result<Date> ParseDate(std::string_view s) {
  Date d;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !Digits(s, 0, 4, &d.year) ||
      !Digits(s, 5, 2, &d.month) || !Digits(s, 8, 2, &d.day) || !ValidDate(d)) {
    return Status::Invalid("not a date (YYYY-MM-DD): '" + std::string(Utf8Prefix(s, 40)) + "'");
  }
  return d;
}

Result<Date> ParseMonth(std::string_view s) {
  Date d;
  d.day = 1;
  if (s.size() != 7 || s[4] != '-' || !Digits(s, 0, 4, &d.year) || !Digits(s, 5, 2, &d.month) ||
      !ValidDate(d)) {
    return Status::Invalid("not a month (YYYY-MM): '" + std::string(Utf8Prefix(s, 40)) + "'");
  }
  return d;
}

Result<Timestamp> ParseTime(std::string_view s) {
  const auto bad = [&] {
    return Status::Invalid("not an ISO 8601 time: '" + std::string(Utf8Prefix(s, 40)) + "'");
  };
  if (s.size() < 10) return bad();
  auto date = ParseDate(s.substr(0, 10));
  if (!date.ok()) return bad();
  if (s.size() == 10) return BeijingMidnight(*date);
  if (s[10] != 'T' && s[10] != ' ') return bad();
  int hh = 0, mm = 0, ss = 0;
  size_t pos = 11;
  if (!Digits(s, pos, 2, &hh) || pos + 2 >= s.size() || s[pos + 2] != ':' ||
      !Digits(s, pos + 3, 2, &mm)) {
    return bad();
  }
  pos += 5;
  if (pos < s.size() && s[pos] == ':') {
    if (!Digits(s, pos + 1, 2, &ss)) return bad();
    pos += 3;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    }
  }
  if (hh > 23 || mm > 59 || ss > 60) return bad();
  std::int64_t offset = 0;
  if (pos == s.size()) {
    offset = kBeijingOffsetSeconds;  // no zone: Beijing time.
  } else if (s[pos] == 'Z' && pos + 1 == s.size()) {
    offset = 0;
  } else if ((s[pos] == '+' || s[pos] == '-') && pos + 6 == s.size() && s[pos + 3] == ':') {
    int oh = 0, om = 0;
    if (!Digits(s, pos + 1, 2, &oh) || !Digits(s, pos + 4, 2, &om) || oh > 14 || om > 59) {
      return bad();
    }
    offset = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
  } else {
    return bad();
  }
  return DaysFromCivil(*date) * kSecondsPerDay + hh * 3600 + mm * 60 + ss - offset;
}

Timestamp SystemClock::Now() const {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace jiesu
