#include "dispatch/category_model.hpp"

#include <gtest/gtest.h>

#include "common/utf8.hpp"
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "common/csv.hpp"
#include "dispatch/text_features.hpp"
#include "dispatch/training_data.hpp"

namespace jiesu::dispatch {
namespace {

namespace fs = std::filesystem;

// A scratch directory per test, removed afterwards.
class ScratchDir {
 public:
  ScratchDir() {
    path_ = fs::temp_directory_path() /
            ("jiesu_classifier_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// 3 labels × 20 short messages, each built from a subject and a complaint of its topic.
std::vector<LabelledText> SyntheticMessages() {
  const std::vector<std::pair<std::string, std::vector<std::string>>> topics = {
      {"交通", {"公交车", "地铁站", "红绿灯", "停车场", "出租车"}},
      {"教育", {"学校", "幼儿园", "老师", "学生", "课外班"}},
      {"医疗", {"医院", "医生", "挂号", "药费", "门诊"}},
  };
  const std::vector<std::vector<std::string>> complaints = {
      {"太拥挤了", "晚点严重", "乱收费"}, {"不让报名", "作业太多", "收费太高"},
      {"排队太久", "态度很差", "看不上病"}};
  std::vector<LabelledText> out;
  for (std::size_t t = 0; t < topics.size(); ++t) {
    const auto& [label, subjects] = topics[t];
    for (int i = 0; i < 20; ++i) {
      const std::string& subject = subjects[i % subjects.size()];
      const std::string& complaint = complaints[t][i % complaints[t].size()];
      out.push_back({label + std::to_string(i), subject + complaint,
                     "我家附近的" + subject + complaint + "，希望有关部门尽快处理。", label});
    }
  }
  return out;
}

ClassifierOptions SmallOptions() {
  ClassifierOptions o;
  o.epochs = 20;
  o.dim = 16;
  o.bucket = 2000;
  o.pretrain_epochs = 2;
  o.pretrain_min_count = 1;
  o.threads = 1;
  o.linear_weight = 0.5;  // both members (the default trains the linear one alone)
  return o;
}

std::string Top(const TextClassifier& c, const std::string& text) {
  const auto p = c.Predict(text, 1);
  return p.empty() ? "" : p.front().code;
}

TEST(TextFeaturesTest, NormalizesFullWidthCaseAndPunctuation) {
  EXPECT_EQ(NormalizeText("Ａ３区，路灯坏了!!  ABC"), "a3区 路灯坏了 abc");
  EXPECT_EQ(NormalizeText("  。。"), "");
  EXPECT_EQ(NormalizeText(std::string("a\xff" "b")), "ab");  // invalid byte dropped
}

TEST(TextFeaturesTest, CharTokensSplitIdeographsAndKeepLatinRuns) {
  auto t = Tokenizer::Create(TokenizerKind::kChars);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)->Tokenize("A3区路灯坏了 12345 WiFi"),
            (std::vector<std::string>{"a3", "区", "路", "灯", "坏", "了", "<n>", "wifi"}));
  EXPECT_TRUE((*t)->Tokenize("！？、").empty());
}

TEST(TextFeaturesTest, WordSegmentersFindWords) {
  for (TokenizerKind kind : {TokenizerKind::kFriso, TokenizerKind::kIcu}) {
    auto t = Tokenizer::Create(kind);
    if (!t.ok()) {
      ADD_FAILURE() << TokenizerName(kind) << ": " << t.status().message();
      continue;
    }
    const auto tokens = (*t)->Tokenize("小区的路灯坏了三天");
    EXPECT_NE(std::find(tokens.begin(), tokens.end(), "路灯"), tokens.end())
        << TokenizerName(kind);
  }
  EXPECT_FALSE(ParseTokenizerKind("jieba").ok());
}

// Found by fuzz/tokenizer_fuzz: friso leaves a 64-byte token without its NUL; ASan caught the
// read past it. Every token must be whole UTF-8 of at most 64 bytes.
TEST(TextFeaturesTest, Issue8FrisoTokensOfSixtyFourBytesAreNotReadPast) {
  auto t = Tokenizer::Create(TokenizerKind::kFriso);
  ASSERT_TRUE(t.ok()) << t.status().message();
  const std::string text = "通运" + std::string(80, '4') + "26年11月27日" + std::string(40, '4');
  for (const std::string& token : (*t)->Tokenize(text)) {
    EXPECT_LE(token.size(), 64u) << token;
    EXPECT_TRUE(IsValidUtf8(token)) << token;
  }
}

TEST(TrainingDataTest, LoadsRfc4180WithExtraColumnsAndChecksLabels) {
  ScratchDir dir;
  WriteText(dir.File("ok.csv"),
            "id,title,text,label,time\r\n1,\"标题,带逗号\",\"正文\n两行\"\"引号\"\"\",教育,x\r\n");
  auto rows = LoadTextsCsv(dir.File("ok.csv"), LabelColumn::kRequired);
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].title, "标题,带逗号");
  EXPECT_EQ((*rows)[0].text, "正文\n两行\"引号\"");
  EXPECT_EQ((*rows)[0].label, "教育");

  WriteText(dir.File("nolabel.csv"), "id,title,text\n1,a,b\n");
  EXPECT_EQ(LoadTextsCsv(dir.File("nolabel.csv"), LabelColumn::kRequired).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(LoadTextsCsv(dir.File("nolabel.csv"), LabelColumn::kIgnored).ok());
  WriteText(dir.File("empty_label.csv"), "id,title,text,label\n1,a,b,\n");
  EXPECT_EQ(LoadTextsCsv(dir.File("empty_label.csv"), LabelColumn::kRequired).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadTextsCsv(dir.File("absent.csv"), LabelColumn::kRequired).status().code(),
            StatusCode::kNotFound);
}

TEST(TrainingDataTest, StratifiedFoldsAreBalancedAndDeterministic) {
  const auto data = SyntheticMessages();
  const auto folds = StratifiedFolds(data, 5, 7);
  EXPECT_EQ(folds, StratifiedFolds(data, 5, 7));
  std::map<std::pair<int, std::string>, int> count;
  for (std::size_t i = 0; i < data.size(); ++i) ++count[{folds[i], data[i].label}];
  for (int k = 0; k < 5; ++k) {
    for (const char* label : {"交通", "教育", "医疗"}) EXPECT_EQ((count[{k, label}]), 4);
  }
}

TEST(CategoryModelTest, LearnsSyntheticTopicsAndRoundTrips) {
  auto model = CategoryModel::Train(SyntheticMessages(), nullptr, SmallOptions());
  ASSERT_TRUE(model.ok()) << model.status().message();
  const CategoryModel& c = **model;
  EXPECT_EQ(c.Labels(), (std::vector<std::string>{"交通", "医疗", "教育"}));
  EXPECT_EQ(c.Version().rfind("clf1-", 0), 0u);
  EXPECT_EQ(Top(c, "公交车站晚点严重\n每天早上公交车都晚点"), "交通");
  EXPECT_EQ(Top(c, "幼儿园收费\n孩子的幼儿园收费太高"), "教育");
  EXPECT_EQ(Top(c, "医院挂号难\n在医院挂号排队太久"), "医疗");

  const auto all = c.Predict("医院挂号难", 10);
  ASSERT_EQ(all.size(), 3u);
  double sum = 0;
  for (const auto& p : all) sum += p.probability;
  EXPECT_NEAR(sum, 1.0, 1e-9);
  EXPECT_GE(all[0].probability, all[1].probability);
  EXPECT_TRUE(c.Predict("。。。", 3).empty());

  ScratchDir dir;
  ASSERT_TRUE(c.Save(dir.File("m.model")).ok());
  auto loaded = CategoryModel::Load(dir.File("m.model"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ((*loaded)->Version(), c.Version());
  EXPECT_EQ((*loaded)->Labels(), c.Labels());
  for (const auto& m : SyntheticMessages()) {
    const auto a = c.Predict(DocumentText(m), 3);
    const auto b = (*loaded)->Predict(DocumentText(m), 3);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].code, b[i].code);
      EXPECT_NEAR(a[i].probability, b[i].probability, 1e-9);
    }
  }
}

TEST(CategoryModelTest, PretrainsOnUnlabelledMessages) {
  ClassifierOptions o = SmallOptions();
  std::vector<std::string> unlabelled;
  for (const auto& m : SyntheticMessages()) unlabelled.push_back("请问" + DocumentText(m));
  auto corpus = UnlabelledCorpus::Build(unlabelled, o);
  ASSERT_TRUE(corpus.ok()) << corpus.status().message();
  EXPECT_EQ((*corpus)->size(), unlabelled.size());
  auto model = CategoryModel::Train(SyntheticMessages(), corpus->get(), o);
  ASSERT_TRUE(model.ok()) << model.status().message();
  EXPECT_EQ(Top(**model, "地铁站太拥挤了"), "交通");

  o.dim = 8;  // vectors of another size cannot seed this model
  EXPECT_EQ(CategoryModel::Train(SyntheticMessages(), corpus->get(), o).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(CategoryModelTest, EachEnsembleMemberWorksAlone) {
  for (double weight : {0.0, 1.0}) {
    ClassifierOptions o = SmallOptions();
    o.linear_weight = weight;
    auto model = CategoryModel::Train(SyntheticMessages(), nullptr, o);
    ASSERT_TRUE(model.ok()) << model.status().message();
    EXPECT_EQ(Top(**model, "老师布置的作业太多"), "教育") << "linear weight " << weight;
    ScratchDir dir;
    ASSERT_TRUE((*model)->Save(dir.File("m.model")).ok());
    auto loaded = CategoryModel::Load(dir.File("m.model"));
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    EXPECT_EQ(Top(**loaded, "老师布置的作业太多"), "教育");
  }
}

TEST(CategoryModelTest, RejectsBadTrainingInput) {
  auto one_label = SyntheticMessages();
  one_label.resize(20);
  EXPECT_EQ(CategoryModel::Train(one_label, nullptr, SmallOptions()).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CategoryModel::Train({}, nullptr, SmallOptions()).status().code(),
            StatusCode::kInvalidArgument);
  ClassifierOptions bad = SmallOptions();
  bad.linear_weight = 2;
  EXPECT_EQ(CategoryModel::Train(SyntheticMessages(), nullptr, bad).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(CategoryModelTest, MissingOrCorruptModelFilesFail) {
  ScratchDir dir;
  EXPECT_EQ(CategoryModel::Load(dir.File("absent.model")).status().code(),
            StatusCode::kNotFound);
  WriteText(dir.File("garbage.model"), "this is not a model");
  EXPECT_EQ(CategoryModel::Load(dir.File("garbage.model")).status().code(),
            StatusCode::kInvalidArgument);
  WriteText(dir.File("empty.model"), "");
  EXPECT_EQ(CategoryModel::Load(dir.File("empty.model")).status().code(),
            StatusCode::kInvalidArgument);

  auto model = CategoryModel::Train(SyntheticMessages(), nullptr, SmallOptions());
  ASSERT_TRUE(model.ok()) << model.status().message();
  ASSERT_TRUE((*model)->Save(dir.File("m.model")).ok());
  auto bytes = ReadFile(dir.File("m.model"));
  ASSERT_TRUE(bytes.ok());
  std::string flipped = *bytes;
  flipped[flipped.size() / 2] ^= 0x40;
  WriteText(dir.File("flipped.model"), flipped);
  auto f = CategoryModel::Load(dir.File("flipped.model"));
  EXPECT_EQ(f.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(f.status().message().find("checksum"), std::string::npos) << f.status().message();
  WriteText(dir.File("truncated.model"), bytes->substr(0, bytes->size() - 100));
  EXPECT_EQ(CategoryModel::Load(dir.File("truncated.model")).status().code(),
            StatusCode::kInvalidArgument);
}

// The shipped training data, when it is there (../shared/data is not part of the repository).
TEST(CategoryModelTest, SharedTrainingDataLoads) {
  const std::string dir = std::string(JIESU_SHARED_DATA) + "/requests";
  if (!fs::exists(dir + "/labelled-train.csv")) {
    GTEST_SKIP() << dir << "/labelled-train.csv is absent (shared data not mounted)";
  }
  auto rows = LoadTextsCsv(dir + "/labelled-train.csv", LabelColumn::kRequired);
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  EXPECT_EQ(rows->size(), 347u);
  const auto labels = DistinctLabels(*rows);
  EXPECT_EQ(labels.size(), 7u);
  auto taxonomy = LoadTaxonomyExamples(dir + "/taxonomy.csv", labels);
  ASSERT_TRUE(taxonomy.ok()) << taxonomy.status().message();
  EXPECT_EQ(DistinctLabels(*taxonomy), labels);
}

}  // namespace
}  // namespace jiesu::dispatch
