#include "domain/workflow.hpp"

#include <gtest/gtest.h>

namespace jiesu::domain {
namespace {

using S = CaseStatus;
using A = Action;

class WorkflowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto units = UnitTree::Build({
        {"110112", "通州区", "通州区", {}, UnitLevel::kDistrict, ""},
        {"110112001", "中仓街道", "中仓街道", {}, UnitLevel::kTownship, "110112"},
        {"110112002", "新华街道", "新华街道", {}, UnitLevel::kTownship, "110112"},
    });
    ASSERT_TRUE(units.ok());
    units_ = *units;
    Category general;
    general.code = "01";
    general.name = "城乡建设";
    auto cat = Catalogue::Build({general});
    ASSERT_TRUE(cat.ok());
    catalogue_ = *cat;
    ctx_.now = *ParseTime("2026-11-02T09:00:00+08:00");
    ctx_.units = &units_;
    ctx_.catalogue = &catalogue_;
    ctx_.calendar = &calendar_;
  }

  // A case with its created event folded in, in the given status reached by real events.
  std::vector<CaseEvent> Created(CaseType type = CaseType::kComplaint,
                                 const char* source = "hotline") {
    CaseEvent e;
    e.case_id = 7;
    e.seq = 1;
    e.at = ctx_.now;
    e.payload = {{"type", CaseTypeName(type)}, {"source", source}, {"text", "路灯坏了"},
                 {"has_contact", true}};
    return {e};
  }

  Result<Case> Do(std::vector<CaseEvent>& log, Command cmd, Role role) {
    Case c = Fold(log);
    Actor actor{role, "110112001", "t", 0};
    auto events = Decide(c, cmd, actor, ctx_);
    if (!events.ok()) return events.status();
    for (auto& e : *events) {
      Apply(c, e);
      log.push_back(e);
    }
    ctx_.now += 3600;
    return c;
  }

  UnitTree units_;
  Catalogue catalogue_;
  HolidayCalendar calendar_;
  DecideContext ctx_;
};

Command Cmd(A a) {
  Command c;
  c.action = a;
  return c;
}

TEST_F(WorkflowTest, FullLifecycle) {
  auto log = Created();
  Command d = Cmd(A::kDispatch);
  d.unit = "110112001";
  d.category = "01";
  auto c = Do(log, d, Role::kOperator);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->status, S::kDispatched);
  EXPECT_EQ(c->unit, "110112001");
  ASSERT_TRUE(c->due.has_value());
  EXPECT_EQ(*c->due - *c->dispatched_at, 7 * kSecondsPerDay);
  ASSERT_EQ(Do(log, Cmd(A::kAccept), Role::kHandler)->status, S::kAccepted);
  Command r = Cmd(A::kReply);
  r.text = "已修复";
  ASSERT_EQ(Do(log, r, Role::kHandler)->status, S::kReplied);
  Command cb = Cmd(A::kCallback);
  cb.reachable = false;
  EXPECT_EQ(Do(log, cb, Role::kOperator)->status, S::kReplied);  // unreachable: no state change
  cb.reachable = true;
  cb.contacted = true;
  cb.resolved = true;
  cb.satisfaction = Satisfaction::kBasicallySatisfied;
  auto after = Do(log, cb, Role::kOperator);
  ASSERT_EQ(after->status, S::kCalledBack);
  EXPECT_EQ(after->callback_attempts, 2);
  EXPECT_EQ(after->callback->satisfaction, Satisfaction::kBasicallySatisfied);
  auto closed = Do(log, Cmd(A::kClose), Role::kOperator);
  ASSERT_EQ(closed->status, S::kClosed);
  EXPECT_EQ(closed->version, 7);
  // The fold of the log is the case.
  EXPECT_EQ(Fold(log).status, S::kClosed);
  EXPECT_EQ(Fold(log).reply_text, "已修复");
}

TEST_F(WorkflowTest, InspectionFindingIsVerifiedNotCalledBack) {
  auto log = Created(CaseType::kReport, "inspection");
  Command d = Cmd(A::kDispatch);
  d.unit = "110112001";
  d.due = ctx_.now + 30 * kSecondsPerDay;  // the round's rectification deadline
  auto c = Do(log, d, Role::kAdmin);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(*c->due, ctx_.now - 3600 + 30 * kSecondsPerDay);
  EXPECT_LE(*c->response_due, *c->due);
  ASSERT_TRUE(Do(log, Cmd(A::kAccept), Role::kHandler).ok());
  Command r = Cmd(A::kReply);
  r.text = "已整改";
  ASSERT_EQ(Do(log, r, Role::kHandler)->status, S::kReplied);

  Command cb = Cmd(A::kCallback);
  cb.reachable = false;
  EXPECT_EQ(Do(log, cb, Role::kOperator).status().code(), StatusCode::kConflict);
  EXPECT_EQ(Do(log, Cmd(A::kClose), Role::kOperator).status().code(), StatusCode::kConflict);
  Command v = Cmd(A::kVerify);
  EXPECT_EQ(Do(log, v, Role::kInspector).status().code(), StatusCode::kInvalidArgument);
  v.rectified = false;
  EXPECT_EQ(Do(log, v, Role::kInspector).status().code(), StatusCode::kInvalidArgument);  // no note
  v.note = "台账不全";
  EXPECT_EQ(Do(log, v, Role::kOperator).status().code(), StatusCode::kPermissionDenied);
  auto refused = Do(log, v, Role::kInspector);
  ASSERT_EQ(refused->status, S::kAccepted);  // back to the unit, same deadline
  EXPECT_FALSE(refused->rectified_at.has_value());
  EXPECT_FALSE(refused->replied_at.has_value());
  ASSERT_EQ(Do(log, r, Role::kHandler)->status, S::kReplied);
  v.rectified = true;
  auto done = Do(log, v, Role::kInspector);
  ASSERT_EQ(done->status, S::kClosed);
  ASSERT_TRUE(done->rectified_at.has_value());
  // 回头看: reopening a verified finding clears its rectification.
  Command reopen = Cmd(A::kReopen);
  reopen.reason = "回头看发现反弹";
  auto again = Do(log, reopen, Role::kInspector);
  ASSERT_EQ(again->status, S::kDispatched);
  EXPECT_FALSE(again->rectified_at.has_value());
  EXPECT_EQ(Fold(log).reopen_count, 1);
  // A citizen's case is not verified.
  auto citizen = Created();
  ASSERT_TRUE(Do(citizen, d, Role::kOperator).ok());
  ASSERT_TRUE(Do(citizen, Cmd(A::kAccept), Role::kHandler).ok());
  ASSERT_TRUE(Do(citizen, r, Role::kHandler).ok());
  EXPECT_EQ(Do(citizen, v, Role::kInspector).status().code(), StatusCode::kConflict);
  const auto offered = AvailableActions(Fold(citizen), Role::kAdmin);
  EXPECT_EQ(std::find(offered.begin(), offered.end(), A::kVerify), offered.end());
}

TEST_F(WorkflowTest, DispatchDueMustLieAhead) {
  auto log = Created(CaseType::kReport, "inspection");
  Command d = Cmd(A::kDispatch);
  d.unit = "110112001";
  d.due = ctx_.now - 1;
  EXPECT_EQ(Do(log, d, Role::kAdmin).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(WorkflowTest, EveryStateActionPairIsDefined) {
  // Expected table, written independently of NextStatus: the target state or "-" for refused.
  std::map<std::pair<S, A>, S> allowed = {
      {{S::kReceived, A::kDispatch}, S::kDispatched},    {{S::kReceived, A::kAnswer}, S::kClosed},
      {{S::kReceived, A::kMerge}, S::kClosed},           {{S::kReceived, A::kTransfer}, S::kTransferred},
      {{S::kDispatched, A::kDispatch}, S::kDispatched},  {{S::kDispatched, A::kAccept}, S::kAccepted},
      {{S::kDispatched, A::kObject}, S::kObjected},      {{S::kDispatched, A::kExtend}, S::kDispatched},
      {{S::kDispatched, A::kSupervise}, S::kDispatched}, {{S::kDispatched, A::kMerge}, S::kClosed},
      {{S::kDispatched, A::kTransfer}, S::kTransferred}, {{S::kAccepted, A::kObject}, S::kObjected},
      {{S::kAccepted, A::kExtend}, S::kAccepted},        {{S::kAccepted, A::kSupervise}, S::kAccepted},
      {{S::kAccepted, A::kReply}, S::kReplied},          {{S::kAccepted, A::kMerge}, S::kClosed},
      {{S::kObjected, A::kReviewObjection}, S::kDispatched},
      {{S::kObjected, A::kSupervise}, S::kObjected},     {{S::kObjected, A::kMerge}, S::kClosed},
      {{S::kObjected, A::kTransfer}, S::kTransferred},   {{S::kReplied, A::kSupervise}, S::kReplied},
      {{S::kReplied, A::kCallback}, S::kCalledBack},     {{S::kReplied, A::kClose}, S::kClosed},
      {{S::kReplied, A::kReopen}, S::kDispatched},       {{S::kCalledBack, A::kClose}, S::kClosed},
      {{S::kCalledBack, A::kReopen}, S::kDispatched},    {{S::kClosed, A::kReopen}, S::kDispatched},
      {{S::kReplied, A::kVerify}, S::kClosed},
      {{S::kTransferred, A::kRemoteUpdate}, S::kTransferred},
  };
  // A file may be attached in every state but transferred, and changes nothing.
  for (S s : {S::kReceived, S::kDispatched, S::kAccepted, S::kObjected, S::kReplied,
              S::kCalledBack, S::kClosed}) {
    allowed[{s, A::kAttach}] = s;
  }
  int defined = 0;
  for (S s : {S::kReceived, S::kDispatched, S::kAccepted, S::kObjected, S::kReplied,
              S::kCalledBack, S::kClosed, S::kTransferred}) {
    for (A a : kAllActions) {
      const auto it = allowed.find({s, a});
      const auto got = NextStatus(s, a);
      if (it == allowed.end()) {
        EXPECT_FALSE(got.has_value()) << CaseStatusName(s) << " + " << ActionName(a);
      } else {
        ASSERT_TRUE(got.has_value()) << CaseStatusName(s) << " + " << ActionName(a);
        EXPECT_EQ(*got, it->second) << CaseStatusName(s) << " + " << ActionName(a);
        ++defined;
      }
    }
  }
  EXPECT_EQ(defined, static_cast<int>(allowed.size()));
}

TEST_F(WorkflowTest, RefusedTransitionIsConflictAndWrongRoleIsForbidden) {
  auto log = Created();
  auto r = Do(log, Cmd(A::kAccept), Role::kHandler);  // not dispatched yet
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kConflict);
  Command d = Cmd(A::kDispatch);
  d.unit = "110112001";
  auto f = Do(log, d, Role::kHandler);
  EXPECT_EQ(f.status().code(), StatusCode::kPermissionDenied);
  auto pub = Do(log, d, Role::kPublic);
  EXPECT_EQ(pub.status().code(), StatusCode::kPermissionDenied);
}

TEST_F(WorkflowTest, MissingArgumentsAreInvalid) {
  auto log = Created();
  Command d = Cmd(A::kDispatch);
  EXPECT_EQ(Do(log, d, Role::kOperator).status().code(), StatusCode::kInvalidArgument);
  d.unit = "999";
  EXPECT_EQ(Do(log, d, Role::kOperator).status().code(), StatusCode::kInvalidArgument);
  d.unit = "110112001";
  d.category = "nope";
  EXPECT_EQ(Do(log, d, Role::kOperator).status().code(), StatusCode::kInvalidArgument);
  d.category.clear();
  ASSERT_TRUE(Do(log, d, Role::kOperator).ok());
  Command o = Cmd(A::kObject);
  o.reason = "  ";
  EXPECT_EQ(Do(log, o, Role::kHandler).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(WorkflowTest, ObjectionUpheldRedispatchesRejectedReturns) {
  auto log = Created();
  Command d = Cmd(A::kDispatch);
  d.unit = "110112001";
  ASSERT_TRUE(Do(log, d, Role::kOperator).ok());
  Command o = Cmd(A::kObject);
  o.reason = "不属于本街道辖区";
  ASSERT_EQ(Do(log, o, Role::kHandler)->status, S::kObjected);
  Command rev = Cmd(A::kReviewObjection);
  rev.uphold = false;
  auto back = Do(log, rev, Role::kSupervisor);
  EXPECT_EQ(back->status, S::kDispatched);
  EXPECT_EQ(back->unit, "110112001");
  ASSERT_TRUE(Do(log, o, Role::kHandler).ok());
  rev.uphold = true;
  EXPECT_EQ(Do(log, rev, Role::kSupervisor).status().code(), StatusCode::kInvalidArgument);
  rev.unit = "110112002";
  auto moved = Do(log, rev, Role::kSupervisor);
  EXPECT_EQ(moved->status, S::kDispatched);
  EXPECT_EQ(moved->unit, "110112002");
}

TEST_F(WorkflowTest, UnresolvedCallbackReopensToTheSameUnit) {
  auto log = Created();
  Command d = Cmd(A::kDispatch);
  d.unit = "110112001";
  ASSERT_TRUE(Do(log, d, Role::kOperator).ok());
  ASSERT_TRUE(Do(log, Cmd(A::kAccept), Role::kHandler).ok());
  Command r = Cmd(A::kReply);
  r.text = "已处理";
  ASSERT_TRUE(Do(log, r, Role::kHandler).ok());
  EXPECT_EQ(Do(log, Cmd(A::kClose), Role::kOperator).status().code(), StatusCode::kConflict);
  Command cb = Cmd(A::kCallback);
  cb.reachable = true;
  cb.contacted = true;
  cb.resolved = false;
  cb.satisfaction = Satisfaction::kDissatisfied;
  auto c = Do(log, cb, Role::kOperator);
  const auto actions = AvailableActions(*c, Role::kOperator);
  EXPECT_NE(std::find(actions.begin(), actions.end(), A::kReopen), actions.end());
  Command re = Cmd(A::kReopen);
  re.reason = "回访未解决";
  auto reopened = Do(log, re, Role::kOperator);
  EXPECT_EQ(reopened->status, S::kDispatched);
  EXPECT_EQ(reopened->reopen_count, 1);
  EXPECT_FALSE(reopened->callback.has_value());
}

TEST_F(WorkflowTest, ConsultAnsweredAtIntakeOthersNot) {
  auto consult = Created(CaseType::kConsult);
  Command a = Cmd(A::kAnswer);
  a.text = "供暖季为11月15日至次年3月15日";
  EXPECT_EQ(Do(consult, a, Role::kOperator)->status, S::kClosed);
  auto complaint = Created(CaseType::kComplaint);
  EXPECT_EQ(Do(complaint, a, Role::kOperator).status().code(), StatusCode::kConflict);
}

TEST_F(WorkflowTest, ExtendNeedsALaterDeadlineAndReason) {
  auto log = Created();
  Command d = Cmd(A::kDispatch);
  d.unit = "110112001";
  auto c = Do(log, d, Role::kOperator);
  Command e = Cmd(A::kExtend);
  e.reason = "需协调产权单位";
  e.until = *c->due - 1;
  EXPECT_EQ(Do(log, e, Role::kHandler).status().code(), StatusCode::kInvalidArgument);
  e.until = *c->due + 5 * kSecondsPerDay;
  auto ext = Do(log, e, Role::kHandler);
  ASSERT_TRUE(ext.ok());
  EXPECT_EQ(*ext->due, *e.until);
  EXPECT_EQ(ext->extension_count, 1);
}

}  // namespace
}  // namespace jiesu::domain

namespace jiesu::domain {
namespace {

using A = Action;
using S = CaseStatus;

TEST_F(WorkflowTest, AttachKeepsTheStateAndRefusesTheSameFileTwice) {
  auto log = Created();
  Command attach = Cmd(A::kAttach);
  EXPECT_EQ(Do(log, attach, Role::kOperator).status().code(), StatusCode::kInvalidArgument);
  attach.attachment = Attachment{std::string(64, 'a'), "image/png", 1234, "楼道.png", 0};
  auto c = Do(log, attach, Role::kOperator);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->status, S::kReceived);
  ASSERT_EQ(c->attachments.size(), 1u);
  EXPECT_EQ(c->attachments[0].media_type, "image/png");
  EXPECT_EQ(c->attachments[0].size, 1234);
  EXPECT_EQ(c->attachments[0].at, log.back().at);
  EXPECT_EQ(Do(log, attach, Role::kOperator).status().code(), StatusCode::kConflict);
  EXPECT_EQ(Do(log, attach, Role::kPublic).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(Do(log, attach, Role::kSupervisor).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(Fold(log).attachments.size(), 1u) << "the fold gives the same case";
}

TEST_F(WorkflowTest, RemoteUpdateOnlyForACaseTransferredToAPeerAndOnlyWhenItChanged) {
  auto log = Created();
  Command update = Cmd(A::kRemoteUpdate);
  update.remote_status = "open/dispatched";
  EXPECT_EQ(Do(log, update, Role::kSystem).status().code(), StatusCode::kConflict);
  Command transfer = Cmd(A::kTransfer);
  transfer.to = "110";
  auto emergency = log;
  ASSERT_TRUE(Do(emergency, transfer, Role::kOperator).ok());
  EXPECT_EQ(Do(emergency, update, Role::kSystem).status().code(), StatusCode::kConflict)
      << "no remote id: handed to 110, not to a peer";
  transfer.to = "wuqing";
  transfer.remote_id = "4711";
  auto t = Do(log, transfer, Role::kOperator);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->remote_id, "4711");
  auto u = Do(log, update, Role::kSystem);
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->status, S::kTransferred);
  EXPECT_EQ(u->remote_status, "open/dispatched");
  EXPECT_EQ(Do(log, update, Role::kSystem).status().code(), StatusCode::kConflict);
  EXPECT_EQ(Do(log, update, Role::kHandler).status().code(), StatusCode::kPermissionDenied);
}

TEST_F(WorkflowTest, FoldUntrustedRefusesWhatApplyWouldAssertOn) {
  auto log = Created();
  Command d = Cmd(A::kDispatch);
  d.unit = "110112001";
  ASSERT_TRUE(Do(log, d, Role::kOperator).ok());
  auto good = FoldUntrusted(log);
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ(good->status, S::kDispatched);

  const auto refused = [&](std::vector<CaseEvent> bad, const std::string& why) {
    auto r = FoldUntrusted(bad);
    ASSERT_FALSE(r.ok()) << why;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << why;
  };
  refused({}, "empty log");
  refused({log[1]}, "no created event");
  auto gap = log;
  gap[1].seq = 3;
  refused(gap, "a gap in the sequence");
  auto twice = log;
  twice[1] = twice[0];
  twice[1].seq = 2;
  refused(twice, "created twice");
  auto bad_type = log;
  bad_type[0].payload["type"] = "joke";
  refused(bad_type, "unknown case type");
  auto bad_time = log;
  bad_time[1].payload["due"] = "tomorrow";
  refused(bad_time, "a deadline that is not a time");
  auto no_unit = log;
  no_unit[1].payload.erase("unit");
  refused(no_unit, "a dispatch without its unit");
  auto wrong_type = log;
  wrong_type[1].payload["unit"] = 42;
  refused(wrong_type, "a unit that is a number");
  auto not_object = log;
  not_object[1].payload = "dispatched";
  refused(not_object, "a payload that is not an object");
}

// Issue 8 (fuzz/regressions/csv_import_fuzz/huge-float-id-*.csv): an imported log whose
// inspection_id, merge target or attachment size is a float too large for an integer reached
// Apply's conversion to std::int64_t, which is undefined behaviour; now it is refused.
TEST_F(WorkflowTest, Issue8FoldUntrustedRefusesIdsAndSizesThatAreNotIntegers) {
  const auto refused = [&](std::vector<CaseEvent> bad, const std::string& why) {
    auto r = FoldUntrusted(bad);
    ASSERT_FALSE(r.ok()) << why;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << why;
  };
  auto finding = Created(CaseType::kComplaint, "inspection");
  finding[0].payload["inspection_id"] = 1e300;
  refused(finding, "an inspection_id of 1e300");
  finding[0].payload["inspection_id"] = 3.5;
  refused(finding, "an inspection_id of 3.5");
  finding[0].payload["inspection_id"] = 3;
  EXPECT_TRUE(FoldUntrusted(finding).ok()) << "an integer inspection_id is fine";

  auto merged = Created();
  CaseEvent m;
  m.case_id = 7;
  m.seq = 2;
  m.at = ctx_.now;
  m.kind = EventKind::kMerged;
  m.payload = {{"into", -1e300}};
  merged.push_back(m);
  refused(merged, "a merge into -1e300");
  merged[1].payload["into"] = 8;
  EXPECT_TRUE(FoldUntrusted(merged).ok()) << "an integer merge target is fine";

  auto attached = Created();
  CaseEvent a = m;
  a.kind = EventKind::kAttached;
  a.payload = {{"hash", std::string(64, 'a')}, {"type", "image/png"}, {"size", 1e19},
               {"name", "photo.png"}};
  attached.push_back(a);
  refused(attached, "an attachment size of 1e19");
  attached[1].payload["size"] = 1024;
  EXPECT_TRUE(FoldUntrusted(attached).ok()) << "an integer size is fine";
}

}  // namespace
}  // namespace jiesu::domain
