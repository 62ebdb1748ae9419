#include "service/inspection_service.hpp"

#include <algorithm>
#include <set>

#include "common/utf8.hpp"

namespace jiesu::service {

using namespace jiesu::domain;

namespace {

constexpr std::size_t kMaxNameChars = 200;
constexpr std::size_t kMaxUnits = 1000;
constexpr std::size_t kMaxRevisits = 100;

Status MayWrite(const Actor& actor) {
  if (actor.role == Role::kInspector || actor.role == Role::kAdmin) return Status::Ok();
  return Status::Forbidden(std::string("role ") + RoleName(actor.role) +
                           " may not record inspection rounds or findings");
}

Status MayRead(const Actor& actor) {
  if (actor.role == Role::kInspector || actor.role == Role::kAdmin ||
      actor.role == Role::kSupervisor) {
    return Status::Ok();
  }
  return Status::Forbidden(std::string("role ") + RoleName(actor.role) +
                           " may not read inspection rounds");
}

}  // namespace

Result<Inspection> InspectionService::Create(const Actor& actor, const NewInspectionInput& in) {
  JIESU_RETURN_IF_ERROR(MayWrite(actor));
  Inspection r;
  r.name = std::string(TrimSpace(in.name));
  if (r.name.empty()) return Status::Invalid("name is required");
  JIESU_RETURN_IF_ERROR(CheckText(r.name, "name", kMaxNameChars));
  if (in.revisit_of.size() > kMaxRevisits) return Status::Invalid("too many revisited rounds");
  std::set<std::int64_t> seen_rounds;
  std::vector<std::string> revisited_units;
  for (std::int64_t id : in.revisit_of) {
    if (!seen_rounds.insert(id).second) {
      return Status::Invalid("revisit_of names round " + std::to_string(id) + " twice");
    }
    auto earlier = db_.GetInspection(id);
    if (!earlier.ok()) {
      if (earlier.status().code() == StatusCode::kNotFound) {
        return Status::Invalid("revisit_of: no inspection round " + std::to_string(id));
      }
      return earlier.status();
    }
    for (const auto& u : earlier->units) {
      if (std::find(revisited_units.begin(), revisited_units.end(), u) == revisited_units.end()) {
        revisited_units.push_back(u);
      }
    }
    r.revisit_of.push_back(id);
  }
  r.units = in.units.empty() ? revisited_units : in.units;
  if (r.units.empty()) return Status::Invalid("units is required (the inspected organisations)");
  if (r.units.size() > kMaxUnits) return Status::Invalid("too many units");
  std::set<std::string> seen_units;
  for (const auto& code : r.units) {
    if (ref_->units.Find(code) == nullptr) return Status::Invalid("unknown unit '" + code + "'");
    if (!seen_units.insert(code).second) {
      return Status::Invalid("units names '" + code + "' twice");
    }
  }
  const Timestamp now = clock_.Now();
  r.starts = in.starts.value_or(now);
  r.ends = in.ends;
  if (r.ends && *r.ends < r.starts) return Status::Invalid("ends must not be before starts");
  r.created_at = now;
  r.created_by = actor.name;
  JIESU_ASSIGN_OR_RETURN(r.id, db_.InsertInspection(r));
  return r;
}

Result<CaseView> InspectionService::AddFinding(const Actor& actor, std::int64_t round_id,
                                               const NewFindingInput& in) {
  JIESU_RETURN_IF_ERROR(MayWrite(actor));
  JIESU_ASSIGN_OR_RETURN(Inspection round, db_.GetInspection(round_id));
  if (in.unit.empty()) return Status::Invalid("unit is required (the organisation concerned)");
  if (ref_->units.Find(in.unit) == nullptr) return Status::Invalid("unknown unit '" + in.unit + "'");
  const bool inspected = std::any_of(round.units.begin(), round.units.end(), [&](const auto& org) {
    return ref_->units.IsWithin(in.unit, org);
  });
  if (!inspected) {
    return Status::Invalid("unit '" + in.unit + "' is not among the organisations of round " +
                           std::to_string(round_id));
  }
  if (!in.due) return Status::Invalid("due is required (the rectification deadline)");
  NewCaseInput c;
  c.type = in.type.empty() ? "report" : in.type;
  c.title = in.title;
  c.text = in.text;
  c.source = "inspection";
  c.category = in.category;
  c.unit = in.unit;
  c.inspection_id = round_id;
  c.due = in.due;
  return cases_.Create(actor, c);
}

Result<std::vector<Case>> InspectionService::FindingsOf(const Inspection& round) {
  std::vector<std::int64_t> ids = round.revisit_of;
  ids.push_back(round.id);
  return db_.CasesOfInspections(ids);
}

Result<InspectionView> InspectionService::Get(const Actor& actor, std::int64_t round_id) {
  JIESU_RETURN_IF_ERROR(MayRead(actor));
  JIESU_ASSIGN_OR_RETURN(Inspection round, db_.GetInspection(round_id));
  JIESU_ASSIGN_OR_RETURN(auto cases, FindingsOf(round));
  InspectionView v;
  v.as_of = clock_.Now() + 1;  // what is recorded up to now, this second included
  v.figures = assess::FigureRound(round, cases, ref_->units, v.as_of);
  for (Case& c : cases) {
    if (std::binary_search(v.figures.finding_ids.begin(), v.figures.finding_ids.end(), c.id)) {
      v.findings.push_back(std::move(c));
    }
  }
  return v;
}

Result<std::vector<assess::RoundFigures>> InspectionService::List(const Actor& actor) {
  JIESU_RETURN_IF_ERROR(MayRead(actor));
  JIESU_ASSIGN_OR_RETURN(auto rounds, db_.ListInspections());
  const Timestamp as_of = clock_.Now() + 1;
  std::vector<assess::RoundFigures> out;
  for (auto it = rounds.rbegin(); it != rounds.rend(); ++it) {
    JIESU_ASSIGN_OR_RETURN(auto cases, FindingsOf(*it));
    out.push_back(assess::FigureRound(*it, cases, ref_->units, as_of));
  }
  return out;
}

Result<std::vector<assess::RoundFigures>> InspectionService::FiguresForPeriod(
    Timestamp from, Timestamp as_of, assess::Rectification* distinct) {
  JIESU_ASSIGN_OR_RETURN(auto rounds, db_.ListInspections());
  std::vector<assess::RoundFigures> out;
  std::vector<Case> all;
  for (const Inspection& round : rounds) {
    if (round.starts >= as_of) continue;
    JIESU_ASSIGN_OR_RETURN(auto cases, FindingsOf(round));
    auto figures = assess::FigureRound(round, cases, ref_->units, as_of);
    const bool ended_before = round.ends && *round.ends < from;
    if (ended_before) {
      const auto at_start = assess::FigureRound(round, cases, ref_->units, from);
      if (at_start.total.rectified == at_start.total.found) continue;  // settled before the month
    }
    out.push_back(std::move(figures));
    all.insert(all.end(), cases.begin(), cases.end());
  }
  if (distinct) *distinct = assess::FigureDistinct(out, all, as_of);
  return out;
}

}  // namespace jiesu::service
