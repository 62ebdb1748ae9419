// The seed's inspection figures (DESIGN §1: "15 回头看, 452 rectified, 整改完成率 97%") built through
// the real services on a real SQLite file: a round over 15 township organisations records 466
// findings, the units reply, the inspector verifies 452 as rectified and refuses 14; the 回头看
// over that round reports 466 found, 452 rectified, 97.0 %, and so does the monthly review.
#include "service/inspection_service.hpp"

#include <gtest/gtest.h>

#include <future>

#include "service/test_app.hpp"

namespace jiesu::service {
namespace {

using namespace jiesu::domain;

class InspectionServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    temp_ = std::make_unique<TempApp>();
    ASSERT_TRUE(temp_->status().ok()) << temp_->status().ToString();
    app_ = temp_->app();
  }

  std::vector<std::string> Townships(std::size_t n) const {
    std::vector<std::string> out;
    for (const Unit* u : app_->reference().units.ByLevel(UnitLevel::kTownship)) {
      if (out.size() < n) out.push_back(u->code);
    }
    return out;
  }

  std::unique_ptr<TempApp> temp_;
  App* app_ = nullptr;
  const Actor inspector_{Role::kInspector, "", "区委巡察组", 1};
  const Actor admin_{Role::kAdmin, "", "管理员", 2};
};

Command Verify(bool rectified) {
  Command v;
  v.action = Action::kVerify;
  v.rectified = rectified;
  if (!rectified) v.note = "整改不到位";
  return v;
}

TEST_F(InspectionServiceTest, SeedFiguresFifteenOrganisations466Found452Rectified) {
  auto& svc = app_->inspections();
  const std::vector<std::string> orgs = Townships(15);
  ASSERT_EQ(orgs.size(), 15u);
  NewInspectionInput in;
  in.name = "区委巡察组对15个党组织的巡察";
  in.units = orgs;
  auto round = svc.Create(inspector_, in);
  ASSERT_TRUE(round.ok()) << round.status().ToString();

  // 466 findings over 15 organisations (31 each, one more for the first), the last 14 refused.
  constexpr int kFound = 466, kRectified = 452;
  const Timestamp due = app_->clock().Now() + 60 * kSecondsPerDay;
  std::vector<std::future<Status>> work;
  for (std::size_t o = 0; o < orgs.size(); ++o) {
    work.push_back(std::async(std::launch::async, [&, o]() -> Status {
      const Actor handler{Role::kHandler, orgs[o], "整改联络员", 3};
      for (int k = static_cast<int>(o); k < kFound; k += static_cast<int>(orgs.size())) {
        NewFindingInput f;
        f.unit = orgs[o];
        f.text = "巡察发现问题第" + std::to_string(k + 1) + "项：专项资金台账不健全";
        f.due = due;
        JIESU_ASSIGN_OR_RETURN(auto c, svc.AddFinding(inspector_, round->id, f));
        if (c.c.source != CaseSource::kInspection || c.c.status != CaseStatus::kDispatched ||
            c.c.due != due || c.c.inspection_id != round->id) {
          return Status::Internal("finding " + std::to_string(c.c.id) + " not dispatched as such");
        }
        Command accept;
        accept.action = Action::kAccept;
        JIESU_RETURN_IF_ERROR(app_->cases().Act(handler, c.c.id, accept).status());
        Command reply;
        reply.action = Action::kReply;
        reply.text = "已整改";
        JIESU_RETURN_IF_ERROR(app_->cases().Act(handler, c.c.id, reply).status());
        JIESU_RETURN_IF_ERROR(
            app_->cases().Act(inspector_, c.c.id, Verify(k < kRectified)).status());
      }
      return Status::Ok();
    }));
  }
  for (auto& w : work) {
    const Status s = w.get();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  NewInspectionInput revisit;
  revisit.name = "巡察“回头看”";
  revisit.revisit_of = {round->id};
  auto again = svc.Create(inspector_, revisit);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->units, orgs);  // the revisited round's organisations by default

  auto view = svc.Get(inspector_, again->id);
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  const auto& f = view->figures;
  EXPECT_EQ(f.organisations.size(), 15u);
  EXPECT_EQ(f.total.found, kFound);
  EXPECT_EQ(f.total.rectified, kRectified);
  EXPECT_EQ(f.total.overdue, 0);
  EXPECT_EQ(f.own_findings, 0);
  EXPECT_NEAR(f.total.Rate(), 0.970, 0.0005);
  EXPECT_EQ(assess::RectificationRateText(f.total), "97.0%");
  EXPECT_EQ(view->findings.size(), static_cast<std::size_t>(kFound));
  int per_org_found = 0, per_org_rectified = 0;
  for (const auto& o : f.organisations) {
    per_org_found += o.figures.found;
    per_org_rectified += o.figures.rectified;
  }
  EXPECT_EQ(per_org_found, kFound);
  EXPECT_EQ(per_org_rectified, kRectified);

  // The monthly review of this month carries both rounds, each finding counted once.
  const Date today = BeijingDate(app_->clock().Now());
  auto report = app_->reports().Monthly(FormatMonth(Date{today.year, today.month, 1}));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->inspections.size(), 2u);
  EXPECT_EQ(report->inspections_total.found, kFound);
  EXPECT_EQ(report->inspections_total.rectified, kRectified);
  EXPECT_NE(assess::InspectionText(*report).find("整改完成率97.0%"), std::string::npos)
      << assess::InspectionText(*report);
  // Findings are not 接诉即办 work: the township ranking counts none of them.
  for (const auto& u : report->units) EXPECT_EQ(u.volume, 0) << u.name;

  // Nor is a 回头看 reopening a finding a 重办 of the unit.
  Command reopen;
  reopen.action = Action::kReopen;
  reopen.reason = "回头看发现问题反弹";
  ASSERT_TRUE(app_->cases().Act(inspector_, view->findings.front().id, reopen).ok());
  auto assessment = app_->assessments().Monthly(FormatMonth(Date{today.year, today.month, 1}), "");
  ASSERT_TRUE(assessment.ok()) << assessment.status().ToString();
  for (const auto* list : {&assessment->units, &assessment->zero_request_units}) {
    for (const auto& u : *list) {
      EXPECT_EQ(u.reopened, 0) << u.code;
      EXPECT_EQ(u.dispatched, 0) << u.code;
    }
  }

  // A citizen's case reopened after its callback is one, for its township.
  const Category* local = nullptr;
  for (const Category& c : app_->reference().catalogue.All()) {
    if (c.handling == Handling::kTownship && !c.parent.empty()) local = &c;
  }
  ASSERT_NE(local, nullptr);
  NewCaseInput call;
  call.type = "complaint";
  call.text = "小区门口的路灯坏了一个月，晚上出行不便";
  call.category = local->code;
  call.unit = orgs.front();
  call.caller = Contact{"王女士", "13900001111", ""};
  auto created = app_->cases().Create(admin_, call);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  const std::int64_t id = created->c.id;
  Command step;
  for (Action a : {Action::kAccept, Action::kReply, Action::kCallback, Action::kReopen}) {
    step = Command{};
    step.action = a;
    step.text = "已修复";
    step.reason = "群众反映问题未解决";
    step.resolved = true;
    step.reachable = true;
    step.contacted = true;
    step.satisfaction = Satisfaction::kDissatisfied;
    ASSERT_TRUE(app_->cases().Act(admin_, id, step).ok()) << ActionName(a);
  }
  assessment = app_->assessments().Monthly(FormatMonth(Date{today.year, today.month, 1}), "");
  ASSERT_TRUE(assessment.ok()) << assessment.status().ToString();
  int reopened = 0;
  for (const auto* list : {&assessment->units, &assessment->zero_request_units}) {
    for (const auto& u : *list) reopened += u.code == orgs.front() ? u.reopened : 0;
  }
  EXPECT_EQ(reopened, 1);
}

TEST_F(InspectionServiceTest, RulesOfRoundsAndFindings) {
  auto& svc = app_->inspections();
  const auto orgs = Townships(2);
  NewInspectionInput in;
  in.name = "巡察";
  in.units = {orgs[0]};
  const Actor handler{Role::kHandler, orgs[0], "h", 3};
  const Actor supervisor{Role::kSupervisor, "", "s", 4};
  EXPECT_EQ(svc.Create(handler, in).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(svc.Create(supervisor, in).status().code(), StatusCode::kPermissionDenied);
  auto round = svc.Create(admin_, in);
  ASSERT_TRUE(round.ok()) << round.status().ToString();
  EXPECT_TRUE(svc.Get(supervisor, round->id).ok());
  EXPECT_EQ(svc.Get(handler, round->id).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(svc.Get(admin_, 999).status().code(), StatusCode::kNotFound);

  NewInspectionInput bad = in;
  bad.name = " ";
  EXPECT_EQ(svc.Create(inspector_, bad).status().code(), StatusCode::kInvalidArgument);
  bad = in;
  bad.units = {"nope"};
  EXPECT_EQ(svc.Create(inspector_, bad).status().code(), StatusCode::kInvalidArgument);
  bad.units = {orgs[0], orgs[0]};
  EXPECT_EQ(svc.Create(inspector_, bad).status().code(), StatusCode::kInvalidArgument);
  bad = in;
  bad.revisit_of = {12345};
  EXPECT_EQ(svc.Create(inspector_, bad).status().code(), StatusCode::kInvalidArgument);
  bad = in;
  bad.starts = 2000;
  bad.ends = 1000;
  EXPECT_EQ(svc.Create(inspector_, bad).status().code(), StatusCode::kInvalidArgument);

  NewFindingInput f;
  f.unit = orgs[1];  // not inspected in this round
  f.text = "问题";
  f.due = app_->clock().Now() + kSecondsPerDay;
  EXPECT_EQ(svc.AddFinding(inspector_, round->id, f).status().code(),
            StatusCode::kInvalidArgument);
  f.unit = orgs[0];
  f.due.reset();
  EXPECT_EQ(svc.AddFinding(inspector_, round->id, f).status().code(),
            StatusCode::kInvalidArgument);
  f.due = app_->clock().Now() - 1;
  EXPECT_EQ(svc.AddFinding(inspector_, round->id, f).status().code(),
            StatusCode::kInvalidArgument);
  f.due = app_->clock().Now() + kSecondsPerDay;
  EXPECT_EQ(svc.AddFinding(handler, round->id, f).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(svc.AddFinding(inspector_, 999, f).status().code(), StatusCode::kNotFound);
  // A community inside the inspected township is within the round.
  const auto children = app_->reference().units.Children(orgs[0]);
  ASSERT_FALSE(children.empty());
  f.unit = children.front()->code;
  auto finding = svc.AddFinding(inspector_, round->id, f);
  ASSERT_TRUE(finding.ok()) << finding.status().ToString();
  EXPECT_EQ(finding->c.unit, f.unit);

  // Nobody records a finding around the round, not even through the case intake.
  NewCaseInput direct;
  direct.type = "report";
  direct.text = "问题";
  direct.source = "inspection";
  direct.unit = orgs[0];
  EXPECT_EQ(app_->cases().Create(admin_, direct).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(app_->cases().Create(inspector_, direct).status().code(),
            StatusCode::kPermissionDenied);

  auto list = svc.List(supervisor);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->front().total.found, 1);
}

}  // namespace
}  // namespace jiesu::service
