#include "assess/inspection_figures.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace jiesu::assess {

using domain::Case;
using domain::Inspection;
using domain::UnitTree;

namespace {

void Count(Rectification& r, const Case& c, Timestamp as_of) {
  ++r.found;
  if (RectifiedBy(c, as_of)) ++r.rectified;
  if (OverdueAt(c, as_of)) ++r.overdue;
}

// The inspected organisation a finding belongs to: the first of the round's units whose subtree
// holds the finding's unit; empty when none does.
std::string OrganisationOf(const Inspection& round, const Case& c, const UnitTree& units) {
  for (const std::string& org : round.units) {
    if (units.IsWithin(c.unit, org)) return org;
  }
  return "";
}

}  // namespace

bool RectifiedBy(const Case& c, Timestamp as_of) { return c.rectified_at && *c.rectified_at < as_of; }

bool OverdueAt(const Case& c, Timestamp as_of) {
  return !RectifiedBy(c, as_of) && c.due && *c.due < as_of;
}

bool AnswersFor(const Inspection& round, const Case& c, const UnitTree& units, Timestamp as_of) {
  if (!c.inspection_id || c.created_at >= as_of) return false;
  if (*c.inspection_id == round.id) return true;
  const bool revisited = std::find(round.revisit_of.begin(), round.revisit_of.end(),
                                   *c.inspection_id) != round.revisit_of.end();
  return revisited && !OrganisationOf(round, c, units).empty();
}

RoundFigures FigureRound(const Inspection& round, const std::vector<Case>& findings,
                         const UnitTree& units, Timestamp as_of) {
  RoundFigures f;
  f.round = round;
  const auto name = [&](const std::string& code) {
    const domain::Unit* u = units.Find(code);
    return u ? u->name : code;
  };
  for (const std::string& org : round.units) f.organisations.push_back({org, name(org), {}});
  for (const Case& c : findings) {
    if (!AnswersFor(round, c, units, as_of)) continue;
    f.finding_ids.push_back(c.id);
    if (*c.inspection_id == round.id) ++f.own_findings;
    Count(f.total, c, as_of);
    std::string org = OrganisationOf(round, c, units);
    if (org.empty()) org = c.unit;  // moved outside the inspected organisations (objection upheld)
    auto it = std::find_if(f.organisations.begin(), f.organisations.end(),
                           [&](const OrganisationRectification& o) { return o.unit == org; });
    if (it == f.organisations.end()) {
      f.organisations.push_back({org, name(org), {}});
      it = f.organisations.end() - 1;
    }
    Count(it->figures, c, as_of);
  }
  std::sort(f.finding_ids.begin(), f.finding_ids.end());
  return f;
}

Rectification FigureDistinct(const std::vector<RoundFigures>& rounds,
                             const std::vector<Case>& findings, Timestamp as_of) {
  std::set<std::int64_t> ids;
  for (const RoundFigures& r : rounds) ids.insert(r.finding_ids.begin(), r.finding_ids.end());
  Rectification total;
  for (const Case& c : findings) {
    if (ids.erase(c.id) > 0) Count(total, c, as_of);
  }
  return total;
}

nlohmann::json RectificationToJson(const Rectification& r) {
  return {{"found", r.found},
          {"rectified", r.rectified},
          {"rectification_rate",
           r.found == 0 ? nlohmann::json(nullptr)
                        : nlohmann::json(std::round(r.Rate() * 10000) / 10000)},
          {"overdue", r.overdue}};
}

nlohmann::json RoundFiguresToJson(const RoundFigures& f) {
  nlohmann::json j = RectificationToJson(f.total);
  j["id"] = f.round.id;
  j["name"] = f.round.name;
  j["revisit"] = f.round.IsRevisit();
  j["revisit_of"] = f.round.revisit_of;
  j["starts"] = FormatTime(f.round.starts);
  j["ends"] = f.round.ends ? nlohmann::json(FormatTime(*f.round.ends)) : nlohmann::json(nullptr);
  j["own_findings"] = f.own_findings;
  nlohmann::json orgs = nlohmann::json::array();
  for (const auto& o : f.organisations) {
    nlohmann::json oj = RectificationToJson(o.figures);
    oj["code"] = o.unit;
    oj["name"] = o.name;
    orgs.push_back(std::move(oj));
  }
  j["organisations"] = std::move(orgs);
  return j;
}

}  // namespace jiesu::assess
