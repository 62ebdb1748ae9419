// Bad requests, one error shape (DESIGN §6.3), and cursor paging of the case
// list.
#include <set>

#include "harness.hpp"

namespace jiesu::ftest {
namespace {

class ErrorsTest : public SharedServerTest {
protected:
  Response PostCaseRaw(const std::string &body,
                       const std::string &type = "application/json") {
    return api().PostRaw("/api/v1/cases", keys().op, body, type);
  }
};

// Answers of every kind carry the browser's rules: only our own assets run, no framing, no
// sniffing; the printable review and attachments set stricter policies of their own.
TEST_F(ErrorsTest, EveryAnswerCarriesTheSecurityHeaders) {
  const Response answers[] = {api().Get("/healthz"), api().Get("/api/v1/cases/999999", keys().op),
                              api().Get("/api/v1/no-such-route", keys().op), api().Get("/")};
  for (const Response &r : answers) {
    ASSERT_NE(r.status, 0) << r;
    EXPECT_NE(r.headers.at("Content-Security-Policy").find("script-src 'self'"), std::string::npos)
        << r;
    EXPECT_EQ(r.headers.at("X-Content-Type-Options"), "nosniff") << r;
    EXPECT_EQ(r.headers.at("X-Frame-Options"), "DENY") << r;
    EXPECT_EQ(r.headers.count("X-Request-Id"), 1u) << r;
  }
  const Response review = api().Get("/api/v1/reports/monthly?month=2026-01&format=html",
                                    keys().supervisor);
  ASSERT_EQ(review.status, 200) << review;
  EXPECT_EQ(review.headers.at("Content-Security-Policy").rfind("default-src 'none'", 0), 0u);
}

TEST_F(ErrorsTest, MalformedBodiesAre400) {
  ExpectError(PostCaseRaw("{\"type\":\"投诉\",\"text\":"), 400,
              "invalid_argument");
  ExpectError(PostCaseRaw(""), 400, "invalid_argument");
  ExpectError(PostCaseRaw("[1,2]"), 400, "invalid_argument");
  ExpectError(PostCaseRaw("\"text\""), 400, "invalid_argument");
  // Invalid UTF-8 inside an otherwise valid JSON string.
  ExpectError(
      PostCaseRaw("{\"type\":\"投诉\",\"text\":\"\xff\xfe\xc3\x28 路灯坏了\"}"),
      400, "invalid_argument");
  // Overlong encoding of '/' and a lone surrogate (CESU) are not UTF-8 either.
  ExpectError(PostCaseRaw("{\"type\":\"投诉\",\"text\":\"\xc0\xaf\"}"), 400,
              "invalid_argument");
  ExpectError(PostCaseRaw("{\"type\":\"投诉\",\"text\":\"\xed\xa0\x80\"}"), 400,
              "invalid_argument");
  // Nested too deep.
  ExpectError(PostCaseRaw(std::string(100, '[') + std::string(100, ']')), 400,
              "invalid_argument");
  std::string deep = "{\"type\":\"投诉\",\"text\":\"x\",\"caller\":";
  for (int i = 0; i < 60; ++i)
    deep += "{\"a\":";
  deep += "1" + std::string(60, '}') + "}";
  ExpectError(PostCaseRaw(deep), 400, "invalid_argument");
}

TEST_F(ErrorsTest, WrongContentTypeIs400) {
  const std::string body = ComplaintBody(kLiyuan).dump();
  ExpectError(PostCaseRaw(body, "text/plain"), 400, "invalid_argument");
  ExpectError(PostCaseRaw(body, "application/x-www-form-urlencoded"), 400,
              "invalid_argument");
  // The JSON type with a charset parameter is fine.
  const Response ok = PostCaseRaw(body, "application/json; charset=utf-8");
  EXPECT_EQ(ok.status, 201) << ok;
}

TEST_F(ErrorsTest, InvalidCaseFieldsAre400) {
  const std::string &op = keys().op;
  const auto expect400 = [&](json body, const char *why) {
    SCOPED_TRACE(why);
    ExpectError(api().CreateCase(op, body), 400, "invalid_argument");
  };
  expect400({{"type", "投诉"}}, "missing text");
  expect400({{"type", "投诉"}, {"text", "   "}}, "blank text");
  expect400({{"text", "路灯坏了"}}, "missing type");
  expect400({{"type", "抱怨"}, {"text", "路灯坏了"}}, "unknown type");
  expect400({{"type", "投诉"}, {"text", 42}}, "text not a string");
  expect400({{"type", "投诉"}, {"text", "路灯坏了"}, {"unit", "999999999"}},
            "unknown unit");
  expect400({{"type", "投诉"}, {"text", "路灯坏了"}, {"category", "9999"}},
            "unknown category");
  expect400({{"type", "投诉"}, {"text", "路灯坏了"}, {"urgency", "asap"}},
            "unknown urgency");
  expect400({{"type", "投诉"}, {"text", "路灯坏了"}, {"lat", 39.9}},
            "lat without lon");
  expect400({{"type", "投诉"}, {"text", "路灯坏了"}, {"lat", 95}, {"lon", 116}},
            "lat out of range");
  expect400({{"type", "投诉"},
             {"text", "路灯坏了"},
             {"caller", {{"phone", "call me"}}}},
            "bad phone");
  expect400({{"type", "投诉"}, {"text", "路灯坏了"}, {"caller", "张三"}},
            "caller not an object");
  expect400({{"type", "投诉"}, {"text", "路灯坏了"}, {"colour", "red"}},
            "unknown field");
  expect400({{"type", "投诉"}, {"text", "路灯坏了"}, {"anonymous", "yes"}},
            "anonymous not bool");
  std::string long_text;
  for (int i = 0; i < 5001; ++i)
    long_text += "灯";
  expect400({{"type", "投诉"}, {"text", long_text}},
            "text over 5000 characters");
}

TEST_F(ErrorsTest, InvalidActionsAre400) {
  const Keys &k = keys();
  const std::int64_t id = CreateCaseId(api(), k.op, ComplaintBody(kLiyuan));
  ASSERT_NE(id, 0);
  ExpectError(api().Act(k.op, id, "teleport"), 400, "invalid_argument");
  ExpectError(api().Post("/api/v1/cases/" + std::to_string(id) + "/actions",
                         k.op, {{"text", "no action"}}),
              400, "invalid_argument");
  ExpectError(api().Post("/api/v1/cases/" + std::to_string(id) + "/actions",
                         k.op, {{"action", 7}}),
              400, "invalid_argument");
  ActOk(api(), k.liyuan, id, "accept", json::object(), "accepted");
  ExpectError(api().Act(k.liyuan, id, "reply"), 400,
              "invalid_argument"); // missing text
  ExpectError(
      api().Act(k.liyuan, id, "reply", {{"text", "ok"}, {"resolved", "yes"}}),
      400, "invalid_argument");
  ExpectError(api().Act(k.liyuan, id, "extend",
                        {{"until", "next week"}, {"reason", "x"}}),
              400, "invalid_argument");
  ActOk(api(), k.liyuan, id, "reply", {{"text", "已处理"}}, "replied");
  ExpectError(api().Act(k.op, id, "callback"), 400,
              "invalid_argument"); // reachable missing
  ExpectError(api().Act(k.op, id, "callback", {{"reachable", true}}), 400,
              "invalid_argument");
  ExpectError(api().Act(k.op, id, "callback",
                        {{"reachable", true},
                         {"contacted", true},
                         {"resolved", true},
                         {"satisfaction", "很满意"}}),
              400, "invalid_argument");
  // None of the refused actions changed the case.
  const Response got = api().GetCase(k.op, id);
  EXPECT_EQ(got.body["status"], "replied");
  EXPECT_EQ(got.body["events"].size(), 4u) << got;
}

TEST_F(ErrorsTest, BodyOverOneMebibyteIs413) {
  std::string text(1024 * 1024 + 16, 'a');
  const std::string body = json{{"type", "投诉"}, {"text", text}}.dump();
  const Response r = PostCaseRaw(body);
  ExpectError(r, 413, "too_large");
  // A body just under the limit is read and judged on its content (text too
  // long → 400).
  const std::string under =
      json{{"type", "投诉"}, {"text", std::string(1000 * 1000, 'a')}}.dump();
  ExpectError(PostCaseRaw(under), 400, "invalid_argument");
  // The server is still answering.
  EXPECT_EQ(api().Get("/healthz").status, 200);
}

TEST_F(ErrorsTest, UnknownCaseAndRouteAre404) {
  const std::string &op = keys().op;
  ExpectError(api().GetCase(op, 99999999), 404, "not_found");
  ExpectError(api().Act(op, 99999999, "accept"), 404, "not_found");
  ExpectError(api().Get("/api/v1/cases/0", op), 404, "not_found");
  ExpectError(api().Get("/api/v1/cases/99999999999999999999999", op), 404,
              "not_found");
  ExpectError(api().Get("/api/v1/nothing-here", op), 404, "not_found");
  ExpectError(api().Get("/api/v1/cases/abc", op), 404, "not_found");
  ExpectError(api().Post("/api/v1/nothing-here", op, json::object()), 404,
              "not_found");
}

TEST_F(ErrorsTest, BadListQueriesAre400) {
  const std::string &op = keys().op;
  for (const char *query :
       {"limit=0", "limit=abc", "limit=-1", "limit=100000", "limit=5x",
        "colour=red", "cursor=abc", "cursor=0", "status=lost", "type=抱怨",
        "unit=999999999", "overdue=maybe", "from=yesterday",
        "limit=1&limit=2"}) {
    SCOPED_TRACE(query);
    ExpectError(api().Get(std::string("/api/v1/cases?") + query, op), 400,
                "invalid_argument");
  }
  EXPECT_EQ(api().Get("/api/v1/cases?limit=1", op).status, 200);
  EXPECT_EQ(
      api()
          .Get("/api/v1/cases?status=dispatched&type=" + UrlEncode("投诉"), op)
          .status,
      200);
}

TEST_F(ErrorsTest, CursorPagingCoversEveryCaseOnce) {
  const std::string &op = keys().op;
  for (int i = 0; i < 7; ++i) {
    ASSERT_NE(
        CreateCaseId(api(), op,
                     ComplaintBody(kXinhua, "新华街道第" + std::to_string(i) +
                                                "个小区物业不清理楼道杂物")),
        0);
  }
  const Response all = api().Get("/api/v1/cases?limit=500", op);
  ASSERT_EQ(all.status, 200) << all;
  ASSERT_TRUE(all.body["next_cursor"].is_null())
      << "more than 500 cases on the shared server";
  std::set<std::int64_t> expected;
  for (const json &c : all.body["cases"])
    expected.insert(c["id"].get<std::int64_t>());
  ASSERT_GE(expected.size(), 7u);

  std::set<std::int64_t> seen;
  std::string cursor;
  std::int64_t previous = INT64_MAX;
  int pages = 0;
  for (;;) {
    ASSERT_LT(++pages, 1000) << "paging does not end";
    std::string path = "/api/v1/cases?limit=3";
    if (!cursor.empty())
      path += "&cursor=" + cursor;
    const Response page = api().Get(path, op);
    ASSERT_EQ(page.status, 200) << page;
    const json &cases = page.body["cases"];
    EXPECT_LE(cases.size(), 3u);
    for (const json &c : cases) {
      const std::int64_t id = c["id"];
      EXPECT_TRUE(seen.insert(id).second) << "case " << id << " on two pages";
      EXPECT_LT(id, previous) << "pages are not in descending id order";
      previous = id;
    }
    ASSERT_TRUE(page.body.contains("next_cursor")) << page;
    if (page.body["next_cursor"].is_null())
      break;
    EXPECT_EQ(cases.size(), 3u) << "a short page with a next cursor";
    ASSERT_TRUE(page.body["next_cursor"].is_string()) << page;
    cursor = page.body["next_cursor"].get<std::string>();
  }
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(pages, static_cast<int>((expected.size() + 2) / 3));

  // Paging a filtered list: the seven 新华街道 cases (plus any earlier ones)
  // page the same way.
  const Response first =
      api().Get(std::string("/api/v1/cases?limit=4&unit=") + kXinhua, op);
  ASSERT_EQ(first.status, 200) << first;
  EXPECT_EQ(first.body["cases"].size(), 4u);
  ASSERT_TRUE(first.body["next_cursor"].is_string()) << first;
  const Response second =
      api().Get(std::string("/api/v1/cases?limit=500&unit=") + kXinhua +
                    "&cursor=" + first.body["next_cursor"].get<std::string>(),
                op);
  ASSERT_EQ(second.status, 200) << second;
  EXPECT_GE(second.body["cases"].size(), 3u);
  EXPECT_TRUE(second.body["next_cursor"].is_null());
  for (const json &c : second.body["cases"])
    EXPECT_EQ(c["unit"]["code"], kXinhua);
}

} // namespace
} // namespace jiesu::ftest
