#include "domain/community.hpp"

#include "common/utf8.hpp"

namespace jiesu::domain {

namespace {

constexpr std::size_t kMaxTextChars = 2000;

Status ClosedAlready(const Proposal& p) {
  return Status::Conflict("proposal " + std::to_string(p.id) + " is closed (" +
                          ProposalStatusName(p.status) + "); it takes no more votes or comments");
}

}  // namespace

const char* VoteName(Vote v) {
  switch (v) {
    case Vote::kFor: return "for";
    case Vote::kAgainst: return "against";
    case Vote::kAbstain: return "abstain";
  }
  return "abstain";
}

Result<Vote> ParseVote(std::string_view s) {
  for (Vote v : {Vote::kFor, Vote::kAgainst, Vote::kAbstain}) {
    if (s == VoteName(v)) return v;
  }
  return Status::Invalid("choice must be for, against or abstain");
}

const char* ProposalStatusName(ProposalStatus s) {
  switch (s) {
    case ProposalStatus::kOpen: return "open";
    case ProposalStatus::kAgreed: return "agreed";
    case ProposalStatus::kRejected: return "rejected";
  }
  return "open";
}

Status CastVote(Proposal& p, std::int64_t resident_id, Vote vote) {
  if (p.status != ProposalStatus::kOpen) return ClosedAlready(p);
  p.votes[resident_id] = vote;
  return Status::Ok();
}

Status AddComment(Proposal& p, std::int64_t resident_id, std::string text, Timestamp at) {
  if (p.status != ProposalStatus::kOpen) return ClosedAlready(p);
  const std::string trimmed(TrimSpace(text));
  if (trimmed.empty()) return Status::Invalid("text is required");
  JIESU_RETURN_IF_ERROR(CheckText(trimmed, "text", kMaxTextChars));
  const std::int64_t id = p.comments.empty() ? 1 : p.comments.back().id + 1;
  p.comments.push_back(Comment{id, resident_id, trimmed, at});
  return Status::Ok();
}

Status CloseProposal(Proposal& p, const Building& building, std::int64_t resident_id, bool agreed,
                     std::string agreement, Timestamp at) {
  if (building.leader_id == 0 || building.leader_id != resident_id) {
    return Status::Forbidden("only the building's 楼门长 closes a proposal");
  }
  if (p.status != ProposalStatus::kOpen) return ClosedAlready(p);
  const std::string trimmed(TrimSpace(agreement));
  if (trimmed.empty()) return Status::Invalid("agreement is required: record what was agreed");
  JIESU_RETURN_IF_ERROR(CheckText(trimmed, "agreement", kMaxTextChars));
  p.status = agreed ? ProposalStatus::kAgreed : ProposalStatus::kRejected;
  p.agreement = trimmed;
  p.closed_by = resident_id;
  p.closed_at = at;
  return Status::Ok();
}

VoteTally CountVotes(const Proposal& p) {
  VoteTally t;
  for (const auto& [resident, vote] : p.votes) {
    if (vote == Vote::kFor) ++t.for_count;
    if (vote == Vote::kAgainst) ++t.against;
    if (vote == Vote::kAbstain) ++t.abstain;
  }
  return t;
}

const char* ConsultationStateName(ConsultationState s) {
  switch (s) {
    case ConsultationState::kUpcoming: return "upcoming";
    case ConsultationState::kOpen: return "open";
    case ConsultationState::kClosed: return "closed";
  }
  return "closed";
}

ConsultationState StateAt(const Consultation& c, Timestamp now) {
  if (now < c.opens) return ConsultationState::kUpcoming;
  if (now >= c.closes) return ConsultationState::kClosed;
  return ConsultationState::kOpen;
}

Status CheckOpinion(const Consultation& c, int section, std::string_view text, Timestamp now) {
  switch (StateAt(c, now)) {
    case ConsultationState::kUpcoming:
      return Status::Conflict("consultation " + std::to_string(c.id) + " opens on " +
                              FormatTime(c.opens) + "; it takes no opinions before");
    case ConsultationState::kClosed:
      return Status::Conflict("consultation " + std::to_string(c.id) + " closed on " +
                              FormatTime(c.closes) + "; it takes no more opinions");
    case ConsultationState::kOpen: break;
  }
  if (section < 1 || section > static_cast<int>(c.sections.size())) {
    return Status::Invalid("section must be one of 1.." + std::to_string(c.sections.size()));
  }
  const std::string_view trimmed = TrimSpace(text);
  JIESU_RETURN_IF_ERROR(CheckText(trimmed, "text", kMaxTextChars));
  if (Utf8Length(trimmed) < 5) return Status::Invalid("an opinion is 5 to 2000 characters");
  return Status::Ok();
}

}  // namespace jiesu::domain
