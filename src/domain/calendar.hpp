// The Chinese working-day calendar: weekends are rest days except make-up working days (调休上班),
// and official holidays are rest days even on weekdays. Built once from the shipped
// cn-workdays.csv (date,type,name_en,name_zh,statutory_days; type holiday | workday_adjusted);
// immutable and thread-safe afterwards. Dates outside the covered years fall back to
// Monday–Friday.
#pragma once

#include <set>
#include <string_view>

#include "common/clock.hpp"
#include "common/result.hpp"

namespace jiesu::domain {

class HolidayCalendar {
 public:
  HolidayCalendar() = default;  // plain Monday–Friday
  static Result<HolidayCalendar> FromCsv(std::string_view text);

  bool IsWorkday(Date d) const;
  // The n-th working day strictly after `d` (n >= 1).
  Date NthWorkdayAfter(Date d, int n) const;
  // Working days in [from, to), for timeliness reports.
  int WorkdaysBetween(Date from, Date to) const;
  std::size_t holiday_count() const { return holidays_.size(); }

 private:
  std::set<std::int64_t> holidays_;  // days since epoch
  std::set<std::int64_t> workdays_;  // make-up working days on weekends
};

}  // namespace jiesu::domain
