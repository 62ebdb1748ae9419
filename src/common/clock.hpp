// Time in jiesu: a Timestamp is whole seconds since the Unix epoch (UTC). Civil dates and times are
// Beijing time (UTC+08:00, no daylight saving), the only zone the platform runs in; every time the
// API prints carries the +08:00 offset. Clock is the injectable source of "now" so that tests and
// the demo generator can run on simulated time. SystemClock is thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace jiesu {

using Timestamp = std::int64_t;

inline constexpr std::int64_t kBeijingOffsetSeconds = 8 * 3600;
inline constexpr std::int64_t kSecondsPerDay = 86400;

// A civil date (proleptic Gregorian).
struct Date {
  int year = 1970;
  int month = 1;
  int day = 1;
  friend auto operator<=>(const Date&, const Date&) = default;
};

// Days since 1970-01-01 for a civil date, and back. Valid for years 1..9999.
std::int64_t DaysFromCivil(Date d);
Date CivilFromDays(std::int64_t days);
// 0 = Monday ... 6 = Sunday.
int Weekday(Date d);
Date AddDays(Date d, std::int64_t n);

// The Beijing civil date of a timestamp, and the timestamp of a Beijing date's midnight.
Date BeijingDate(Timestamp t);
Timestamp BeijingMidnight(Date d);

// "2026-11-26T10:37:00+08:00".
std::string FormatTime(Timestamp t);
// "2026-11-26".
std::string FormatDate(Date d);
// Accepts "YYYY-MM-DD" (Beijing midnight), "YYYY-MM-DDTHH:MM[:SS][.fff](Z|±HH:MM)" and the same
// with a space for the T. Fails with InvalidArgument on anything else or an impossible date.
Result<Timestamp> ParseTime(std::string_view text);
Result<Date> ParseDate(std::string_view text);
// "YYYY-MM" → the first day of that month.
Result<Date> ParseMonth(std::string_view text);
std::string FormatMonth(Date first_day);

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Timestamp Now() const override;
};

// A clock that returns what it is told to; for tests and simulations. Not thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp t) : now_(t) {}
  Timestamp Now() const override { return now_; }
  void Set(Timestamp t) { now_ = t; }
  void Advance(std::int64_t seconds) { now_ += seconds; }

 private:
  Timestamp now_;
};

}  // namespace jiesu
