#include "service/assessment_service.hpp"

#include <algorithm>
#include <set>

namespace jiesu::service {

using namespace jiesu::domain;

Result<std::set<std::int64_t>> AssessmentService::ReopenedFindings(
    const std::vector<storage::Database::UnitEvent>& events) {
  std::vector<std::int64_t> reopened;
  for (const auto& ue : events) {
    if (ue.event.kind == EventKind::kReopened) reopened.push_back(ue.event.case_id);
  }
  std::sort(reopened.begin(), reopened.end());
  reopened.erase(std::unique(reopened.begin(), reopened.end()), reopened.end());
  std::set<std::int64_t> out;
  storage::CaseFilter findings;
  findings.sources = {CaseSource::kInspection};
  for (const storage::CaseFilter& f : storage::FiltersByIdSlices(reopened, findings)) {
    JIESU_ASSIGN_OR_RETURN(auto found, db_.ListCaseTexts(f));
    for (const storage::CaseText& c : found) out.insert(c.id);
  }
  return out;
}

Result<assess::Assessment> AssessmentService::Monthly(const std::string& month,
                                                      const std::string& level_name) {
  JIESU_ASSIGN_OR_RETURN(Date first, ParseMonth(month));
  JIESU_ASSIGN_OR_RETURN(UnitLevel level, ParseUnitLevel(level_name.empty() ? "township"
                                                                            : level_name));
  if (level == UnitLevel::kDistrict || level == UnitLevel::kGrid) {
    return Status::Invalid("level must be township, community or department");
  }
  Date next = first;
  next.month += 1;
  if (next.month > 12) {
    next.month = 1;
    next.year += 1;
  }
  const Timestamp from = BeijingMidnight(first);
  const Timestamp to = BeijingMidnight(next);

  assess::MonthFacts facts;
  facts.month = first;
  facts.as_of = std::min(clock_.Now(), to);
  JIESU_ASSIGN_OR_RETURN(auto events,
                         db_.EventsBetween(from, to, {EventKind::kCallback, EventKind::kReopened}));
  JIESU_ASSIGN_OR_RETURN(const std::set<std::int64_t> findings, ReopenedFindings(events));
  for (const auto& ue : events) {
    const auto& p = ue.event.payload;
    if (ue.event.kind == EventKind::kReopened) {
      // A 回头看 reopening an inspection finding is the inspection's business, not a 重办.
      if (!findings.contains(ue.event.case_id)) facts.reopened_units.push_back(ue.unit);
      continue;
    }
    assess::CallbackFact f;
    f.unit = ue.unit;
    f.reachable = p.value("reachable", false);
    if (f.reachable) {
      f.contacted = p.value("contacted", false);
      f.resolved = p.value("resolved", false);
      auto s = ParseSatisfaction(p.value("satisfaction", std::string()));
      if (!s.ok()) return Status::Internal("corrupt callback event on case " +
                                           std::to_string(ue.event.case_id));
      f.satisfaction = *s;
    }
    facts.callbacks.push_back(std::move(f));
  }
  JIESU_ASSIGN_OR_RETURN(auto cases, db_.CasesDispatchedBetween(from, to, /*with_texts=*/false));
  for (const storage::DispatchedCase& c : cases) {
    // Inspection findings are the inspection's figures (inspection_figures), not 接诉即办 work.
    if (!c.due || !c.response_due || c.merged_into ||
        c.source == CaseSource::kInspection) {
      continue;
    }
    assess::DispatchFact d;
    d.unit = c.unit;
    d.dispatched_at = c.dispatched_at;
    d.accepted_at = c.accepted_at;
    d.response_due = *c.response_due;
    d.replied_at = c.replied_at;
    d.due = *c.due;
    d.still_open = IsOpenForUnit(c.status);
    facts.dispatches.push_back(d);
  }
  return assess::AssessMonth(facts, ref_->units, level, config_.weights);
}

}  // namespace jiesu::service
