#include "domain/workflow.hpp"

#include "common/assert.hpp"
#include "common/utf8.hpp"

namespace jiesu::domain {

using nlohmann::json;

namespace {

struct ActionInfo {
  Action action;
  const char* name;
  EventKind kind;
};

constexpr ActionInfo kActionInfo[] = {
    {Action::kDispatch, "dispatch", EventKind::kDispatched},
    {Action::kAnswer, "answer", EventKind::kAnswered},
    {Action::kAccept, "accept", EventKind::kAccepted},
    {Action::kObject, "object", EventKind::kObjected},
    {Action::kReviewObjection, "review_objection", EventKind::kObjectionReviewed},
    {Action::kExtend, "extend", EventKind::kExtended},
    {Action::kSupervise, "supervise", EventKind::kSupervised},
    {Action::kReply, "reply", EventKind::kReplied},
    {Action::kCallback, "callback", EventKind::kCallback},
    {Action::kClose, "close", EventKind::kClosed},
    {Action::kReopen, "reopen", EventKind::kReopened},
    {Action::kMerge, "merge", EventKind::kMerged},
    {Action::kTransfer, "transfer", EventKind::kTransferred},
    {Action::kVerify, "verify", EventKind::kVerified},
    {Action::kAttach, "attach", EventKind::kAttached},
    {Action::kRemoteUpdate, "remote_update", EventKind::kRemoteUpdated},
};

constexpr const char* kEventNames[] = {
    "created", "dispatched", "answered", "accepted", "objected", "objection_reviewed", "extended",
    "supervised", "replied", "callback", "closed", "reopened", "merged", "transferred", "verified",
    "attached", "remote_updated"};

EventKind KindOf(Action a) {
  for (const auto& info : kActionInfo) {
    if (info.action == a) return info.kind;
  }
  JIESU_ASSERT(false);
  return EventKind::kCreated;
}

using S = CaseStatus;

constexpr std::size_t kMaxTextChars = 5000;
constexpr std::size_t kMaxReasonChars = 1000;
constexpr std::size_t kMaxAttachments = 20;

Status RequireText(const std::string& value, const char* field, std::size_t max_chars) {
  if (TrimSpace(value).empty()) return Status::Invalid(std::string(field) + " is required");
  return CheckText(value, field, max_chars);
}

Timestamp TimeField(const json& payload, const char* key) {
  auto t = ParseTime(payload.at(key).get<std::string>());
  JIESU_ASSERT(t.ok());
  return *t;
}

}  // namespace

const char* ActionName(Action a) {
  for (const auto& info : kActionInfo) {
    if (info.action == a) return info.name;
  }
  return "?";
}

Result<Action> ParseAction(std::string_view s) {
  for (const auto& info : kActionInfo) {
    if (s == info.name) return info.action;
  }
  return Status::Invalid("unknown action '" + std::string(Utf8Prefix(s, 40)) +
                         "'; actions: dispatch, answer, accept, object, review_objection, extend, "
                         "supervise, reply, callback, close, reopen, merge, transfer, verify");
}

const char* EventKindName(EventKind k) { return kEventNames[static_cast<int>(k)]; }

Result<EventKind> ParseEventKind(std::string_view s) {
  for (std::size_t i = 0; i < std::size(kEventNames); ++i) {
    if (s == kEventNames[i]) return static_cast<EventKind>(i);
  }
  return Status::Invalid("unknown event kind '" + std::string(s) + "'");
}

bool RoleMayAct(Role role, Action action) {
  if (role == Role::kAdmin) return true;
  switch (action) {
    case Action::kDispatch: return role == Role::kOperator || role == Role::kSystem;
    case Action::kAnswer:
    case Action::kCallback:
    case Action::kClose:
    case Action::kTransfer: return role == Role::kOperator;
    case Action::kAccept:
    case Action::kObject:
    case Action::kExtend:
    case Action::kReply: return role == Role::kHandler;
    case Action::kReviewObjection: return role == Role::kSupervisor;
    case Action::kSupervise: return role == Role::kSupervisor || role == Role::kSystem;
    case Action::kReopen:
      return role == Role::kOperator || role == Role::kSupervisor || role == Role::kInspector;
    case Action::kMerge: return role == Role::kOperator || role == Role::kSupervisor;
    case Action::kVerify: return role == Role::kInspector;
    case Action::kAttach:
      return role == Role::kOperator || role == Role::kHandler || role == Role::kInspector;
    case Action::kRemoteUpdate: return role == Role::kOperator || role == Role::kSystem;
  }
  return false;
}

bool IsUnitAction(Action action) {
  return action == Action::kAccept || action == Action::kObject || action == Action::kExtend ||
         action == Action::kReply || action == Action::kAttach;
}

std::optional<CaseStatus> NextStatus(CaseStatus from, Action action) {
  switch (action) {
    case Action::kDispatch:
      if (from == S::kReceived || from == S::kDispatched) return S::kDispatched;
      break;
    case Action::kAnswer:
      if (from == S::kReceived) return S::kClosed;
      break;
    case Action::kAccept:
      if (from == S::kDispatched) return S::kAccepted;
      break;
    case Action::kObject:
      if (from == S::kDispatched || from == S::kAccepted) return S::kObjected;
      break;
    case Action::kReviewObjection:
      if (from == S::kObjected) return S::kDispatched;
      break;
    case Action::kExtend:
      if (from == S::kDispatched || from == S::kAccepted) return from;
      break;
    case Action::kSupervise:
      if (IsOpenForUnit(from) || from == S::kReplied) return from;
      break;
    case Action::kReply:
      if (from == S::kAccepted) return S::kReplied;
      break;
    case Action::kCallback:
      if (from == S::kReplied) return S::kCalledBack;
      break;
    case Action::kClose:
      if (from == S::kReplied || from == S::kCalledBack) return S::kClosed;
      break;
    case Action::kReopen:
      if (from == S::kReplied || from == S::kCalledBack || from == S::kClosed) return S::kDispatched;
      break;
    case Action::kMerge:
      if (from == S::kReceived || IsOpenForUnit(from)) return S::kClosed;
      break;
    case Action::kTransfer:
      if (from == S::kReceived || from == S::kDispatched || from == S::kObjected) {
        return S::kTransferred;
      }
      break;
    case Action::kVerify:
      if (from == S::kReplied) return S::kClosed;
      break;
    case Action::kAttach:
      if (from != S::kTransferred) return from;
      break;
    case Action::kRemoteUpdate:
      if (from == S::kTransferred) return from;
      break;
  }
  return std::nullopt;
}

Result<CaseEvent> MakeDispatch(const Case& c, const std::string& unit, const std::string& category,
                               EventKind kind, const DecideContext& ctx,
                               std::optional<Timestamp> due) {
  JIESU_ASSERT(ctx.units && ctx.catalogue && ctx.calendar);
  if (due && *due <= ctx.now) return Status::Invalid("due must lie in the future");
  if (due && *due > ctx.now + 366 * kSecondsPerDay) {
    return Status::Invalid("due may not lie more than a year ahead");
  }
  if (ctx.units->Find(unit) == nullptr) return Status::Invalid("unknown unit '" + unit + "'");
  const std::string& code = category.empty() ? c.category : category;
  Category fallback;  // no category yet: the general defaults (2 h to accept, 7 days to handle)
  const Category* cat = &fallback;
  if (!code.empty()) {
    cat = ctx.catalogue->Find(code);
    if (cat == nullptr) return Status::Invalid("unknown category '" + code + "'");
  }
  Deadlines d = ComputeDeadlines(ctx.now, *cat, c.urgency, *ctx.calendar);
  if (due) {
    d.due = *due;
    d.response_due = std::min(d.response_due, *due);
  }
  CaseEvent e;
  e.kind = kind;
  e.payload = {{"unit", unit},
               {"category", code},
               {"response_due", FormatTime(d.response_due)},
               {"due", FormatTime(d.due)}};
  return e;
}

Result<std::vector<CaseEvent>> Decide(const Case& c, const Command& cmd, const Actor& actor,
                                      const DecideContext& ctx) {
  if (!RoleMayAct(actor.role, cmd.action)) {
    return Status::Forbidden(std::string("role ") + RoleName(actor.role) + " may not " +
                             ActionName(cmd.action));
  }
  const auto next = NextStatus(c.status, cmd.action);
  if (!next) {
    return Status::Conflict(std::string("cannot ") + ActionName(cmd.action) + " a case that is " +
                            CaseStatusName(c.status) + " (" + CaseStatusLabel(c.status) + ")");
  }
  CaseEvent e;
  e.kind = KindOf(cmd.action);
  switch (cmd.action) {
    case Action::kDispatch: {
      if (cmd.unit.empty()) return Status::Invalid("dispatch needs a unit");
      JIESU_ASSIGN_OR_RETURN(
          e, MakeDispatch(c, cmd.unit, cmd.category, EventKind::kDispatched, ctx, cmd.due));
      e.payload["auto"] = cmd.automatic;
      if (cmd.automatic) e.payload["confidence"] = cmd.confidence;
      break;
    }
    case Action::kAnswer:
      if (c.type != CaseType::kConsult) {
        return Status::Conflict("only a 咨询 (consult) can be answered at intake; dispatch it");
      }
      JIESU_RETURN_IF_ERROR(RequireText(cmd.text, "text", kMaxTextChars));
      e.payload = {{"text", cmd.text}};
      break;
    case Action::kAccept:
      break;
    case Action::kObject:
      JIESU_RETURN_IF_ERROR(RequireText(cmd.reason, "reason", kMaxReasonChars));
      e.payload = {{"reason", cmd.reason}};
      break;
    case Action::kReviewObjection: {
      if (!cmd.uphold) return Status::Invalid("review_objection needs uphold (true or false)");
      if (!*cmd.uphold) {
        e.payload = {{"uphold", false}, {"unit", c.unit}};
        break;
      }
      if (cmd.unit.empty()) return Status::Invalid("upholding an objection needs the new unit");
      if (cmd.unit == c.unit) return Status::Invalid("the new unit is the one that objected");
      JIESU_ASSIGN_OR_RETURN(
          e, MakeDispatch(c, cmd.unit, cmd.category, EventKind::kObjectionReviewed, ctx));
      e.payload["uphold"] = true;
      break;
    }
    case Action::kExtend: {
      JIESU_RETURN_IF_ERROR(RequireText(cmd.reason, "reason", kMaxReasonChars));
      if (!cmd.until) return Status::Invalid("extend needs until (an ISO 8601 time)");
      if (c.due && *cmd.until <= *c.due) {
        return Status::Invalid("until must be later than the current deadline " +
                               FormatTime(*c.due));
      }
      if (*cmd.until > ctx.now + 90 * kSecondsPerDay) {
        return Status::Invalid("an extension may not go beyond 90 days from now");
      }
      e.payload = {{"until", FormatTime(*cmd.until)}, {"reason", cmd.reason}};
      if (c.due) e.payload["previous"] = FormatTime(*c.due);
      break;
    }
    case Action::kSupervise:
      JIESU_RETURN_IF_ERROR(CheckText(cmd.note, "note", kMaxReasonChars));
      e.payload = {{"note", cmd.note}};
      break;
    case Action::kReply:
      JIESU_RETURN_IF_ERROR(RequireText(cmd.text, "text", kMaxTextChars));
      e.payload = {{"text", cmd.text}, {"resolved", cmd.resolved.value_or(true)}};
      break;
    case Action::kCallback: {
      if (c.source == CaseSource::kInspection) {
        return Status::Conflict("an inspection finding is verified by the inspector (verify), "
                                "not called back");
      }
      if (!cmd.reachable) return Status::Invalid("callback needs reachable (true or false)");
      if (!*cmd.reachable) {
        e.payload = {{"reachable", false}};
        break;
      }
      if (!cmd.contacted || !cmd.resolved || !cmd.satisfaction) {
        return Status::Invalid(
            "a reachable callback needs contacted, resolved and satisfaction (满意|基本满意|不满意)");
      }
      e.payload = {{"reachable", true},
                   {"contacted", *cmd.contacted},
                   {"resolved", *cmd.resolved},
                   {"satisfaction", SatisfactionLabel(*cmd.satisfaction)}};
      break;
    }
    case Action::kClose:
      if (c.status == S::kReplied && c.source == CaseSource::kInspection) {
        return Status::Conflict("the inspector verifies the rectification (verify) to close a "
                                "finding");
      }
      if (c.status == S::kReplied && c.callback_attempts == 0 && c.has_contact && !c.anonymous) {
        return Status::Conflict("record a callback (回访) before closing; close without one only "
                                "after an unreachable attempt");
      }
      break;
    case Action::kReopen: {
      JIESU_RETURN_IF_ERROR(RequireText(cmd.reason, "reason", kMaxReasonChars));
      if (c.merged_into) return Status::Conflict("a merged case cannot be reopened; reopen #" +
                                                 std::to_string(*c.merged_into));
      if (c.unit.empty()) return Status::Conflict("the case was never dispatched");
      JIESU_ASSIGN_OR_RETURN(e, MakeDispatch(c, c.unit, c.category, EventKind::kReopened, ctx));
      e.payload["reason"] = cmd.reason;
      break;
    }
    case Action::kMerge: {
      if (!cmd.into) return Status::Invalid("merge needs into (a case id)");
      if (*cmd.into == c.id) return Status::Invalid("a case cannot be merged into itself");
      const Case* target = ctx.merge_target;
      if (target == nullptr || target->id != *cmd.into) {
        return Status::NotFound("case " + std::to_string(*cmd.into) + " not found");
      }
      if (IsTerminal(target->status)) {
        return Status::Conflict("merge into an open case; #" + std::to_string(target->id) +
                                " is " + CaseStatusName(target->status));
      }
      e.payload = {{"into", target->id}};
      break;
    }
    case Action::kTransfer:
      JIESU_RETURN_IF_ERROR(RequireText(cmd.to, "to", 100));
      e.payload = {{"to", cmd.to}};
      if (!cmd.remote_id.empty()) e.payload["remote_id"] = cmd.remote_id;
      break;
    case Action::kAttach: {
      if (!cmd.attachment) return Status::Invalid("attach needs the attachment");
      const Attachment& a = *cmd.attachment;
      if (c.attachments.size() >= kMaxAttachments) {
        return Status::Conflict("a case holds at most " + std::to_string(kMaxAttachments) +
                                " attachments");
      }
      for (const Attachment& have : c.attachments) {
        if (have.hash == a.hash) return Status::Conflict("the case has this file already");
      }
      e.payload = {{"hash", a.hash}, {"type", a.media_type}, {"size", a.size}, {"name", a.name}};
      break;
    }
    case Action::kRemoteUpdate:
      if (c.remote_id.empty()) return Status::Conflict("the case was not transferred to a peer");
      if (cmd.remote_status == c.remote_status && cmd.remote_notes == c.remote_notes) {
        return Status::Conflict("the peer's status has not changed");
      }
      e.payload = {{"status", cmd.remote_status}, {"notes", cmd.remote_notes}};
      break;
    case Action::kVerify:
      if (c.source != CaseSource::kInspection) {
        return Status::Conflict("only inspection findings are verified; a citizen's case gets a "
                                "callback");
      }
      if (!cmd.rectified) return Status::Invalid("verify needs rectified (true or false)");
      JIESU_RETURN_IF_ERROR(CheckText(cmd.note, "note", kMaxReasonChars));
      if (!*cmd.rectified && TrimSpace(cmd.note).empty()) {
        return Status::Invalid("say what is still missing (note) when the rectification fails");
      }
      e.payload = {{"rectified", *cmd.rectified}, {"note", cmd.note}};
      break;
  }
  e.case_id = c.id;
  e.seq = c.version + 1;
  e.at = ctx.now;
  e.actor_role = actor.role;
  e.actor_unit = actor.unit;
  e.actor_name = actor.name;
  return std::vector<CaseEvent>{std::move(e)};
}

std::vector<Action> AvailableActions(const Case& c, Role role) {
  std::vector<Action> out;
  for (Action a : kAllActions) {
    if (!RoleMayAct(role, a) || !NextStatus(c.status, a)) continue;
    if (a == Action::kAnswer && c.type != CaseType::kConsult) continue;
    if (a == Action::kReopen && c.merged_into) continue;
    if (a == Action::kRemoteUpdate && c.remote_id.empty()) continue;
    const bool finding = c.source == CaseSource::kInspection;
    if (a == Action::kVerify && !finding) continue;
    if (finding && (a == Action::kCallback || (a == Action::kClose && c.status == S::kReplied))) {
      continue;
    }
    out.push_back(a);
  }
  return out;
}

void Apply(Case& c, const CaseEvent& e) {
  JIESU_ASSERT(e.seq == c.version + 1);
  const json& p = e.payload;
  const auto set_dispatch = [&] {
    c.unit = p.at("unit").get<std::string>();
    if (!p.value("category", std::string()).empty()) c.category = p.at("category");
    c.response_due = TimeField(p, "response_due");
    c.due = TimeField(p, "due");
    c.dispatched_at = e.at;
    c.accepted_at.reset();  // a (re-)dispatch starts a new round for the unit
    c.replied_at.reset();
    c.status = S::kDispatched;
  };
  switch (e.kind) {
    case EventKind::kCreated: {
      c.id = e.case_id;
      c.created_at = e.at;
      c.type = *ParseCaseType(p.at("type").get<std::string>());
      c.source = *ParseCaseSource(p.at("source").get<std::string>());
      c.urgency = *ParseUrgency(p.value("urgency", std::string("normal")));
      c.title = p.value("title", "");
      c.text = p.value("text", "");
      c.address = p.value("address", "");
      if (p.contains("lat")) c.lat = p.at("lat").get<double>();
      if (p.contains("lon")) c.lon = p.at("lon").get<double>();
      c.media_url = p.value("media_url", "");
      c.category = p.value("category", "");
      c.anonymous = p.value("anonymous", false);
      c.has_contact = p.value("has_contact", false);
      if (p.contains("inspection_id")) c.inspection_id = p.at("inspection_id").get<std::int64_t>();
      if (p.contains("enterprise_id")) c.enterprise_id = p.at("enterprise_id").get<std::int64_t>();
      if (p.contains("proposal_id")) c.proposal_id = p.at("proposal_id").get<std::int64_t>();
      c.status = S::kReceived;
      break;
    }
    case EventKind::kDispatched:
      set_dispatch();
      break;
    case EventKind::kAnswered:
      c.reply_text = p.at("text");
      c.replied_at = e.at;
      c.closed_at = e.at;
      c.status = S::kClosed;
      break;
    case EventKind::kAccepted:
      c.accepted_at = e.at;
      c.status = S::kAccepted;
      break;
    case EventKind::kObjected:
      c.objection_reason = p.at("reason");
      c.status = S::kObjected;
      break;
    case EventKind::kObjectionReviewed:
      if (p.at("uphold").get<bool>()) {
        set_dispatch();
      } else {
        c.status = c.accepted_at ? S::kAccepted : S::kDispatched;
      }
      c.objection_reason.clear();
      break;
    case EventKind::kExtended:
      c.due = TimeField(p, "until");
      ++c.extension_count;
      break;
    case EventKind::kSupervised:
      c.supervised = true;
      break;
    case EventKind::kReplied:
      c.reply_text = p.at("text");
      c.reply_resolved = p.at("resolved").get<bool>();
      c.replied_at = e.at;
      c.status = S::kReplied;
      break;
    case EventKind::kCallback:
      ++c.callback_attempts;
      if (p.at("reachable").get<bool>()) {
        c.callback = CallbackResult{p.at("contacted").get<bool>(), p.at("resolved").get<bool>(),
                                    *ParseSatisfaction(p.at("satisfaction").get<std::string>()),
                                    e.at};
        c.status = S::kCalledBack;
      }
      break;
    case EventKind::kClosed:
      c.closed_at = e.at;
      c.status = S::kClosed;
      break;
    case EventKind::kReopened:
      set_dispatch();
      ++c.reopen_count;
      c.closed_at.reset();
      c.rectified_at.reset();
      c.callback.reset();
      c.callback_attempts = 0;
      c.supervised = false;
      break;
    case EventKind::kMerged:
      c.merged_into = p.at("into").get<std::int64_t>();
      c.closed_at = e.at;
      c.status = S::kClosed;
      break;
    case EventKind::kTransferred:
      c.transferred_to = p.at("to");
      c.remote_id = p.value("remote_id", "");
      c.closed_at = e.at;
      c.status = S::kTransferred;
      break;
    case EventKind::kVerified:
      if (p.at("rectified").get<bool>()) {
        c.rectified_at = e.at;
        c.closed_at = e.at;
        c.status = S::kClosed;
      } else {
        c.replied_at.reset();  // the unit owes the rectification again, under the same deadline
        c.status = S::kAccepted;
      }
      break;
    case EventKind::kAttached:
      c.attachments.push_back({p.at("hash").get<std::string>(), p.at("type").get<std::string>(),
                               p.at("size").get<std::int64_t>(), p.at("name").get<std::string>(),
                               e.at});
      break;
    case EventKind::kRemoteUpdated:
      c.remote_status = p.at("status");
      c.remote_notes = p.at("notes");
      break;
  }
  c.updated_at = e.at;
  c.version = e.seq;
}

Result<Case> FoldUntrusted(const std::vector<CaseEvent>& events) {
  if (events.empty()) return Status::Invalid("a case needs at least its created event");
  Case c;
  for (const CaseEvent& e : events) {
    const auto bad = [&](const std::string& why) {
      return Status::Invalid("event " + std::to_string(e.seq) + " (" + EventKindName(e.kind) +
                             "): " + why);
    };
    if (e.seq != c.version + 1) return bad("events must be numbered 1, 2, 3… without gaps");
    if ((e.seq == 1) != (e.kind == EventKind::kCreated)) {
      return bad("a log starts with its created event, and has only one");
    }
    const json& p = e.payload;
    if (!p.is_object()) return bad("the payload must be an object");
    const auto name_ok = [&](const char* key, auto parse, bool required) {
      if (!p.contains(key)) return !required;
      return p.at(key).is_string() && parse(p.at(key).get<std::string>()).ok();
    };
    const auto time_ok = [&](const char* key) {
      return !p.contains(key) || (p.at(key).is_string() && ParseTime(p.at(key).get<std::string>()).ok());
    };
    const auto flag = [&](const char* key) { return p.value(key, json()).is_boolean() && p.at(key).get<bool>(); };
    // An id or a size read as a float would not fit an integer (1e300): undefined behaviour in
    // Apply's conversion, not a json exception.
    const auto integer_ok = [&](const char* key) {
      return !p.contains(key) || p.at(key).is_number_integer();
    };
    bool ok = true;
    switch (e.kind) {
      case EventKind::kCreated:
        ok = name_ok("type", ParseCaseType, true) && name_ok("source", ParseCaseSource, true) &&
             name_ok("urgency", ParseUrgency, false) && integer_ok("inspection_id") &&
             integer_ok("enterprise_id") && integer_ok("proposal_id");
        break;
      case EventKind::kMerged: ok = integer_ok("into"); break;
      case EventKind::kAttached: ok = integer_ok("size"); break;
      case EventKind::kDispatched:
      case EventKind::kReopened:
      case EventKind::kObjectionReviewed: ok = time_ok("response_due") && time_ok("due"); break;
      case EventKind::kExtended: ok = p.contains("until") && time_ok("until"); break;
      case EventKind::kCallback:
        ok = !flag("reachable") || name_ok("satisfaction", ParseSatisfaction, true);
        break;
      default: break;
    }
    if (!ok) return bad("a name, time or number in the payload is missing or not valid");
    try {
      Apply(c, e);
    } catch (const json::exception&) {
      return bad("the payload lacks a field or has one of the wrong type");
    }
  }
  return c;
}

Case Fold(const std::vector<CaseEvent>& events) {
  Case c;
  for (const CaseEvent& e : events) Apply(c, e);
  return c;
}

}  // namespace jiesu::domain
