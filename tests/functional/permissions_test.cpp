// Roles and unit scope (DESIGN §2, §3 caller protection) over HTTP.
#include <algorithm>
#include <map>
#include <set>

#include "harness.hpp"

namespace jiesu::ftest {
namespace {

class PermissionsTest : public SharedServerTest {
protected:
  // id → unit code of every case the key sees in GET /api/v1/cases (all pages).
  std::map<std::int64_t, std::string> ListedIds(const std::string &key) {
    std::map<std::int64_t, std::string> ids;
    std::string cursor;
    for (int page = 0; page < 100; ++page) {
      std::string path = "/api/v1/cases?limit=500";
      if (!cursor.empty())
        path += "&cursor=" + cursor;
      const Response r = api().Get(path, key);
      if (r.status != 200) {
        ADD_FAILURE() << "GET " << path << ": " << r;
        return ids;
      }
      for (const json &c : r.body["cases"]) {
        ids[c["id"].get<std::int64_t>()] =
            c["unit"].is_object() ? c["unit"].value("code", "") : "";
      }
      if (r.body["next_cursor"].is_null())
        return ids;
      cursor = r.body["next_cursor"].get<std::string>();
    }
    ADD_FAILURE() << "paging did not end";
    return ids;
  }
};

TEST_F(PermissionsTest, MissingOrBadKeyIs401) {
  ExpectError(api().Get("/api/v1/cases"), 401, "unauthenticated");
  ExpectError(api().Get("/api/v1/cases",
                        "jz_000000000000_00000000000000000000000000000000"),
              401, "unauthenticated");
  ExpectError(api().Get("/api/v1/cases", "not-a-key"), 401, "unauthenticated");
  // A real prefix with a wrong secret.
  std::string forged = keys().op;
  forged.back() = forged.back() == '0' ? '1' : '0';
  ExpectError(api().Get("/api/v1/cases", forged), 401, "unauthenticated");
  ExpectError(api().CreateCase("", ComplaintBody(kLiyuan)), 401,
              "unauthenticated");
  // Health needs no key.
  const Response health = api().Get("/healthz");
  EXPECT_EQ(health.status, 200) << health;
}

TEST_F(PermissionsTest, PublicCannotDispatchAndNeverSeesTheCaller) {
  const Keys &k = keys();
  // The public may report but not choose the unit.
  ExpectError(api().CreateCase(k.pub, ComplaintBody(kLiyuan)), 403,
              "forbidden");
  const Response mine = api().CreateCase(
      k.pub, {{"type", "建议"},
              {"text", "建议在梨园镇群芳园社区增设健身器材"},
              {"caller", {{"name", "李四"}, {"phone", "13700002222"}}}});
  ASSERT_EQ(mine.status, 201) << mine;
  EXPECT_EQ(mine.body["source"], "web");
  EXPECT_FALSE(mine.body.contains("caller"))
      << "public response carries the caller: " << mine;
  // The public may not record a hotline case.
  json hotline = {
      {"type", "建议"}, {"text", "增设路灯"}, {"source", "hotline"}};
  ExpectError(api().CreateCase(k.pub, hotline), 403, "forbidden");

  const std::int64_t id = CreateCaseId(api(), k.op, ComplaintBody(kLiyuan));
  ASSERT_NE(id, 0);
  ExpectError(api().Act(k.pub, id, "dispatch", {{"unit", kZhongcang}}), 403,
              "forbidden");
  ExpectError(api().Act(k.pub, id, "accept"), 403, "forbidden");
  const Response got = api().GetCase(k.pub, id);
  ASSERT_EQ(got.status, 200) << got;
  EXPECT_FALSE(got.body.contains("caller")) << got;
  EXPECT_EQ(got.raw.find("13812341234"), std::string::npos) << got;
  EXPECT_EQ(got.raw.find("张三"), std::string::npos) << got;
  // Event actors are reduced to their role for the public.
  for (const json &e : got.body["events"]) {
    EXPECT_FALSE(e["actor"].contains("name")) << e.dump();
  }
  EXPECT_TRUE(got.body["actions"].empty()) << got.body["actions"].dump();
}

TEST_F(PermissionsTest, HandlerSeesOnlyItsOwnUnitsCases) {
  const Keys &k = keys();
  const std::int64_t liyuan = CreateCaseId(api(), k.op, ComplaintBody(kLiyuan));
  const std::int64_t zhongcang = CreateCaseId(
      api(), k.op,
      ComplaintBody(kZhongcang, "中仓街道西营社区小区物业不作为, 楼道堆物"));
  ASSERT_NE(liyuan, 0);
  ASSERT_NE(zhongcang, 0);

  ExpectError(api().GetCase(k.liyuan, zhongcang), 403, "forbidden");
  ExpectError(api().Act(k.liyuan, zhongcang, "accept"), 403, "forbidden");
  ExpectError(api().Act(k.liyuan, zhongcang, "object", {{"reason", "x"}}), 403,
              "forbidden");
  // The refused accept did not change the case.
  EXPECT_EQ(api().GetCase(k.op, zhongcang).body["status"], "dispatched");

  const Response own = api().GetCase(k.liyuan, liyuan);
  ASSERT_EQ(own.status, 200) << own;
  // A handler sees the caller masked.
  ASSERT_TRUE(own.body.contains("caller")) << own;
  EXPECT_EQ(own.body["caller"]["phone"], "138****1234");
  EXPECT_EQ(own.body["caller"]["masked"], true);

  const auto ids = ListedIds(k.liyuan);
  EXPECT_TRUE(ids.count(liyuan)) << "own case missing from the handler's list";
  EXPECT_FALSE(ids.count(zhongcang))
      << "another unit's case in the handler's list";
  for (const auto &[id, unit] : ids) {
    // 梨园镇 or one of its communities (their codes extend the township's).
    EXPECT_EQ(unit.rfind(kLiyuan, 0), 0u)
        << "case " << id << " of unit " << unit;
  }
  // Asking for another unit's list is refused, not silently emptied.
  ExpectError(
      api().Get(std::string("/api/v1/cases?unit=") + kZhongcang, k.liyuan), 403,
      "forbidden");
}

TEST_F(PermissionsTest, CommunityHandlerSeesOnlyItsCommunity) {
  const Keys &k = keys();
  const std::int64_t community = CreateCaseId(
      api(), k.op,
      ComplaintBody(kQunfang, "群芳园社区5号楼垃圾桶满了没人清运"));
  const std::int64_t township =
      CreateCaseId(api(), k.op, ComplaintBody(kLiyuan));
  const std::int64_t neighbour = CreateCaseId(
      api(), k.op, ComplaintBody(kJingzhou, "京洲园社区小区门禁坏了"));
  ASSERT_NE(community, 0);
  ASSERT_NE(township, 0);
  ASSERT_NE(neighbour, 0);

  EXPECT_EQ(api().GetCase(k.qunfang, community).status, 200);
  ExpectError(api().GetCase(k.qunfang, township), 403, "forbidden");
  ExpectError(api().GetCase(k.qunfang, neighbour), 403, "forbidden");
  ExpectError(api().Act(k.qunfang, neighbour, "accept"), 403, "forbidden");
  const auto ids = ListedIds(k.qunfang);
  EXPECT_TRUE(ids.count(community));
  EXPECT_FALSE(ids.count(township));
  EXPECT_FALSE(ids.count(neighbour));
  // The township sees the cases of its communities, and may act on them.
  EXPECT_EQ(api().GetCase(k.liyuan, neighbour).status, 200);
  const auto township_ids = ListedIds(k.liyuan);
  EXPECT_TRUE(township_ids.count(community));
  EXPECT_TRUE(township_ids.count(neighbour));
  ActOk(api(), k.qunfang, community, "accept", json::object(), "accepted");
  ActOk(api(), k.liyuan, neighbour, "accept", json::object(), "accepted");
}

TEST_F(PermissionsTest, ContactIsMaskedForSupervisorAndAuditedForOperator) {
  const Keys &k = keys();
  const std::int64_t id = CreateCaseId(api(), k.op, ComplaintBody(kLiyuan));
  ASSERT_NE(id, 0);

  const Response sup = api().GetCase(k.supervisor, id);
  ASSERT_EQ(sup.status, 200) << sup;
  ASSERT_TRUE(sup.body.contains("caller")) << sup;
  EXPECT_EQ(sup.body["caller"]["phone"], "138****1234");
  EXPECT_EQ(sup.body["caller"]["masked"], true);
  EXPECT_NE(sup.body["caller"]["name"], "张三");
  EXPECT_EQ(sup.raw.find("13812341234"), std::string::npos);

  const Response op = api().GetCase(k.op, id);
  ASSERT_EQ(op.status, 200) << op;
  EXPECT_EQ(op.body["caller"]["phone"], "13812341234");
  EXPECT_EQ(op.body["caller"]["name"], "张三");
  EXPECT_EQ(op.body["caller"]["masked"], false);

  // Lists never carry contact data.
  const Response list = api().Get("/api/v1/cases?limit=5", k.op);
  ASSERT_EQ(list.status, 200) << list;
  EXPECT_EQ(list.raw.find("13812341234"), std::string::npos);

  const Response audit = api().Get("/api/v1/audit", k.admin);
  ASSERT_EQ(audit.status, 200) << audit;
  bool found = false;
  for (const json &e : audit.body["entries"]) {
    if (e.value("action", "") == "read_contact" && e["case_id"] == id) {
      found = true;
      EXPECT_TRUE(IsBeijingIsoTime(e.value("at", ""))) << e.dump();
      EXPECT_NE(e.value("actor", "").find("operator"), std::string::npos)
          << e.dump();
    }
  }
  EXPECT_TRUE(found) << "no read_contact audit entry for case " << id << ": "
                     << audit;
  for (const std::string *key :
       {&k.op, &k.supervisor, &k.liyuan, &k.pub, &k.inspector}) {
    ExpectError(api().Get("/api/v1/audit", *key), 403, "forbidden");
  }
}

TEST_F(PermissionsTest, AnonymousCallerIsNotStored) {
  json body = ComplaintBody(kLiyuan);
  body["anonymous"] = true;
  const Response created = api().CreateCase(keys().op, body);
  ASSERT_EQ(created.status, 201) << created;
  EXPECT_EQ(created.body["anonymous"], true);
  const Response got = api().GetCase(keys().op, created.body["id"]);
  ASSERT_EQ(got.status, 200) << got;
  EXPECT_FALSE(got.body.contains("caller")) << got;
  EXPECT_EQ(got.raw.find("13812341234"), std::string::npos);
}

TEST_F(PermissionsTest, RolesMayOnlyTakeTheirOwnActions) {
  const Keys &k = keys();
  const std::int64_t id = CreateCaseId(api(), k.op, ComplaintBody(kLiyuan));
  ASSERT_NE(id, 0);
  ExpectError(api().Act(k.supervisor, id, "accept"), 403, "forbidden");
  ExpectError(api().Act(k.op, id, "accept"), 403, "forbidden");
  ExpectError(api().Act(k.liyuan, id, "dispatch", {{"unit", kZhongcang}}), 403,
              "forbidden");
  ExpectError(api().Act(k.inspector, id, "supervise", {{"note", "x"}}), 403,
              "forbidden");
  ActOk(api(), k.liyuan, id, "object", {{"reason", "不属于本镇"}}, "objected");
  ExpectError(api().Act(k.op, id, "review_objection",
                        {{"uphold", true}, {"unit", kZhongcang}}),
              403, "forbidden");
  ExpectError(api().Act(k.liyuan, id, "review_objection", {{"uphold", false}}),
              403, "forbidden");
  // Still objected after the refusals.
  EXPECT_EQ(api().GetCase(k.op, id).body["status"], "objected");
  // The actions list offers what the role may do.
  const Response sup = api().GetCase(k.supervisor, id);
  ASSERT_EQ(sup.status, 200);
  const auto &actions = sup.body["actions"];
  EXPECT_NE(std::find(actions.begin(), actions.end(), "review_objection"),
            actions.end())
      << actions.dump();
  EXPECT_EQ(std::find(actions.begin(), actions.end(), "accept"), actions.end())
      << actions.dump();
}

TEST_F(PermissionsTest, AssessmentsAreNotForThePublic) {
  ExpectError(api().Get("/api/v1/assessments?month=2024-01", keys().pub), 403,
              "forbidden");
  EXPECT_EQ(
      api().Get("/api/v1/assessments?month=2024-01", keys().supervisor).status,
      200);
}

} // namespace
} // namespace jiesu::ftest
