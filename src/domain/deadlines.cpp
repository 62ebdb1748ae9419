#include "domain/deadlines.hpp"

#include <algorithm>

namespace jiesu::domain {

const char* UrgencyName(Urgency u) {
  switch (u) {
    case Urgency::kNormal: return "normal";
    case Urgency::kUrgent: return "urgent";
    case Urgency::kEmergency: return "emergency";
  }
  return "normal";
}

Result<Urgency> ParseUrgency(std::string_view name) {
  if (name == "normal" || name.empty()) return Urgency::kNormal;
  if (name == "urgent") return Urgency::kUrgent;
  if (name == "emergency") return Urgency::kEmergency;
  return Status::Invalid("urgency must be normal, urgent or emergency");
}

Timestamp ApplyLimit(Timestamp start, TimeLimit limit, const HolidayCalendar& calendar) {
  switch (limit.kind) {
    case LimitKind::kHours: return start + std::int64_t{limit.amount} * 3600;
    case LimitKind::kDays: return start + std::int64_t{limit.amount} * kSecondsPerDay;
    case LimitKind::kWorkdays: {
      const Date last = calendar.NthWorkdayAfter(BeijingDate(start), limit.amount);
      return BeijingMidnight(AddDays(last, 1)) - 1;  // 23:59:59 of the last working day
    }
  }
  return start;
}

Deadlines ComputeDeadlines(Timestamp dispatched_at, const Category& category, Urgency urgency,
                           const HolidayCalendar& calendar) {
  Deadlines d;
  d.response_due = dispatched_at + std::int64_t{category.response_hours} * 3600;
  d.due = ApplyLimit(dispatched_at, category.limit, calendar);
  if (urgency == Urgency::kEmergency) {
    d.response_due = std::min(d.response_due, dispatched_at + 1800);
    d.due = std::min(d.due, dispatched_at + 2 * 3600);
  } else if (urgency == Urgency::kUrgent) {
    d.response_due = std::min(d.response_due, dispatched_at + 3600);
    d.due = std::min(d.due, dispatched_at + 24 * 3600);
  }
  return d;
}

}  // namespace jiesu::domain
