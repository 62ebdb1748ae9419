#include "assess/monthly_assessment.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <string_view>

namespace jiesu::assess {

namespace {

using domain::Unit;
using domain::UnitLevel;
using domain::UnitTree;

// Scores are sums of products of fractions, so two units with the same counts can differ in the
// last bits depending on evaluation order; anything closer than this is one score.
constexpr double kScoreEpsilon = 1e-9;

bool SameScore(double a, double b) { return std::abs(a - b) <= kScoreEpsilon; }

// The unit at `level` that a fact against `code` counts for, or null when it counts for none.
const Unit* AssessedUnitOf(const UnitTree& tree, std::string_view code, UnitLevel level) {
  const Unit* unit = tree.Find(code);
  if (unit == nullptr) return nullptr;
  if (level == UnitLevel::kDistrict) return &tree.Root();
  // Departments hang off the district in the tree but are not territory: their cases belong to no
  // township or community even if a department was ever filed under one.
  if ((unit->level == UnitLevel::kDepartment) != (level == UnitLevel::kDepartment)) return nullptr;
  for (const Unit* u = unit; u != nullptr; u = u->parent.empty() ? nullptr : tree.Find(u->parent)) {
    if (u->level == level) return u;
  }
  return nullptr;
}

// Per-unit accumulators while scanning the facts.
struct Accumulator {
  domain::CallbackTally tally;
  int dispatched = 0;
  int accepted_on_time = 0;
  int replied = 0;
  int replied_on_time = 0;
  int open_overdue = 0;
  int replied_late = 0;
  int reopened = 0;
};

void AddCallback(Accumulator& acc, const CallbackFact& c) {
  // An unreachable callback says nothing about the unit's work (the citizen did not answer), so
  // it stays out of every denominator.
  if (!c.reachable) return;
  ++acc.tally.valid;
  if (c.contacted) ++acc.tally.contacted;
  if (c.resolved) ++acc.tally.resolved;
  switch (c.satisfaction) {
    case domain::Satisfaction::kSatisfied:
      ++acc.tally.satisfied;
      break;
    case domain::Satisfaction::kBasicallySatisfied:
      ++acc.tally.basically_satisfied;
      break;
    case domain::Satisfaction::kDissatisfied:
      ++acc.tally.dissatisfied;
      break;
  }
}

void AddDispatch(Accumulator& acc, const DispatchFact& d, Timestamp as_of) {
  ++acc.dispatched;
  if (d.accepted_at.has_value() && *d.accepted_at <= d.response_due) ++acc.accepted_on_time;
  // An open case is judged on its current round even if an earlier reply exists: the unit still
  // owes the work, so the earlier reply finished nothing.
  if (d.still_open) {
    if (as_of > d.due) ++acc.open_overdue;
    return;
  }
  if (d.replied_at.has_value()) {
    ++acc.replied;
    if (*d.replied_at <= d.due) {
      ++acc.replied_on_time;
    } else {
      ++acc.replied_late;
    }
  }
}

UnitAssessment Finish(const Unit& unit, const Accumulator& acc, const domain::ScoreWeights& w) {
  UnitAssessment out;
  out.code = unit.code;
  out.name = unit.short_name.empty() ? unit.name : unit.short_name;
  out.tally = acc.tally;
  if (acc.tally.valid > 0) {
    out.rates = domain::Score(acc.tally, w);
    out.low_sample = acc.tally.valid < w.min_samples;
    out.reopen_rate = static_cast<double>(acc.reopened) / acc.tally.valid;
  }
  out.dispatched = acc.dispatched;
  if (acc.dispatched > 0) {
    out.on_time_acceptance_rate = static_cast<double>(acc.accepted_on_time) / acc.dispatched;
  }
  const int completion_base = acc.replied + acc.open_overdue;
  if (completion_base > 0) {
    out.on_time_completion_rate = static_cast<double>(acc.replied_on_time) / completion_base;
  } else if (acc.dispatched > 0) {
    // Everything dispatched is still within its limit (or ended without a reply): nothing is
    // late, and reporting 0% would read as a failing unit.
    out.on_time_completion_rate = 1.0;
  }
  out.overdue = acc.replied_late + acc.open_overdue;
  out.reopened = acc.reopened;
  return out;
}

double RoundTo(double x, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(x * scale) / scale;
}

}  // namespace

Assessment AssessMonth(const MonthFacts& facts, const domain::UnitTree& units,
                       domain::UnitLevel level, const domain::ScoreWeights& weights) {
  Assessment result;
  result.month = facts.month;
  result.level = level;
  result.weights = weights;

  // Keyed by code so the zero-request list comes out in code order without another sort.
  std::map<std::string, Accumulator, std::less<>> acc;
  for (const Unit* u : units.ByLevel(level)) acc.emplace(u->code, Accumulator{});
  const auto target = [&](std::string_view code) -> Accumulator* {
    const Unit* u = AssessedUnitOf(units, code, level);
    if (u == nullptr) return nullptr;
    const auto it = acc.find(u->code);
    return it == acc.end() ? nullptr : &it->second;
  };

  for (const CallbackFact& c : facts.callbacks) {
    if (Accumulator* a = target(c.unit)) AddCallback(*a, c);
  }
  for (const DispatchFact& d : facts.dispatches) {
    if (Accumulator* a = target(d.unit)) AddDispatch(*a, d, facts.as_of);
  }
  for (const std::string& code : facts.reopened_units) {
    if (Accumulator* a = target(code)) ++a->reopened;
  }

  for (const auto& [code, a] : acc) {
    UnitAssessment ua = Finish(*units.Find(code), a, weights);
    if (a.tally.valid > 0) {
      result.units.push_back(std::move(ua));
    } else {
      result.zero_request_units.push_back(std::move(ua));
    }
  }

  std::sort(result.units.begin(), result.units.end(),
            [](const UnitAssessment& x, const UnitAssessment& y) {
              // A unit with too few callbacks is ranked, but after every unit with enough: one
              // quick case must not top the ranking (DESIGN §1a).
              if (x.low_sample != y.low_sample) return y.low_sample;
              if (!SameScore(x.rates.score, y.rates.score)) return x.rates.score > y.rates.score;
              if (x.tally.valid != y.tally.valid) return x.tally.valid > y.tally.valid;
              return x.code < y.code;
            });
  // Competition ranking: the tie-breakers order equal scores for display but do not split their
  // rank, since the published 成绩 is the same.
  for (std::size_t i = 0; i < result.units.size(); ++i) {
    UnitAssessment& u = result.units[i];
    if (i > 0 && u.low_sample == result.units[i - 1].low_sample &&
        SameScore(u.rates.score, result.units[i - 1].rates.score)) {
      u.rank = result.units[i - 1].rank;
    } else {
      u.rank = static_cast<int>(i) + 1;
    }
  }
  return result;
}

nlohmann::json AssessmentToJson(const Assessment& a) {
  const auto rate = [](double x) { return RoundTo(x, 4); };
  nlohmann::json units = nlohmann::json::array();
  for (const UnitAssessment& u : a.units) {
    units.push_back({
        {"code", u.code},
        {"name", u.name},
        {"valid_callbacks", u.tally.valid},
        {"response_rate", rate(u.rates.response)},
        {"resolution_rate", rate(u.rates.resolution)},
        {"satisfaction_rate", rate(u.rates.satisfaction)},
        {"score", RoundTo(u.rates.score, 2)},
        {"rank", u.rank},
        {"low_sample", u.low_sample},
        {"timeliness",
         {{"dispatched", u.dispatched},
          {"on_time_acceptance_rate", rate(u.on_time_acceptance_rate)},
          {"on_time_completion_rate", rate(u.on_time_completion_rate)},
          {"overdue", u.overdue},
          {"reopened", u.reopened},
          {"reopen_rate", rate(u.reopen_rate)}}},
        {"counts",
         {{"contacted", u.tally.contacted},
          {"resolved", u.tally.resolved},
          {"satisfied", u.tally.satisfied},
          {"basically_satisfied", u.tally.basically_satisfied},
          {"dissatisfied", u.tally.dissatisfied}}},
    });
  }
  nlohmann::json zero = nlohmann::json::array();
  for (const UnitAssessment& u : a.zero_request_units) {
    zero.push_back({{"code", u.code}, {"name", u.name}});
  }
  return {
      {"month", FormatMonth(a.month)},
      {"level", domain::UnitLevelName(a.level)},
      {"weights",
       {{"response", a.weights.response},
        {"resolution", a.weights.resolution},
        {"satisfaction", a.weights.satisfaction},
        {"basically_satisfied", a.weights.basically_satisfied},
        {"min_samples", a.weights.min_samples}}},
      {"units", std::move(units)},
      {"zero_request_units", std::move(zero)},
  };
}

}  // namespace jiesu::assess
