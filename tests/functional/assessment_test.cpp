// GET /api/v1/assessments (DESIGN §3 Assessment, §6.3) on a server of its own,
// so the counts are exactly the callbacks recorded here.
#include <signal.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "harness.hpp"

namespace jiesu::ftest {
namespace {

class AssessmentTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    server_ = new ServerProcess;
    std::string error;
    if (!StartServer(*dir_, *server_, &error)) {
      ADD_FAILURE() << error;
      return;
    }
    const auto keys = CreateKeys(dir_->DbUrl(), {{"operator", "", ""},
                                                 {"handler", kLiyuan, ""},
                                                 {"supervisor", "", ""},
                                                 {"public", "", ""}});
    op_ = keys[0];
    liyuan_ = keys[1];
    supervisor_ = keys[2];
    public_ = keys[3];
    ready_ = std::all_of(keys.begin(), keys.end(),
                         [](const auto &k) { return !k.empty(); });
  }
  static void TearDownTestSuite() {
    if (server_ != nullptr)
      server_->Stop(SIGTERM);
    delete server_;
    delete dir_;
    server_ = nullptr;
    dir_ = nullptr;
  }
  void SetUp() override {
    if (!ready_)
      GTEST_FAIL() << "the assessment server is not running";
    api_ = std::make_unique<Api>(server_->port());
  }

  // Creates a case for `unit`, runs it through accept and reply, records
  // `callbacks` (each the body of one callback action) and closes it; returns
  // the month of the last callback.
  std::string DriveLifecycle(const std::string &unit,
                             const std::vector<json> &callbacks) {
    Api &api = *api_;
    const std::int64_t id = CreateCaseId(api, op_, ComplaintBody(unit));
    if (id == 0)
      return "";
    ActOk(api, liyuan_, id, "accept", json::object(), "accepted");
    ActOk(api, liyuan_, id, "reply", {{"text", "已处理完毕"}}, "replied");
    for (const json &cb : callbacks) {
      ActOk(api, op_, id, "callback", cb,
            cb.value("reachable", false) ? "called_back" : "replied");
    }
    ActOk(api, op_, id, "close", json::object(), "closed");
    // The month the callbacks count for is the Beijing month of their events.
    const Response got = api.GetCase(op_, id);
    std::string month;
    for (const json &e : got.body["events"]) {
      if (e["kind"] == "callback")
        month = e.value("at", "").substr(0, 7);
    }
    return month;
  }

  static json FindUnit(const json &list, const std::string &code) {
    for (const json &u : list) {
      if (u.value("code", "") == code)
        return u;
    }
    return nullptr;
  }

  static inline TempDir *dir_ = nullptr;
  static inline ServerProcess *server_ = nullptr;
  static inline bool ready_ = false;
  static inline std::string op_, liyuan_, supervisor_, public_;
  std::unique_ptr<Api> api_;
};

json Callback(bool contacted, bool resolved, const char *satisfaction) {
  return {{"reachable", true},
          {"contacted", contacted},
          {"resolved", resolved},
          {"satisfaction", satisfaction}};
}

TEST_F(AssessmentTest, MonthlyScoresFollowTheRecordedCallbacks) {
  const json unreachable = {{"reachable", false}};
  std::set<std::string> months;
  months.insert(
      DriveLifecycle(kLiyuan, {unreachable, Callback(true, true, "满意")}));
  // A community's case counts for its township.
  months.insert(DriveLifecycle(kQunfang, {Callback(true, false, "基本满意")}));
  months.insert(DriveLifecycle(kLiyuan, {Callback(false, false, "不满意")}));
  ASSERT_EQ(months.size(), 1u)
      << "the callbacks straddle a month boundary; run again";
  const std::string month = *months.begin();
  ASSERT_EQ(month.size(), 7u) << month;
  // 中仓街道 has a case but no callback: a zero-request unit, not a zero score.
  ASSERT_NE(CreateCaseId(*api_, op_,
                         ComplaintBody(kZhongcang, "中仓街道小区物业不作为")),
            0);

  const Response r =
      api_->Get("/api/v1/assessments?month=" + month, supervisor_);
  ASSERT_EQ(r.status, 200) << r;
  const json &a = r.body;
  EXPECT_EQ(a["month"], month);
  ASSERT_TRUE(a.contains("weights")) << r;
  EXPECT_DOUBLE_EQ(a["weights"].value("basically_satisfied", 0.0), 0.9);
  ASSERT_TRUE(a["units"].is_array()) << r;
  ASSERT_EQ(a["units"].size(), 1u)
      << "only 梨园镇 had valid callbacks: " << a["units"].dump();
  const json u = FindUnit(a["units"], kLiyuan);
  ASSERT_TRUE(u.is_object()) << r;
  EXPECT_EQ(u["name"], "梨园镇");
  EXPECT_EQ(u["valid_callbacks"], 3)
      << "the unreachable attempt must not count";
  EXPECT_NEAR(u["response_rate"].get<double>(), 2.0 / 3, 1e-3);
  EXPECT_NEAR(u["resolution_rate"].get<double>(), 1.0 / 3, 1e-3);
  EXPECT_NEAR(u["satisfaction_rate"].get<double>(), 1.9 / 3, 1e-3);
  const double score = 100 * (0.10 * 2 / 3 + 0.50 * 1 / 3 + 0.40 * 1.9 / 3);
  EXPECT_NEAR(u["score"].get<double>(), score, 0.01);
  EXPECT_EQ(u["rank"], 1);
  EXPECT_EQ(u["low_sample"], true)
      << "3 valid callbacks is below the default minimum of 5";
  ASSERT_TRUE(u.contains("counts")) << u.dump();
  EXPECT_EQ(u["counts"]["satisfied"], 1);
  EXPECT_EQ(u["counts"]["basically_satisfied"], 1);
  EXPECT_EQ(u["counts"]["dissatisfied"], 1);

  ASSERT_TRUE(a["zero_request_units"].is_array()) << r;
  EXPECT_TRUE(FindUnit(a["zero_request_units"], kZhongcang).is_object()) << r;
  EXPECT_TRUE(FindUnit(a["zero_request_units"], kXinhua).is_object()) << r;
  EXPECT_FALSE(FindUnit(a["zero_request_units"], kLiyuan).is_object()) << r;
  EXPECT_EQ(a["zero_request_units"].size() + a["units"].size(), 22u)
      << "Tongzhou has 22 township-level units";

  // At community level only 群芳园社区 had a callback (基本满意, resolved
  // false, contacted).
  const Response c =
      api_->Get("/api/v1/assessments?level=community&month=" + month, liyuan_);
  ASSERT_EQ(c.status, 200) << c;
  ASSERT_EQ(c.body["units"].size(), 1u) << c.body["units"].dump();
  const json q = c.body["units"][0];
  EXPECT_EQ(q["code"], kQunfang);
  EXPECT_EQ(q["valid_callbacks"], 1);
  EXPECT_NEAR(q["satisfaction_rate"].get<double>(), 0.9, 1e-9);
  EXPECT_NEAR(q["score"].get<double>(), 100 * (0.10 + 0.40 * 0.9), 0.01);

  // The month before has nothing: every township is a zero-request unit, none
  // scored.
  const int year = std::stoi(month.substr(0, 4));
  const int mon = std::stoi(month.substr(5, 2));
  char before[32];
  std::snprintf(before, sizeof before, "%04d-%02d", mon == 1 ? year - 1 : year,
                mon == 1 ? 12 : mon - 1);
  const Response empty =
      api_->Get(std::string("/api/v1/assessments?month=") + before, op_);
  ASSERT_EQ(empty.status, 200) << empty;
  EXPECT_TRUE(empty.body["units"].empty()) << empty;
  EXPECT_EQ(empty.body["zero_request_units"].size(), 22u);
}

TEST_F(AssessmentTest, BadRequestsAreRefused) {
  ExpectError(api_->Get("/api/v1/assessments", supervisor_), 400,
              "invalid_argument");
  ExpectError(api_->Get("/api/v1/assessments?month=2024-13", supervisor_), 400,
              "invalid_argument");
  ExpectError(api_->Get("/api/v1/assessments?month=May", supervisor_), 400,
              "invalid_argument");
  ExpectError(
      api_->Get("/api/v1/assessments?month=2024-05&level=grid", supervisor_),
      400, "invalid_argument");
  ExpectError(
      api_->Get("/api/v1/assessments?month=2024-05&level=planet", supervisor_),
      400, "invalid_argument");
  ExpectError(api_->Get("/api/v1/assessments?month=2024-05", public_), 403,
              "forbidden");
  ExpectError(api_->Get("/api/v1/assessments?month=2024-05"), 401,
              "unauthenticated");
}

} // namespace
} // namespace jiesu::ftest
