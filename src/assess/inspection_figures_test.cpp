#include "assess/inspection_figures.hpp"

#include <gtest/gtest.h>

namespace jiesu::assess {
namespace {

using namespace jiesu::domain;

class InspectionFiguresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto units = UnitTree::Build({
        {"110112", "通州区", "通州区", {}, UnitLevel::kDistrict, ""},
        {"110112001", "中仓街道", "中仓街道", {}, UnitLevel::kTownship, "110112"},
        {"110112001001", "某社区居委会", "某社区", {}, UnitLevel::kCommunity, "110112001"},
        {"110112002", "新华街道", "新华街道", {}, UnitLevel::kTownship, "110112"},
        {"110112003", "北苑街道", "北苑街道", {}, UnitLevel::kTownship, "110112"},
    });
    ASSERT_TRUE(units.ok());
    units_ = *units;
  }

  Case Finding(std::int64_t id, std::int64_t round, const char* unit, Timestamp created,
               Timestamp due, std::optional<Timestamp> rectified = std::nullopt) {
    Case c;
    c.id = id;
    c.source = CaseSource::kInspection;
    c.inspection_id = round;
    c.unit = unit;
    c.created_at = created;
    c.due = due;
    c.rectified_at = rectified;
    return c;
  }

  UnitTree units_;
};

TEST_F(InspectionFiguresTest, AsOfCountsFoundRectifiedAndOverdue) {
  Inspection r;
  r.id = 1;
  r.units = {"110112001", "110112002"};
  const std::vector<Case> findings = {
      Finding(10, 1, "110112001", 100, 1000, 500),      // rectified in time
      Finding(11, 1, "110112001001", 100, 1000),        // community of the first, open
      Finding(12, 1, "110112002", 100, 300, 900),       // rectified late
      Finding(13, 1, "110112002", 2000, 5000),          // found after the first moment
      Finding(14, 2, "110112002", 100, 300),            // another round: ignored
  };
  const RoundFigures at800 = FigureRound(r, findings, units_, 800);
  EXPECT_EQ(at800.total.found, 3);
  EXPECT_EQ(at800.total.rectified, 1);
  EXPECT_EQ(at800.total.overdue, 1);  // #12 past its deadline, not yet rectified
  ASSERT_EQ(at800.organisations.size(), 2u);
  EXPECT_EQ(at800.organisations[0].figures.found, 2);
  EXPECT_EQ(at800.organisations[0].name, "中仓街道");
  EXPECT_EQ(at800.organisations[1].figures.overdue, 1);

  const RoundFigures later = FigureRound(r, findings, units_, 3000);
  EXPECT_EQ(later.total.found, 4);
  EXPECT_EQ(later.total.rectified, 2);
  EXPECT_EQ(later.total.overdue, 1);  // #11 past 1000
  EXPECT_DOUBLE_EQ(later.total.Rate(), 0.5);
  EXPECT_EQ(later.own_findings, 4);
  EXPECT_EQ(later.finding_ids, (std::vector<std::int64_t>{10, 11, 12, 13}));
}

TEST_F(InspectionFiguresTest, RevisitAnswersForEarlierFindingsOfItsOrganisationsOnly) {
  Inspection first;
  first.id = 1;
  first.units = {"110112001", "110112002"};
  Inspection revisit;
  revisit.id = 2;
  revisit.units = {"110112001"};  // revisits one of the two
  revisit.revisit_of = {1};
  const std::vector<Case> findings = {
      Finding(10, 1, "110112001", 100, 1000, 500),
      Finding(11, 1, "110112002", 100, 1000, 500),   // not revisited
      Finding(12, 2, "110112001001", 2000, 9000),    // the 回头看's own
      Finding(13, 2, "110112003", 2000, 9000),       // moved outside (objection upheld)
  };
  const RoundFigures f = FigureRound(revisit, findings, units_, 3000);
  EXPECT_EQ(f.total.found, 3);
  EXPECT_EQ(f.total.rectified, 1);
  EXPECT_EQ(f.own_findings, 2);
  ASSERT_EQ(f.organisations.size(), 2u);
  EXPECT_EQ(f.organisations[1].unit, "110112003");
  EXPECT_EQ(f.organisations[1].figures.found, 1);

  const RoundFigures f1 = FigureRound(first, findings, units_, 3000);
  const Rectification both = FigureDistinct({f1, f}, findings, 3000);
  EXPECT_EQ(both.found, 4);  // #10 counted once
  EXPECT_EQ(both.rectified, 2);

  const auto j = RoundFiguresToJson(f);
  EXPECT_EQ(j["found"], 3);
  EXPECT_EQ(j["revisit"], true);
  EXPECT_DOUBLE_EQ(j["rectification_rate"].get<double>(), 0.3333);
  EXPECT_TRUE(RectificationToJson({}).at("rectification_rate").is_null());
}

}  // namespace
}  // namespace jiesu::assess
