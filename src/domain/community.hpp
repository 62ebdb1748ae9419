// Community records (DESIGN §3 "Community"; docs/community.md): buildings and their residents with
// the deliberation of proposals (楼门院治理 / 议事协商), enterprises of the service package (服务包)
// and public consultations on a draft (征求意见). Plain values and the rules that change them;
// no I/O.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"

namespace jiesu::domain {

// A building entrance or courtyard (楼门院) under a community, with its covenant (楼门公约) and
// its head (楼门长), one of its residents.
struct Building {
  std::int64_t id = 0;
  std::string community;  // unit code, community level
  std::string name;       // 群芳园小区3号楼2单元
  std::string covenant;   // 楼门公约
  std::int64_t leader_id = 0;  // a resident of the building; 0 for none yet
  Timestamp created_at = 0;
};

// A registered resident, who acts through a key of role `resident`.
struct Resident {
  std::int64_t id = 0;
  std::int64_t building_id = 0;
  std::string name;
  std::string room;
  std::int64_t key_id = 0;
  Timestamp created_at = 0;
  std::optional<Timestamp> left_at;  // moved out: no key, no vote, kept for the record
};

enum class Vote { kFor, kAgainst, kAbstain };
enum class ProposalStatus { kOpen, kAgreed, kRejected };

const char* VoteName(Vote v);  // for, against, abstain
Result<Vote> ParseVote(std::string_view s);
const char* ProposalStatusName(ProposalStatus s);  // open, agreed, rejected

struct Comment {
  std::int64_t id = 0;  // 1, 2, … within the proposal
  std::int64_t resident_id = 0;
  std::string text;
  Timestamp at = 0;
};

// A resident's proposal (议题) to the building, until its 楼门长 closes it with the agreement
// reached (协商结果). An agreed item that needs a unit becomes a case, linked both ways.
struct Proposal {
  std::int64_t id = 0;
  std::int64_t building_id = 0;
  std::int64_t author_id = 0;
  std::string title;
  std::string text;
  ProposalStatus status = ProposalStatus::kOpen;
  std::map<std::int64_t, Vote> votes;  // resident id → their vote
  std::vector<Comment> comments;
  std::string agreement;
  std::int64_t closed_by = 0;
  std::optional<Timestamp> closed_at;
  std::optional<std::int64_t> case_id;
  Timestamp created_at = 0;
};

struct VoteTally {
  int for_count = 0;
  int against = 0;
  int abstain = 0;
};

// The rules of deliberation. Each fails with Conflict once the proposal is closed; the resident
// must belong to the proposal's building (the caller checks it: it holds the resident).
Status CastVote(Proposal& p, std::int64_t resident_id, Vote vote);
// InvalidArgument for an empty text or one over 2,000 characters.
Status AddComment(Proposal& p, std::int64_t resident_id, std::string text, Timestamp at);
// The 楼门长 closes: Forbidden for anyone else (or when the building has none), InvalidArgument
// without an agreement text.
Status CloseProposal(Proposal& p, const Building& building, std::int64_t resident_id, bool agreed,
                     std::string agreement, Timestamp at);
VoteTally CountVotes(const Proposal& p);

// An enterprise of the service package (服务包) with its service manager (服务管家), a person in a
// handling unit; its requests (企业诉求) go to that unit.
struct Enterprise {
  std::int64_t id = 0;
  std::string name;
  std::string credit_code;  // 统一社会信用代码, checked (credit_code.hpp)
  std::string township;     // unit code, township level
  std::string address;
  std::string manager_name;
  std::string manager_unit;  // unit code
  Timestamp created_at = 0;
};

// The catalogue entry of every enterprise request (企业诉求), with its own time limits.
inline constexpr const char* kEnterpriseRequestCategory = "1205";

// A draft put to public consultation (征求意见) in sections, over an open period.
struct ConsultationSection {
  int no = 0;  // 1, 2, …
  std::string title;
  std::string text;
};

struct Consultation {
  std::int64_t id = 0;
  std::string title;
  std::string summary;
  std::string office;  // the drafting office's unit code
  Timestamp opens = 0;
  Timestamp closes = 0;  // exclusive
  std::vector<ConsultationSection> sections;
  Timestamp created_at = 0;
};

enum class ConsultationState { kUpcoming, kOpen, kClosed };
const char* ConsultationStateName(ConsultationState s);  // upcoming, open, closed
ConsultationState StateAt(const Consultation& c, Timestamp now);

struct Opinion {
  std::int64_t id = 0;
  std::int64_t consultation_id = 0;
  int section = 0;
  std::string text;
  std::string name;  // an optional signature
  Timestamp at = 0;
};

// Whether `c` takes an opinion on `section` at `now`: Conflict when it is not open ("opens on …",
// "closed on …"), InvalidArgument for a section it does not have or a text outside 5–2,000
// characters.
Status CheckOpinion(const Consultation& c, int section, std::string_view text, Timestamp now);

}  // namespace jiesu::domain
