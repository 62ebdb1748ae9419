#include "assess/hot_topics.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <algorithm>
#include <filesystem>
#include <random>

#include "assess/review_report.hpp"
#include "common/csv.hpp"
#include "service/reference.hpp"

namespace jiesu::assess {
namespace {

const std::string kDataDir = std::string(JIESU_SOURCE_DIR) + "/data";

const domain::Catalogue& Catalogue() {
  static const domain::Catalogue c =
      domain::Catalogue::Build(service::LoadShippedCategories(kDataDir).value()).value();
  return c;
}

const domain::UnitTree& Units() {
  static const domain::UnitTree t =
      domain::UnitTree::Build(service::LoadShippedUnits(kDataDir).value()).value();
  return t;
}

TopicCase Case(std::int64_t id, std::string title, std::string category, std::string unit) {
  return {id, std::move(title), "", std::move(category), std::move(unit)};
}

TEST(HotTopicsTest, ATopicOfThousandsTakesItsTitleFromItsFirstMembers) {
  // Centrality is computed among the first 200 members: the 201st on, however central, is not
  // the title, and every member still counts.
  std::vector<TopicCase> month;
  for (int i = 0; i < 3000; ++i) {
    const std::string tail = i < 200 ? "，晚上出行不便" + std::to_string(i % 7) : "";
    month.push_back(Case(i + 1, "伊景园滨河苑路灯不亮" + tail, "0101", "110112121013"));
  }
  const auto topics = FindHotTopics(month, {}, Catalogue(), Units());
  ASSERT_EQ(topics.size(), 1u);
  EXPECT_EQ(topics[0].count, 3000);
  EXPECT_EQ(topics[0].case_ids.size(), 3000u);
  EXPECT_NE(topics[0].title, "伊景园滨河苑路灯不亮");  // that title is only among the later ones
  EXPECT_EQ(topics[0].examples.size(), 3u);
}

TEST(HotTopicsTest, ClustersSimilarCasesWithinAWorkAreaAndMeasuresGrowth) {
  const std::vector<TopicCase> month = {
      Case(1, "伊景园滨河苑车位捆绑销售，开发商不卖车位不给交房", "0101", "110112121013"),
      Case(2, "幼儿园收费太高", "0403", "110112121"),
      Case(3, "伊景园滨河苑开发商捆绑销售车位，不买车位不交房", "0101", "110112121013"),
      Case(4, "伊景园滨河苑捆绑销售车位，开发商不给交房", "0102", "110112121"),
      Case(5, "路灯不亮", "0109", "110112001"),
      Case(6, "伊景园滨河苑开发商不买车位就不交房，捆绑销售", "0101", "110112001006"),
      // Same words, another work area: not the same topic.
      Case(7, "伊景园滨河苑车位捆绑销售，开发商不卖车位不给交房", "0701", "110112121"),
  };
  const std::vector<std::vector<TopicCase>> earlier = {
      {Case(10, "伊景园滨河苑车位捆绑销售，开发商不给交房", "0101", "110112121")},
      {Case(11, "伊景园滨河苑车位捆绑销售问题", "0101", "110112121"),
       Case(12, "伊景园滨河苑开发商捆绑销售车位，不交房", "0101", "110112121")},
  };
  const auto topics = FindHotTopics(month, earlier, Catalogue(), Units());
  ASSERT_EQ(topics.size(), 1u);
  const HotTopic& t = topics.front();
  EXPECT_EQ(t.count, 4);
  EXPECT_EQ(t.case_ids, (std::vector<std::int64_t>{1, 3, 4, 6}));
  EXPECT_EQ(t.category_code, "01");
  EXPECT_EQ(t.category_name, "城乡建设");
  ASSERT_EQ(t.units.size(), 2u);
  EXPECT_EQ(t.units[0].code, "110112121");  // 3 cases
  EXPECT_EQ(t.units[0].name, "梨园镇");
  EXPECT_EQ(t.units[0].count, 3);
  EXPECT_EQ(t.units[1].code, "110112001");
  EXPECT_EQ(t.examples.size(), 3u);
  EXPECT_EQ(t.title, t.examples.front());
  ASSERT_EQ(t.previous.size(), 2u);
  EXPECT_GE(t.previous[1], 1);
  ASSERT_TRUE(t.growth.has_value());
  EXPECT_NEAR(*t.growth, t.count / ((t.previous[0] + t.previous[1]) / 2.0) - 1, 1e-9);

  // Deterministic, and a new topic has no growth.
  const auto again = FindHotTopics(month, {}, Catalogue(), Units());
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again.front().case_ids, t.case_ids);
  EXPECT_FALSE(again.front().growth.has_value());
  // Fewer cases than the minimum: no topic.
  HotTopicRules strict;
  strict.min_count = 5;
  EXPECT_TRUE(FindHotTopics(month, earlier, Catalogue(), Units(), strict).empty());
}

TEST(HotTopicsTest, OneSentencePerTopicForTheReport) {
  HotTopic t;
  t.title = "张村独居老人生活困难";
  t.category_name = "民政";
  t.count = 29;
  t.previous = {0, 25, 18};
  t.growth = 29 / (43 / 3.0) - 1;
  t.units = {{"110112121", "梨园镇", 4}, {"110112109", "马驹桥镇", 3}};
  EXPECT_EQ(HotTopicText(t), "张村独居老人生活困难（民政，29件，较前3月月均增长102%；涉及梨园镇4件、马驹桥镇3件）");
  t.growth.reset();
  t.units.clear();
  EXPECT_EQ(HotTopicText(t), "张村独居老人生活困难（民政，29件，新出现）");
}

// The clustering through the seeds' bigram index makes exactly the clusters of comparing each case
// with every seed in order (the rule as first written): checked on texts that overlap in many
// ways, including empty ones and one-character ones.
TEST(HotTopicsTest, IndexedClusteringEqualsComparingWithEverySeed) {
  const char* parts[] = {"路灯不亮", "晚上出行不便", "小区", "噪声扰民", "施工", "夜间", "垃圾清运不及时",
                         "物业", "电梯停运", "老人", "供暖不热", "楼道", "停车难", "", "a"};
  std::vector<TopicCase> month;
  std::mt19937 random(12345);
  const auto pick = [&](std::size_t n) { return static_cast<std::size_t>(random() % n); };
  for (int i = 0; i < 1500; ++i) {
    std::string text;
    const std::size_t n = pick(4);
    for (std::size_t k = 0; k < n; ++k) text += parts[pick(std::size(parts))];
    if (n > 0) text += std::to_string(pick(40)) + "号楼";
    month.push_back({i + 1, text, "", pick(3) ? "0101" : "0103", ""});
  }
  HotTopicRules rules;
  rules.min_count = 1;
  rules.max_topics = 100000;
  const auto topics = FindHotTopics(month, {}, Catalogue(), Units(), rules);

  // The reference: every seed of the case's work area, in order.
  std::vector<std::vector<std::int64_t>> expected;
  std::vector<std::pair<std::string, BigramSet>> seeds;
  for (const TopicCase& c : month) {
    const BigramSet g = Bigrams(c.title + c.text);
    const std::string area = Catalogue().TopLevel(c.category)->code;
    bool joined = false;
    for (std::size_t k = 0; k < seeds.size() && !joined; ++k) {
      if (seeds[k].first == area && SimilarityIfAtLeast(g, seeds[k].second, rules.similarity) > 0) {
        expected[k].push_back(c.id);
        joined = true;
      }
    }
    if (!joined) {
      seeds.emplace_back(area, g);
      expected.push_back({c.id});
    }
  }
  std::vector<std::vector<std::int64_t>> got;
  for (const HotTopic& t : topics) got.push_back(t.case_ids);
  std::sort(expected.begin(), expected.end());
  std::sort(got.begin(), got.end());
  EXPECT_GT(expected.size(), 100u);
  EXPECT_LT(expected.size(), month.size() / 2);
  std::printf("%zu cases in %zu clusters\n", month.size(), expected.size());
  EXPECT_EQ(got, expected);
}

// The real messages of ../shared/data/requests (one platform, 2019): a month's topics against the
// three months before. Prints them for docs/assessment.md.
TEST(HotTopicsTest, RealMessagesOfAMonth) {
  const std::string dir = std::string(JIESU_SHARED_DATA) + "/requests";
  if (!std::filesystem::exists(dir + "/unlabelled.csv")) {
    GTEST_SKIP() << dir << " is absent (the shared data is not part of the repository)";
  }
  std::map<std::string, std::vector<TopicCase>> by_month;  // "2019/7" → cases
  for (const char* file : {"/unlabelled.csv", "/replied.csv"}) {
    auto rows = ParseCsv(ReadFile(dir + file).value());
    ASSERT_TRUE(rows.ok());
    const auto& h = rows->front();
    const int id = CsvColumn(h, "id"), title = CsvColumn(h, "title"), text = CsvColumn(h, "text"),
              time = CsvColumn(h, "time");
    for (std::size_t r = 1; r < rows->size(); ++r) {
      const auto& row = (*rows)[r];
      const std::string& t = row[time];  // "2019/7/3 10:20:00"
      const std::string month = t.substr(0, t.find('/', t.find('/') + 1));
      by_month[month].push_back({std::stoll(row[id]), row[title], row[text], "", ""});
    }
  }
  const auto topics = FindHotTopics(by_month["2019/7"],
                                    {by_month["2019/4"], by_month["2019/5"], by_month["2019/6"]},
                                    Catalogue(), Units());
  std::printf("hot topics of 2019/7 (%zu messages):\n", by_month["2019/7"].size());
  for (const HotTopic& t : topics) {
    std::printf("  %d  previous %d/%d/%d  %s\n", t.count, t.previous[0], t.previous[1],
                t.previous[2], t.title.c_str());
  }
  ASSERT_FALSE(topics.empty());
  for (std::size_t i = 0; i < topics.size(); ++i) {
    EXPECT_GE(topics[i].count, 3);
    if (i > 0) {
      EXPECT_LE(topics[i].count, topics[i - 1].count);
    }
  }
}

}  // namespace
}  // namespace jiesu::assess
