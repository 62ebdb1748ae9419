// The monthly assessment (考评, DESIGN §3): for one month, every unit of a level (township,
// community or department) with its callback rates, 综合成绩, rank, low-sample flag and timeliness
// figures; units with no valid callback are listed apart as zero-request units (never scored 0).
// Pure computation over facts the caller has loaded; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "domain/case.hpp"
#include "domain/scoring.hpp"
#include "domain/unit.hpp"

namespace jiesu::assess {

// One valid-or-not callback recorded in the month, against the unit responsible at the time.
struct CallbackFact {
  std::string unit;       // any level; rolled up to the assessed level (see AssessMonth)
  bool reachable = true;  // false: not a valid callback; counts nowhere, not even in `valid`
  bool contacted = false;
  bool resolved = false;
  domain::Satisfaction satisfaction = domain::Satisfaction::kSatisfied;
};

// A case dispatched in the month (its latest dispatch), for timeliness figures. Each fact is judged
// by exactly one of: still open (overdue when as_of > due), else replied (on time when
// replied_at <= due, else late = overdue), else neither (closed without a reply, e.g. merged or
// transferred: counts only in `dispatched` and acceptance).
struct DispatchFact {
  std::string unit;
  Timestamp dispatched_at = 0;
  std::optional<Timestamp> accepted_at;
  Timestamp response_due = 0;
  std::optional<Timestamp> replied_at;  // latest reply, if any
  Timestamp due = 0;
  bool still_open = false;  // the unit still owes work (dispatched/accepted/objected)
};

struct MonthFacts {
  Date month;           // first day
  Timestamp as_of = 0;  // "now" for open cases' overdue status
  std::vector<CallbackFact> callbacks;
  std::vector<DispatchFact> dispatches;
  // Reopen events in the month, by the unit responsible when reopened.
  std::vector<std::string> reopened_units;
};

struct UnitAssessment {
  std::string code;
  std::string name;
  domain::CallbackTally tally;
  domain::Rates rates;
  int rank = 0;             // 1-based; ties share a rank (competition ranking: 1, 2, 2, 4)
  bool low_sample = false;  // fewer valid callbacks than min_samples: 样本不足
  // Timeliness over the month's DispatchFacts, rolled up like callbacks. Filled for zero-request
  // units too (a unit can have dispatches but no callback yet).
  int dispatched = 0;  // number of DispatchFacts
  // 按时签收率 = (accepted_at set and <= response_due) / dispatched; 0 when nothing was dispatched.
  double on_time_acceptance_rate = 0;
  // 按期办结率 = replied by due / (replied + still open past due at as_of). Open cases not yet due
  // are left out (they may still finish on time); when that denominator is 0 the rate is 1.0 if
  // anything was dispatched (nothing late yet), else 0.
  double on_time_completion_rate = 0;
  int overdue = 0;         // replied after due, plus still open with as_of > due
  int reopened = 0;        // 重办 events in the month (MonthFacts::reopened_units rolled up)
  double reopen_rate = 0;  // 返工率 = reopened / valid callbacks; 0 when there is no valid callback
};

struct Assessment {
  Date month;
  domain::UnitLevel level = domain::UnitLevel::kTownship;
  domain::ScoreWeights weights;
  std::vector<UnitAssessment> units;               // ranked, best first
  std::vector<UnitAssessment> zero_request_units;  // no valid callback; tally/rates empty
};

// Assesses every unit of `level` in the tree. A fact (callback, dispatch, reopen) against unit X
// counts for the nearest unit at `level` among X and its ancestors:
//  - township: X's township (UnitTree::TownshipOf), so communities and grids roll up; facts against
//    the district itself or a department count for no township;
//  - community: X itself or the community above a grid; township/district/department facts count
//    for no community;
//  - department: department facts only;
//  - district: every fact in the tree.
// Facts naming a code missing from the tree count nowhere. Units with a valid callback are scored
// (domain::Score) and ranked: units flagged low_sample after all others, then by score descending
// (scores within 1e-9 are equal), then more valid callbacks, then code; equal scores share a rank
// (1, 2, 2, 4). Units without one go to
// zero_request_units, ordered by code. Never fails.
Assessment AssessMonth(const MonthFacts& facts, const domain::UnitTree& units,
                       domain::UnitLevel level, const domain::ScoreWeights& weights);

// The JSON of DESIGN §6.3 GET /api/v1/assessments: {month, level, weights, units[],
// zero_request_units[]}; each unit carries its rates, score, rank, low_sample, timeliness{} and
// counts{}. Names are Unit::short_name (悟仙观社区, not 悟仙观社区居委会). Rates are rounded to 4
// decimals and scores to 2 here, for display only; the struct keeps full precision. Never fails.
nlohmann::json AssessmentToJson(const Assessment& a);

}  // namespace jiesu::assess
