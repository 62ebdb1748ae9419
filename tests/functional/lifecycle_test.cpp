// The workflow over HTTP (DESIGN §3, §6.3): the closed loop and its side paths.
#include <ctime>

#include "harness.hpp"

namespace jiesu::ftest {
namespace {

std::vector<std::string> EventKinds(const json &c) {
  std::vector<std::string> kinds;
  if (!c.contains("events"))
    return kinds;
  for (const json &e : c["events"])
    kinds.push_back(e.value("kind", "?"));
  return kinds;
}

class LifecycleTest : public SharedServerTest {};

TEST_F(LifecycleTest, ComplaintRunsTheClosedLoop) {
  const Keys &k = keys();
  const Response created = api().CreateCase(k.op, ComplaintBody(kLiyuan));
  ASSERT_EQ(created.status, 201) << created;
  const json &c = created.body;
  ASSERT_TRUE(c.contains("id") && c["id"].is_number_integer()) << created;
  const std::int64_t id = c["id"];
  EXPECT_EQ(c["type"], "complaint");
  EXPECT_EQ(c["type_label"], "投诉");
  EXPECT_EQ(c["source"], "hotline");
  EXPECT_EQ(c["status"], "dispatched");
  EXPECT_EQ(c["unit"]["code"], kLiyuan);
  EXPECT_EQ(c["category"]["code"], kCatProperty);
  EXPECT_TRUE(IsBeijingIsoTime(c.value("created_at", ""))) << c["created_at"];
  EXPECT_TRUE(IsBeijingIsoTime(c.value("dispatched_at", "")))
      << c["dispatched_at"];
  EXPECT_TRUE(IsBeijingIsoTime(c.value("due", ""))) << c["due"];
  EXPECT_TRUE(IsBeijingIsoTime(c.value("response_due", "")))
      << c["response_due"];
  EXPECT_LT(c.value("response_due", ""), c.value("due", ""));
  ASSERT_TRUE(c.contains("dispatch") && c["dispatch"].is_object()) << created;
  const json &d = c["dispatch"];
  for (const char *field : {"category", "unit", "auto", "duplicates"}) {
    EXPECT_TRUE(d.contains(field))
        << "dispatch lacks " << field << ": " << d.dump();
  }
  EXPECT_EQ(d["auto"], false) << "the operator chose the unit: " << d.dump();
  EXPECT_TRUE(d["duplicates"].is_array());
  ASSERT_TRUE(d["category"].is_object()) << d.dump();
  EXPECT_EQ(d["category"]["code"], kCatProperty);
  // The operator sees the caller unmasked.
  ASSERT_TRUE(c.contains("caller")) << created;
  EXPECT_EQ(c["caller"]["phone"], "13812341234");
  EXPECT_EQ(c["caller"]["masked"], false);

  // The unit signs for it and replies.
  json after = ActOk(api(), k.liyuan, id, "accept", json::object(), "accepted");
  ASSERT_FALSE(after.is_null());
  EXPECT_TRUE(IsBeijingIsoTime(after.value("accepted_at", "")))
      << after["accepted_at"];
  after = ActOk(
      api(), k.liyuan, id, "reply",
      {{"text", "已联系物业公司更换楼道灯, 现已正常照明"}, {"resolved", true}},
      "replied");
  ASSERT_FALSE(after.is_null());
  EXPECT_EQ(after["reply"]["text"], "已联系物业公司更换楼道灯, 现已正常照明");
  EXPECT_EQ(after["reply"]["resolved"], true);

  // A case with a caller cannot be closed before a callback attempt.
  ExpectError(api().Act(k.op, id, "close"), 409, "conflict");

  // An unreachable callback leaves the state and records the attempt.
  after = ActOk(api(), k.op, id, "callback", {{"reachable", false}}, "replied");
  ASSERT_FALSE(after.is_null());
  EXPECT_EQ(after["callback_attempts"], 1);
  EXPECT_FALSE(after.contains("callback"))
      << "an unreachable callback is not a result";

  after = ActOk(api(), k.op, id, "callback",
                {{"reachable", true},
                 {"contacted", true},
                 {"resolved", true},
                 {"satisfaction", "基本满意"}},
                "called_back");
  ASSERT_FALSE(after.is_null());
  EXPECT_EQ(after["callback_attempts"], 2);
  ASSERT_TRUE(after.contains("callback")) << after.dump();
  EXPECT_EQ(after["callback"]["satisfaction"], "基本满意");
  EXPECT_EQ(after["callback"]["contacted"], true);
  EXPECT_EQ(after["callback"]["resolved"], true);

  after = ActOk(api(), k.op, id, "close", json::object(), "closed");
  ASSERT_FALSE(after.is_null());
  EXPECT_TRUE(IsBeijingIsoTime(after.value("closed_at", "")))
      << after["closed_at"];

  const Response got = api().GetCase(k.op, id);
  ASSERT_EQ(got.status, 200) << got;
  EXPECT_EQ(got.body["status"], "closed");
  EXPECT_EQ(got.body["status_label"], "已办结");
  const std::vector<std::string> expected = {
      "created",  "dispatched", "accepted", "replied",
      "callback", "callback",   "closed"};
  EXPECT_EQ(EventKinds(got.body), expected) << got;
  std::string previous;
  std::int64_t seq = 0;
  for (const json &e : got.body["events"]) {
    const std::string at = e.value("at", "");
    EXPECT_TRUE(IsBeijingIsoTime(at)) << "event time '" << at << "'";
    EXPECT_LE(previous, at) << "events out of time order";
    previous = at;
    EXPECT_EQ(e.value("seq", std::int64_t{0}), ++seq);
    EXPECT_TRUE(e.contains("actor") && e["actor"].contains("role")) << e.dump();
  }
  ASSERT_EQ(got.body["events"].size(), 7u);
  EXPECT_EQ(got.body["events"][0]["actor"]["role"], "operator");
  EXPECT_EQ(got.body["events"][2]["actor"]["role"], "handler");
  EXPECT_EQ(got.body["events"][2]["actor"]["unit"], kLiyuan);
  EXPECT_EQ(got.body["events"][5]["payload"]["satisfaction"], "基本满意");

  // Accepting a closed case is an invalid transition.
  const Response again = api().Act(k.liyuan, id, "accept");
  ExpectError(again, 409, "conflict");
  // The refused action left no trace.
  const Response unchanged = api().GetCase(k.op, id);
  EXPECT_EQ(EventKinds(unchanged.body).size(), 7u);
  EXPECT_EQ(unchanged.body["status"], "closed");
}

TEST_F(LifecycleTest, ObjectionUpheldRedispatchesToTheNamedUnit) {
  const Keys &k = keys();
  const std::int64_t id = CreateCaseId(
      api(), k.op,
      ComplaintBody(kLiyuan, "中仓街道西营社区门口井盖丢失, 物业说不归他们管"));
  ASSERT_NE(id, 0);
  // The wrong unit cannot object for 梨园镇.
  ExpectError(api().Act(k.zhongcang, id, "object", {{"reason", "不是我们的"}}),
              403, "forbidden");
  // An objection needs a reason.
  ExpectError(api().Act(k.liyuan, id, "object", {{"reason", "  "}}), 400,
              "invalid_argument");
  json c = ActOk(api(), k.liyuan, id, "object",
                 {{"reason", "地址在中仓街道辖区, 非本镇"}}, "objected");
  ASSERT_FALSE(c.is_null());
  EXPECT_EQ(c["objection_reason"], "地址在中仓街道辖区, 非本镇");
  // While objected, the unit cannot accept.
  ExpectError(api().Act(k.liyuan, id, "accept"), 409, "conflict");
  // Upholding must name a different unit.
  ExpectError(
      api().Act(k.supervisor, id, "review_objection", {{"uphold", true}}), 400,
      "invalid_argument");
  c = ActOk(api(), k.supervisor, id, "review_objection",
            {{"uphold", true}, {"unit", kZhongcang}}, "dispatched");
  ASSERT_FALSE(c.is_null());
  EXPECT_EQ(c["unit"]["code"], kZhongcang);
  EXPECT_FALSE(c.contains("objection_reason"));
  // The case has left 梨园镇: its handler can no longer see it; 中仓街道 can
  // act on it.
  ExpectError(api().GetCase(k.liyuan, id), 403, "forbidden");
  ActOk(api(), k.zhongcang, id, "accept", json::object(), "accepted");
}

TEST_F(LifecycleTest, DispatchBlockAgreesWithTheOperatorsUnit) {
  // The operator names 梨园镇 for a text that mentions a place in 中仓街道
  // (e.g. the caller lives in one and reports the other; the operator knows
  // better than the gazetteer).
  json body =
      ComplaintBody(kLiyuan, "中仓街道西营社区门口井盖丢失, 物业说不归他们管");
  body.erase("address");
  const Response r = api().CreateCase(keys().op, body);
  ASSERT_EQ(r.status, 201) << r;
  EXPECT_EQ(r.body["unit"]["code"], kLiyuan);
  EXPECT_EQ(r.body["status"], "dispatched");
  const json &d = r.body["dispatch"];
  EXPECT_EQ(d["auto"], false);
  // Regression: `dispatch.unit` used to report the router's proposal (中仓街道)
  // although the case went to the operator's unit; the router's view stays in
  // `suggestions`.
  ASSERT_TRUE(d["unit"].is_object()) << d.dump();
  EXPECT_EQ(d["unit"]["code"], kLiyuan) << d.dump();
}

TEST_F(LifecycleTest, RouterDispatchIsConsistentAndFlagsDuplicates) {
  const Keys &k = keys();
  const std::string text =
      "梨园镇京洲园社区7号楼电梯停运三天, 物业公司不管, 老人上下楼困难";
  json body = {
      {"type", "投诉"}, {"text", text}, {"caller", {{"phone", "13600003333"}}}};
  const Response first = api().CreateCase(k.op, body);
  ASSERT_EQ(first.status, 201) << first;
  const json &d = first.body["dispatch"];
  if (d["auto"] == true) {
    // Dispatched by the router: the case went to the unit the block names.
    EXPECT_EQ(first.body["status"], "dispatched");
    ASSERT_TRUE(d["unit"].is_object()) << d.dump();
    EXPECT_EQ(first.body["unit"]["code"], d["unit"]["code"]);
    EXPECT_GE(d["unit"]["confidence"].get<double>(), 0.0);
    // The place is in 梨园镇.
    EXPECT_EQ(first.body["unit"]["code"].get<std::string>().rfind(kLiyuan, 0),
              0u)
        << d.dump();
  } else {
    EXPECT_EQ(first.body["status"], "received")
        << "not confident: waits for the operator";
    EXPECT_TRUE(first.body["unit"].is_null());
  }
  // The same complaint again, to the same unit: flagged as a possible duplicate
  // of the first.
  body["unit"] = kLiyuan;
  const Response second = api().CreateCase(k.op, body);
  ASSERT_EQ(second.status, 201) << second;
  bool flagged = false;
  for (const json &dup : second.body["dispatch"]["duplicates"]) {
    flagged = flagged || dup["id"] == first.body["id"];
  }
  EXPECT_TRUE(flagged || d["auto"] == false)
      << "the same text a moment later is not flagged: "
      << second.body["dispatch"].dump();
}

TEST_F(LifecycleTest, ObjectionRejectedReturnsToTheUnit) {
  const Keys &k = keys();
  const std::int64_t id = CreateCaseId(api(), k.op, ComplaintBody(kLiyuan));
  ASSERT_NE(id, 0);
  ActOk(api(), k.liyuan, id, "accept", json::object(), "accepted");
  ActOk(api(), k.liyuan, id, "object", {{"reason", "不属于本镇"}}, "objected");
  const json c = ActOk(api(), k.supervisor, id, "review_objection",
                       {{"uphold", false}}, "accepted");
  ASSERT_FALSE(c.is_null());
  EXPECT_EQ(c["unit"]["code"], kLiyuan);
}

TEST_F(LifecycleTest, ExtendMovesTheDeadline) {
  const Keys &k = keys();
  const std::int64_t id = CreateCaseId(api(), k.op, ComplaintBody(kLiyuan));
  ASSERT_NE(id, 0);
  const Response before = api().GetCase(k.liyuan, id);
  ASSERT_EQ(before.status, 200) << before;
  const std::string due = before.body.value("due", "");
  ASSERT_TRUE(IsBeijingIsoTime(due)) << due;
  // Not later than the current deadline → 400; no reason → 400; operator → 403.
  ExpectError(
      api().Act(k.liyuan, id, "extend", {{"until", due}, {"reason", "需协调"}}),
      400, "invalid_argument");
  // 20 days from the 7-day deadline: later, and within 90 days of now.
  std::tm tm{};
  ASSERT_NE(strptime(due.c_str(), "%Y-%m-%dT%H:%M:%S", &tm), nullptr);
  tm.tm_mday += 20;
  timegm(&tm); // normalises the date
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S+08:00", &tm);
  const std::string later = buf;
  ExpectError(api().Act(k.liyuan, id, "extend", {{"until", later}}), 400,
              "invalid_argument");
  ExpectError(
      api().Act(k.op, id, "extend", {{"until", later}, {"reason", "需协调"}}),
      403, "forbidden");
  ExpectError(
      api().Act(k.liyuan, id, "extend",
                {{"until", "2099-01-01T00:00:00+08:00"}, {"reason", "x"}}),
      400, "invalid_argument");
  const json c = ActOk(api(), k.liyuan, id, "extend",
                       {{"until", later}, {"reason", "需协调物业公司与业委会"}},
                       "dispatched");
  ASSERT_FALSE(c.is_null());
  EXPECT_EQ(c["due"], later);
  EXPECT_EQ(c["extension_count"], 1);
  const Response got = api().GetCase(k.liyuan, id);
  ASSERT_EQ(got.status, 200) << got;
  const json &last = got.body["events"].back();
  EXPECT_EQ(last["kind"], "extended");
  EXPECT_EQ(last["payload"]["reason"], "需协调物业公司与业委会");
  EXPECT_EQ(last["payload"]["until"], later);
}

TEST_F(LifecycleTest, SupervisorFlagsSupervision) {
  const Keys &k = keys();
  const std::int64_t id = CreateCaseId(api(), k.op, ComplaintBody(kLiyuan));
  ASSERT_NE(id, 0);
  ExpectError(api().Act(k.liyuan, id, "supervise", {{"note", "自己督办自己"}}),
              403, "forbidden");
  const json c = ActOk(api(), k.supervisor, id, "supervise",
                       {{"note", "请尽快办理"}}, "dispatched");
  ASSERT_FALSE(c.is_null());
  EXPECT_EQ(c["supervised"], true);
  const Response listed =
      api().Get("/api/v1/cases?supervised=true&limit=500", k.supervisor);
  ASSERT_EQ(listed.status, 200) << listed;
  bool found = false;
  for (const json &x : listed.body["cases"])
    found = found || x["id"] == id;
  EXPECT_TRUE(found) << "a supervised case is missing from ?supervised=true";
}

TEST_F(LifecycleTest, UnresolvedCallbackIsReopenedToTheSameUnit) {
  const Keys &k = keys();
  const std::int64_t id = CreateCaseId(api(), k.op, ComplaintBody(kLiyuan));
  ASSERT_NE(id, 0);
  ActOk(api(), k.liyuan, id, "accept", json::object(), "accepted");
  ActOk(api(), k.liyuan, id, "reply", {{"text", "已处理"}}, "replied");
  ActOk(api(), k.op, id, "callback",
        {{"reachable", true},
         {"contacted", true},
         {"resolved", false},
         {"satisfaction", "不满意"}},
        "called_back");
  ExpectError(api().Act(k.op, id, "reopen"), 400,
              "invalid_argument"); // reason required
  const json c = ActOk(api(), k.op, id, "reopen",
                       {{"reason", "回访不满意, 灯仍未修好"}}, "dispatched");
  ASSERT_FALSE(c.is_null());
  EXPECT_EQ(c["reopen_count"], 1);
  EXPECT_EQ(c["unit"]["code"], kLiyuan);
  EXPECT_EQ(c["callback_attempts"], 0);
  EXPECT_FALSE(c.contains("callback"));
  // The unit gets it back and can sign for it again.
  ActOk(api(), k.liyuan, id, "accept", json::object(), "accepted");
  const Response got = api().GetCase(k.op, id);
  ASSERT_EQ(got.status, 200) << got;
  const std::vector<std::string> expected = {
      "created",  "dispatched", "accepted", "replied",
      "callback", "reopened",   "accepted"};
  EXPECT_EQ(EventKinds(got.body), expected);
}

TEST_F(LifecycleTest, MergeClosesTheDuplicateWithAPointer) {
  const Keys &k = keys();
  const std::int64_t target = CreateCaseId(api(), k.op, ComplaintBody(kLiyuan));
  const std::int64_t dup = CreateCaseId(api(), k.op, ComplaintBody(kLiyuan));
  ASSERT_NE(target, 0);
  ASSERT_NE(dup, 0);
  ExpectError(api().Act(k.op, dup, "merge", {{"into", dup}}), 400,
              "invalid_argument");
  ExpectError(api().Act(k.op, dup, "merge", {{"into", 99999999}}), 404,
              "not_found");
  ExpectError(api().Act(k.op, dup, "merge", {{"into", "x"}}), 400,
              "invalid_argument");
  const json c = ActOk(api(), k.op, dup, "merge", {{"into", target}}, "closed");
  ASSERT_FALSE(c.is_null());
  EXPECT_EQ(c["merged_into"], target);
  // The target stays open; a merged case cannot be reopened.
  const Response t = api().GetCase(k.op, target);
  EXPECT_EQ(t.body["status"], "dispatched") << t;
  ExpectError(api().Act(k.op, dup, "reopen", {{"reason", "x"}}), 409,
              "conflict");
  // Nothing merges into a closed case.
  const std::int64_t third = CreateCaseId(api(), k.op, ComplaintBody(kLiyuan));
  ASSERT_NE(third, 0);
  ExpectError(api().Act(k.op, third, "merge", {{"into", dup}}), 409,
              "conflict");
}

TEST_F(LifecycleTest, EmergencyIsTransferredAndNeverDispatched) {
  const Keys &k = keys();
  json body = {{"type", "求助"},
               {"text", "梨园镇群芳园社区3号楼有人晕倒, 需要急救"},
               {"urgency", "emergency"},
               {"caller", {{"phone", "13900001111"}}}};
  const Response created = api().CreateCase(k.op, body);
  ASSERT_EQ(created.status, 201) << created;
  EXPECT_EQ(created.body["status"], "received")
      << "an emergency is never dispatched";
  const std::int64_t id = created.body["id"];
  ExpectError(api().Act(k.op, id, "transfer", {{"to", ""}}), 400,
              "invalid_argument");
  const json c =
      ActOk(api(), k.op, id, "transfer", {{"to", "120"}}, "transferred");
  ASSERT_FALSE(c.is_null());
  EXPECT_EQ(c["transferred_to"], "120");
  ExpectError(api().Act(k.op, id, "dispatch", {{"unit", kLiyuan}}), 409,
              "conflict");
}

TEST_F(LifecycleTest, DispatchedCaseTransferredTo110) {
  const Keys &k = keys();
  const std::int64_t id = CreateCaseId(
      api(), k.op,
      ComplaintBody(kLiyuan, "群芳园社区楼下有人打架斗殴, 请派警察"));
  ASSERT_NE(id, 0);
  const json c =
      ActOk(api(), k.op, id, "transfer", {{"to", "110"}}, "transferred");
  ASSERT_FALSE(c.is_null());
  EXPECT_EQ(c["transferred_to"], "110");
  EXPECT_EQ(c["status_label"], "已移交");
  ExpectError(api().Act(k.liyuan, id, "accept"), 409, "conflict");
}

TEST_F(LifecycleTest, ConsultAnsweredAtIntake) {
  const Keys &k = keys();
  const Response created = api().CreateCase(
      k.op,
      {{"type", "咨询"}, {"text", "请问梨园镇社区卫生服务中心周末上班吗"}});
  ASSERT_EQ(created.status, 201) << created;
  EXPECT_EQ(created.body["status"], "received")
      << "a 咨询 waits for the operator";
  const std::int64_t id = created.body["id"];
  ExpectError(api().Act(k.op, id, "answer"), 400,
              "invalid_argument"); // text required
  const json c = ActOk(api(), k.op, id, "answer",
                       {{"text", "周六上午正常门诊, 周日休息"}}, "closed");
  ASSERT_FALSE(c.is_null());
  EXPECT_EQ(c["reply"]["text"], "周六上午正常门诊, 周日休息");
  EXPECT_TRUE(IsBeijingIsoTime(c.value("closed_at", "")));
  // A 投诉 cannot be answered at intake.
  const Response complaint = api().CreateCase(
      k.op, {{"type", "投诉"}, {"text", "物业收费不合理, 要求查处"}});
  ASSERT_EQ(complaint.status, 201) << complaint;
  if (complaint.body["status"] == "received") {
    ExpectError(
        api().Act(k.op, complaint.body["id"], "answer", {{"text", "好的"}}),
        409, "conflict");
  }
}

TEST_F(LifecycleTest, OperatorDispatchesAWaitingCaseAndRedispatches) {
  const Keys &k = keys();
  const Response created = api().CreateCase(
      k.op, {{"type", "咨询"}, {"text", "想了解一下住房公积金怎么提取"}});
  ASSERT_EQ(created.status, 201) << created;
  ASSERT_EQ(created.body["status"], "received");
  const std::int64_t id = created.body["id"];
  ExpectError(api().Act(k.op, id, "dispatch"), 400,
              "invalid_argument"); // unit required
  ExpectError(api().Act(k.op, id, "dispatch", {{"unit", "999999999"}}), 400,
              "invalid_argument");
  json c =
      ActOk(api(), k.op, id, "dispatch", {{"unit", kXinhua}}, "dispatched");
  ASSERT_FALSE(c.is_null());
  EXPECT_EQ(c["unit"]["code"], kXinhua);
  c = ActOk(api(), k.op, id, "dispatch",
            {{"unit", "110112D09"}, {"category", kCatWater}}, "dispatched");
  ASSERT_FALSE(c.is_null());
  EXPECT_EQ(c["unit"]["code"], "110112D09");
  EXPECT_EQ(c["category"]["code"], kCatWater);
}

} // namespace
} // namespace jiesu::ftest
