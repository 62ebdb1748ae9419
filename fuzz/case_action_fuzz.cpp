// POST /api/v1/cases/{id}/actions bodies. The bytes go through http::ParseBody and
// http::CommandFromJson, then domain::Decide for every role over a case in every state of the
// workflow (built at start-up from real commands). Whatever Decide accepts must be a log that
// folds: its events numbered on, Apply and FoldUntrusted (the import's check) agreeing on the
// result, and the state the workflow table names.
#include "domain/workflow.hpp"
#include "fuzz_support.hpp"
#include "http/json_codec.hpp"

using namespace jiesu;
using namespace jiesu::domain;

namespace {

struct Fixture {
  const char* name;
  std::vector<CaseEvent> log;
  Case c;
};

struct Fixtures {
  std::vector<Fixture> cases;
  Case merge_target;
  std::vector<Actor> actors;
};

DecideContext Context(Timestamp now) {
  const fuzz::World& w = fuzz::TheWorld();
  DecideContext ctx;
  ctx.now = now;
  ctx.units = &w.ref.units;
  ctx.catalogue = &w.ref.catalogue;
  ctx.calendar = &w.ref.calendar;
  return ctx;
}

CaseEvent Created(std::int64_t id, CaseType type, CaseSource source, Timestamp at) {
  CaseEvent e;
  e.case_id = id;
  e.seq = 1;
  e.at = at;
  e.kind = EventKind::kCreated;
  e.actor_role = source == CaseSource::kInspection ? Role::kInspector : Role::kOperator;
  e.actor_name = "fixture";
  e.payload = {{"type", CaseTypeName(type)},
               {"source", CaseSourceName(source)},
               {"urgency", "normal"},
               {"title", "群芳园社区3号楼前路灯坏了"},
               {"text", "群芳园社区3号楼前的路灯坏了一周，晚上老人出行不便"},
               {"address", "通州区梨园镇群芳园社区3号楼"},
               {"category", "0101"},
               {"anonymous", false},
               {"has_contact", source != CaseSource::kInspection}};
  if (source == CaseSource::kInspection) e.payload["inspection_id"] = 1;
  return e;
}

// Runs `steps` from the created event, an hour apart, aborting when one is refused (a fixture
// that cannot be built is a bug here or in the workflow).
Fixture Build(const char* name, CaseEvent created,
              const std::vector<std::pair<Role, Command>>& steps) {
  const fuzz::World& w = fuzz::TheWorld();
  Fixture f{name, {created}, {}};
  Timestamp now = created.at;
  f.c = Fold(f.log);
  for (const auto& [role, cmd] : steps) {
    now += 3600;
    const Actor actor{role, role == Role::kHandler ? w.township : "", "fixture", 0};
    auto events = Decide(f.c, cmd, actor, Context(now));
    if (!events.ok()) fuzz::Die(std::string(name) + ": " + events.status().ToString());
    for (const CaseEvent& e : *events) {
      Apply(f.c, e);
      f.log.push_back(e);
    }
  }
  return f;
}

Command Cmd(Action a) {
  Command c;
  c.action = a;
  return c;
}

const Fixtures& TheFixtures() {
  static const Fixtures* const fixtures = [] {
    const fuzz::World& w = fuzz::TheWorld();
    auto* out = new Fixtures;
    const Timestamp start = fuzz::Now() - 3 * kSecondsPerDay;
    Command dispatch = Cmd(Action::kDispatch);
    dispatch.unit = w.township;
    Command object = Cmd(Action::kObject);
    object.reason = "不属于本单位职责";
    Command reply = Cmd(Action::kReply);
    reply.text = "已更换路灯灯头，恢复照明";
    reply.resolved = true;
    Command callback = Cmd(Action::kCallback);
    callback.reachable = true;
    callback.contacted = true;
    callback.resolved = true;
    callback.satisfaction = Satisfaction::kSatisfied;
    Command transfer = Cmd(Action::kTransfer);
    transfer.to = "朝阳区";
    const auto accept = Cmd(Action::kAccept);
    const auto close = Cmd(Action::kClose);
    const auto complaint = [&](std::int64_t id) {
      return Created(id, CaseType::kComplaint, CaseSource::kHotline, start);
    };
    out->cases.push_back(Build("received", complaint(101), {}));
    out->cases.push_back(
        Build("received consult", Created(102, CaseType::kConsult, CaseSource::kWeb, start), {}));
    out->cases.push_back(Build("dispatched", complaint(103), {{Role::kOperator, dispatch}}));
    out->cases.push_back(
        Build("accepted", complaint(104), {{Role::kOperator, dispatch}, {Role::kHandler, accept}}));
    out->cases.push_back(
        Build("objected", complaint(105), {{Role::kOperator, dispatch}, {Role::kHandler, object}}));
    out->cases.push_back(
        Build("replied", complaint(106),
              {{Role::kOperator, dispatch}, {Role::kHandler, accept}, {Role::kHandler, reply}}));
    out->cases.push_back(Build("called back", complaint(107),
                               {{Role::kOperator, dispatch},
                                {Role::kHandler, accept},
                                {Role::kHandler, reply},
                                {Role::kOperator, callback}}));
    out->cases.push_back(Build("closed", complaint(108),
                               {{Role::kOperator, dispatch},
                                {Role::kHandler, accept},
                                {Role::kHandler, reply},
                                {Role::kOperator, callback},
                                {Role::kOperator, close}}));
    out->cases.push_back(Build("transferred", complaint(109), {{Role::kOperator, transfer}}));
    Command finding_dispatch = dispatch;
    finding_dispatch.due = fuzz::Now() + 20 * kSecondsPerDay;
    out->cases.push_back(Build(
        "finding replied", Created(110, CaseType::kComplaint, CaseSource::kInspection, start),
        {{Role::kSystem, finding_dispatch}, {Role::kHandler, accept}, {Role::kHandler, reply}}));
    out->merge_target = Build("merge target", complaint(999), {{Role::kOperator, dispatch}}).c;
    out->actors = fuzz::Actors();
    out->actors.push_back({Role::kSystem, "", "jiesu", 0});
    return out;
  }();
  return *fixtures;
}

// The state the workflow table (workflow.hpp) says the command leads to.
CaseStatus Expected(const Case& c, const Command& cmd) {
  if (cmd.action == Action::kCallback && !*cmd.reachable) return c.status;
  if (cmd.action == Action::kVerify && !*cmd.rectified) return CaseStatus::kAccepted;
  if (cmd.action == Action::kReviewObjection && !*cmd.uphold) {
    return c.accepted_at ? CaseStatus::kAccepted : CaseStatus::kDispatched;
  }
  return *NextStatus(c.status, cmd.action);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)TheFixtures();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Fixtures& fx = TheFixtures();
  auto body = http::ParseBody(std::string(fuzz::AsText(data, size)));
  if (!body.ok()) return 0;
  auto cmd = http::CommandFromJson(*body);
  if (!cmd.ok()) {
    JIESU_FUZZ_CHECK(cmd.status().code() == StatusCode::kInvalidArgument);
    JIESU_FUZZ_CHECK(IsValidUtf8(cmd.status().message()));
    return 0;
  }
  DecideContext ctx = Context(fuzz::Now());
  ctx.merge_target = &fx.merge_target;
  for (const Fixture& f : fx.cases) {
    for (const Actor& actor : fx.actors) {
      auto events = Decide(f.c, *cmd, actor, ctx);
      if (!events.ok()) {
        const StatusCode code = events.status().code();
        JIESU_FUZZ_CHECK(code == StatusCode::kInvalidArgument ||
                         code == StatusCode::kPermissionDenied || code == StatusCode::kConflict ||
                         code == StatusCode::kNotFound);
        JIESU_FUZZ_CHECK(IsValidUtf8(events.status().message()));
        continue;
      }
      JIESU_FUZZ_CHECK(!events->empty());
      std::vector<CaseEvent> log = f.log;
      Case applied = f.c;
      for (const CaseEvent& e : *events) {
        JIESU_FUZZ_CHECK(e.case_id == f.c.id && e.seq == applied.version + 1);
        Apply(applied, e);
        log.push_back(e);
      }
      auto folded = FoldUntrusted(log);
      if (!folded.ok()) {
        std::fprintf(stderr, "%s, %s by %s: %s\n", f.name, ActionName(cmd->action),
                     RoleName(actor.role), folded.status().ToString().c_str());
      }
      JIESU_FUZZ_CHECK(folded.ok());
      JIESU_FUZZ_CHECK(folded->status == applied.status && folded->version == applied.version);
      JIESU_FUZZ_CHECK(applied.status == Expected(f.c, *cmd));
    }
  }
  return 0;
}
