// The workflow (DESIGN §3): which action is allowed in which state and for which role, and what
// event it produces. Decide() is the only place that turns a command into events; Apply()
// (case_event.hpp) the only place that turns events into state. Pure functions, thread-safe.
//
//  state \ action   dispatch answer accept object review extend supervise reply callback close reopen merge transfer verify
//  received            D      C                                                                      C      T
//  dispatched          D             A      O                  E      S                                    C      T
//  accepted                                 O                  E      S       R                            C
//  objected                                        D(review)          S                                    C      T
//  replied                                                            S              B(*)    C     D                     V(*)
//  called_back                                                                               C     D
//  closed                                                                                          D
//  transferred      (terminal)
// D = dispatched, C = closed, A = accepted, O = objected, E/S = unchanged (deadline / 督办 flag),
// R = replied, B = called_back (an unreachable callback leaves the state unchanged), T =
// transferred, V = closed when the inspector verifies the rectification, back to accepted when
// not. Every other pair is refused with Conflict.
// Not in the table: attach (a picture or recording; any state but transferred, not by the public)
// and remote_update (the peer's status of a case transferred to another jurisdiction; transferred
// only) leave the state unchanged; the service issues them, never a request body.
// Inspection findings (source `inspection`) are verified by the inspector instead of being called
// back: callback and close-after-reply are refused for them, verify for every other case.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/calendar.hpp"
#include "domain/case.hpp"
#include "domain/case_event.hpp"
#include "domain/category.hpp"
#include "domain/role.hpp"
#include "domain/unit.hpp"

namespace jiesu::domain {

enum class Action {
  kDispatch,
  kAnswer,
  kAccept,
  kObject,
  kReviewObjection,
  kExtend,
  kSupervise,
  kReply,
  kCallback,
  kClose,
  kReopen,
  kMerge,
  kTransfer,
  kVerify,
  kAttach,
  kRemoteUpdate,
};
inline constexpr Action kAllActions[] = {
    Action::kDispatch, Action::kAnswer,   Action::kAccept,   Action::kObject, Action::kReviewObjection,
    Action::kExtend,   Action::kSupervise, Action::kReply,   Action::kCallback, Action::kClose,
    Action::kReopen,   Action::kMerge,     Action::kTransfer, Action::kVerify,   Action::kAttach,
    Action::kRemoteUpdate};

const char* ActionName(Action a);
Result<Action> ParseAction(std::string_view s);

// One action with its arguments; which fields matter depends on the action (DESIGN §6.3).
struct Command {
  Action action = Action::kAccept;
  std::string unit;       // dispatch, review_objection (uphold)
  std::string category;   // dispatch
  std::string text;       // reply, answer
  std::string reason;     // object, extend, reopen
  std::string note;       // supervise
  std::string to;         // transfer
  std::string remote_id;  // transfer to a peer jurisdiction: the request id there
  std::string remote_status, remote_notes;  // remote_update
  std::optional<Attachment> attachment;     // attach
  std::optional<bool> resolved;   // reply, callback
  std::optional<bool> rectified;  // verify
  std::optional<bool> uphold;     // review_objection
  std::optional<bool> reachable;  // callback
  std::optional<bool> contacted;  // callback
  std::optional<Satisfaction> satisfaction;  // callback
  std::optional<Timestamp> until;            // extend
  std::optional<Timestamp> due;              // dispatch: a set deadline (an inspection finding's
                                             // rectification deadline) instead of the category's
  std::optional<std::int64_t> into;          // merge
  // Set by the router for automatic dispatch.
  bool automatic = false;
  double confidence = 0;
};

// Whether a role may ever perform the action (unit scope is checked by the service).
bool RoleMayAct(Role role, Action action);
// Whether the action is acting *as the responsible unit* (accept, object, extend, reply): a
// handler may do these only for cases whose unit lies within its own unit's subtree.
bool IsUnitAction(Action action);
// The state an action leads to from `from`, or nullopt when the pair is not in the table.
std::optional<CaseStatus> NextStatus(CaseStatus from, Action action);

struct DecideContext {
  Timestamp now = 0;
  const Catalogue* catalogue = nullptr;
  const HolidayCalendar* calendar = nullptr;
  const UnitTree* units = nullptr;
  const Case* merge_target = nullptr;  // the case named by merge{into}, loaded by the caller
};

// Validates the command against the case and produces the events to append (usually one).
// Fails with Invalid (missing or bad argument), Forbidden (role) or Conflict (state).
Result<std::vector<CaseEvent>> Decide(const Case& c, const Command& cmd, const Actor& actor,
                                      const DecideContext& ctx);

// The actions the actor's role could take on the case now (for screens; ignores unit scope).
std::vector<Action> AvailableActions(const Case& c, Role role);

// The dispatch event for a new or re-dispatched case: unit, category and fresh deadlines.
// `due`, when given, replaces the category's handling limit (it must lie ahead of ctx.now).
Result<CaseEvent> MakeDispatch(const Case& c, const std::string& unit, const std::string& category,
                               EventKind kind, const DecideContext& ctx,
                               std::optional<Timestamp> due = std::nullopt);

}  // namespace jiesu::domain
