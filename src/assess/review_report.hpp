// The monthly review report (月度点评, DESIGN §3 "Monthly review", §6.3 GET
// /api/v1/reports/monthly): every township-level unit ranked with its score, rank change, rates,
// volume and overdue cases, its strengths and shortfalls by work area (派单目录 大类 or 小类)
// against the district, each backed by a count and a significance rule (docs/assessment.md, "点评
// rules"), and one 点评 paragraph in Chinese that says exactly those verdicts; zero-request units
// apart.
//
// Pure computation over an assessment the caller has made (AssessMonth, township level) and
// per-case facts it has loaded; BuildReview never fails. Thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "assess/hot_topics.hpp"
#include "assess/inspection_figures.hpp"
#include "assess/community_figures.hpp"
#include "assess/monthly_assessment.hpp"
#include "common/clock.hpp"
#include "domain/category.hpp"
#include "domain/scoring.hpp"
#include "domain/unit.hpp"

namespace jiesu::assess {

// One observation of the month for the work-area comparison. The loader emits one fact per valid
// callback recorded in the month and one per case dispatched in the month (the same cases
// AssessMonth counts); a fact may carry both. Fields in brackets only count when their flag is set.
struct CaseFact {
  // The responsible unit, any level; counted for its township (UnitTree::TownshipOf). Facts with
  // no township (the district, departments, unknown codes) are ignored.
  std::string unit;
  // Catalogue code, 小类 or 大类; empty or unknown: only in the area-wide pool.
  std::string category;
  bool dispatched = false;  // dispatched in the month: counts in volume and the overdue base
  bool overdue = false;     // [dispatched] replied late or open past its deadline, as AssessMonth
  bool valid_callback = false;     // a valid (reachable) callback recorded in the month
  bool resolved = false;           // [valid_callback] 解决
  double satisfaction_points = 0;  // [valid_callback] 1 满意, the 基本满意 weight, 0 不满意
  bool reopened = false;           // [valid_callback] reopened (重办) after it, same month
};

// What a verdict measures. Resolution and satisfaction are over valid callbacks (higher is better);
// overdue over dispatched cases, reopen over valid callbacks (lower is better).
enum class Metric { kResolutionRate, kSatisfactionRate, kOverdueRate, kReopenRate };
const char* MetricName(Metric m);   // "resolution_rate", "satisfaction_rate", ...
const char* MetricLabel(Metric m);  // 解决率, 满意率, 超期率, 重办率
bool HigherIsBetter(Metric m);

// The thresholds of the 点评 rules; the defaults are the ones docs/assessment.md states.
struct ReviewRules {
  int min_n = 5;                 // the unit's observations in the area for the metric
  double z = 1.96;               // two-sided 5 % level
  double min_difference = 0.05;  // |unit − district| in rate points
  int max_areas = 3;             // areas named per side (strengths, shortfalls), strongest first
};

// How wide a verdict's work area is: one 小类, a 大类 (its 小类 pooled), or every area of the unit
// pooled (named after the metric in text: 诉求解决, 群众满意, 按期办结, 一次办结).
enum class AreaLevel { kSubcategory, kCategory, kAll };
const char* AreaLevelLabel(AreaLevel level);  // 小类, 大类, 全部

// One strength or shortfall: a work area, a metric, and the numbers that back it.
struct Verdict {
  std::string category_code;  // empty for AreaLevel::kAll
  std::string category_name;  // 全部领域 for AreaLevel::kAll
  AreaLevel level = AreaLevel::kSubcategory;
  Metric metric = Metric::kResolutionRate;
  double unit_value = 0;
  double district_value = 0;  // the whole district over the same mix of 小类 (see the rules)
  int n = 0;                  // the unit's observations in the area
  int count = 0;              // overdue or reopened cases behind unit_value (those metrics only)
  double z = 0;               // signed: positive when the unit's value is above the district's
};

struct UnitReview {
  std::string code;
  std::string name;
  double score = 0;
  int rank = 0;
  std::optional<int> rank_change;  // previous rank − rank (positive: moved up);
                                   // none: not ranked then
  bool low_sample = false;
  int valid_callbacks = 0;
  double response_rate = 0;
  double resolution_rate = 0;
  double satisfaction_rate = 0;
  int volume = 0;   // cases dispatched to the unit (and the units below it) in the month
  int overdue = 0;  // as UnitAssessment::overdue
  std::vector<Verdict> strengths;   // ordered as named in `text`
  std::vector<Verdict> shortfalls;  // ordered as named in `text`
  std::string text;                 // the 点评 paragraph: says every verdict above and no other
};

// A unit with no valid callback in the month (零诉求): listed apart, never scored or ranked.
struct ZeroRequestUnit {
  std::string code;
  std::string name;
  int volume = 0;  // cases dispatched to it in the month that have no valid callback yet
};

struct DistrictSummary {
  std::string name;  // 通州区
  int units_ranked = 0;
  int valid_callbacks = 0;
  domain::Rates rates;  // over every township's valid callbacks; zero when there is none
  int volume = 0;
  int overdue = 0;
};

struct ReviewReport {
  Date month;
  domain::ScoreWeights weights;
  ReviewRules rules;
  DistrictSummary district;
  std::vector<UnitReview> units;                    // in ranking order
  std::vector<ZeroRequestUnit> zero_request_units;  // by code
  std::vector<HotTopic> hot_topics;  // set by the caller (FindHotTopics); largest first
  // 巡察整改, set by the caller: the rounds that matter for the month (oldest first), their
  // distinct findings' figures, as of the month's end (or now, for the running month).
  std::vector<RoundFigures> inspections;
  Rectification inspections_total;
  Timestamp inspections_as_of = 0;
  // 主动治理 and 企业服务包, set by the caller (community_figures.hpp).
  CommunityFigures community;
};

// Builds the review of `current` (a township-level assessment). `previous` is the month before (for
// rank_change; nullptr or a month with no ranked unit gives no rank change). `facts` are the
// month's observations; `units` and `catalogue` name units and work areas. Never fails.
ReviewReport BuildReview(const Assessment& current, const Assessment* previous,
                         const std::vector<CaseFact>& facts, const domain::UnitTree& units,
                         const domain::Catalogue& catalogue, const ReviewRules& rules = {});

// "本月主动治理工单12件：梨园镇5件、中仓街道4件……", or that there was none.
std::string ProactiveText(const CommunityFigures& f);
// "本月企业诉求8件，有效回访6件，响应率100%、解决率83%、满意率90%。", or that there was none.
std::string EnterpriseText(const CommunityFigures& f);
// {proactive: {total, text, townships}, enterprise: {requests, valid_callbacks, rates, text,
// townships}} (rates null without a valid callback).
nlohmann::json CommunityToJson(const CommunityFigures& f);

// "通州区接诉即办月度点评（2026年10月）".
std::string ReviewTitle(const ReviewReport& r);
// "2026年10月".
std::string ChineseMonth(Date month);
// A rate as a whole percentage for text: 0.976 → "98%".
std::string Percent(double rate);
// The district paragraph that opens the report (全区 volume, callbacks, rates, units ranked).
std::string DistrictText(const ReviewReport& r);
// How a zero-request unit is described ("本月零诉求" or "派单N件，尚无有效回访").
std::string ZeroRequestText(const ZeroRequestUnit& z);
// One hot topic in a sentence: "张村独居老人生活困难（民政，29件，较前3月月均增长102%；涉及梨园镇4件、
// 马驹桥镇3件、永乐店镇3件）", or "…，新出现…" when the earlier months had none.
std::string HotTopicText(const HotTopic& t);
// "上升2位", "下降1位", "持平", "上月未排名".
std::string RankChangeText(const std::optional<int>& change);
// The rules in one Chinese sentence, for the report's footnote.
std::string RulesText(const ReviewRules& rules);

// The JSON of DESIGN §6.3 GET /api/v1/reports/monthly: {month, title, weights, rules, district,
// units[], zero_request_units[], inspections:{as_of, found, rectified, rectification_rate, overdue,
// rounds:[…]}, hot_topics:[]}. Rates rounded to 4 decimals,
// scores to 2, for display. Never fails.
nlohmann::json ReviewToJson(const ReviewReport& r);
// {as_of, found, rectified, rectification_rate, overdue, text, rounds:[RoundFiguresToJson…]}.
nlohmann::json InspectionsToJson(const ReviewReport& r);
// "本月在办巡察2轮（其中回头看1轮），累计发现问题466个，已整改452个，整改完成率97.0%，超期未整改3个。"
std::string InspectionText(const ReviewReport& r);
// The organisations whose rectification is not complete, round by round; a round revisited by a
// later listed round is left to that 回头看 (which answers for its findings).
std::vector<std::pair<const RoundFigures*, const OrganisationRectification*>> OutstandingOrganisations(
    const ReviewReport& r);
// An organisation whose rectification is not complete: "第一轮巡察 · 中仓街道：发现12个，已整改10个
// （83.3%），超期1个".
std::string OutstandingText(const RoundFigures& f, const OrganisationRectification& o);
// A rectification rate with one decimal: "97.0%".
std::string RectificationRateText(const Rectification& r);
// [{title, category:{code,name}, count, previous:[…], growth (null: new), units:[{code,name,count}],
//   examples:[…], case_ids:[…]}].
nlohmann::json HotTopicsToJson(const std::vector<HotTopic>& topics);

}  // namespace jiesu::assess
