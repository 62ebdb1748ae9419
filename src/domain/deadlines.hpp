// Deadlines: when the response (签收) and the handling (办结) are due for a case dispatched at a
// given moment. Rules (DESIGN §3): the category's limit, tightened by urgency — an emergency is due
// in 2 hours whatever its category, an urgent case in at most 24 hours. Working-day limits end at
// the close of the n-th working day after the dispatch day (Beijing time). Pure and thread-safe.
#pragma once

#include "common/clock.hpp"
#include "domain/calendar.hpp"
#include "domain/category.hpp"

namespace jiesu::domain {

enum class Urgency { kNormal, kUrgent, kEmergency };
const char* UrgencyName(Urgency u);  // "normal", "urgent", "emergency"
Result<Urgency> ParseUrgency(std::string_view name);

struct Deadlines {
  Timestamp response_due = 0;
  Timestamp due = 0;
};

// The moment a limit runs out for something started at `start`.
Timestamp ApplyLimit(Timestamp start, TimeLimit limit, const HolidayCalendar& calendar);

Deadlines ComputeDeadlines(Timestamp dispatched_at, const Category& category, Urgency urgency,
                           const HolidayCalendar& calendar);

}  // namespace jiesu::domain
