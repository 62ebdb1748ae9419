// BuildingService: buildings (楼门院) with their covenant and 楼门长, their residents (each with a
// key of role `resident`), and the deliberation of residents' proposals (议事协商) up to the
// agreement; an agreed item that needs a unit becomes a case (source proactive) through
// CaseService, linked both ways (docs/community.md).
// Rules enforced here: admins and the handlers of a community or its ancestors manage its
// buildings and register residents; those, supervisors and the building's own residents read
// it; only its residents propose, comment and vote; only its 楼门长 closes. Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "domain/community.hpp"
#include "service/auth_service.hpp"
#include "service/case_service.hpp"
#include "service/reference.hpp"
#include "storage/database.hpp"

namespace jiesu::service {

struct BuildingInput {
  std::string community;
  std::string name;
  std::string covenant;
};

struct BuildingEdit {
  std::optional<std::string> name;
  std::optional<std::string> covenant;
  std::optional<std::int64_t> leader_id;
};

struct ResidentInput {
  std::string name;
  std::string room;
};

struct BuildingView {
  domain::Building building;
  std::vector<domain::Resident> residents;  // living there, by id (List: only the 楼门长)
  int resident_count = 0;
  int open_proposals = 0;
};

struct NewResident {
  domain::Resident resident;
  std::string key;  // shown once
};

struct CloseInput {
  std::string outcome;  // agreed | rejected
  std::string agreement;
  bool needs_unit = false;
  std::string type;      // of the case; default help
  std::string category;  // of the case; default: the router's
};

struct ProposalView {
  domain::Proposal proposal;
  std::map<std::int64_t, domain::Resident> people;  // everyone registered, moved out or not
  int residents = 0;                                 // living in the building
  std::optional<domain::Vote> my_vote;               // the calling resident's
  std::optional<domain::Case> linked;                // the case, when one was made
};

class BuildingService {
 public:
  BuildingService(storage::Database& db, std::shared_ptr<const Reference> ref, AuthService& auth,
                  CaseService& cases, const Clock& clock)
      : db_(db), ref_(std::move(ref)), auth_(auth), cases_(cases), clock_(clock) {}

  // InvalidArgument for a unit that is not a community or an empty name; Forbidden outside the
  // caller's unit.
  Result<BuildingView> Create(const domain::Actor& actor, const BuildingInput& in);
  // The leader must be a resident living in the building, or 0 for none (InvalidArgument
  // otherwise).
  Result<BuildingView> Edit(const domain::Actor& actor, std::int64_t id, const BuildingEdit& in);
  Result<NewResident> AddResident(const domain::Actor& actor, std::int64_t building_id,
                                  const ResidentInput& in);
  // A new key for a resident who lost theirs; the old key stops working.
  Result<NewResident> ReissueKey(const domain::Actor& actor, std::int64_t building_id,
                                 std::int64_t resident_id);
  // A resident moves out: the key is revoked, the votes on open proposals withdrawn, the
  // building loses its 楼门长 if it was them; the record stays for the comments they wrote.
  Result<BuildingView> RemoveResident(const domain::Actor& actor, std::int64_t building_id,
                                      std::int64_t resident_id);
  // The buildings the caller may read, of one community when `community` is set.
  Result<std::vector<BuildingView>> List(const domain::Actor& actor, const std::string& community);
  Result<BuildingView> Get(const domain::Actor& actor, std::int64_t id);
  // The resident behind a resident key; NotFound for other keys.
  Result<domain::Resident> ResidentOf(const domain::Actor& actor);

  Result<ProposalView> Propose(const domain::Actor& actor, std::int64_t building_id,
                               const std::string& title, const std::string& text);
  // Newest first.
  Result<std::vector<ProposalView>> Proposals(const domain::Actor& actor,
                                              std::int64_t building_id);
  Result<ProposalView> GetProposal(const domain::Actor& actor, std::int64_t id);
  Result<ProposalView> Comment(const domain::Actor& actor, std::int64_t id,
                               const std::string& text);
  Result<ProposalView> Vote(const domain::Actor& actor, std::int64_t id,
                            const std::string& choice);
  Result<ProposalView> Close(const domain::Actor& actor, std::int64_t id, const CloseInput& in);

 private:
  enum class Access { kRead, kManage };
  // The one rule of who reads and manages a building; `home` is a resident's own building.
  bool Permits(const domain::Actor& actor, std::optional<std::int64_t> home,
               const domain::Building& b, Access access) const;
  // The building, when the actor may read it (kRead) or manage it (kManage).
  Result<domain::Building> Allowed(const domain::Actor& actor, std::int64_t id, Access access);
  // The calling resident, who must live in `building_id` (Forbidden otherwise).
  Result<domain::Resident> Neighbour(const domain::Actor& actor, std::int64_t building_id);
  // Reads the record, lets `change` rewrite its document and writes it back (nothing when the
  // document is unchanged); from the start again when another writer got there first, up to five
  // times. The one retry rule of the records this service writes.
  Status Rewrite(const char* kind, std::int64_t id,
                 const std::function<Status(storage::Record&)>& change);
  // Rewrite of a proposal by the calling resident of its building.
  Result<ProposalView> Change(const domain::Actor& actor, std::int64_t id,
                              const std::function<Status(domain::Proposal&,
                                                         const domain::Resident&)>& change);
  Result<ProposalView> View(const domain::Actor& actor, domain::Proposal p);
  // The building's residents, those who moved out too.
  Result<std::vector<domain::Resident>> Residents(std::int64_t building_id);
  // The resident `resident_id` of `building_id`, with its record (NotFound otherwise).
  Result<std::pair<domain::Resident, storage::Record>> ResidentRecord(std::int64_t building_id,
                                                                      std::int64_t resident_id);
  Result<BuildingView> ViewOf(const domain::Building& b, bool with_residents);

  storage::Database& db_;
  std::shared_ptr<const Reference> ref_;
  AuthService& auth_;
  CaseService& cases_;
  const Clock& clock_;
};

}  // namespace jiesu::service
