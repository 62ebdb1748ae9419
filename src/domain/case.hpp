// A Case (工单): a citizen request, an inspection finding or a grid patrol report. The row is the
// fold of the case's events (case_event.hpp); nothing writes a Case except Apply(). Plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "domain/deadlines.hpp"

namespace jiesu::domain {

enum class CaseType { kConsult, kHelp, kComplaint, kReport, kSuggestion };
enum class CaseSource { kHotline, kWeb, kOpen311, kInspection, kGrid, kProactive };
enum class CaseStatus {
  kReceived,     // 已受理: recorded, not yet dispatched
  kDispatched,   // 已派单: waiting for the unit to accept (签收)
  kAccepted,     // 办理中: the unit has accepted
  kObjected,     // 异议待审: the unit disputes competence, a supervisor decides
  kReplied,      // 已反馈: the unit has replied (办结反馈), waiting for the callback (an
                 // inspection finding: for the inspector's verification)
  kCalledBack,   // 已回访: a valid callback is recorded
  kClosed,       // 已办结
  kTransferred,  // 已移交: to 110/119/120/122 or another jurisdiction; never dispatched
};
enum class Satisfaction { kSatisfied, kBasicallySatisfied, kDissatisfied };

// Names: the English API token and the Chinese label for each value; Parse accepts either.
const char* CaseTypeName(CaseType t);
const char* CaseTypeLabel(CaseType t);
Result<CaseType> ParseCaseType(std::string_view s);
const char* CaseSourceName(CaseSource s);
Result<CaseSource> ParseCaseSource(std::string_view s);
const char* CaseStatusName(CaseStatus s);
const char* CaseStatusLabel(CaseStatus s);
Result<CaseStatus> ParseCaseStatus(std::string_view s);
const char* SatisfactionLabel(Satisfaction s);  // 满意 / 基本满意 / 不满意
Result<Satisfaction> ParseSatisfaction(std::string_view s);

// True for states where the responsible unit still owes work (deadline applies).
bool IsOpenForUnit(CaseStatus s);
// True for states where nothing more happens (closed, transferred).
bool IsTerminal(CaseStatus s);
// What a citizen sees as done (Open311 `closed`): the unit has replied, or the case ended. An
// unresolved callback or a 回头看 reopens it.
bool IsSettled(CaseStatus s);

struct CallbackResult {
  bool contacted = false;  // 响应: the unit contacted the citizen
  bool resolved = false;   // 解决
  Satisfaction satisfaction = Satisfaction::kSatisfied;
  Timestamp at = 0;
};

// A picture, recording, video or document sent with a case, stored under its content hash.
struct Attachment {
  std::string hash;        // SHA-256, 64 hex digits
  std::string media_type;  // from the bytes: image/jpeg, audio/amr, video/mp4, …
  std::int64_t size = 0;
  std::string name;  // the file name it was sent under
  Timestamp at = 0;
};

struct Case {
  std::int64_t id = 0;
  int version = 0;  // number of events folded in
  CaseType type = CaseType::kConsult;
  CaseSource source = CaseSource::kHotline;
  Urgency urgency = Urgency::kNormal;
  std::string title;
  std::string text;
  std::string address;
  std::optional<double> lat;
  std::optional<double> lon;
  std::string media_url;  // a picture or recording the citizen linked (Open311 media_url)
  std::string category;  // catalogue code, empty until classified
  std::string unit;      // responsible unit code, empty until dispatched
  CaseStatus status = CaseStatus::kReceived;
  bool anonymous = false;
  bool has_contact = false;
  bool supervised = false;  // 督办
  std::optional<std::int64_t> inspection_id;
  std::optional<std::int64_t> enterprise_id;  // a 企业诉求: the enterprise (community.hpp)
  std::optional<std::int64_t> proposal_id;    // agreed in a building's deliberation
  Timestamp created_at = 0;
  Timestamp updated_at = 0;
  std::optional<Timestamp> dispatched_at;
  std::optional<Timestamp> accepted_at;
  std::optional<Timestamp> replied_at;
  std::optional<Timestamp> closed_at;
  std::optional<Timestamp> rectified_at;  // inspection finding: rectification verified (整改销号)
  std::optional<Timestamp> response_due;
  std::optional<Timestamp> due;
  std::string reply_text;
  std::optional<bool> reply_resolved;  // the unit's own claim
  std::optional<CallbackResult> callback;  // last valid callback
  int callback_attempts = 0;
  int reopen_count = 0;
  int extension_count = 0;
  std::string objection_reason;
  std::optional<std::int64_t> merged_into;
  std::string transferred_to;
  std::vector<Attachment> attachments;
  // Transferred to a peer jurisdiction: its request id there, and its status as last pulled.
  std::string remote_id;
  std::string remote_status;  // the peer's Open311 status (open|closed) and detail, e.g. "closed/replied"
  std::string remote_notes;   // the peer's status_notes (its reply)
};

// Overdue at `now`: the unit still owes work past its deadline, or it replied after the deadline.
bool IsOverdue(const Case& c, Timestamp now);

}  // namespace jiesu::domain
