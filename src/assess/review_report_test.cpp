#include "assess/review_report.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "assess/render_html.hpp"
#include "assess/render_markdown.hpp"

namespace jiesu::assess {
namespace {

using domain::Satisfaction;
using domain::ScoreWeights;
using domain::Unit;
using domain::UnitLevel;

constexpr char kDistrict[] = "110112";
constexpr char kA[] = "110112001";
constexpr char kA1[] = "110112001001";  // a community of A: its facts count for A
constexpr char kB[] = "110112002";
constexpr char kC[] = "110112003";
constexpr char kE[] = "110112004";
constexpr char kDept[] = "110112901";

constexpr char kProperty[] = "0101";  // 物业管理
constexpr char kIllegal[] = "0102";   // 违法建设
constexpr char kAir[] = "0201";       // 大气污染防治
constexpr char kParking[] = "0303";   // 停车管理

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// A hand-built month: per-case facts, and the assessment made from the same cases.
class ReviewTest : public ::testing::Test {
 protected:
  void SetUp() override { BuildTree("北苑街道"); }

  void BuildTree(const std::string& c_name) {
    std::vector<Unit> units = {
        {kDistrict, "通州区", "通州区", {}, UnitLevel::kDistrict, ""},
        {kA, "中仓街道", "中仓街道", {}, UnitLevel::kTownship, kDistrict},
        {kA1, "悟仙观社区居委会", "悟仙观社区", {}, UnitLevel::kCommunity, kA},
        {kB, "新华街道", "新华街道", {}, UnitLevel::kTownship, kDistrict},
        {kC, c_name, c_name, {}, UnitLevel::kTownship, kDistrict},
        {kE, "西集镇", "西集镇", {}, UnitLevel::kTownship, kDistrict},
        {kDept, "区城市管理委员会", "区城管委", {}, UnitLevel::kDepartment, kDistrict},
    };
    tree_ = *domain::UnitTree::Build(std::move(units));
    std::vector<domain::Category> cats = {
        {"01", "城乡建设", "", domain::Handling::kTownship, "", 2, {}, {}},
        {kProperty, "物业管理", "01", domain::Handling::kTownship, "", 2, {}, {}},
        {kIllegal, "违法建设", "01", domain::Handling::kTownship, "", 2, {}, {}},
        {"02", "环境保护", "", domain::Handling::kTownship, "", 2, {}, {}},
        {kAir, "大气污染防治", "02", domain::Handling::kTownship, "", 2, {}, {}},
        {"03", "交通运输", "", domain::Handling::kTownship, "", 2, {}, {}},
        {kParking, "停车管理", "03", domain::Handling::kTownship, "", 2, {}, {}},
    };
    catalogue_ = *domain::Catalogue::Build(std::move(cats));
  }

  // `valid` valid callbacks in `category`, the first `resolved` of them resolved (and 满意), the
  // rest unresolved (and 不满意).
  void Callbacks(const std::string& unit, const std::string& category, int valid, int resolved,
                 MonthFacts& month, std::vector<CaseFact>* facts) {
    for (int i = 0; i < valid; ++i) {
      const bool ok = i < resolved;
      CallbackFact c;
      c.unit = unit;
      c.contacted = true;
      c.resolved = ok;
      c.satisfaction = ok ? Satisfaction::kSatisfied : Satisfaction::kDissatisfied;
      month.callbacks.push_back(c);
      if (facts == nullptr) continue;
      CaseFact f;
      f.unit = unit;
      f.category = category;
      f.valid_callback = true;
      f.resolved = ok;
      f.satisfaction_points = ok ? 1.0 : 0.0;
      facts->push_back(f);
    }
  }

  // `n` cases dispatched in `category`, the first `overdue` of them still open past their deadline,
  // the rest replied on time.
  void Dispatches(const std::string& unit, const std::string& category, int n, int overdue) {
    for (int i = 0; i < n; ++i) {
      const bool late = i < overdue;
      DispatchFact d;
      d.unit = unit;
      d.dispatched_at = month_.as_of - 20 * kSecondsPerDay;
      d.accepted_at = d.dispatched_at + 600;
      d.response_due = d.dispatched_at + 7200;
      d.due = d.dispatched_at + 7 * kSecondsPerDay;
      d.still_open = late;
      if (!late) d.replied_at = d.dispatched_at + kSecondsPerDay;
      month_.dispatches.push_back(d);
      CaseFact f;
      f.unit = unit;
      f.category = category;
      f.dispatched = true;
      f.overdue = late;
      facts_.push_back(f);
    }
  }

  // Ranking now A (97.0) > C (47.5) > B (43.0); last month B > E > C with A not ranked; E has
  // nothing now.
  void BuildMonth() {
    month_.month = Date{2026, 10, 1};
    month_.as_of = *ParseTime("2026-11-01T00:00:00+08:00");
    // 物业管理: A 20/20 resolved (strength), B 2/20 (shortfall), C 10/20 (near the district).
    Callbacks(kA1, kProperty, 20, 20, month_, &facts_);
    Callbacks(kB, kProperty, 20, 2, month_, &facts_);
    Callbacks(kC, kProperty, 20, 10, month_, &facts_);
    // 大气污染防治: A 9/10, B 9/10, C 0/4 — C's four failures are below the minimum count.
    Callbacks(kA, kAir, 10, 9, month_, &facts_);
    Callbacks(kB, kAir, 10, 9, month_, &facts_);
    Callbacks(kC, kAir, 4, 0, month_, &facts_);
    // Overdue: C has 8 of 12 大气污染防治 cases overdue, the others none.
    Dispatches(kA, kAir, 12, 0);
    Dispatches(kB, kAir, 12, 0);
    Dispatches(kC, kAir, 12, 8);
    // A department's case counts for no township.
    Callbacks(kDept, kProperty, 30, 0, month_, &facts_);

    previous_.month = Date{2026, 9, 1};
    previous_.as_of = month_.as_of;
    Callbacks(kB, kProperty, 10, 10, previous_, nullptr);
    Callbacks(kE, kProperty, 10, 8, previous_, nullptr);
    Callbacks(kC, kProperty, 10, 5, previous_, nullptr);
  }

  ReviewReport Build(const ReviewRules& rules = {}) {
    const Assessment now = AssessMonth(month_, tree_, UnitLevel::kTownship, ScoreWeights{});
    const Assessment before = AssessMonth(previous_, tree_, UnitLevel::kTownship, ScoreWeights{});
    return BuildReview(now, &before, facts_, tree_, catalogue_, rules);
  }

  static const UnitReview& Find(const ReviewReport& r, const std::string& code) {
    for (const UnitReview& u : r.units) {
      if (u.code == code) return u;
    }
    ADD_FAILURE() << "no unit " << code;
    return r.units.front();
  }

  domain::UnitTree tree_;
  domain::Catalogue catalogue_;
  MonthFacts month_;
  MonthFacts previous_;
  std::vector<CaseFact> facts_;
};

TEST_F(ReviewTest, StrengthAndShortfallPassTheRule) {
  BuildMonth();
  const ReviewReport r = Build();

  const UnitReview& a = Find(r, kA);
  ASSERT_EQ(a.strengths.size(), 2u);  // 物业管理: resolution and satisfaction
  EXPECT_TRUE(a.shortfalls.empty());
  EXPECT_EQ(a.strengths[0].category_code, kProperty);
  EXPECT_EQ(a.strengths[0].metric, Metric::kResolutionRate);
  EXPECT_EQ(a.strengths[1].metric, Metric::kSatisfactionRate);
  EXPECT_EQ(a.strengths[0].level, AreaLevel::kSubcategory);
  EXPECT_EQ(a.strengths[0].n, 20);
  EXPECT_DOUBLE_EQ(a.strengths[0].unit_value, 1.0);
  EXPECT_NEAR(a.strengths[0].district_value, 32.0 / 60.0,
              1e-12);  // whole district, departments out
  EXPECT_GT(a.strengths[0].z, 1.96);

  const UnitReview& b = Find(r, kB);
  EXPECT_TRUE(b.strengths.empty());
  ASSERT_EQ(b.shortfalls.size(), 2u);
  EXPECT_EQ(b.shortfalls[0].category_code, kProperty);
  EXPECT_DOUBLE_EQ(b.shortfalls[0].unit_value, 0.1);
  EXPECT_LT(b.shortfalls[0].z, -1.96);

  const UnitReview& c = Find(r, kC);
  EXPECT_TRUE(c.strengths.empty());
  ASSERT_EQ(c.shortfalls.size(), 1u);
  EXPECT_EQ(c.shortfalls[0].category_code, kAir);
  EXPECT_EQ(c.shortfalls[0].metric, Metric::kOverdueRate);
  EXPECT_EQ(c.shortfalls[0].n, 12);
  EXPECT_EQ(c.shortfalls[0].count, 8);
  EXPECT_EQ(c.overdue, 8);
  EXPECT_EQ(c.volume, 12);
  EXPECT_TRUE(Contains(c.text, "大气污染防治超期8件、超期率67%，高于全区22%"));
  EXPECT_TRUE(Contains(a.text, "物业管理解决率100%、满意率100%，分别高于全区53%、53%"));
}

TEST_F(ReviewTest, AreaBelowMinimumCountGivesNoVerdict) {
  BuildMonth();
  const ReviewReport r = Build();
  // C resolved none of its 4 大气污染防治 callbacks against 18 of 20 elsewhere: a large gap, but 4
  // < min_n, and the 大类 环境保护 pools the same 4.
  for (const Verdict& v : Find(r, kC).shortfalls) {
    EXPECT_FALSE(v.metric == Metric::kResolutionRate && v.category_code == kAir);
    EXPECT_NE(v.category_code, "02");
  }
  // With the minimum lowered to 4 the same cells do give a verdict: the count was what held it.
  ReviewRules loose;
  loose.min_n = 4;
  const ReviewReport with_four = Build(loose);
  bool found = false;
  for (const Verdict& v : Find(with_four, kC).shortfalls) {
    found = found || (v.metric == Metric::kResolutionRate && v.category_code == kAir);
  }
  EXPECT_TRUE(found);
}

TEST_F(ReviewTest, OneCaseNeverMakesAVerdict) {
  // Everyone else resolves everything; A fails one of six. Significant by z alone, but moving that
  // one case would erase it.
  month_.month = Date{2026, 10, 1};
  Callbacks(kA, kProperty, 6, 5, month_, &facts_);
  Callbacks(kB, kProperty, 40, 40, month_, &facts_);
  Callbacks(kC, kProperty, 40, 40, month_, &facts_);
  const ReviewReport r = Build();
  EXPECT_TRUE(Find(r, kA).shortfalls.empty());
  EXPECT_TRUE(Contains(Find(r, kA).text, "基本相当"));
}

TEST_F(ReviewTest, SmallSubcategoriesPoolIntoTheirTopLevelArea) {
  // A has 4 物业管理 and 4 违法建设 callbacks, all unresolved, where the rest of the district
  // resolves almost all: neither 小类 reaches the minimum, their 大类 城乡建设 does.
  month_.month = Date{2026, 10, 1};
  Callbacks(kA, kProperty, 4, 0, month_, &facts_);
  Callbacks(kA, kIllegal, 4, 0, month_, &facts_);
  Callbacks(kB, kProperty, 30, 28, month_, &facts_);
  Callbacks(kB, kIllegal, 30, 27, month_, &facts_);
  const ReviewReport r = Build();
  const UnitReview& a = Find(r, kA);
  ASSERT_FALSE(a.shortfalls.empty());
  EXPECT_EQ(a.shortfalls[0].category_code, "01");
  EXPECT_EQ(a.shortfalls[0].level, AreaLevel::kCategory);
  EXPECT_EQ(a.shortfalls[0].n, 8);
  EXPECT_TRUE(Contains(a.text, "在城乡建设方面仍存在不足（城乡建设解决率0%"));
}

TEST_F(ReviewTest, AllAreasPoolWhenNoNarrowerAreaSpeaks) {
  // A lets 2 of 4 cases run overdue in each of three 大类; B has none of 12 in each. No 小类 or
  // 大类 holds enough evidence, the unit's cases together do.
  month_.month = Date{2026, 10, 1};
  month_.as_of = *ParseTime("2026-11-01T00:00:00+08:00");
  Callbacks(kA, kProperty, 10, 9, month_, &facts_);
  Callbacks(kB, kProperty, 10, 9, month_, &facts_);
  for (const char* cat : {kProperty, kAir, kParking}) {
    Dispatches(kA, cat, 4, 2);
    Dispatches(kB, cat, 12, 0);
  }
  const ReviewReport r = Build();
  const UnitReview& a = Find(r, kA);
  ASSERT_EQ(a.shortfalls.size(), 1u);
  EXPECT_EQ(a.shortfalls[0].level, AreaLevel::kAll);
  EXPECT_EQ(a.shortfalls[0].category_code, "");
  EXPECT_EQ(a.shortfalls[0].metric, Metric::kOverdueRate);
  EXPECT_EQ(a.shortfalls[0].n, 12);
  EXPECT_EQ(a.shortfalls[0].count, 6);
  EXPECT_TRUE(Contains(a.text, "在按期办结方面仍存在不足（超期6件、超期率50%，高于全区13%）"));
  EXPECT_EQ(ReviewToJson(r)["units"][0]["shortfalls"][0]["level"], "全部");
}

TEST_F(ReviewTest, RankChangeUpDownAndNew) {
  BuildMonth();
  const ReviewReport r = Build();
  ASSERT_EQ(r.units.size(), 3u);
  EXPECT_EQ(r.units[0].code, kA);
  EXPECT_EQ(r.units[1].code, kC);
  EXPECT_EQ(r.units[2].code, kB);
  EXPECT_FALSE(Find(r, kA).rank_change.has_value());  // not ranked last month
  EXPECT_EQ(Find(r, kC).rank_change, 1);              // 3rd → 2nd
  EXPECT_EQ(Find(r, kB).rank_change, -2);             // 1st → 3rd
  EXPECT_TRUE(Contains(Find(r, kA).text, "排名第1（上月未排名）"));
  EXPECT_TRUE(Contains(Find(r, kC).text, "排名第2（较上月上升1位）"));
  EXPECT_TRUE(Contains(Find(r, kB).text, "排名第3（较上月下降2位）"));

  const nlohmann::json j = ReviewToJson(r);
  EXPECT_TRUE(j["units"][0]["rank_change"].is_null());
  EXPECT_EQ(j["units"][1]["rank_change"], 1);
  EXPECT_EQ(j["units"][2]["rank_change"], -2);
}

TEST_F(ReviewTest, ZeroRequestUnitsListedApart) {
  BuildMonth();
  const ReviewReport r = Build();
  ASSERT_EQ(r.zero_request_units.size(), 1u);
  EXPECT_EQ(r.zero_request_units[0].code, kE);
  EXPECT_EQ(r.zero_request_units[0].name, "西集镇");
  EXPECT_EQ(ZeroRequestText(r.zero_request_units[0]), "本月零诉求");
  for (const UnitReview& u : r.units) EXPECT_NE(u.code, kE);
  EXPECT_TRUE(Contains(DistrictText(r), "3个街道乡镇参与排名，1个无有效回访（零诉求）"));
  EXPECT_TRUE(Contains(RenderMarkdown(r), "## 零诉求单位\n\n- 西集镇：本月零诉求"));

  const nlohmann::json j = ReviewToJson(r);
  ASSERT_EQ(j["zero_request_units"].size(), 1u);
  EXPECT_EQ(j["zero_request_units"][0]["code"], kE);
  EXPECT_TRUE(j["inspections"]["rounds"].is_array() && j["inspections"]["rounds"].empty());
  EXPECT_EQ(j["inspections"]["found"], 0);
  EXPECT_EQ(j["inspections"]["text"], "本月无在办巡察。");
  EXPECT_TRUE(j["hot_topics"].is_array() && j["hot_topics"].empty());
}

// Every verdict the text states is an entry of strengths/shortfalls, and every entry is stated: a
// work area's name appears in the text exactly when it has a verdict, with its numbers.
TEST_F(ReviewTest, TextStatesExactlyTheVerdicts) {
  BuildMonth();
  const ReviewReport r = Build();
  int verdicts = 0;
  for (const UnitReview& u : r.units) {
    SCOPED_TRACE(u.text);
    for (const domain::Category& cat : catalogue_.All()) {
      bool has = false;
      for (const auto* side : {&u.strengths, &u.shortfalls}) {
        for (const Verdict& v : *side) has = has || v.category_code == cat.code;
      }
      EXPECT_EQ(Contains(u.text, cat.name), has) << cat.name;
    }
    for (const Verdict& v : u.strengths) {
      ++verdicts;
      EXPECT_TRUE(Contains(u.text, MetricLabel(v.metric) + Percent(v.unit_value)));
      EXPECT_TRUE(Contains(u.text, Percent(v.district_value)));
    }
    for (const Verdict& v : u.shortfalls) {
      ++verdicts;
      EXPECT_TRUE(Contains(u.text, MetricLabel(v.metric) + Percent(v.unit_value)));
      EXPECT_TRUE(Contains(u.text, Percent(v.district_value)));
    }
    EXPECT_EQ(Contains(u.text, "表现突出"), !u.strengths.empty());
    EXPECT_EQ(Contains(u.text, "仍存在不足"), !u.shortfalls.empty());
    EXPECT_EQ(Contains(u.text, "基本相当"), u.strengths.empty() && u.shortfalls.empty());
  }
  EXPECT_EQ(verdicts, 5);

  // The JSON carries the same entries as the structs.
  const nlohmann::json j = ReviewToJson(r);
  const nlohmann::json& b = j["units"][2];
  ASSERT_EQ(b["code"], kB);
  ASSERT_EQ(b["shortfalls"].size(), 2u);
  EXPECT_EQ(b["shortfalls"][0]["category"]["name"], "物业管理");
  EXPECT_EQ(b["shortfalls"][0]["metric"], "resolution_rate");
  EXPECT_EQ(b["shortfalls"][0]["n"], 20);
  EXPECT_EQ(b["text"], Find(r, kB).text);
}

TEST_F(ReviewTest, MaxAreasKeepsTheStrongestAndTextFollows) {
  BuildMonth();
  // B also lets 9 of 12 违法建设 cases run overdue where A has none: a second shortfall area, with
  // weaker evidence than 物业管理.
  Dispatches(kA, kIllegal, 12, 0);
  Dispatches(kB, kIllegal, 12, 9);
  const UnitReview all = Find(Build(), kB);
  ASSERT_EQ(all.shortfalls.size(), 3u);
  EXPECT_EQ(all.shortfalls[2].category_code, kIllegal);
  EXPECT_TRUE(Contains(all.text, "在物业管理、违法建设等方面仍存在不足"));

  ReviewRules one;
  one.max_areas = 1;
  const UnitReview top = Find(Build(one), kB);
  ASSERT_EQ(top.shortfalls.size(), 2u);
  for (const Verdict& v : top.shortfalls) EXPECT_EQ(v.category_code, kProperty);
  EXPECT_FALSE(Contains(top.text, "违法建设"));
}

TEST_F(ReviewTest, RenderersEscapeUnitNames) {
  BuildTree("<script>alert(1)</script>街道");
  BuildMonth();
  const ReviewReport r = Build();

  const std::string md = RenderMarkdown(r);
  EXPECT_FALSE(Contains(md, "<script>"));
  EXPECT_TRUE(Contains(md, "\\<script\\>alert(1)\\</script\\>街道"));
  EXPECT_TRUE(Contains(md, "# 通州区接诉即办月度点评（2026年10月）"));

  const std::string html = RenderHtml(r);
  EXPECT_FALSE(Contains(html, "<script"));
  EXPECT_TRUE(Contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;街道"));
  EXPECT_TRUE(Contains(html, "<title>通州区接诉即办月度点评（2026年10月）</title>"));
  EXPECT_TRUE(Contains(html, "<svg"));
  // Self-contained: nothing is fetched.
  EXPECT_FALSE(Contains(html, "src="));
  EXPECT_FALSE(Contains(html, "href="));
  EXPECT_FALSE(Contains(html, "@import"));
}

TEST(EscapeMarkdownTest, MarkupAndLineStarts) {
  EXPECT_EQ(EscapeMarkdown("a*b_c|d"), "a\\*b\\_c\\|d");
  EXPECT_EQ(EscapeMarkdown("- 列表"), "\\- 列表");
  EXPECT_EQ(EscapeMarkdown("12. 标题"), "12\\. 标题");
  EXPECT_EQ(EscapeMarkdown("综合成绩93.2分"), "综合成绩93.2分");
  EXPECT_EQ(EscapeMarkdown("a\nb"), "a b");
  EXPECT_EQ(EscapeHtml("<a href='x'>&\"</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
}

}  // namespace
}  // namespace jiesu::assess
