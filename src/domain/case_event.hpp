// CaseEvent: one entry of a case's append-only log, the source of truth. A case is the fold
// (Apply) of its events in sequence order; rebuilding a case from its events gives the same row.
// Payloads are JSON objects whose keys per kind are documented in workflow.cpp. Plain value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "domain/case.hpp"
#include "domain/role.hpp"

namespace jiesu::domain {

enum class EventKind {
  kCreated,
  kDispatched,
  kAnswered,
  kAccepted,
  kObjected,
  kObjectionReviewed,
  kExtended,
  kSupervised,
  kReplied,
  kCallback,
  kClosed,
  kReopened,
  kMerged,
  kTransferred,
  kVerified,
  kAttached,
  kRemoteUpdated,
};

const char* EventKindName(EventKind k);
Result<EventKind> ParseEventKind(std::string_view s);

struct CaseEvent {
  std::int64_t case_id = 0;
  int seq = 0;  // 1-based position in the case's log
  Timestamp at = 0;
  EventKind kind = EventKind::kCreated;
  Role actor_role = Role::kSystem;
  std::string actor_unit;
  std::string actor_name;
  nlohmann::json payload = nlohmann::json::object();
};

// Folds one event into a case. The event must belong to the case and come next in sequence
// (asserted: a broken log is a bug, not user input).
void Apply(Case& c, const CaseEvent& e);
// Folds a whole log into a fresh case.
Case Fold(const std::vector<CaseEvent>& events);
// Folds a log that comes from outside (an import): checks what Apply takes for granted — events
// numbered 1, 2, 3…, `created` first and only first, each payload's names, times and types — and
// fails with InvalidArgument naming the event instead of asserting.
Result<Case> FoldUntrusted(const std::vector<CaseEvent>& events);

}  // namespace jiesu::domain
