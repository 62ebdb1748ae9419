#include "domain/community.hpp"

#include <gtest/gtest.h>

namespace jiesu::domain {
namespace {

Building BuildingLedBy(std::int64_t leader) {
  Building b;
  b.id = 1;
  b.leader_id = leader;
  return b;
}

TEST(Deliberation, OneVoteEachChangeableUntilClosed) {
  Proposal p;
  ASSERT_TRUE(CastVote(p, 2, Vote::kFor).ok());
  ASSERT_TRUE(CastVote(p, 3, Vote::kAgainst).ok());
  ASSERT_TRUE(CastVote(p, 3, Vote::kFor).ok());  // changes the vote, does not add one
  ASSERT_TRUE(CastVote(p, 4, Vote::kAbstain).ok());
  VoteTally t = CountVotes(p);
  EXPECT_EQ(t.for_count, 2);
  EXPECT_EQ(t.against, 0);
  EXPECT_EQ(t.abstain, 1);

  ASSERT_TRUE(CloseProposal(p, BuildingLedBy(2), 2, true, "同意加装扶手", 100).ok());
  EXPECT_EQ(p.status, ProposalStatus::kAgreed);
  EXPECT_EQ(CastVote(p, 3, Vote::kAgainst).code(), StatusCode::kConflict);
  EXPECT_EQ(AddComment(p, 3, "晚了", 101).code(), StatusCode::kConflict);
  EXPECT_EQ(CountVotes(p).for_count, 2);
}

TEST(Deliberation, OnlyTheLeaderClosesAndOnlyWithAnAgreement) {
  Proposal p;
  EXPECT_EQ(CloseProposal(p, BuildingLedBy(0), 2, true, "x", 1).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(CloseProposal(p, BuildingLedBy(2), 3, true, "x", 1).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(CloseProposal(p, BuildingLedBy(2), 2, false, "  ", 1).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(p.status, ProposalStatus::kOpen);
  ASSERT_TRUE(CloseProposal(p, BuildingLedBy(2), 2, false, " 暂不实施 ", 5).ok());
  EXPECT_EQ(p.status, ProposalStatus::kRejected);
  EXPECT_EQ(p.agreement, "暂不实施");
  EXPECT_EQ(p.closed_at, 5);
  EXPECT_EQ(CloseProposal(p, BuildingLedBy(2), 2, true, "again", 6).code(), StatusCode::kConflict);
}

TEST(Deliberation, CommentsAreNumberedAndChecked) {
  Proposal p;
  EXPECT_EQ(AddComment(p, 2, " ", 1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(AddComment(p, 2, std::string(2001, 'a'), 1).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(AddComment(p, 2, "支持", 1).ok());
  ASSERT_TRUE(AddComment(p, 3, "我也支持", 2).ok());
  ASSERT_EQ(p.comments.size(), 2u);
  EXPECT_EQ(p.comments[1].id, 2);
  EXPECT_EQ(p.comments[1].resident_id, 3);
}

TEST(Consultation, TakesOpinionsOnlyWhileOpenOnItsSections) {
  Consultation c;
  c.id = 7;
  c.opens = 100;
  c.closes = 200;
  c.sections = {{1, "总则", ""}, {2, "附则", ""}};
  EXPECT_EQ(StateAt(c, 99), ConsultationState::kUpcoming);
  EXPECT_EQ(StateAt(c, 100), ConsultationState::kOpen);
  EXPECT_EQ(StateAt(c, 200), ConsultationState::kClosed);
  EXPECT_EQ(CheckOpinion(c, 1, "建议增加条款", 99).code(), StatusCode::kConflict);
  const Status closed = CheckOpinion(c, 1, "建议增加条款", 200);
  EXPECT_EQ(closed.code(), StatusCode::kConflict);
  EXPECT_NE(closed.message().find("closed on"), std::string::npos);
  EXPECT_TRUE(CheckOpinion(c, 2, "建议增加条款", 150).ok());
  EXPECT_EQ(CheckOpinion(c, 3, "建议增加条款", 150).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckOpinion(c, 0, "建议增加条款", 150).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckOpinion(c, 1, "同意", 150).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace jiesu::domain
