// Dispatch through the real binary: `jiesu model train|eval` (DESIGN §6.2), a served model
// proposing category and unit on intake, its version in /healthz, and reloading it by the admin
// route and by SIGHUP without a restart.
#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "harness.hpp"

namespace jiesu::ftest {
namespace {

// A small labelled CSV over three 大类 of the catalogue; `variant` changes the texts so that two
// files give two different models.
std::string WriteTrainingCsv(const TempDir &dir, const std::string &name, int variant) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> topics = {
      {"交通运输", {"公交车晚点", "地铁站拥挤", "红绿灯坏了", "出租车拒载"}},
      {"教育文体", {"学校乱收费", "幼儿园报名难", "老师体罚学生", "培训班不退费"}},
      {"城乡建设", {"小区物业不管事", "楼顶有人违建", "小区电梯故障", "楼道堆物"}},
  };
  const std::string path = dir.path() + "/" + name;
  std::ofstream out(path);
  out << "id,title,text,label\n";
  int id = 0;
  for (const auto &[label, texts] : topics) {
    for (int round = 0; round < 4 + variant; ++round) {
      for (const auto &t : texts) {
        out << ++id << "," << t << ",市民反映" << t << "，已经" << round + 1
            << "次了，希望尽快解决。," << label << "\n";
      }
    }
  }
  return path;
}

// Trains a model file; returns its version ("clf1-…") from the command's report.
std::string Train(const std::string &csv, const std::string &out) {
  const ProcResult r = RunJiesu({"model", "train", "--data", csv, "--out", out,
                                 "--linear-weight", "1"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::smatch m;
  const std::string err = r.err;
  if (!std::regex_search(err, m, std::regex(R"(\((clf1-[0-9a-f]+)\))"))) {
    ADD_FAILURE() << "no version in: " << r.err;
    return "";
  }
  return m[1];
}

TEST(DispatchTest, ModelTrainAndEvalPrintTheContractsJson) {
  TempDir dir;
  const std::string csv = WriteTrainingCsv(dir, "train.csv", 0);
  ASSERT_FALSE(Train(csv, dir.path() + "/m.model").empty());
  const ProcResult eval =
      RunJiesu({"model", "eval", "--model", dir.path() + "/m.model", "--data", csv});
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  const json j = json::parse(eval.out);
  for (const char *key : {"n", "accuracy", "macro_f1", "docs_per_s", "per_label"}) {
    EXPECT_TRUE(j.contains(key)) << key << " missing in " << eval.out;
  }
  EXPECT_EQ(j["n"], 48);
  EXPECT_GT(j["macro_f1"].get<double>(), 0.9);  // its own training texts
  EXPECT_EQ(j["per_label"].size(), 3u);

  // Bad input: a one-line message and exit status 1.
  const ProcResult missing =
      RunJiesu({"model", "eval", "--model", dir.path() + "/none.model", "--data", csv});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(std::count(missing.err.begin(), missing.err.end(), '\n'), 1) << missing.err;
  std::ofstream(dir.path() + "/bad.csv") << "id,title,text\n1,a,b\n";
  const ProcResult unlabelled =
      RunJiesu({"model", "train", "--data", dir.path() + "/bad.csv", "--out", dir.path() + "/x"});
  EXPECT_EQ(unlabelled.exit_code, 1) << unlabelled.err;
  EXPECT_NE(unlabelled.err.find("label"), std::string::npos) << unlabelled.err;
}

TEST(DispatchTest, ServedModelProposesAndReloadsWithoutRestart) {
  TempDir dir;
  const std::string model = dir.path() + "/category.model";
  const std::string v1 = Train(WriteTrainingCsv(dir, "a.csv", 0), dir.path() + "/a.model");
  const std::string v2 = Train(WriteTrainingCsv(dir, "b.csv", 1), dir.path() + "/b.model");
  ASSERT_FALSE(v1.empty());
  ASSERT_NE(v1, v2);
  std::filesystem::copy_file(dir.path() + "/a.model", model);

  ServerProcess server;
  std::string error;
  ASSERT_TRUE(server.Start(dir.DbUrl(), dir.path() + "/server.log", &error, 20, {"--model", model}))
      << error;
  const std::string op = CreateKey(dir.DbUrl(), "operator");
  const std::string admin = CreateKey(dir.DbUrl(), "admin");
  Api api(server.port());
  auto version = [&] { return api.Get("/healthz").body["model"]["version"]; };
  EXPECT_EQ(version(), v1);

  // A complaint typed with a Tongzhou address: 物业 → 0101 物业管理 (属地), the place → 梨园镇.
  const json complaint = {{"type", "投诉"},
                          {"title", "小区物业不管事"},
                          {"text", "市民反映群芳园社区物业不管事，楼道堆物没人清理。"},
                          {"address", "梨园镇群芳园社区3号楼"}};
  // The intake form's preview proposes the same and stores nothing.
  const int cases_before = api.Get("/healthz").body["cases"].get<int>();
  const Response preview = api.Post("/api/v1/dispatch/preview", op, complaint);
  ASSERT_EQ(preview.status, 200) << preview;
  EXPECT_EQ(api.Get("/healthz").body["cases"].get<int>(), cases_before);
  ExpectError(api.Post("/api/v1/dispatch/preview", op, {{"type", "投诉"}}), 400,
              "invalid_argument");

  const Response created = api.CreateCase(op, complaint);
  ASSERT_EQ(created.status, 201) << created;
  const json &d = created.body["dispatch"];
  EXPECT_EQ(preview.body["dispatch"]["category"], d["category"]);
  EXPECT_EQ(preview.body["dispatch"]["unit"], d["unit"]);
  EXPECT_EQ(preview.body["dispatch"]["auto"], d["auto"]);
  EXPECT_EQ(d["category"]["code"], "0101") << d;
  EXPECT_EQ(d["unit"]["code"], kLiyuan) << d;
  EXPECT_GT(d["unit"]["confidence"].get<double>(), 0.5) << d;
  EXPECT_TRUE(d.contains("auto")) << d;
  EXPECT_TRUE(d["duplicates"].is_array()) << d;

  // Reload by the admin route: only admins; the new file's version shows at once.
  std::filesystem::copy_file(dir.path() + "/b.model", model,
                             std::filesystem::copy_options::overwrite_existing);
  ExpectError(api.Post("/api/v1/admin/model/reload", op, json::object()), 403, "forbidden");
  const Response reloaded = api.Post("/api/v1/admin/model/reload", admin, json::object());
  ASSERT_EQ(reloaded.status, 200) << reloaded;
  EXPECT_EQ(reloaded.body["model"]["version"], v2);
  EXPECT_EQ(version(), v2);

  // A corrupt file is refused and the current model stays.
  std::ofstream(model, std::ios::trunc) << "not a model";
  ExpectError(api.Post("/api/v1/admin/model/reload", admin, json::object()), 400,
              "invalid_argument");
  EXPECT_EQ(version(), v2);

  // SIGHUP reloads too (the server checks once a second).
  std::filesystem::copy_file(dir.path() + "/a.model", model,
                             std::filesystem::copy_options::overwrite_existing);
  server.Signal(SIGHUP);
  for (int i = 0; i < 50 && version() != v1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(version(), v1) << server.LogTail();
}

TEST(DispatchTest, WithoutAModelTheKeywordsProposeAndReloadIsRefused) {
  Shared *s = SharedServer();
  ASSERT_NE(s, nullptr);
  Api api(s->port());
  EXPECT_TRUE(api.Get("/healthz").body["model"].is_null());
  ExpectError(api.Post("/api/v1/admin/model/reload", s->keys.admin, json::object()), 409,
              "conflict");
}

}  // namespace
}  // namespace jiesu::ftest
