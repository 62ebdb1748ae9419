// Inspection rounds (巡察) through the HTTP API: a round, a finding dispatched to a community with
// its rectification deadline, the unit's reply, the inspector's refusal and verification, the
// figures, a 回头看 over the round, the monthly review's section, and the errors.
#include <ctime>

#include "harness.hpp"

namespace jiesu::ftest {
namespace {

class InspectionTest : public SharedServerTest {};

std::string InDays(int days) {
  const std::time_t t = std::time(nullptr) + static_cast<std::time_t>(days) * 86400 + 8 * 3600;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S+08:00", &tm);
  return buf;
}

std::string ThisMonth() { return InDays(0).substr(0, 7); }

TEST_F(InspectionTest, RoundFindingVerificationRevisitAndReview) {
  const Keys& k = keys();
  const Response round = api().Post("/api/v1/inspections", k.inspector,
                                    {{"name", "区委第一巡察组对梨园镇、中仓街道党工委的巡察"},
                                     {"units", {kLiyuan, kZhongcang}}});
  ASSERT_EQ(round.status, 201) << round;
  const std::int64_t rid = round.body["id"];
  EXPECT_EQ(round.body["found"], 0);
  EXPECT_TRUE(round.body["rectification_rate"].is_null());
  EXPECT_EQ(round.body["units"].size(), 2u);
  EXPECT_EQ(round.body["units"][0]["name"], "梨园镇");

  const std::string base = "/api/v1/inspections/" + std::to_string(rid);
  const std::string due = InDays(30);
  const Response finding = api().Post(base + "/findings", k.inspector,
                                      {{"unit", kQunfang},
                                       {"text", "社区居务公开不及时，公开栏内容未按季度更新"},
                                       {"due", due}});
  ASSERT_EQ(finding.status, 201) << finding;
  const std::int64_t fid = finding.body["id"];
  EXPECT_EQ(finding.body["source"], "inspection");
  EXPECT_EQ(finding.body["inspection_id"], rid);
  EXPECT_EQ(finding.body["status"], "dispatched");
  EXPECT_EQ(finding.body["due"], due);
  EXPECT_EQ(finding.body["unit"]["code"], kQunfang);

  // The township's handler sees it in its queue and replies; the hotline does not call back.
  const Response queue = api().Get("/api/v1/cases?unit=" + kLiyuan + "&limit=500", k.liyuan);
  ASSERT_EQ(queue.status, 200) << queue;
  bool listed = false;
  for (const json& c : queue.body["cases"]) listed = listed || c["id"] == fid;
  EXPECT_TRUE(listed);
  ActOk(api(), k.liyuan, fid, "accept", json::object(), "accepted");
  ActOk(api(), k.liyuan, fid, "reply", {{"text", "已更新公开栏"}}, "replied");
  ExpectError(api().Act(k.op, fid, "callback", {{"reachable", false}}), 409, "conflict");
  ExpectError(api().Act(k.op, fid, "close"), 409, "conflict");
  ExpectError(api().Act(k.liyuan, fid, "verify", {{"rectified", true}}), 403, "forbidden");
  ExpectError(api().Act(k.inspector, fid, "verify", {{"rectified", false}}), 400,
              "invalid_argument");
  const json refused =
      ActOk(api(), k.inspector, fid, "verify", {{"rectified", false}, {"note", "仅更新一期"}},
            "accepted");
  EXPECT_TRUE(refused["rectified_at"].is_null());
  ActOk(api(), k.liyuan, fid, "reply", {{"text", "已按季度更新并建立台账"}}, "replied");
  const json closed = ActOk(api(), k.inspector, fid, "verify", {{"rectified", true}}, "closed");
  EXPECT_TRUE(IsBeijingIsoTime(closed.value("rectified_at", ""))) << closed.dump();

  // A second finding stays open.
  ASSERT_EQ(api().Post(base + "/findings", k.inspector,
                       {{"unit", kZhongcang}, {"text", "专项资金使用台账不健全"}, {"due", due}})
                .status,
            201);
  const Response got = api().Get(base, k.supervisor);
  ASSERT_EQ(got.status, 200) << got;
  EXPECT_EQ(got.body["found"], 2);
  EXPECT_EQ(got.body["rectified"], 1);
  EXPECT_DOUBLE_EQ(got.body["rectification_rate"].get<double>(), 0.5);
  EXPECT_EQ(got.body["overdue"], 0);
  ASSERT_EQ(got.body["organisations"].size(), 2u);
  EXPECT_EQ(got.body["organisations"][0]["code"], kLiyuan);
  EXPECT_EQ(got.body["organisations"][0]["rectified"], 1);
  ASSERT_EQ(got.body["findings"].size(), 2u);

  // 回头看 over the round: the same organisations and the earlier findings.
  const Response revisit = api().Post("/api/v1/inspections", k.inspector,
                                      {{"name", "巡察“回头看”"}, {"revisit_of", {rid}}});
  ASSERT_EQ(revisit.status, 201) << revisit;
  EXPECT_EQ(revisit.body["revisit"], true);
  EXPECT_EQ(revisit.body["units"].size(), 2u);
  EXPECT_EQ(revisit.body["found"], 2);
  EXPECT_EQ(revisit.body["own_findings"], 0);
  // The inspector reopens the rectified finding: it counts as not rectified again.
  ActOk(api(), k.inspector, fid, "reopen", {{"reason", "回头看发现问题反弹"}}, "dispatched");
  const Response after = api().Get("/api/v1/inspections/" +
                                   std::to_string(revisit.body["id"].get<std::int64_t>()),
                                   k.admin);
  EXPECT_EQ(after.body["rectified"], 0) << after;

  const Response list = api().Get("/api/v1/inspections", k.supervisor);
  ASSERT_EQ(list.status, 200) << list;
  ASSERT_GE(list.body["inspections"].size(), 2u);
  EXPECT_EQ(list.body["inspections"][0]["id"], revisit.body["id"]);  // newest first

  const Response review =
      api().Get("/api/v1/reports/monthly?month=" + ThisMonth(), k.supervisor);
  ASSERT_EQ(review.status, 200) << review;
  const json& ins = review.body["inspections"];
  EXPECT_GE(ins["rounds"].size(), 2u) << ins.dump();
  EXPECT_GE(ins["found"].get<int>(), 2);
  EXPECT_NE(ins.value("text", "").find("回头看"), std::string::npos) << ins.dump();
  const Response md =
      api().Get("/api/v1/reports/monthly?month=" + ThisMonth() + "&format=md", k.supervisor);
  EXPECT_NE(md.raw.find("## 巡察整改"), std::string::npos);
  EXPECT_NE(md.raw.find("巡察“回头看”"), std::string::npos);
  // The open finding at 中仓街道 is listed once, under the 回头看 that now answers for it.
  EXPECT_NE(md.raw.find("巡察“回头看” · 中仓街道：发现1个，已整改0个"), std::string::npos) << md.raw;
  EXPECT_EQ(md.raw.find("党工委的巡察 · 中仓街道"), std::string::npos) << md.raw;
}

TEST_F(InspectionTest, BadRoundsAndFindingsAreRefused) {
  const Keys& k = keys();
  ExpectError(api().Post("/api/v1/inspections", k.liyuan, {{"name", "x"}, {"units", {kLiyuan}}}),
              403, "forbidden");
  ExpectError(api().Post("/api/v1/inspections", k.op, {{"name", "x"}, {"units", {kLiyuan}}}), 403,
              "forbidden");
  ExpectError(api().Get("/api/v1/inspections", k.liyuan), 403, "forbidden");
  ExpectError(api().Post("/api/v1/inspections", k.inspector, {{"units", {kLiyuan}}}), 400,
              "invalid_argument");
  ExpectError(api().Post("/api/v1/inspections", k.inspector, {{"name", "x"}, {"units", "110112"}}),
              400, "invalid_argument");
  ExpectError(api().Post("/api/v1/inspections", k.inspector,
                         {{"name", "x"}, {"units", {kLiyuan}}, {"colour", "red"}}),
              400, "invalid_argument");
  ExpectError(api().Post("/api/v1/inspections", k.inspector,
                         {{"name", "x"}, {"revisit_of", {987654}}}),
              400, "invalid_argument");
  ExpectError(api().Post("/api/v1/inspections", k.inspector,
                         {{"name", "x"}, {"units", {kLiyuan}}, {"starts", "yesterday"}}),
              400, "invalid_argument");
  ExpectError(api().Get("/api/v1/inspections/987654", k.inspector), 404, "not_found");

  const Response round = api().Post("/api/v1/inspections", k.inspector,
                                    {{"name", "对梨园镇的巡察"}, {"units", {kLiyuan}}});
  ASSERT_EQ(round.status, 201) << round;
  const std::string findings =
      "/api/v1/inspections/" + std::to_string(round.body["id"].get<std::int64_t>()) + "/findings";
  ExpectError(api().Post(findings, k.inspector, {{"unit", kZhongcang}, {"text", "x"},
                                                 {"due", InDays(10)}}),
              400, "invalid_argument");  // not inspected in this round
  ExpectError(api().Post(findings, k.inspector, {{"unit", kLiyuan}, {"text", "x"}}), 400,
              "invalid_argument");  // no deadline
  ExpectError(api().Post(findings, k.inspector,
                         {{"unit", kLiyuan}, {"text", "x"}, {"due", InDays(-1)}}),
              400, "invalid_argument");  // deadline passed
  ExpectError(api().Post(findings, k.inspector, {{"unit", kLiyuan}, {"due", InDays(10)}}), 400,
              "invalid_argument");  // no text
  ExpectError(api().Post(findings, k.liyuan,
                         {{"unit", kLiyuan}, {"text", "x"}, {"due", InDays(10)}}),
              403, "forbidden");
  ExpectError(api().Post("/api/v1/inspections/987654/findings", k.inspector,
                         {{"unit", kLiyuan}, {"text", "x"}, {"due", InDays(10)}}),
              404, "not_found");
  // Not through the case intake either.
  ExpectError(api().CreateCase(k.op, {{"type", "举报"}, {"text", "x"}, {"source", "inspection"},
                                      {"unit", kLiyuan}}),
              403, "forbidden");
  const Response got = api().Get(findings.substr(0, findings.size() - 9), k.inspector);
  EXPECT_EQ(got.body["found"], 0) << got;  // nothing partially stored
}

}  // namespace
}  // namespace jiesu::ftest
