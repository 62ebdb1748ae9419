#include "domain/calendar.hpp"

#include <gtest/gtest.h>

#include "common/csv.hpp"
#include "domain/deadlines.hpp"

namespace jiesu::domain {
namespace {

HolidayCalendar Shipped() {
  auto text = ReadFile(std::string(JIESU_SOURCE_DIR) + "/data/calendar/cn-workdays.csv");
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  auto cal = HolidayCalendar::FromCsv(*text);
  EXPECT_TRUE(cal.ok()) << cal.status().ToString();
  return *cal;
}

Date D(int y, int m, int d) { return {y, m, d}; }

TEST(CalendarTest, NationalDay2023HolidaysAndMakeUpSaturdays) {
  const HolidayCalendar cal = Shipped();
  // 2023-09-29 (Fri, 中秋) to 2023-10-06 are rest days; Sat 10-07 and Sun 10-08 are worked.
  for (int d = 29; d <= 30; ++d) EXPECT_FALSE(cal.IsWorkday(D(2023, 9, d))) << d;
  for (int d = 1; d <= 6; ++d) EXPECT_FALSE(cal.IsWorkday(D(2023, 10, d))) << d;
  EXPECT_TRUE(cal.IsWorkday(D(2023, 10, 7)));
  EXPECT_TRUE(cal.IsWorkday(D(2023, 10, 8)));
  EXPECT_TRUE(cal.IsWorkday(D(2023, 9, 28)));
  EXPECT_FALSE(cal.IsWorkday(D(2023, 10, 14)));  // ordinary Saturday
}

TEST(CalendarTest, WorkdayCountingSkipsTheHolidayAndUsesMakeUpDays) {
  const HolidayCalendar cal = Shipped();
  // Dispatched Thursday 2023-09-28: the 1st working day after is Saturday 10-07 (make-up day).
  EXPECT_EQ(cal.NthWorkdayAfter(D(2023, 9, 28), 1), D(2023, 10, 7));
  EXPECT_EQ(cal.NthWorkdayAfter(D(2023, 9, 28), 2), D(2023, 10, 8));
  EXPECT_EQ(cal.NthWorkdayAfter(D(2023, 9, 28), 3), D(2023, 10, 9));
  // Without the calendar the same count would land inside the holiday.
  HolidayCalendar plain;
  EXPECT_EQ(plain.NthWorkdayAfter(D(2023, 9, 28), 1), D(2023, 9, 29));
  EXPECT_EQ(cal.WorkdaysBetween(D(2023, 9, 25), D(2023, 10, 9)), 6);  // Mon–Thu + 2 make-up days
}

TEST(DeadlinesTest, WorkingDayLimitEndsAtTheCloseOfTheLastWorkingDay) {
  const HolidayCalendar cal = Shipped();
  Category c;
  c.limit = {LimitKind::kWorkdays, 3};
  c.response_hours = 2;
  const Timestamp dispatched = *ParseTime("2023-09-28T15:00:00+08:00");
  const Deadlines d = ComputeDeadlines(dispatched, c, Urgency::kNormal, cal);
  EXPECT_EQ(FormatTime(d.due), "2023-10-09T23:59:59+08:00");
  EXPECT_EQ(FormatTime(d.response_due), "2023-09-28T17:00:00+08:00");
}

TEST(DeadlinesTest, HoursAndDaysAndUrgencyCaps) {
  HolidayCalendar cal;
  Category c;
  c.limit = {LimitKind::kDays, 7};
  const Timestamp t = *ParseTime("2026-11-26T10:00:00+08:00");
  EXPECT_EQ(FormatTime(ComputeDeadlines(t, c, Urgency::kNormal, cal).due),
            "2026-12-03T10:00:00+08:00");
  EXPECT_EQ(FormatTime(ComputeDeadlines(t, c, Urgency::kUrgent, cal).due),
            "2026-11-27T10:00:00+08:00");
  EXPECT_EQ(FormatTime(ComputeDeadlines(t, c, Urgency::kEmergency, cal).due),
            "2026-11-26T12:00:00+08:00");
  c.limit = {LimitKind::kHours, 24};
  EXPECT_EQ(FormatTime(ComputeDeadlines(t, c, Urgency::kNormal, cal).due),
            "2026-11-27T10:00:00+08:00");
}

TEST(TimeLimitTest, ParsesAndRejects) {
  EXPECT_EQ(ParseTimeLimit("15wd")->kind, LimitKind::kWorkdays);
  EXPECT_EQ(ParseTimeLimit("24h")->amount, 24);
  EXPECT_FALSE(ParseTimeLimit("0d").ok());
  EXPECT_FALSE(ParseTimeLimit("7").ok());
  EXPECT_FALSE(ParseTimeLimit("7w").ok());
  EXPECT_FALSE(ParseTimeLimit("").ok());
}

}  // namespace
}  // namespace jiesu::domain
