#include "service/report_service.hpp"

#include <algorithm>
#include <map>

namespace jiesu::service {

using namespace jiesu::domain;

namespace {

Date NextMonth(Date d) {
  d.day = 1;
  d.month += 1;
  if (d.month > 12) {
    d.month = 1;
    d.year += 1;
  }
  return d;
}

Date PreviousMonth(Date d) {
  d.day = 1;
  d.month -= 1;
  if (d.month < 1) {
    d.month = 12;
    d.year -= 1;
  }
  return d;
}

}  // namespace

Result<std::map<std::int64_t, std::string>> ReportService::EnterpriseTownships(
    const std::vector<std::int64_t>& cases) {
  std::map<std::int64_t, std::string> out;
  if (cases.empty()) return out;
  JIESU_ASSIGN_OR_RETURN(auto enterprises, enterprises_.All());
  std::map<std::int64_t, std::string> township;  // enterprise id → its township
  for (const auto& e : enterprises) township.emplace(e.id, e.township);
  storage::CaseFilter requests;
  requests.enterprise_request = true;
  for (const storage::CaseFilter& f : storage::FiltersByIdSlices(cases, requests)) {
    JIESU_ASSIGN_OR_RETURN(auto slice, db_.ListCases(f));
    for (const Case& c : slice) {
      if (!c.enterprise_id) continue;
      if (auto it = township.find(*c.enterprise_id); it != township.end()) out[c.id] = it->second;
    }
  }
  return out;
}

Result<assess::ReviewReport> ReportService::Monthly(const std::string& month) {
  JIESU_ASSIGN_OR_RETURN(Date first, ParseMonth(month));
  const Timestamp from = BeijingMidnight(first);
  const Timestamp to = BeijingMidnight(NextMonth(first));
  // Same "now" as AssessmentService, so overdue facts agree with the assessment's counts.
  const Timestamp as_of = std::min(clock_.Now(), to);

  JIESU_ASSIGN_OR_RETURN(assess::Assessment current, assessments_.Monthly(month, "township"));
  JIESU_ASSIGN_OR_RETURN(assess::Assessment previous,
                         assessments_.Monthly(FormatMonth(PreviousMonth(first)), "township"));

  std::vector<assess::CaseFact> facts;
  assess::CommunityTally community(ref_->units);
  // For 企业服务包: the month's dispatched cases and valid callbacks; which of them are enterprise
  // requests is asked of the store afterwards (by the case's enterprise, whatever its category).
  std::vector<std::int64_t> dispatched;
  std::vector<std::pair<std::int64_t, CallbackTally>> answered;
  std::map<std::int64_t, std::string> category_of;  // case id → category, loaded once per case

  // Dispatched cases: the same selection and overdue rule as AssessmentService/AssessMonth.
  JIESU_ASSIGN_OR_RETURN(auto cases, db_.CasesDispatchedBetween(from, to, /*with_texts=*/true));
  for (const storage::DispatchedCase& c : cases) {
    category_of.emplace(c.id, c.category);
    if (c.merged_into) continue;
    if (c.source == CaseSource::kProactive) community.Proactive(c.unit);
    dispatched.push_back(c.id);
    if (!c.due || !c.response_due || c.merged_into ||
        c.source == CaseSource::kInspection) {
      continue;
    }
    assess::CaseFact f;
    f.unit = c.unit;
    f.category = c.category;
    f.dispatched = true;
    if (IsOpenForUnit(c.status)) {
      f.overdue = as_of > *c.due;
    } else {
      f.overdue = c.replied_at.has_value() && *c.replied_at > *c.due;
    }
    facts.push_back(std::move(f));
  }

  // Valid callbacks, each marked reopened when the case is reopened later in the month (events come
  // oldest first, so a reopen follows the callback it answers).
  JIESU_ASSIGN_OR_RETURN(auto events,
                         db_.EventsBetween(from, to, {EventKind::kCallback, EventKind::kReopened}));
  std::map<std::int64_t, std::size_t> last_callback;  // case id → index in facts
  for (const auto& ue : events) {
    const std::int64_t id = ue.event.case_id;
    if (ue.event.kind == EventKind::kReopened) {
      if (const auto it = last_callback.find(id); it != last_callback.end()) {
        facts[it->second].reopened = true;
        last_callback.erase(it);
      }
      continue;
    }
    const auto& p = ue.event.payload;
    if (!p.value("reachable", false)) continue;
    auto satisfaction = ParseSatisfaction(p.value("satisfaction", std::string()));
    if (!satisfaction.ok()) {
      return Status::Internal("corrupt callback event on case " + std::to_string(id));
    }
    auto known = category_of.find(id);
    if (known == category_of.end()) {
      JIESU_ASSIGN_OR_RETURN(Case c, db_.GetCase(id));
      known = category_of.emplace(id, c.category).first;
    }
    assess::CaseFact f;
    f.unit = ue.unit;
    f.category = known->second;
    f.valid_callback = true;
    f.resolved = p.value("resolved", false);
    switch (*satisfaction) {
      case Satisfaction::kSatisfied:
        f.satisfaction_points = 1.0;
        break;
      case Satisfaction::kBasicallySatisfied:
        f.satisfaction_points = config_.weights.basically_satisfied;
        break;
      case Satisfaction::kDissatisfied:
        f.satisfaction_points = 0.0;
        break;
    }
    CallbackTally one;
    one.valid = 1;
    one.contacted = p.value("contacted", false) ? 1 : 0;
    one.resolved = f.resolved ? 1 : 0;
    one.satisfied = *satisfaction == Satisfaction::kSatisfied ? 1 : 0;
    one.basically_satisfied = *satisfaction == Satisfaction::kBasicallySatisfied ? 1 : 0;
    one.dissatisfied = *satisfaction == Satisfaction::kDissatisfied ? 1 : 0;
    answered.emplace_back(id, one);
    last_callback[id] = facts.size();
    facts.push_back(std::move(f));
  }

  assess::ReviewReport report =
      assess::BuildReview(current, &previous, facts, ref_->units, ref_->catalogue);

  // 企业服务包: each request counted for its enterprise's township.
  std::vector<std::int64_t> ids = dispatched;
  for (const auto& [id, one] : answered) ids.push_back(id);
  JIESU_ASSIGN_OR_RETURN(auto township_of, EnterpriseTownships(ids));
  for (std::int64_t id : dispatched) {
    if (auto it = township_of.find(id); it != township_of.end()) community.EnterpriseRequest(it->second);
  }
  for (const auto& [id, one] : answered) {
    if (auto it = township_of.find(id); it != township_of.end()) {
      community.EnterpriseCallback(it->second, one);
    }
  }
  report.community = community.Figures(config_.weights);

  // 每月一题: the month's dispatched cases against the three months before, read one month at a
  // time (a city's month is hundreds of thousands of texts).
  auto topic_cases = [](std::vector<storage::DispatchedCase> list) {
    std::vector<assess::TopicCase> out;
    for (storage::DispatchedCase& c : list) {
      if (!c.merged_into && c.source != CaseSource::kInspection) {
        out.push_back({c.id, std::move(c.title), std::move(c.text), std::move(c.category),
                       std::move(c.unit)});
      }
    }
    return out;
  };
  assess::HotTopicFinder topics(topic_cases(std::move(cases)), ref_->catalogue, ref_->units);
  if (!topics.empty()) {
    Date m = first;
    for (int i = 0; i < 3; ++i) m = PreviousMonth(m);
    for (int i = 0; i < 3; ++i, m = NextMonth(m)) {
      JIESU_ASSIGN_OR_RETURN(auto list, db_.CasesDispatchedBetween(BeijingMidnight(m),
                                                                   BeijingMidnight(NextMonth(m)),
                                                                   /*with_texts=*/true));
      topics.AddEarlierMonth(topic_cases(std::move(list)));
    }
  }
  report.hot_topics = std::move(topics).Topics();

  // 巡察整改: the rounds that matter for the month, as of its end (for the running month, of
  // now, this second included).
  const Timestamp inspections_as_of = std::min(clock_.Now() + 1, to);
  JIESU_ASSIGN_OR_RETURN(report.inspections,
                         inspections_.FiguresForPeriod(from, inspections_as_of,
                                                       &report.inspections_total));
  report.inspections_as_of = inspections_as_of;
  return report;
}

}  // namespace jiesu::service
