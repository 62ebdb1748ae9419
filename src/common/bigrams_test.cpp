#include "common/bigrams.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>

#include "common/csv.hpp"

namespace jiesu {
namespace {

TEST(BigramsTest, SimilarityOfBigramSets) {
  const BigramSet a = Bigrams("群芳园小区3号楼路灯坏了");
  EXPECT_DOUBLE_EQ(Similarity(a, a), 1.0);
  EXPECT_DOUBLE_EQ(Similarity(a, Bigrams("")), 0.0);
  // Punctuation and spaces break bigrams but do not count; order of the set does not matter.
  EXPECT_EQ(Bigrams("路灯，坏了"), Bigrams("坏了 路灯"));
  const double close = Similarity(a, Bigrams("群芳园小区3号楼的路灯一直坏着"));
  const double far = Similarity(a, Bigrams("幼儿园收费太高"));
  EXPECT_GT(close, 0.3);
  EXPECT_LT(far, 0.1);
  // The size bound never changes a similarity that can reach the threshold.
  EXPECT_DOUBLE_EQ(SimilarityIfAtLeast(a, Bigrams("群芳园小区3号楼的路灯一直坏着"), 0.3), close);
  EXPECT_DOUBLE_EQ(SimilarityIfAtLeast(a, Bigrams("路灯"), 0.5), 0.0);
}

// tests/data/duplicate-pairs.csv: pairs of real messages (by id) judged duplicate or not. The
// messages are not in the repository; the test skips where ../shared/data is absent.
TEST(BigramsTest, LabelledPairsOfRealMessages) {
  const std::string dir = std::string(JIESU_SHARED_DATA) + "/requests";
  if (!std::filesystem::exists(dir + "/unlabelled.csv")) {
    GTEST_SKIP() << dir << " is absent (the shared data is not part of the repository)";
  }
  std::map<std::string, std::string> messages;
  for (const char* file : {"/unlabelled.csv", "/replied.csv"}) {
    auto rows = ParseCsv(ReadFile(dir + file).value());
    ASSERT_TRUE(rows.ok());
    const int id = CsvColumn(rows->front(), "id"), title = CsvColumn(rows->front(), "title"),
              text = CsvColumn(rows->front(), "text");
    for (std::size_t r = 1; r < rows->size(); ++r) {
      messages[(*rows)[r][id]] = (*rows)[r][title] + (*rows)[r][text];
    }
  }
  auto pairs = ParseCsv(ReadFile(std::string(JIESU_SOURCE_DIR) + "/tests/data/duplicate-pairs.csv").value());
  ASSERT_TRUE(pairs.ok());
  std::vector<std::pair<double, bool>> scored;
  for (std::size_t r = 1; r < pairs->size(); ++r) {
    const auto& p = (*pairs)[r];
    ASSERT_TRUE(messages.count(p[0]) && messages.count(p[1])) << p[0] << " " << p[1];
    scored.emplace_back(Similarity(Bigrams(messages[p[0]]), Bigrams(messages[p[1]])), p[2] == "1");
  }
  double precision_at_default = 0, recall_at_default = 0;
  for (double threshold : {0.15, 0.2, 0.25, 0.3, 0.35, 0.5}) {
    int tp = 0, fp = 0, positives = 0;
    for (const auto& [s, duplicate] : scored) {
      positives += duplicate;
      tp += s >= threshold && duplicate;
      fp += s >= threshold && !duplicate;
    }
    const double precision = tp + fp ? static_cast<double>(tp) / (tp + fp) : 0;
    const double recall = static_cast<double>(tp) / positives;
    std::printf("duplicate pairs: threshold %.2f precision %.3f recall %.3f (%zu pairs)\n",
                threshold, precision, recall, scored.size());
    if (threshold == 0.25) {
      precision_at_default = precision;
      recall_at_default = recall;
    }
  }
  // The default threshold (dispatch.duplicate_threshold): floors a little below the measured.
  EXPECT_GE(precision_at_default, 0.88);
  EXPECT_GE(recall_at_default, 0.42);
}

}  // namespace
}  // namespace jiesu
