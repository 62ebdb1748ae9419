#include "assess/monthly_assessment.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace jiesu::assess {
namespace {

using domain::Satisfaction;
using domain::ScoreWeights;
using domain::Unit;
using domain::UnitLevel;

constexpr char kDistrict[] = "110112";
constexpr char kA[] = "110112001";             // 中仓街道
constexpr char kA1[] = "110112001001";         // 悟仙观社区居委会
constexpr char kA1Grid[] = "110112001001901";  // a grid of 悟仙观
constexpr char kA2[] = "110112001002";         // 新建村村民委员会
constexpr char kB[] = "110112002";             // 新华街道
constexpr char kB1[] = "110112002001";         // 如意社区居委会
constexpr char kC[] = "110112003";             // 北苑街道
constexpr char kD[] = "110112004";             // 玉桥街道
constexpr char kDept[] = "110112901";          // 区城市管理委员会
constexpr char kDept2[] = "110112902";         // 区水务局

constexpr double kTol = 1e-9;

CallbackFact Cb(std::string unit, bool contacted, bool resolved, Satisfaction s) {
  CallbackFact c;
  c.unit = std::move(unit);
  c.contacted = contacted;
  c.resolved = resolved;
  c.satisfaction = s;
  return c;
}

CallbackFact Unreachable(std::string unit) {
  // Every answer "good", so counting it anywhere would show in the rates.
  CallbackFact c = Cb(std::move(unit), true, true, Satisfaction::kSatisfied);
  c.reachable = false;
  return c;
}

const UnitAssessment* FindUnit(const std::vector<UnitAssessment>& list, std::string_view code) {
  for (const auto& u : list) {
    if (u.code == code) return &u;
  }
  return nullptr;
}

class AssessMonthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<Unit> units = {
        {kDistrict, "通州区", "通州区", {}, UnitLevel::kDistrict, ""},
        {kA, "中仓街道", "中仓街道", {}, UnitLevel::kTownship, kDistrict},
        {kA1, "悟仙观社区居委会", "悟仙观社区", {}, UnitLevel::kCommunity, kA},
        {kA1Grid, "悟仙观第一网格", "悟仙观第一网格", {}, UnitLevel::kGrid, kA1},
        {kA2, "新建村村民委员会", "新建村", {}, UnitLevel::kCommunity, kA},
        {kB, "新华街道", "新华街道", {}, UnitLevel::kTownship, kDistrict},
        {kB1, "如意社区居委会", "如意社区", {}, UnitLevel::kCommunity, kB},
        {kC, "北苑街道", "北苑街道", {}, UnitLevel::kTownship, kDistrict},
        {kD, "玉桥街道", "玉桥街道", {}, UnitLevel::kTownship, kDistrict},
        {kDept, "区城市管理委员会", "区城管委", {}, UnitLevel::kDepartment, kDistrict},
        {kDept2, "区水务局", "区水务局", {}, UnitLevel::kDepartment, kDistrict},
    };
    auto tree = domain::UnitTree::Build(std::move(units));
    ASSERT_TRUE(tree.ok());
    tree_ = *tree;
    facts_.month = Date{2026, 10, 1};
    facts_.as_of = *ParseTime("2026-11-01T00:00:00+08:00");
  }

  // The month of test 1, reused by the weights and JSON tests.
  void AddHandComputedMonth() {
    const auto S = Satisfaction::kSatisfied;
    const auto B = Satisfaction::kBasicallySatisfied;
    const auto X = Satisfaction::kDissatisfied;
    facts_.callbacks = {
        // Township A: 6 valid via two communities, a grid and A itself; one unreachable.
        Cb(kA1, true, true, S),
        Cb(kA1, true, true, B),
        Cb(kA1Grid, true, false, X),
        Cb(kA2, true, true, S),
        Cb(kA, true, true, B),
        Cb(kA, false, false, X),
        Unreachable(kA2),
        // Township B: 5 valid.
        Cb(kB1, true, true, S),
        Cb(kB1, true, true, S),
        Cb(kB, true, true, S),
        Cb(kB1, true, true, B),
        Cb(kB1, true, false, X),
        // Township C: 2 valid (below min_samples 5).
        Cb(kC, true, true, S),
        Cb(kC, true, false, B),
        // Township D: only an unreachable callback, so zero valid.
        Unreachable(kD),
        // Not any township's: the district itself, a department, an unknown code.
        Cb(kDistrict, false, false, X),
        Cb(kDept, false, false, X),
        Cb("999999999", false, false, X),
    };
  }

  domain::UnitTree tree_;
  MonthFacts facts_;
};

TEST_F(AssessMonthTest, AssessTownshipsHandComputed) {
  AddHandComputedMonth();
  const Assessment a = AssessMonth(facts_, tree_, UnitLevel::kTownship, ScoreWeights{});

  ASSERT_EQ(a.units.size(), 3u);
  // B (81.2) > A (67.0) > C (73.0, but 样本不足: ranked after every full sample); see below.
  EXPECT_EQ(a.units[0].code, kB);
  EXPECT_EQ(a.units[1].code, kA);
  EXPECT_EQ(a.units[2].code, kC);

  // A: valid 6 (the unreachable one is left out), contacted 5, resolved 4,
  //    满意 2, 基本满意 2, 不满意 2.
  //    响应率 = 5/6 = 0.833333; 解决率 = 4/6 = 0.666667;
  //    满意率 = (2 + 0.9×2)/6 = 3.8/6 = 0.633333;
  //    综合成绩 = 100×(0.10×5/6 + 0.50×4/6 + 0.40×3.8/6) = 100×(0.5 + 2.0 + 1.52)/6
  //             = 100×4.02/6 = 67.0.
  const UnitAssessment* ua = FindUnit(a.units, kA);
  ASSERT_NE(ua, nullptr);
  EXPECT_EQ(ua->name, "中仓街道");
  EXPECT_EQ(ua->tally.valid, 6);
  EXPECT_EQ(ua->tally.contacted, 5);
  EXPECT_EQ(ua->tally.resolved, 4);
  EXPECT_EQ(ua->tally.satisfied, 2);
  EXPECT_EQ(ua->tally.basically_satisfied, 2);
  EXPECT_EQ(ua->tally.dissatisfied, 2);
  EXPECT_NEAR(ua->rates.response, 5.0 / 6, kTol);
  EXPECT_NEAR(ua->rates.resolution, 4.0 / 6, kTol);
  EXPECT_NEAR(ua->rates.satisfaction, 3.8 / 6, kTol);
  EXPECT_NEAR(ua->rates.score, 67.0, kTol);
  EXPECT_EQ(ua->rank, 2);  // above C's 73.0: C is 样本不足 and ranks after every full sample
  EXPECT_FALSE(ua->low_sample);

  // B: valid 5, contacted 5, resolved 4, 满意 3, 基本满意 1, 不满意 1.
  //    响应率 = 5/5 = 1.0; 解决率 = 4/5 = 0.8; 满意率 = (3 + 0.9×1)/5 = 3.9/5 = 0.78;
  //    综合成绩 = 100×(0.10×1.0 + 0.50×0.8 + 0.40×0.78) = 100×(0.1 + 0.4 + 0.312) = 81.2.
  //    5 valid = min_samples, so not low-sample.
  const UnitAssessment* ub = FindUnit(a.units, kB);
  ASSERT_NE(ub, nullptr);
  EXPECT_EQ(ub->tally.valid, 5);
  EXPECT_NEAR(ub->rates.response, 1.0, kTol);
  EXPECT_NEAR(ub->rates.resolution, 0.8, kTol);
  EXPECT_NEAR(ub->rates.satisfaction, 0.78, kTol);
  EXPECT_NEAR(ub->rates.score, 81.2, kTol);
  EXPECT_EQ(ub->rank, 1);
  EXPECT_FALSE(ub->low_sample);

  // C: valid 2, contacted 2, resolved 1, 满意 1, 基本满意 1.
  //    响应率 = 1.0; 解决率 = 1/2 = 0.5; 满意率 = (1 + 0.9)/2 = 0.95;
  //    综合成绩 = 100×(0.10 + 0.25 + 0.38) = 73.0. Ranked, but 2 < 5: 样本不足.
  const UnitAssessment* uc = FindUnit(a.units, kC);
  ASSERT_NE(uc, nullptr);
  EXPECT_EQ(uc->tally.valid, 2);
  EXPECT_NEAR(uc->rates.resolution, 0.5, kTol);
  EXPECT_NEAR(uc->rates.satisfaction, 0.95, kTol);
  EXPECT_NEAR(uc->rates.score, 73.0, kTol);
  EXPECT_EQ(uc->rank, 3);
  EXPECT_TRUE(uc->low_sample);

  // D had only an unreachable callback: a zero-request unit, not ranked and not scored.
  ASSERT_EQ(a.zero_request_units.size(), 1u);
  EXPECT_EQ(a.zero_request_units[0].code, kD);
  EXPECT_EQ(a.zero_request_units[0].name, "玉桥街道");
  EXPECT_EQ(a.zero_request_units[0].tally.valid, 0);
  EXPECT_EQ(a.zero_request_units[0].rank, 0);
  EXPECT_EQ(FindUnit(a.units, kD), nullptr);

  // The district, department and unknown-code callbacks went to no township: 6 + 5 + 2 only.
  int total = 0;
  for (const auto& u : a.units) total += u.tally.valid;
  EXPECT_EQ(total, 13);
  EXPECT_EQ(a.month, (Date{2026, 10, 1}));
  EXPECT_EQ(a.level, UnitLevel::kTownship);
}

TEST_F(AssessMonthTest, AssessTiesShareRankAndNextRankSkips) {
  const auto S = Satisfaction::kSatisfied;
  const auto B = Satisfaction::kBasicallySatisfied;
  const auto X = Satisfaction::kDissatisfied;
  facts_.callbacks = {
      // C: 1 valid, perfect → 100.
      Cb(kC, true, true, S),
      // A: 2 valid, contacted 0, resolved 1, 基本满意 1, 不满意 1:
      //    100×(0 + 0.5×0.5 + 0.4×0.45) = 100×(0.25 + 0.18) = 43.
      Cb(kA, false, true, B),
      Cb(kA1, false, false, X),
      // B: 4 valid, contacted 2, resolved 0, 满意 2, 基本满意 2:
      //    100×(0.1×0.5 + 0 + 0.4×(2 + 1.8)/4) = 100×(0.05 + 0.38) = 43.
      // In doubles A's score comes out as 43.00000000000001 and B's as 43.0; they are still one
      // score, and B goes first for having more valid callbacks.
      Cb(kB, true, false, S),
      Cb(kB, true, false, S),
      Cb(kB1, false, false, B),
      Cb(kB1, false, false, B),
      // D: 1 valid, contacted only → 100×0.1 = 10.
      Cb(kD, true, false, X),
  };
  const Assessment a = AssessMonth(facts_, tree_, UnitLevel::kTownship, ScoreWeights{});
  ASSERT_EQ(a.units.size(), 4u);
  EXPECT_EQ(a.units[0].code, kC);
  EXPECT_EQ(a.units[1].code, kB);
  EXPECT_EQ(a.units[2].code, kA);
  EXPECT_EQ(a.units[3].code, kD);
  EXPECT_EQ(a.units[0].rank, 1);
  EXPECT_EQ(a.units[1].rank, 2);
  EXPECT_EQ(a.units[2].rank, 2);
  EXPECT_EQ(a.units[3].rank, 4);
  EXPECT_NEAR(a.units[1].rates.score, 43.0, kTol);
  EXPECT_NEAR(a.units[2].rates.score, 43.0, kTol);
  EXPECT_TRUE(a.zero_request_units.empty());
}

TEST_F(AssessMonthTest, AssessTieOnScoreAndValidOrdersByCode) {
  const auto S = Satisfaction::kSatisfied;
  facts_.callbacks = {Cb(kD, true, true, S), Cb(kB, true, true, S), Cb(kC, true, false, S)};
  const Assessment a = AssessMonth(facts_, tree_, UnitLevel::kTownship, ScoreWeights{});
  ASSERT_EQ(a.units.size(), 3u);
  EXPECT_EQ(a.units[0].code, kB);
  EXPECT_EQ(a.units[1].code, kD);
  EXPECT_EQ(a.units[0].rank, 1);
  EXPECT_EQ(a.units[1].rank, 1);
  EXPECT_EQ(a.units[2].rank, 3);
  ASSERT_EQ(a.zero_request_units.size(), 1u);
  EXPECT_EQ(a.zero_request_units[0].code, kA);
}

TEST_F(AssessMonthTest, AssessWeightsFromConfigChangeScore) {
  AddHandComputedMonth();
  ScoreWeights w;
  w.response = 0.2;
  w.resolution = 0.4;
  w.satisfaction = 0.4;
  w.basically_satisfied = 0.8;
  w.min_samples = 6;
  const Assessment a = AssessMonth(facts_, tree_, UnitLevel::kTownship, w);

  // A: 满意率 = (2 + 0.8×2)/6 = 3.6/6 = 0.6;
  //    综合成绩 = 100×(0.2×5/6 + 0.4×4/6 + 0.4×3.6/6) = 100×(1.0 + 1.6 + 1.44)/6
  //             = 100×4.04/6 = 67.3333…  (67.0 with the default weights).
  const UnitAssessment* ua = FindUnit(a.units, kA);
  ASSERT_NE(ua, nullptr);
  EXPECT_NEAR(ua->rates.satisfaction, 0.6, kTol);
  EXPECT_NEAR(ua->rates.score, 404.0 / 6, kTol);
  EXPECT_FALSE(ua->low_sample);  // 6 valid, min 6

  // B: 满意率 = (3 + 0.8)/5 = 0.76; 综合成绩 = 100×(0.2×1 + 0.4×0.8 + 0.4×0.76)
  //    = 100×(0.2 + 0.32 + 0.304) = 82.4. Now 5 < 6: low sample.
  const UnitAssessment* ub = FindUnit(a.units, kB);
  ASSERT_NE(ub, nullptr);
  EXPECT_NEAR(ub->rates.satisfaction, 0.76, kTol);
  EXPECT_NEAR(ub->rates.score, 82.4, kTol);
  EXPECT_TRUE(ub->low_sample);

  // C: 满意率 = (1 + 0.8)/2 = 0.9; 综合成绩 = 100×(0.2 + 0.4×0.5 + 0.4×0.9) = 76.0.
  const UnitAssessment* uc = FindUnit(a.units, kC);
  ASSERT_NE(uc, nullptr);
  EXPECT_NEAR(uc->rates.score, 76.0, kTol);

  EXPECT_DOUBLE_EQ(a.weights.response, 0.2);
  EXPECT_DOUBLE_EQ(a.weights.basically_satisfied, 0.8);
  EXPECT_EQ(a.weights.min_samples, 6);
}

TEST_F(AssessMonthTest, AssessTimeliness) {
  const Timestamp t0 = *ParseTime("2026-10-10T09:00:00+08:00");
  const Timestamp hour = 3600;
  const Timestamp as_of = facts_.as_of;
  const auto dispatch = [&](std::string unit, std::optional<Timestamp> accepted,
                            std::optional<Timestamp> replied, Timestamp due, bool open) {
    DispatchFact d;
    d.unit = std::move(unit);
    d.dispatched_at = t0;
    d.accepted_at = accepted;
    d.response_due = t0 + 2 * hour;
    d.replied_at = replied;
    d.due = due;
    d.still_open = open;
    return d;
  };
  facts_.dispatches = {
      // A, d1: accepted exactly at response_due and replied exactly at due: both on time.
      dispatch(kA1, t0 + 2 * hour, t0 + 48 * hour, t0 + 48 * hour, false),
      // A, d2: accepted late, replied one second late: overdue.
      dispatch(kA, t0 + 2 * hour + 1, t0 + 48 * hour + 1, t0 + 48 * hour, false),
      // A, d3: accepted on time, still open, due a day before as_of: overdue.
      dispatch(kA1Grid, t0 + hour, std::nullopt, as_of - 24 * hour, true),
      // A, d4: never accepted, still open, due exactly at as_of: not (yet) overdue and left out of
      // 按期办结率's denominator.
      dispatch(kA2, std::nullopt, std::nullopt, as_of, true),
      // A, d5: replied on time once but reopened and still open past due: the earlier reply does
      // not count, the case is open and overdue.
      dispatch(kA, t0 + hour, t0 + 24 * hour, as_of - hour, true),
      // B: one case, open and not yet due.
      dispatch(kB1, t0 + hour, std::nullopt, as_of + 24 * hour, true),
      // Department and district dispatches count for no township.
      dispatch(kDept, std::nullopt, std::nullopt, t0, true),
      dispatch(kDistrict, std::nullopt, std::nullopt, t0, true),
  };
  facts_.reopened_units = {kA1, kA, kB, kDept};
  const auto S = Satisfaction::kSatisfied;
  facts_.callbacks = {Cb(kA, true, true, S), Cb(kA1, true, true, S), Cb(kA2, true, true, S),
                      Cb(kA1Grid, true, true, S)};

  const Assessment a = AssessMonth(facts_, tree_, UnitLevel::kTownship, ScoreWeights{});

  // A: dispatched 5; accepted on time d1, d3, d5 → 3/5 = 0.6;
  //    replied (closed) d1 on time, d2 late; open past due d3, d5 → 按期办结率 = 1/(2 + 2) = 0.25;
  //    overdue = d2 + d3 + d5 = 3; reopened 2 (A1, A) over 4 valid → 0.5.
  const UnitAssessment* ua = FindUnit(a.units, kA);
  ASSERT_NE(ua, nullptr);
  EXPECT_EQ(ua->dispatched, 5);
  EXPECT_NEAR(ua->on_time_acceptance_rate, 0.6, kTol);
  EXPECT_NEAR(ua->on_time_completion_rate, 0.25, kTol);
  EXPECT_EQ(ua->overdue, 3);
  EXPECT_EQ(ua->reopened, 2);
  EXPECT_NEAR(ua->reopen_rate, 0.5, kTol);

  // B has no valid callback (zero-request) but its timeliness is still filled: 1 dispatched and
  // accepted on time; nothing replied or late yet → 按期办结率 1.0; reopen_rate 0 (no callbacks).
  const UnitAssessment* ub = FindUnit(a.zero_request_units, kB);
  ASSERT_NE(ub, nullptr);
  EXPECT_EQ(ub->dispatched, 1);
  EXPECT_NEAR(ub->on_time_acceptance_rate, 1.0, kTol);
  EXPECT_NEAR(ub->on_time_completion_rate, 1.0, kTol);
  EXPECT_EQ(ub->overdue, 0);
  EXPECT_EQ(ub->reopened, 1);
  EXPECT_EQ(ub->reopen_rate, 0.0);

  // C: nothing dispatched → every rate 0.
  const UnitAssessment* uc = FindUnit(a.zero_request_units, kC);
  ASSERT_NE(uc, nullptr);
  EXPECT_EQ(uc->dispatched, 0);
  EXPECT_EQ(uc->on_time_acceptance_rate, 0.0);
  EXPECT_EQ(uc->on_time_completion_rate, 0.0);
  EXPECT_EQ(uc->overdue, 0);
}

TEST_F(AssessMonthTest, AssessLevelCommunity) {
  AddHandComputedMonth();
  facts_.reopened_units = {kA1Grid, kA};
  const Assessment a = AssessMonth(facts_, tree_, UnitLevel::kCommunity, ScoreWeights{});

  // 悟仙观: its own 2 callbacks plus its grid's 1: valid 3, contacted 3, resolved 2,
  //   满意 1, 基本满意 1, 不满意 1 → 100×(0.1×1 + 0.5×2/3 + 0.4×1.9/3) = 100×(0.3 + 1.0 + 0.76)/3
  //   = 100×2.06/3 = 68.6667. A's own two callbacks do not count for any community.
  // 新建村: 1 valid (the unreachable one is out), perfect → 100.
  // 如意社区: 4 valid (B's own callback is out): contacted 4, resolved 3, 满意 2, 基本满意 1,
  //   不满意 1 → 100×(0.1 + 0.5×0.75 + 0.4×2.9/4) = 100×(0.1 + 0.375 + 0.29) = 76.5.
  ASSERT_EQ(a.units.size(), 3u);
  EXPECT_EQ(a.units[0].code, kA2);
  EXPECT_EQ(a.units[0].name, "新建村");
  EXPECT_NEAR(a.units[0].rates.score, 100.0, kTol);
  EXPECT_EQ(a.units[1].code, kB1);
  EXPECT_EQ(a.units[1].tally.valid, 4);
  EXPECT_NEAR(a.units[1].rates.score, 76.5, kTol);
  EXPECT_EQ(a.units[2].code, kA1);
  EXPECT_EQ(a.units[2].name, "悟仙观社区");  // short name, not 悟仙观社区居委会
  EXPECT_EQ(a.units[2].tally.valid, 3);
  EXPECT_NEAR(a.units[2].rates.score, 206.0 / 3, kTol);
  EXPECT_EQ(a.units[2].reopened, 1);  // the grid's; A's own reopen belongs to no community
  for (const auto& u : a.units) EXPECT_TRUE(u.low_sample) << u.code;
  EXPECT_TRUE(a.zero_request_units.empty());
  EXPECT_EQ(FindUnit(a.units, kA), nullptr);
  EXPECT_EQ(FindUnit(a.units, kA1Grid), nullptr);
}

TEST_F(AssessMonthTest, AssessLevelDepartment) {
  AddHandComputedMonth();
  const auto S = Satisfaction::kSatisfied;
  facts_.callbacks.push_back(Cb(kDept, true, true, S));
  const Assessment a = AssessMonth(facts_, tree_, UnitLevel::kDepartment, ScoreWeights{});

  // 区城管委: the month's (false, false, 不满意) plus (true, true, 满意): valid 2 →
  //   100×(0.1×0.5 + 0.5×0.5 + 0.4×0.5) = 50. Township and district callbacks are not departments'.
  ASSERT_EQ(a.units.size(), 1u);
  EXPECT_EQ(a.units[0].code, kDept);
  EXPECT_EQ(a.units[0].name, "区城管委");
  EXPECT_EQ(a.units[0].tally.valid, 2);
  EXPECT_NEAR(a.units[0].rates.score, 50.0, kTol);
  EXPECT_EQ(a.units[0].rank, 1);
  ASSERT_EQ(a.zero_request_units.size(), 1u);
  EXPECT_EQ(a.zero_request_units[0].code, kDept2);
}

// A department filed under a township (e.g. a 街道综合执法队 kept as its own handling unit) is
// still a department: its cases count for departments, not for the township above it.
TEST_F(AssessMonthTest, AssessDepartmentUnderTownshipIsNotTerritory) {
  std::vector<Unit> units = tree_.All();
  units.push_back(
      {"110112001990", "中仓街道综合行政执法队", "中仓执法队", {}, UnitLevel::kDepartment, kA});
  auto tree = domain::UnitTree::Build(std::move(units));
  ASSERT_TRUE(tree.ok());
  facts_.callbacks = {Cb("110112001990", false, false, Satisfaction::kDissatisfied),
                      Cb(kA1, true, true, Satisfaction::kSatisfied)};

  const Assessment towns = AssessMonth(facts_, *tree, UnitLevel::kTownship, ScoreWeights{});
  ASSERT_EQ(towns.units.size(), 1u);
  EXPECT_EQ(towns.units[0].code, kA);
  EXPECT_EQ(towns.units[0].tally.valid, 1);
  EXPECT_NEAR(towns.units[0].rates.score, 100.0, kTol);

  const Assessment depts = AssessMonth(facts_, *tree, UnitLevel::kDepartment, ScoreWeights{});
  ASSERT_EQ(depts.units.size(), 1u);
  EXPECT_EQ(depts.units[0].code, "110112001990");
  EXPECT_NEAR(depts.units[0].rates.score, 0.0, kTol);
}

TEST_F(AssessMonthTest, AssessmentToJsonShapeAndRounding) {
  AddHandComputedMonth();
  ScoreWeights w;
  w.response = 0.2;
  w.resolution = 0.4;
  w.satisfaction = 0.4;
  w.basically_satisfied = 0.8;
  const Assessment a = AssessMonth(facts_, tree_, UnitLevel::kTownship, w);
  const nlohmann::json j = AssessmentToJson(a);

  const auto keys = [](const nlohmann::json& o) {
    std::set<std::string> out;
    for (const auto& [k, v] : o.items()) out.insert(k);
    return out;
  };
  using Keys = std::set<std::string>;
  EXPECT_EQ(keys(j), (Keys{"month", "level", "weights", "units", "zero_request_units"}));
  EXPECT_EQ(j["month"], "2026-10");
  EXPECT_EQ(j["level"], "township");
  EXPECT_EQ(keys(j["weights"]),
            (Keys{"response", "resolution", "satisfaction", "basically_satisfied", "min_samples"}));
  EXPECT_EQ(j["weights"]["response"].get<double>(), 0.2);
  EXPECT_EQ(j["weights"]["basically_satisfied"].get<double>(), 0.8);
  EXPECT_EQ(j["weights"]["min_samples"], 5);

  ASSERT_EQ(j["units"].size(), 3u);
  const nlohmann::json& last = j["units"][1];  // A (C, low-sample, ranks after it)
  EXPECT_EQ(keys(last),
            (Keys{"code", "name", "valid_callbacks", "response_rate", "resolution_rate",
                  "satisfaction_rate", "score", "rank", "low_sample", "timeliness", "counts"}));
  EXPECT_EQ(keys(last["timeliness"]),
            (Keys{"dispatched", "on_time_acceptance_rate", "on_time_completion_rate", "overdue",
                  "reopened", "reopen_rate"}));
  EXPECT_EQ(keys(last["counts"]),
            (Keys{"contacted", "resolved", "satisfied", "basically_satisfied", "dissatisfied"}));
  EXPECT_EQ(last["code"], kA);
  EXPECT_EQ(last["name"], "中仓街道");
  EXPECT_EQ(last["valid_callbacks"], 6);
  EXPECT_EQ(last["rank"], 2);
  EXPECT_EQ(last["low_sample"], false);
  // 5/6 = 0.83333… → 0.8333; 4/6 = 0.66666… → 0.6667; 67.3333… → 67.33.
  EXPECT_EQ(last["response_rate"].get<double>(), 0.8333);
  EXPECT_EQ(last["resolution_rate"].get<double>(), 0.6667);
  EXPECT_EQ(last["satisfaction_rate"].get<double>(), 0.6);
  EXPECT_EQ(last["score"].get<double>(), 67.33);
  EXPECT_NE(last.dump().find("\"score\":67.33,"), std::string::npos) << last.dump();
  EXPECT_EQ(last["counts"]["basically_satisfied"], 2);
  EXPECT_EQ(last["counts"]["dissatisfied"], 2);
  EXPECT_EQ(last["timeliness"]["dispatched"], 0);
  // The struct keeps full precision; only the JSON is rounded.
  const UnitAssessment* ua = FindUnit(a.units, kA);
  ASSERT_NE(ua, nullptr);
  EXPECT_NE(ua->rates.score, 67.33);
  EXPECT_NEAR(ua->rates.score, 404.0 / 6, 1e-12);

  EXPECT_EQ(j["units"][2]["code"], kC);
  EXPECT_EQ(j["units"][2]["low_sample"], true);
  ASSERT_EQ(j["zero_request_units"].size(), 1u);
  EXPECT_EQ(j["zero_request_units"][0], (nlohmann::json{{"code", kD}, {"name", "玉桥街道"}}));
}

TEST_F(AssessMonthTest, AssessmentToJsonEmptyMonthHasEmptyArrays) {
  const Assessment a = AssessMonth(facts_, tree_, UnitLevel::kTownship, ScoreWeights{});
  const nlohmann::json j = AssessmentToJson(a);
  ASSERT_TRUE(j["units"].is_array());
  EXPECT_TRUE(j["units"].empty());
  // Every township is a zero-request unit, in code order.
  ASSERT_EQ(j["zero_request_units"].size(), 4u);
  EXPECT_EQ(j["zero_request_units"][0]["code"], kA);
  EXPECT_EQ(j["zero_request_units"][3]["code"], kD);
}

}  // namespace
}  // namespace jiesu::assess
