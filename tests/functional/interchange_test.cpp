// Interchange (DESIGN §6.3, issue 5): attachments, the export of a month, and the transfer of a
// case to a peer jurisdiction between two running jiesu instances.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>

#include "harness.hpp"

namespace jiesu::ftest {
namespace {

// The eight bytes of the PNG signature and some data: typed image/png from the bytes alone.
const std::string kPng = std::string("\x89PNG\r\n\x1A\n", 8) + "IHDR fake image body";

std::string CasePath(std::int64_t id) { return "/api/v1/cases/" + std::to_string(id); }

class AttachmentTest : public SharedServerTest {};

TEST_F(AttachmentTest, TypedFromTheBytesStoredOnceAndServedOnlyToThoseWhoSeeTheCase) {
  const Keys &k = keys();
  const std::int64_t id = CreateCaseId(api(), k.op, ComplaintBody(kLiyuan, "楼道灯坏了，附照片"));
  ASSERT_GT(id, 0);
  const std::string uploads = CasePath(id) + "/attachments";

  // The unit's handler sends a photo; the name loses its path, the type comes from the bytes.
  const Response up = api().PostFile(uploads, k.liyuan, "file", "../../etc/楼道.jpg", kPng, "text/html");
  ASSERT_EQ(up.status, 201) << up;
  const json &a = up.body["attachment"];
  EXPECT_EQ(a["type"], "image/png");
  EXPECT_EQ(a["name"], "楼道.jpg");
  EXPECT_EQ(a["size"], kPng.size());
  ASSERT_EQ(a["hash"].get<std::string>().size(), 64u);
  EXPECT_EQ(up.body["case"]["attachments"].size(), 1u);
  const std::string url = a["url"];
  EXPECT_EQ(url, uploads + "/" + a["hash"].get<std::string>());

  const Response got = api().Get(url, k.op);
  ASSERT_EQ(got.status, 200) << got;
  EXPECT_EQ(got.raw, kPng);
  EXPECT_EQ(got.content_type, "image/png");
  ExpectError(api().Get(url, k.zhongcang), 403, "forbidden");
  ExpectError(api().Get(uploads + "/" + std::string(64, '0'), k.op), 404, "not_found");

  // Who may not, what may not.
  ExpectError(api().PostFile(uploads, k.zhongcang, "file", "x.png", kPng), 403,
              "forbidden");
  ExpectError(api().PostFile(uploads, k.pub, "file", "x.png", kPng), 403, "forbidden");
  ExpectError(api().PostFile(uploads, k.op, "file", "x.jpg", "<script>alert(1)</script>"), 400,
              "invalid_argument");
  ExpectError(api().PostFile(uploads, k.op, "file", "empty.png", ""), 400, "invalid_argument");
  ExpectError(api().PostFile(uploads, k.op, "photo", "x.png", kPng), 400, "invalid_argument");
  ExpectError(api().PostFile(uploads, k.liyuan, "file", "again.png", kPng), 409, "conflict");
  ExpectError(api().Act(k.op, id, "attach", {{"hash", std::string(64, 'a')}}), 400,
              "invalid_argument");
  const Response c = api().GetCase(k.op, id);
  ASSERT_EQ(c.status, 200);
  EXPECT_EQ(c.body["attachments"].size(), 1u) << "nothing stored by the refused uploads";

  // Pictures show people and homes: not for public keys, not linked from Open311.
  ExpectError(api().Get(url, k.pub), 403, "forbidden");
  const Response o = api().Get("/open311/v2/requests/" + std::to_string(id) + ".json");
  ASSERT_EQ(o.status, 200) << o;
  EXPECT_EQ(o.body[0].value("media_url", "?"), "") << o;
}

class Open311IntakeTest : public SharedServerTest {};

// A citizen's app posts a long Chinese description: 3,000 characters are 27 KB url-encoded, over
// the 8 KiB cpp-httplib allows a form by default.
TEST_F(Open311IntakeTest, ALongChineseDescriptionArrivesWhole) {
  std::string text;
  for (int i = 0; i < 600; ++i) text += "楼道灯坏了";
  const Response r = api().PostForm("/open311/v2/requests.json",
                                    {{"api_key", keys().pub},
                                     {"service_code", "0101"},
                                     {"address_string", "梨园镇云景东路"},
                                     {"description", text}});
  ASSERT_EQ(r.status, 201) << r;
  const std::string id = r.body[0].value("service_request_id", "");
  const Response got = api().Get("/open311/v2/requests/" + id + ".json");
  ASSERT_EQ(got.status, 200) << got;
  EXPECT_EQ(got.body[0].value("description", ""), text);

  const Response bad = api().PostForm("/open311/v2/requests.json",
                                      {{"api_key", keys().pub},
                                       {"service_code", "0101"},
                                       {"address_string", "梨园镇"},
                                       {"description", std::string("a\0b", 3)}});
  EXPECT_EQ(bad.status, 400) << bad;
}

class ExportTest : public SharedServerTest {};

TEST_F(ExportTest, AMonthAsCsvOrXlsxForTheOfficeNotForHandlers) {
  const Keys &k = keys();
  ASSERT_GT(CreateCaseId(api(), k.op, ComplaintBody(kZhongcang, "导出测试：小区路灯不亮")), 0);
  char month[8];
  const std::time_t now = std::time(nullptr) + 8 * 3600;
  std::strftime(month, sizeof month, "%Y-%m", std::gmtime(&now));
  const std::string base = std::string("/api/v1/export?month=") + month;

  const Response csv = api().Get(base + "&bom=true", k.supervisor);
  ASSERT_EQ(csv.status, 200) << csv;
  EXPECT_EQ(csv.raw.rfind("\xEF\xBB\xBF工单编号,类型,来源", 0), 0u) << csv.raw.substr(0, 80);
  EXPECT_NE(csv.raw.find("导出测试：小区路灯不亮"), std::string::npos);
  EXPECT_EQ(csv.raw.find("13812341234"), std::string::npos) << "no caller contact in exports";
  const Response en = api().Get(base + "&lang=en", k.op);
  ASSERT_EQ(en.status, 200);
  EXPECT_EQ(en.raw.rfind("id,type,source", 0), 0u);
  const Response xlsx = api().Get(base + "&format=xlsx", k.admin);
  ASSERT_EQ(xlsx.status, 200);
  EXPECT_EQ(xlsx.raw.rfind("PK", 0), 0u);

  ExpectError(api().Get(base, k.liyuan), 403, "forbidden");
  ExpectError(api().Get(base, k.pub), 403, "forbidden");
  ExpectError(api().Get(base + "&lang=fr", k.op), 400, "invalid_argument");
  ExpectError(api().Get("/api/v1/export?month=2026-13", k.op), 400, "invalid_argument");
  ExpectError(api().Get(base + "&limit=5", k.op), 400, "invalid_argument");
}

std::string Slurp(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The CLI: a demo month exported, imported into an empty database, exported again; the workbook
// read back by a spreadsheet library (Debian's python3-openpyxl).
TEST(ExportCliTest, RoundTripThroughAnEmptyDatabaseAndAWorkbookWithTheRightColumns) {
  TempDir dir;
  const std::string a = dir.DbUrl("a.db"), b = dir.DbUrl("b.db");
  const ProcResult demo = RunJiesu({"demo", "--db", a, "--no-serve", "--months", "1",
                                    "--cases-per-month", "150", "--seed", "7"});
  ASSERT_EQ(demo.exit_code, 0) << demo.err;
  // Last month in Beijing time: the demo fills whole months before this one.
  const std::time_t now = std::time(nullptr) + 8 * 3600;
  std::tm today = *std::gmtime(&now);
  const std::time_t last = now - (today.tm_mday + 1) * 86400;
  char month[8];
  std::strftime(month, sizeof month, "%Y-%m", std::gmtime(&last));
  const std::string first = dir.path() + "/a.csv", second = dir.path() + "/b.csv";
  ASSERT_EQ(RunJiesu({"export", "--db", a, "--month", month, "--out", first}).exit_code, 0);
  const ProcResult imported = RunJiesu({"import", "--db", b, first});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_NE(imported.out.find(" cases, "), std::string::npos) << imported.out;
  ASSERT_EQ(RunJiesu({"export", "--db", b, "--month", month, "--out", second}).exit_code, 0);
  const std::string csv = Slurp(first);
  EXPECT_GT(std::count(csv.begin(), csv.end(), '\n'), 100);
  EXPECT_EQ(Slurp(second), csv) << "the same cases and events after the round trip";
  const ProcResult again = RunJiesu({"import", "--db", b, first});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("exists already"), std::string::npos) << again.err;

  const std::string xlsx = dir.path() + "/cases.xlsx";
  ASSERT_EQ(RunJiesu({"export", "--db", a, "--month", month, "--format", "xlsx", "--out", xlsx})
                .exit_code,
            0);
  EXPECT_EQ(RunJiesu({"export", "--db", a, "--month", month, "--format", "xlsx"}).exit_code, 2);
  std::ofstream(dir.path() + "/read.py")
      << "import sys, openpyxl\n"
         "wb = openpyxl.load_workbook(sys.argv[1])\n"
         "print('|'.join(wb.sheetnames))\n"
         "print('|'.join(str(c.value) for c in wb['工单'][1]))\n"
         "print(wb['工单'].max_row - 1, wb['事件'].max_row - 1)\n";
  std::string out;
  if (FILE *p = ::popen(("/usr/bin/python3 " + dir.path() + "/read.py " + xlsx + " 2>&1").c_str(),
                        "r")) {
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    ::pclose(p);
  }
  EXPECT_EQ(out.rfind("工单|事件\n工单编号|类型|来源|紧急程度|标题|内容|地址|分类编码|分类|承办单位编码|"
                      "承办单位|状态|受理时间|派单时间|签收时间|答复时间|办理期限|超期|答复内容|满意度|"
                      "重办次数\n",
                      0),
            0u)
      << out;
  const auto rows = std::count(csv.begin(), csv.end(), '\n') - 1;
  EXPECT_NE(out.find(std::to_string(rows) + " "), std::string::npos) << out << " rows " << rows;
}

// Two jiesu instances on loopback: ours (A) transfers a case to a peer (B) through B's Open311.
TEST(TransferTest, ACaseTransferredToAPeerArrivesThereAndItsStatusComesBack) {
  TempDir dir_b;
  ServerProcess b;
  std::string error;
  ASSERT_TRUE(b.Start(dir_b.DbUrl(), dir_b.path() + "/b.log", &error)) << error;
  const auto b_keys = CreateKeys(dir_b.DbUrl(), {{"public", "", "通州区 (peer)"},
                                                 {"operator", "", "武清热线"},
                                                 {"handler", kLiyuan, "武清承办"}});
  ASSERT_FALSE(b_keys[0].empty() || b_keys[1].empty() || b_keys[2].empty());

  TempDir dir_a;
  const std::string config = dir_a.path() + "/a.toml";
  std::ofstream(config) << "[[peers]]\nname = \"wuqing\"\ntitle = \"天津市武清区\"\n"
                        << "url = \"http://127.0.0.1:" << b.port() << "/open311/v2/\"\n"
                        << "api_key = \"" << b_keys[0] << "\"\n";
  ServerProcess a;
  ASSERT_TRUE(a.Start(dir_a.DbUrl(), dir_a.path() + "/a.log", &error, 20, {"--config", config}))
      << error;
  const auto a_keys = CreateKeys(dir_a.DbUrl(), {{"operator", "", "通州热线"},
                                                 {"handler", kLiyuan, "梨园承办"}});
  ASSERT_FALSE(a_keys[0].empty() || a_keys[1].empty());
  Api api_a(a.port()), api_b(b.port());

  const Response peers = api_a.Get("/api/v1/peers", a_keys[0]);
  ASSERT_EQ(peers.status, 200) << peers;
  ASSERT_EQ(peers.body["peers"].size(), 1u);
  EXPECT_EQ(peers.body["peers"][0]["name"], "wuqing");
  EXPECT_FALSE(peers.body["peers"][0].contains("api_key"));

  const std::int64_t id = CreateCaseId(
      api_a, a_keys[0],
      {{"type", "投诉"}, {"text", "跨界河道有人倾倒垃圾，位于武清区一侧"}, {"address", "北运河武清段"},
       {"category", kCatProperty}, {"caller", {{"name", "王五"}, {"phone", "13900001111"}}}});
  ASSERT_GT(id, 0);
  ExpectError(api_a.Act(a_keys[0], id, "transfer", {{"to", "nowhere"}}), 400, "invalid_argument");
  ExpectError(api_a.Act(a_keys[1], id, "transfer", {{"to", "wuqing"}}), 403, "forbidden");
  const json moved = ActOk(api_a, a_keys[0], id, "transfer", {{"to", "wuqing"}}, "transferred");
  ASSERT_TRUE(moved.contains("remote")) << moved.dump();
  const std::string remote_id = moved["remote"]["id"];
  ASSERT_FALSE(remote_id.empty());

  // It is there, as an Open311 request, without the caller's contact.
  const Response there = api_b.Get("/open311/v2/requests/" + remote_id + ".json");
  ASSERT_EQ(there.status, 200) << there;
  const std::string description = there.body[0]["description"];
  EXPECT_NE(description.find("跨界河道有人倾倒垃圾"), std::string::npos) << description;
  EXPECT_NE(description.find("转自工单" + std::to_string(id)), std::string::npos);
  const Response b_case = api_b.GetCase(b_keys[1], std::stoll(remote_id));
  ASSERT_EQ(b_case.status, 200) << b_case;
  EXPECT_EQ(b_case.body["source"], "open311");
  EXPECT_EQ(b_case.raw.find("13900001111"), std::string::npos);

  // B handles it; A pulls the status back into an event, once.
  const std::int64_t rid = std::stoll(remote_id);
  if (b_case.body["status"] == "received") {
    ActOk(api_b, b_keys[1], rid, "dispatch", {{"unit", kLiyuan}}, "dispatched");
  } else if (b_case.body["unit"]["code"] != kLiyuan) {
    GTEST_SKIP() << "B routed the case elsewhere: " << b_case.body["unit"].dump();
  }
  ActOk(api_b, b_keys[2], rid, "accept", json::object(), "accepted");
  ActOk(api_b, b_keys[2], rid, "reply", {{"text", "已清理河道垃圾"}, {"resolved", true}}, "replied");

  const std::string pull = CasePath(id) + "/remote-status";
  const Response pulled = api_a.Post(pull, a_keys[0], json::object());
  ASSERT_EQ(pulled.status, 200) << pulled;
  EXPECT_EQ(pulled.body["remote"]["status"], "closed/replied");
  EXPECT_EQ(pulled.body["remote"]["notes"], "已清理河道垃圾");
  const auto count_updates = [](const json &c) {
    int n = 0;
    for (const json &e : c["events"]) n += e["kind"] == "remote_updated";
    return n;
  };
  EXPECT_EQ(count_updates(pulled.body), 1);
  const Response again = api_a.Post(pull, a_keys[0], json::object());
  ASSERT_EQ(again.status, 200) << again;
  EXPECT_EQ(count_updates(again.body), 1) << "an unchanged status records nothing";
  ExpectError(api_a.Post(pull, a_keys[1], json::object()), 403, "forbidden");

  b.Stop(SIGTERM);
  ExpectError(api_a.Post(pull, a_keys[0], json::object()), 503, "unavailable");
}

}  // namespace
}  // namespace jiesu::ftest
