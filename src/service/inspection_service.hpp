// InspectionService: inspection rounds (巡察) — creating rounds and 回头看 rounds, recording
// findings (cases with source `inspection`, dispatched to the inspected unit with the round's
// rectification deadline, through CaseService), and reading a round with its rectification
// figures (assess/inspection_figures). Verification is the `verify` action on the finding.
// Rules enforced here: inspectors and admins create rounds and findings; inspectors, supervisors
// and admins read rounds; a finding's unit lies within one of the round's organisations.
// Thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "assess/inspection_figures.hpp"
#include "common/clock.hpp"
#include "domain/inspection.hpp"
#include "service/case_service.hpp"
#include "service/reference.hpp"
#include "storage/database.hpp"

namespace jiesu::service {

struct NewInspectionInput {
  std::string name;
  std::vector<std::string> units;  // empty for a 回头看: the organisations of the revisited rounds
  std::optional<Timestamp> starts;  // default now
  std::optional<Timestamp> ends;
  std::vector<std::int64_t> revisit_of;
};

struct NewFindingInput {
  std::string unit;
  std::string title;
  std::string text;
  std::string category;
  std::string type;  // default 举报 (report): a problem to put right
  std::optional<Timestamp> due;  // the rectification deadline (required)
};

struct InspectionView {
  assess::RoundFigures figures;     // figures.round is the round; as of now
  std::vector<domain::Case> findings;  // the ones the figures count, by id
  Timestamp as_of = 0;
};

class InspectionService {
 public:
  InspectionService(storage::Database& db, std::shared_ptr<const Reference> ref,
                    CaseService& cases, const Clock& clock)
      : db_(db), ref_(std::move(ref)), cases_(cases), clock_(clock) {}

  // InvalidArgument on a bad input, NotFound for a revisited round that does not exist,
  // Forbidden for roles other than inspector and admin.
  Result<domain::Inspection> Create(const domain::Actor& actor, const NewInspectionInput& in);
  // Records a finding as a case dispatched to its unit with the deadline `due`.
  Result<CaseView> AddFinding(const domain::Actor& actor, std::int64_t round_id,
                              const NewFindingInput& in);
  Result<InspectionView> Get(const domain::Actor& actor, std::int64_t round_id);
  // Every round with its figures as of now, newest first.
  Result<std::vector<assess::RoundFigures>> List(const domain::Actor& actor);

  // The figures of every round that matters for a month ending at `as_of` and starting at
  // `from`: started before as_of, and either not ended before `from` or still with findings
  // outstanding at `from`. Oldest first. No role check (the report's caller has made it).
  Result<std::vector<assess::RoundFigures>> FiguresForPeriod(Timestamp from, Timestamp as_of,
                                                             assess::Rectification* distinct);

 private:
  Result<std::vector<domain::Case>> FindingsOf(const domain::Inspection& round);

  storage::Database& db_;
  std::shared_ptr<const Reference> ref_;
  CaseService& cases_;
  const Clock& clock_;
};

}  // namespace jiesu::service
