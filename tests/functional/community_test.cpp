// Building deliberation, the enterprise service package and public consultations through the
// HTTP API (docs/community.md): a 梨园镇 building's residents propose, vote and agree, and the
// agreed item reaches the township as a linked proactive case; an enterprise registered with a
// valid credit code has its request handled by its manager's unit, a wrong code is refused; a
// consultation collects opinions per section, groups them, exports them and refuses them once
// closed; the monthly review counts proactive cases and enterprise requests per township.
#include <ctime>

#include "harness.hpp"

namespace jiesu::ftest {
namespace {

class CommunityTest : public SharedServerTest {};

std::string Beijing(std::time_t t) {
  t += 8 * 3600;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S+08:00", &tm);
  return buf;
}

std::string InDays(int days) {
  return Beijing(std::time(nullptr) + static_cast<std::time_t>(days) * 86400);
}

std::string Id(const json& j) { return std::to_string(j["id"].get<std::int64_t>()); }

// Registers a resident of `building` as `by`; returns {resident json, key}.
std::pair<json, std::string> Register(Api& api, const std::string& by, const std::string& building,
                                      const std::string& name, const std::string& room) {
  const Response r = api.Post("/api/v1/buildings/" + building + "/residents", by,
                              {{"name", name}, {"room", room}});
  EXPECT_EQ(r.status, 201) << r;
  if (r.status != 201) return {json(), ""};
  return {r.body["resident"], r.body["key"].get<std::string>()};
}

TEST_F(CommunityTest, ResidentsDeliberateAndTheAgreementReachesTheTownship) {
  const Keys& k = keys();
  // The community's handler registers its building and three residents.
  const Response b = api().Post("/api/v1/buildings", k.qunfang,
                                {{"community", kQunfang},
                                 {"name", "群芳园小区3号楼2单元"},
                                 {"covenant", "一、爱护楼道环境，不堆放杂物。"}});
  ASSERT_EQ(b.status, 201) << b;
  EXPECT_EQ(b.body["township"]["code"], kLiyuan);
  EXPECT_TRUE(b.body["leader"].is_null());
  const std::string bid = Id(b.body);
  auto [wang, wang_key] = Register(api(), k.qunfang, bid, "王芳", "302");
  auto [li, li_key] = Register(api(), k.liyuan, bid, "李建国", "501");
  auto [zhang, zhang_key] = Register(api(), k.admin, bid, "张敏", "201");
  ASSERT_FALSE(wang_key.empty() || li_key.empty() || zhang_key.empty());
  const Response led = api().Post("/api/v1/buildings/" + bid, k.qunfang, {{"leader_id", wang["id"]}});
  ASSERT_EQ(led.status, 200) << led;
  EXPECT_EQ(led.body["leader"]["name"], "王芳");
  EXPECT_EQ(led.body["resident_count"], 3);

  const Response me = api().Get("/api/v1/me", li_key);
  ASSERT_EQ(me.status, 200) << me;
  EXPECT_EQ(me.body["role"], "resident");
  EXPECT_EQ(me.body["resident"]["building_id"], b.body["id"]);

  // 李 proposes; the neighbours vote (张 changes its vote) and comment.
  const Response p = api().Post("/api/v1/buildings/" + bid + "/proposals", li_key,
                                {{"title", "楼道加装扶手"},
                                 {"text", "楼里老人多，建议在一至六层楼道加装扶手。"}});
  ASSERT_EQ(p.status, 201) << p;
  EXPECT_EQ(p.body["status"], "open");
  EXPECT_EQ(p.body["author"]["name"], "李建国");
  const std::string pid = "/api/v1/proposals/" + Id(p.body);
  ASSERT_EQ(api().Post(pid + "/votes", li_key, {{"choice", "for"}}).status, 200);
  ASSERT_EQ(api().Post(pid + "/votes", zhang_key, {{"choice", "against"}}).status, 200);
  const Response changed = api().Post(pid + "/votes", zhang_key, {{"choice", "for"}});
  ASSERT_EQ(changed.status, 200) << changed;
  EXPECT_EQ(changed.body["votes"]["for"], 2);
  EXPECT_EQ(changed.body["votes"]["against"], 0);
  EXPECT_EQ(changed.body["my_vote"], "for");
  EXPECT_EQ(changed.body["residents"], 3);
  ASSERT_EQ(api().Post(pid + "/comments", wang_key, {{"text", "同意，资金可申请社区公益金。"}}).status,
            201);
  ExpectError(api().Post(pid + "/votes", wang_key, {{"choice", "maybe"}}), 400, "invalid_argument");

  // Only the 楼门长 closes; it records the agreement and a case goes to 梨园镇.
  ExpectError(api().Post(pid + "/close", li_key,
                         {{"outcome", "agreed"}, {"agreement", "x"}, {"needs_unit", true}}),
              403, "forbidden");
  ExpectError(api().Post(pid + "/close", wang_key, {{"outcome", "agreed"}}), 400,
              "invalid_argument");
  const Response closed = api().Post(pid + "/close", wang_key,
                                     {{"outcome", "agreed"},
                                      {"agreement", "全体同意加装扶手，请镇里协调施工。"},
                                      {"needs_unit", true}});
  ASSERT_EQ(closed.status, 200) << closed;
  EXPECT_EQ(closed.body["status"], "agreed");
  EXPECT_EQ(closed.body["agreement"]["by"]["name"], "王芳");
  ASSERT_TRUE(closed.body["case"].is_object()) << closed;
  EXPECT_EQ(closed.body["case"]["unit"]["code"], kLiyuan);
  EXPECT_EQ(closed.body["case"]["status"], "dispatched");
  const std::int64_t case_id = closed.body["case"]["id"];
  ExpectError(api().Post(pid + "/votes", li_key, {{"choice", "against"}}), 409, "conflict");

  // The case points back; the township handles it; the residents follow it on the proposal.
  const Response c = api().GetCase(k.liyuan, case_id);
  ASSERT_EQ(c.status, 200) << c;
  EXPECT_EQ(c.body["source"], "proactive");
  EXPECT_EQ(c.body["proposal_id"], p.body["id"]);
  EXPECT_NE(c.body["text"].get<std::string>().find("全体同意加装扶手"), std::string::npos);
  ActOk(api(), k.liyuan, case_id, "accept", json::object(), "accepted");
  ActOk(api(), k.liyuan, case_id, "reply", {{"text", "扶手已安装完毕"}, {"resolved", true}},
        "replied");
  ActOk(api(), k.op, case_id, "callback",
        {{"reachable", true}, {"contacted", true}, {"resolved", true}, {"satisfaction", "满意"}},
        "called_back");
  const Response followed = api().Get(pid, zhang_key);
  ASSERT_EQ(followed.status, 200) << followed;
  EXPECT_EQ(followed.body["case"]["reply_text"], "扶手已安装完毕");
  EXPECT_EQ(followed.body["case"]["callback"]["satisfaction"], "满意");
  ASSERT_EQ(followed.body["comments"].size(), 1u);

  // The month's review counts it for 梨园镇 under 主动治理.
  const std::string month = InDays(0).substr(0, 7);
  const Response review = api().Get("/api/v1/reports/monthly?month=" + month, k.supervisor);
  ASSERT_EQ(review.status, 200) << review;
  int liyuan = 0;
  for (const json& t : review.body["proactive"]["townships"]) {
    if (t["code"] == kLiyuan) liyuan = t["cases"];
  }
  EXPECT_GE(liyuan, 1) << review.body["proactive"].dump();
  const Response md =
      api().Get("/api/v1/reports/monthly?month=" + month + "&format=md", k.supervisor);
  EXPECT_NE(md.raw.find("## 主动治理"), std::string::npos) << md.raw;

  // Residents see their own building only, and nothing of the case engine.
  ExpectError(api().GetCase(zhang_key, case_id), 403, "forbidden");
  ExpectError(api().Get("/api/v1/cases", zhang_key), 403, "forbidden");
  ExpectError(api().CreateCase(zhang_key, {{"type", "求助"}, {"text", "楼道灯坏了"}}), 403,
              "forbidden");
  const Response other = api().Post("/api/v1/buildings", k.admin,
                                    {{"community", kJingzhou}, {"name", "京洲园1号楼"}});
  ASSERT_EQ(other.status, 201) << other;
  ExpectError(api().Get("/api/v1/buildings/" + Id(other.body), zhang_key), 403, "forbidden");
  ExpectError(api().Post("/api/v1/buildings/" + Id(other.body) + "/proposals", zhang_key,
                         {{"title", "x"}, {"text", "y"}}),
              403, "forbidden");
  const Response mine = api().Get("/api/v1/buildings", zhang_key);
  ASSERT_EQ(mine.status, 200) << mine;
  ASSERT_EQ(mine.body["buildings"].size(), 1u);
  EXPECT_EQ(mine.body["buildings"][0]["id"], b.body["id"]);
  // A handler of another township neither reads nor manages the building.
  ExpectError(api().Get("/api/v1/buildings/" + bid, k.zhongcang), 403, "forbidden");
  ExpectError(api().Post("/api/v1/buildings/" + bid + "/residents", k.zhongcang,
                         {{"name", "x"}, {"room", "1"}}),
              403, "forbidden");
  ExpectError(api().Post("/api/v1/buildings", k.zhongcang,
                         {{"community", kQunfang}, {"name", "x"}}),
              403, "forbidden");
  ExpectError(api().Post("/api/v1/buildings", k.admin, {{"community", kLiyuan}, {"name", "x"}}),
              400, "invalid_argument");  // a township is not a community
  ExpectError(api().Post("/api/v1/buildings/" + bid, k.qunfang, {{"leader_id", 987654}}), 400,
              "invalid_argument");
  // 张 lost the key: a new one works, the old one no longer does.
  const Response reissued =
      api().Post("/api/v1/buildings/" + bid + "/residents/" + Id(zhang) + "/key", k.qunfang,
                 json::object());
  ASSERT_EQ(reissued.status, 200) << reissued;
  const std::string zhang_new = reissued.body["key"];
  EXPECT_EQ(api().Get("/api/v1/me", zhang_key).status, 401);
  EXPECT_EQ(api().Get("/api/v1/me", zhang_new).body["resident"]["id"], zhang["id"]);
  // A new proposal; 李 votes, then moves out: the key stops, the vote is withdrawn, the count drops.
  const Response p2 = api().Post("/api/v1/buildings/" + bid + "/proposals", zhang_new,
                                 {{"title", "单元门换门禁"}, {"text", "单元门禁老化，建议更换。"}});
  ASSERT_EQ(p2.status, 201) << p2;
  const std::string p2id = "/api/v1/proposals/" + Id(p2.body);
  ASSERT_EQ(api().Post(p2id + "/votes", li_key, {{"choice", "against"}}).status, 200);
  const Response left = api().Post("/api/v1/buildings/" + bid + "/residents/" + Id(li) + "/leave",
                                   k.qunfang, json::object());
  ASSERT_EQ(left.status, 200) << left;
  EXPECT_EQ(left.body["resident_count"], 2);
  EXPECT_EQ(api().Get("/api/v1/me", li_key).status, 401);
  const Response after = api().Get(p2id, zhang_new);
  EXPECT_EQ(after.body["votes"]["against"], 0) << after;
  EXPECT_EQ(after.body["residents"], 2);
  EXPECT_EQ(api().Get(pid, zhang_new).body["author"]["name"], "李建国");  // kept for the record
  ExpectError(api().Post("/api/v1/buildings/" + bid + "/residents/" + Id(li) + "/leave",
                         k.qunfang, json::object()),
              409, "conflict");
  ExpectError(api().Post("/api/v1/buildings/" + bid, k.qunfang, {{"leader_id", li["id"]}}), 400,
              "invalid_argument");  // moved out
  // The 楼门长 moves out too: the building has none until one is named.
  const Response no_leader = api().Post(
      "/api/v1/buildings/" + bid + "/residents/" + Id(wang) + "/leave", k.admin, json::object());
  ASSERT_EQ(no_leader.status, 200) << no_leader;
  EXPECT_TRUE(no_leader.body["leader"].is_null());
  ExpectError(api().Post("/api/v1/buildings/" + bid + "/residents/" + Id(zhang) + "/leave",
                         k.zhongcang, json::object()),
              403, "forbidden");
  ExpectError(api().Post("/api/v1/buildings/" + Id(other.body) + "/residents/" + Id(zhang) + "/key",
                         k.admin, json::object()),
              404, "not_found");  // not a resident of that building

  // Resident keys come only from registration.
  EXPECT_NE(RunJiesu({"keys", "create", "--db", "sqlite:/nonexistent/x.db", "--role", "resident"})
                .exit_code,
            0);
}

TEST_F(CommunityTest, EnterpriseRequestsGoToTheManagerAndBadCodesAreRefused) {
  const Keys& k = keys();
  const json enterprise = {{"name", "北京云帆科技有限公司"},
                           {"credit_code", "91110112MA01ABCD1X"},
                           {"township", kLiyuan},
                           {"address", "梨园镇云景东路1号"},
                           {"manager_name", "赵磊"},
                           {"manager_unit", kLiyuan}};
  const Response bad = api().Post("/api/v1/enterprises", k.supervisor, enterprise);
  ExpectError(bad, 400, "invalid_argument");
  EXPECT_NE(bad.raw.find("7"), std::string::npos) << bad;  // names the expected check character
  ExpectError(api().Post("/api/v1/enterprises", k.op, enterprise), 403, "forbidden");
  json good = enterprise;
  good["credit_code"] = "91110112MA01ABCD17";
  const Response e = api().Post("/api/v1/enterprises", k.supervisor, good);
  ASSERT_EQ(e.status, 201) << e;
  EXPECT_EQ(e.body["manager"]["unit"]["code"], kLiyuan);
  ExpectError(api().Post("/api/v1/enterprises", k.admin, good), 409, "conflict");

  // The hotline records its request: category 1205, to the manager's unit at once.
  const Response r = api().CreateCase(
      k.op, {{"type", "求助"}, {"enterprise_id", e.body["id"]},
             {"text", "我们申报的中小企业扶持资金已过公示期，至今未拨付，请协调。"},
             {"caller", {{"name", "钱总"}, {"phone", "13800138000"}}}});
  ASSERT_EQ(r.status, 201) << r;
  EXPECT_EQ(r.body["category"]["code"], "1205");
  EXPECT_EQ(r.body["unit"]["code"], kLiyuan);
  EXPECT_EQ(r.body["status"], "dispatched");
  EXPECT_EQ(r.body["enterprise_id"], e.body["id"]);
  ASSERT_TRUE(r.body["response_due"].is_string()) << r;
  const std::int64_t rid = r.body["id"];
  ExpectError(api().CreateCase(k.op, {{"type", "求助"}, {"enterprise_id", 987654},
                                      {"text", "资金未拨付"}}),
              404, "not_found");
  ExpectError(api().CreateCase(k.op, {{"type", "求助"}, {"enterprise_id", e.body["id"]},
                                      {"unit", kXinhua}, {"text", "资金未拨付"}}),
              400, "invalid_argument");
  ExpectError(api().CreateCase(k.pub, {{"type", "求助"}, {"enterprise_id", e.body["id"]},
                                       {"text", "资金未拨付"}}),
              403, "forbidden");
  // Enterprises' requests are not public: not by id, not in lists, not through Open311.
  ExpectError(api().GetCase(k.pub, rid), 404, "not_found");
  ExpectError(api().Get("/api/v1/cases?enterprise=" + Id(e.body), k.pub), 403, "forbidden");
  const Response public_list = api().Get("/api/v1/cases?limit=500", k.pub);
  ASSERT_EQ(public_list.status, 200) << public_list;
  for (const json& c : public_list.body["cases"]) {
    EXPECT_NE(c["id"], rid);
    EXPECT_FALSE(c.contains("enterprise_id"));
  }
  EXPECT_EQ(api().Get("/open311/v2/requests/" + std::to_string(rid) + ".json").status, 404);

  // It is in the manager's queue and on the enterprise's page, with the count of open ones.
  const Response queue =
      api().Get("/api/v1/cases?enterprise=" + Id(e.body) + "&status=dispatched", k.liyuan);
  ASSERT_EQ(queue.status, 200) << queue;
  ASSERT_EQ(queue.body["cases"].size(), 1u);
  EXPECT_EQ(queue.body["cases"][0]["id"], rid);
  const Response page = api().Get("/api/v1/enterprises/" + Id(e.body), k.liyuan);
  ASSERT_EQ(page.status, 200) << page;
  EXPECT_EQ(page.body["requests"]["total"], 1);
  EXPECT_EQ(page.body["requests"]["open"], 1);
  ExpectError(api().Get("/api/v1/enterprises/" + Id(e.body), k.zhongcang), 403, "forbidden");
  const Response listed = api().Get("/api/v1/enterprises?q=" + UrlEncode("云帆"), k.op);
  ASSERT_EQ(listed.status, 200) << listed;
  EXPECT_EQ(listed.body["enterprises"].size(), 1u);
  EXPECT_EQ(api().Get("/api/v1/enterprises", k.zhongcang).body["enterprises"].size(), 0u);

  // Handled and called back: the review counts it for 梨园镇's enterprises.
  ActOk(api(), k.liyuan, rid, "accept", json::object(), "accepted");
  ActOk(api(), k.liyuan, rid, "reply", {{"text", "资金已拨付"}, {"resolved", true}}, "replied");
  ActOk(api(), k.op, rid, "callback",
        {{"reachable", true}, {"contacted", true}, {"resolved", true}, {"satisfaction", "基本满意"}},
        "called_back");
  const Response review =
      api().Get("/api/v1/reports/monthly?month=" + InDays(0).substr(0, 7), k.supervisor);
  ASSERT_EQ(review.status, 200) << review;
  bool found = false;
  for (const json& t : review.body["enterprise"]["townships"]) {
    if (t["code"] != kLiyuan) continue;
    found = true;
    EXPECT_GE(t["requests"].get<int>(), 1);
    EXPECT_GE(t["valid_callbacks"].get<int>(), 1);
    EXPECT_GT(t["satisfaction_rate"].get<double>(), 0.0);
  }
  EXPECT_TRUE(found) << review.body["enterprise"].dump();
  const Response md = api().Get(
      "/api/v1/reports/monthly?month=" + InDays(0).substr(0, 7) + "&format=md", k.supervisor);
  EXPECT_NE(md.raw.find("## 企业服务包"), std::string::npos) << md.raw;
}

TEST_F(CommunityTest, ConsultationsCollectGroupExportAndClose) {
  const Keys& k = keys();
  const json draft = {{"title", "《北京市建筑绿色发展条例（草案）》公开征求意见"},
                      {"summary", "为推动建筑绿色发展，现公开征求意见。"},
                      {"office", "110112D01"},
                      {"closes", InDays(30)},
                      {"sections", {{{"title", "第一章 总则"}, {"text", "第一条 为了……"}},
                                    {{"title", "第二章 规划与建设"}, {"text", "第十条 ……"}}}}};
  ExpectError(api().Post("/api/v1/consultations", k.op, draft), 403, "forbidden");
  const Response c = api().Post("/api/v1/consultations", k.supervisor, draft);
  ASSERT_EQ(c.status, 201) << c;
  EXPECT_EQ(c.body["state"], "open");
  ASSERT_EQ(c.body["sections"].size(), 2u);
  const std::string base = "/api/v1/consultations/" + Id(c.body);

  const char* alike[] = {"建议明确既有建筑节能改造的财政补贴标准", "建议明确既有建筑节能改造的补贴标准和申请流程",
                         "希望明确既有建筑节能改造财政补贴的标准"};
  for (const char* text : alike) {
    const Response o = api().Post(base + "/opinions", k.pub, {{"section", 2}, {"text", text}});
    ASSERT_EQ(o.status, 201) << o;
  }
  ASSERT_EQ(api().Post(base + "/opinions", k.op,
                       {{"section", 2}, {"text", "光伏屋顶的产权归属应当写清楚"}, {"name", "王先生"}})
                .status,
            201);
  ASSERT_EQ(api().Post(base + "/opinions", k.liyuan, {{"section", 1}, {"text", "总则应写入绿色建材"}})
                .status,
            201);
  ExpectError(api().Post(base + "/opinions", k.pub, {{"section", 3}, {"text", "第三章在哪里"}}), 400,
              "invalid_argument");
  ExpectError(api().Post(base + "/opinions", k.pub, {{"section", 1}, {"text", "好"}}), 400,
              "invalid_argument");

  const Response got = api().Get(base, k.pub);
  ASSERT_EQ(got.status, 200) << got;
  EXPECT_EQ(got.body["opinions"], 5);
  EXPECT_EQ(got.body["sections"][1]["opinions"], 4);
  ExpectError(api().Get(base + "/opinions", k.pub), 403, "forbidden");
  const Response grouped = api().Get(base + "/opinions", k.supervisor);
  ASSERT_EQ(grouped.status, 200) << grouped;
  const json& groups = grouped.body["sections"][1]["groups"];
  ASSERT_EQ(groups.size(), 2u) << grouped.body.dump();
  EXPECT_EQ(groups[0]["count"], 3);
  EXPECT_NE(groups[0]["representative"].get<std::string>().find("节能改造"), std::string::npos);
  EXPECT_EQ(groups[1]["count"], 1);
  EXPECT_EQ(grouped.body["opinions"].size(), 5u);
  const Response xlsx = api().Get(base + "/export", k.supervisor);
  ASSERT_EQ(xlsx.status, 200);
  EXPECT_EQ(xlsx.raw.substr(0, 2), "PK");  // a ZIP container
  EXPECT_GT(xlsx.raw.size(), 3000u);

  // A closed consultation takes nothing more.
  json past = draft;
  past["opens"] = InDays(-30);
  past["closes"] = InDays(-1);
  const Response old = api().Post("/api/v1/consultations", k.admin, past);
  ASSERT_EQ(old.status, 201) << old;
  EXPECT_EQ(old.body["state"], "closed");
  const Response refused = api().Post("/api/v1/consultations/" + Id(old.body) + "/opinions", k.pub,
                                      {{"section", 1}, {"text", "还来得及提意见吗"}});
  ExpectError(refused, 409, "conflict");
  EXPECT_NE(refused.raw.find("closed on"), std::string::npos) << refused;
  EXPECT_EQ(api().Get("/api/v1/consultations/" + Id(old.body), k.pub).body["opinions"], 0);
  json backwards = draft;
  backwards["closes"] = InDays(-1);
  ExpectError(api().Post("/api/v1/consultations", k.admin, backwards), 400, "invalid_argument");
  json no_sections = draft;
  no_sections["sections"] = json::array();
  ExpectError(api().Post("/api/v1/consultations", k.admin, no_sections), 400, "invalid_argument");
}

// The case list takes several statuses and sources at once (a queue of 待签收 and 办理中; the
// 主动治理 cases alone); the public may not ask for sources it does not see.
TEST_F(CommunityTest, CaseListTakesSeveralStatusesAndSources) {
  const Keys& k = keys();
  const std::int64_t a = CreateCaseId(api(), k.op, ComplaintBody(kLiyuan, "小区东门路灯不亮"));
  const std::int64_t b = CreateCaseId(api(), k.op, ComplaintBody(kLiyuan, "楼道堆放杂物无人清理"));
  ASSERT_TRUE(a && b);
  ActOk(api(), k.liyuan, b, "accept", json::object(), "accepted");
  const Response both =
      api().Get("/api/v1/cases?status=dispatched,accepted&limit=500", k.liyuan);
  ASSERT_EQ(both.status, 200) << both;
  bool saw_a = false, saw_b = false;
  for (const json& c : both.body["cases"]) {
    EXPECT_TRUE(c["status"] == "dispatched" || c["status"] == "accepted") << c.dump();
    saw_a = saw_a || c["id"] == a;
    saw_b = saw_b || c["id"] == b;
  }
  EXPECT_TRUE(saw_a && saw_b);
  const Response one = api().Get("/api/v1/cases?status=accepted&limit=500", k.liyuan);
  for (const json& c : one.body["cases"]) EXPECT_NE(c["id"], a);
  ExpectError(api().Get("/api/v1/cases?status=dispatched,nonsense", k.liyuan), 400,
              "invalid_argument");
  ExpectError(api().Get("/api/v1/cases?status=dispatched,", k.liyuan), 400, "invalid_argument");

  const Response proactive = api().Get("/api/v1/cases?source=proactive,grid&limit=500", k.supervisor);
  ASSERT_EQ(proactive.status, 200) << proactive;
  for (const json& c : proactive.body["cases"]) {
    EXPECT_TRUE(c["source"] == "proactive" || c["source"] == "grid") << c.dump();
  }
  const Response hotline = api().Get("/api/v1/cases?source=hotline&limit=500", k.supervisor);
  bool saw = false;
  for (const json& c : hotline.body["cases"]) saw = saw || c["id"] == a;
  EXPECT_TRUE(saw);
  ExpectError(api().Get("/api/v1/cases?source=inspection", k.pub), 403, "forbidden");
  EXPECT_EQ(api().Get("/api/v1/cases?source=web", k.pub).status, 200);
}

}  // namespace
}  // namespace jiesu::ftest
