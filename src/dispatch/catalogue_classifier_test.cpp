#include "dispatch/catalogue_classifier.hpp"

#include <gtest/gtest.h>

#include "service/reference.hpp"

namespace jiesu::dispatch {
namespace {

domain::Catalogue ShippedCatalogue() {
  return domain::Catalogue::Build(
             service::LoadShippedCategories(std::string(JIESU_SOURCE_DIR) + "/data").value())
      .value();
}

// A small model over three 大类 names of the catalogue (the linear member alone: fast).
std::shared_ptr<const CategoryModel> SmallModel() {
  const std::vector<std::pair<std::string, std::vector<std::string>>> topics = {
      {"交通运输", {"公交车晚点", "地铁站拥挤", "红绿灯坏了", "出租车拒载"}},
      {"教育文体", {"学校收费", "幼儿园报名", "老师体罚", "培训班退费"}},
      {"城乡建设", {"小区物业不管", "楼顶违建", "路面坑洼", "电梯故障"}},
  };
  std::vector<LabelledText> examples;
  int i = 0;
  for (const auto& [label, texts] : topics) {
    for (int round = 0; round < 5; ++round) {
      for (const auto& t : texts) {
        examples.push_back({std::to_string(i++), t, "市民反映" + t + "，希望尽快解决。", label});
      }
    }
  }
  ClassifierOptions o;
  o.linear_weight = 1;
  auto model = CategoryModel::Train(examples, nullptr, o);
  EXPECT_TRUE(model.ok()) << model.status().message();
  return std::move(model).value();
}

TEST(CatalogueClassifierTest, KeywordsAloneWithoutAModel) {
  const auto catalogue = ShippedCatalogue();
  const CatalogueClassifier c(catalogue);
  EXPECT_EQ(c.model(), nullptr);
  const auto p = c.Predict("小区物业公司不管事，物业费照收", 3);
  ASSERT_FALSE(p.empty());
  EXPECT_EQ(p.front().code, "0101");
}

TEST(CatalogueClassifierTest, TheModelNamesTheTopLevelAndKeywordsTheSubcategory) {
  const auto catalogue = ShippedCatalogue();
  CatalogueClassifier c(catalogue);
  c.SetModel(SmallModel());
  // 物业 is a keyword of 0101 物业管理 under 城乡建设.
  auto p = c.Predict("小区物业不管\n市民反映小区物业不管，希望尽快解决。", 3);
  ASSERT_FALSE(p.empty());
  EXPECT_EQ(p.front().code, "0101");
  // No keyword of a 小类: the 大类 itself.
  p = c.Predict("学校收费\n学校收费的事", 3);
  ASSERT_FALSE(p.empty());
  EXPECT_EQ(catalogue.TopLevel(p.front().code)->name, "教育文体");
  for (std::size_t i = 1; i < p.size(); ++i) EXPECT_GE(p[i - 1].probability, p[i].probability);
  // A 大类 the model does not know still comes through strong keywords.
  p = c.Predict("民政救助\n低保困难补助申请", 3);
  bool civil_affairs = false;
  for (const auto& x : p) civil_affairs |= catalogue.TopLevel(x.code)->code == "08";
  EXPECT_TRUE(civil_affairs);
}

TEST(CatalogueClassifierTest, SwappingTheModel) {
  const auto catalogue = ShippedCatalogue();
  CatalogueClassifier c(catalogue);
  const auto model = SmallModel();
  c.SetModel(model);
  EXPECT_EQ(c.model()->Version(), model->Version());
  c.SetModel(nullptr);
  EXPECT_EQ(c.model(), nullptr);
}

}  // namespace
}  // namespace jiesu::dispatch
