#include "domain/unit.hpp"

#include <gtest/gtest.h>

#include "common/csv.hpp"

namespace jiesu::domain {
namespace {

TEST(UnitTest, ShortNamesOfCommitteesAreWhatPeopleSay) {
  EXPECT_EQ(ShortUnitName("悟仙观社区居委会"), "悟仙观社区");
  EXPECT_EQ(ShortUnitName("群芳园居民委员会"), "群芳园社区");
  EXPECT_EQ(ShortUnitName("前北营村民委员会"), "前北营村");
  EXPECT_EQ(ShortUnitName("宋庄村委会"), "宋庄村");
  EXPECT_EQ(ShortUnitName("尹家河村村委会"), "尹家河村");
  EXPECT_EQ(ShortUnitName("中仓街道"), "中仓街道");
}

TEST(UnitTest, ShippedTongzhouTreeHas22TownshipsAndScopes) {
  auto text = ReadFile(std::string(JIESU_SOURCE_DIR) + "/data/tongzhou/divisions.csv");
  ASSERT_TRUE(text.ok());
  auto units = UnitTree::ParseDivisionsCsv(*text);
  ASSERT_TRUE(units.ok()) << units.status().ToString();
  auto tree = UnitTree::Build(*units);
  ASSERT_TRUE(tree.ok()) << tree.status().ToString();
  EXPECT_EQ(tree->ByLevel(UnitLevel::kTownship).size(), 22u);
  EXPECT_EQ(tree->ByLevel(UnitLevel::kCommunity).size(), 656u);
  for (const Unit* u : tree->ByLevel(UnitLevel::kCommunity)) {
    EXPECT_EQ(u->short_name.find("委员会"), std::string::npos) << u->name;
    EXPECT_EQ(u->short_name.find("委会"), std::string::npos) << u->name;
  }
  EXPECT_TRUE(tree->IsWithin("110112121013", "110112121"));
  EXPECT_FALSE(tree->IsWithin("110112121013", "110112001"));
  EXPECT_EQ(tree->TownshipOf("110112121013")->name, "梨园镇");
  EXPECT_EQ(tree->Path("110112121013"), "/110112/110112121/110112121013/");
  const auto sub = tree->Subtree("110112121");
  EXPECT_GT(sub.size(), 10u);
  EXPECT_EQ(sub.front(), "110112121");
}

TEST(UnitTest, BuildRejectsBrokenTrees) {
  std::vector<Unit> units = {{"1", "区", "区", {}, UnitLevel::kDistrict, ""},
                             {"2", "镇", "镇", {}, UnitLevel::kTownship, "9"}};
  EXPECT_FALSE(UnitTree::Build(units).ok());
  units[1].parent = "1";
  units.push_back(units[1]);
  EXPECT_FALSE(UnitTree::Build(units).ok());
}

}  // namespace
}  // namespace jiesu::domain
