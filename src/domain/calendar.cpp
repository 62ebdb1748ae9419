#include "domain/calendar.hpp"

#include "common/csv.hpp"

namespace jiesu::domain {

Result<HolidayCalendar> HolidayCalendar::FromCsv(std::string_view text) {
  JIESU_ASSIGN_OR_RETURN(auto rows, ParseCsv(text));
  if (rows.empty()) return Status::Invalid("calendar: empty file");
  const int c_date = CsvColumn(rows[0], "date"), c_type = CsvColumn(rows[0], "type");
  if (c_date < 0 || c_type < 0) return Status::Invalid("calendar: need columns date,type");
  HolidayCalendar cal;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const CsvRow& r = rows[i];
    if (r.size() < rows[0].size()) return Status::Invalid("calendar: short row");
    JIESU_ASSIGN_OR_RETURN(Date d, ParseDate(r[c_date]));
    if (r[c_type] == "holiday") {
      cal.holidays_.insert(DaysFromCivil(d));
    } else if (r[c_type] == "in_lieu_rest") {
      cal.holidays_.insert(DaysFromCivil(d));  // also listed as holiday; rest either way
    } else if (r[c_type] == "workday_adjusted") {
      cal.workdays_.insert(DaysFromCivil(d));
    } else {
      return Status::Invalid("calendar: unknown type '" + r[c_type] + "'");
    }
  }
  return cal;
}

bool HolidayCalendar::IsWorkday(Date d) const {
  const std::int64_t days = DaysFromCivil(d);
  if (workdays_.count(days)) return true;
  if (holidays_.count(days)) return false;
  return Weekday(d) < 5;
}

Date HolidayCalendar::NthWorkdayAfter(Date d, int n) const {
  while (n > 0) {
    d = AddDays(d, 1);
    if (IsWorkday(d)) --n;
  }
  return d;
}

int HolidayCalendar::WorkdaysBetween(Date from, Date to) const {
  int n = 0;
  for (Date d = from; d < to; d = AddDays(d, 1)) n += IsWorkday(d);
  return n;
}

}  // namespace jiesu::domain
