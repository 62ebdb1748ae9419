// Rectification figures of inspection rounds (巡察整改): found, rectified, 整改完成率 = rectified /
// found, and overdue, for a round and per inspected organisation, as of a moment (the end of a
// reviewed month, or now). Which findings a round answers for: its own, plus, for a 回头看, the
// earlier rounds' findings against the organisations it revisits (a finding counts for the
// organisation whose subtree holds its responsible unit).
//
// As of `as_of`: found = findings recorded before it; rectified = verified rectified before it
// and not reopened since (the current state is read, so a later reopening also uncounts an
// earlier month's rectification); overdue = not rectified and past the rectification deadline.
// Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "domain/case.hpp"
#include "domain/inspection.hpp"
#include "domain/unit.hpp"

namespace jiesu::assess {

struct Rectification {
  int found = 0;
  int rectified = 0;
  int overdue = 0;
  double Rate() const { return found == 0 ? 0.0 : static_cast<double>(rectified) / found; }
};

struct OrganisationRectification {
  std::string unit;  // an inspected organisation (or, for a finding moved outside them, its unit)
  std::string name;
  Rectification figures;
};

struct RoundFigures {
  domain::Inspection round;
  Rectification total;
  int own_findings = 0;        // recorded in this round (the rest are revisited ones)
  std::vector<OrganisationRectification> organisations;  // in the round's order, then extras
  std::vector<std::int64_t> finding_ids;                 // ascending
};

// A finding verified rectified before `as_of` (and not reopened since).
bool RectifiedBy(const domain::Case& finding, Timestamp as_of);
// A finding not rectified by `as_of` whose rectification deadline has passed.
bool OverdueAt(const domain::Case& finding, Timestamp as_of);

// Whether `c` is among the findings `round` answers for (recorded before as_of).
bool AnswersFor(const domain::Inspection& round, const domain::Case& c,
                const domain::UnitTree& units, Timestamp as_of);

// `findings`: cases of the round and of the rounds it revisits (others are ignored).
RoundFigures FigureRound(const domain::Inspection& round, const std::vector<domain::Case>& findings,
                         const domain::UnitTree& units, Timestamp as_of);

// The figures over several rounds, each finding counted once (a revisited finding is in two).
Rectification FigureDistinct(const std::vector<RoundFigures>& rounds,
                             const std::vector<domain::Case>& findings, Timestamp as_of);

// {found, rectified, rectification_rate, overdue}; rate null when nothing was found.
nlohmann::json RectificationToJson(const Rectification& r);
// {id, name, revisit, revisit_of, starts, ends, found, …, own_findings,
//  organisations:[{code, name, found, …}]}.
nlohmann::json RoundFiguresToJson(const RoundFigures& f);

}  // namespace jiesu::assess
