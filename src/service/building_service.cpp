#include "service/building_service.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "common/utf8.hpp"

namespace jiesu::service {

using domain::Actor;
using domain::Building;
using domain::Proposal;
using domain::Resident;
using domain::Role;
using nlohmann::json;

namespace {

constexpr const char* kBuilding = "building";
constexpr const char* kResident = "resident";
constexpr const char* kProposal = "proposal";
constexpr int kWriteAttempts = 5;

// The record documents. Ids, parents and times live in the record's own columns.
std::string BuildingDoc(const Building& b) {
  return json{{"community", b.community}, {"name", b.name}, {"covenant", b.covenant},
              {"leader_id", b.leader_id}}.dump();
}

Status Corrupt(const storage::Record& r) {
  return Status::Internal("corrupt " + r.kind + " record " + std::to_string(r.id));
}

Result<Building> BuildingFrom(const storage::Record& r) {
  const json j = json::parse(r.doc, nullptr, false);
  Building b;
  b.id = r.id;
  b.created_at = r.created_at;
  try {
    b.community = j.at("community").get<std::string>();
    b.name = j.at("name").get<std::string>();
    b.covenant = j.at("covenant").get<std::string>();
    b.leader_id = j.at("leader_id").get<std::int64_t>();
  } catch (const json::exception&) {
    return Corrupt(r);
  }
  return b;
}

std::string ResidentLookup(std::int64_t key_id) { return "key:" + std::to_string(key_id); }

Result<Resident> ResidentFrom(const storage::Record& r) {
  const json j = json::parse(r.doc, nullptr, false);
  Resident res;
  res.id = r.id;
  res.building_id = r.parent;
  res.created_at = r.created_at;
  try {
    res.name = j.at("name").get<std::string>();
    res.room = j.at("room").get<std::string>();
    res.key_id = j.at("key_id").get<std::int64_t>();
    if (j.contains("left_at")) res.left_at = j.at("left_at").get<Timestamp>();
  } catch (const json::exception&) {
    return Corrupt(r);
  }
  return res;
}

std::string ResidentDoc(const Resident& r) {
  json j = {{"name", r.name}, {"room", r.room}, {"key_id", r.key_id}};
  if (r.left_at) j["left_at"] = *r.left_at;
  return j.dump();
}

std::string ProposalDoc(const Proposal& p) {
  json votes = json::object();
  for (const auto& [resident, vote] : p.votes) votes[std::to_string(resident)] = VoteName(vote);
  json comments = json::array();
  for (const auto& c : p.comments) {
    comments.push_back({{"id", c.id}, {"resident_id", c.resident_id}, {"text", c.text},
                        {"at", c.at}});
  }
  json j = {{"author_id", p.author_id}, {"title", p.title}, {"text", p.text},
            {"status", ProposalStatusName(p.status)}, {"votes", votes},
            {"comments", comments}, {"agreement", p.agreement}, {"closed_by", p.closed_by}};
  if (p.closed_at) j["closed_at"] = *p.closed_at;
  if (p.case_id) j["case_id"] = *p.case_id;
  return j.dump();
}

Result<Proposal> ProposalFrom(const storage::Record& r) {
  const json j = json::parse(r.doc, nullptr, false);
  const Status corrupt = Corrupt(r);
  Proposal p;
  p.id = r.id;
  p.building_id = r.parent;
  p.created_at = r.created_at;
  try {
    p.author_id = j.at("author_id").get<std::int64_t>();
    p.title = j.at("title").get<std::string>();
    p.text = j.at("text").get<std::string>();
    const std::string status = j.at("status").get<std::string>();
    bool known = false;
    for (auto s : {domain::ProposalStatus::kOpen, domain::ProposalStatus::kAgreed,
                   domain::ProposalStatus::kRejected}) {
      if (status == ProposalStatusName(s)) {
        p.status = s;
        known = true;
      }
    }
    if (!known) return corrupt;
    for (const auto& [resident, vote] : j.at("votes").items()) {
      JIESU_ASSIGN_OR_RETURN(auto v, domain::ParseVote(vote.get<std::string>()));
      p.votes[std::stoll(resident)] = v;
    }
    for (const auto& c : j.at("comments")) {
      p.comments.push_back({c.at("id").get<std::int64_t>(), c.at("resident_id").get<std::int64_t>(),
                            c.at("text").get<std::string>(), c.at("at").get<Timestamp>()});
    }
    p.agreement = j.at("agreement").get<std::string>();
    p.closed_by = j.at("closed_by").get<std::int64_t>();
    if (j.contains("closed_at")) p.closed_at = j.at("closed_at").get<Timestamp>();
    if (j.contains("case_id")) p.case_id = j.at("case_id").get<std::int64_t>();
  } catch (const std::exception&) {  // json's, and std::stoll's on a bad vote key
    return corrupt;
  }
  return p;
}

Status CheckRequired(const std::string& value, const char* field, std::size_t max_chars) {
  if (TrimSpace(value).empty()) return Status::Invalid(std::string(field) + " is required");
  return CheckText(value, field, max_chars);
}

}  // namespace

bool BuildingService::Permits(const Actor& actor, std::optional<std::int64_t> home,
                              const Building& b, Access access) const {
  switch (actor.role) {
    case Role::kAdmin: return true;
    case Role::kSupervisor: return access == Access::kRead;
    case Role::kHandler: return ref_->units.IsWithin(b.community, actor.unit);
    case Role::kResident: return access == Access::kRead && home == b.id;
    default: return false;
  }
}

Result<Building> BuildingService::Allowed(const Actor& actor, std::int64_t id, Access access) {
  JIESU_ASSIGN_OR_RETURN(storage::Record r, db_.GetRecord(kBuilding, id));
  JIESU_ASSIGN_OR_RETURN(Building b, BuildingFrom(r));
  std::optional<std::int64_t> home;
  if (actor.role == Role::kResident) {
    if (auto me = ResidentOf(actor); me.ok()) home = me->building_id;
  }
  if (!Permits(actor, home, b, access)) {
    return Status::Forbidden(std::string("role ") + RoleName(actor.role) + " may not " +
                             (access == Access::kRead ? "read" : "manage") + " building " +
                             std::to_string(id));
  }
  return b;
}

Result<Resident> BuildingService::ResidentOf(const Actor& actor) {
  if (actor.role != Role::kResident) return Status::NotFound("not a resident's key");
  JIESU_ASSIGN_OR_RETURN(auto r, db_.FindRecord(kResident, ResidentLookup(actor.key_id)));
  if (!r) return Status::NotFound("no resident holds this key");
  JIESU_ASSIGN_OR_RETURN(Resident me, ResidentFrom(*r));
  if (me.left_at) return Status::NotFound("this resident has moved out");
  return me;
}

Result<Resident> BuildingService::Neighbour(const Actor& actor, std::int64_t building_id) {
  auto me = ResidentOf(actor);
  if (!me.ok() || me->building_id != building_id) {
    return Status::Forbidden("only the building's residents take part in its deliberation");
  }
  return me;
}

Result<std::vector<Resident>> BuildingService::Residents(std::int64_t building_id) {
  JIESU_ASSIGN_OR_RETURN(auto records, db_.ListRecords(kResident, building_id));
  std::vector<Resident> out;
  for (const auto& r : records) {
    JIESU_ASSIGN_OR_RETURN(Resident res, ResidentFrom(r));
    out.push_back(std::move(res));
  }
  return out;
}

Result<BuildingView> BuildingService::ViewOf(const Building& b, bool with_residents) {
  BuildingView v;
  v.building = b;
  JIESU_ASSIGN_OR_RETURN(v.residents, Residents(b.id));
  std::erase_if(v.residents, [](const Resident& r) { return r.left_at.has_value(); });
  v.resident_count = static_cast<int>(v.residents.size());
  JIESU_ASSIGN_OR_RETURN(auto proposals, db_.ListRecords(kProposal, b.id));
  for (const auto& r : proposals) {
    JIESU_ASSIGN_OR_RETURN(Proposal p, ProposalFrom(r));
    if (p.status == domain::ProposalStatus::kOpen) ++v.open_proposals;
  }
  if (!with_residents) {
    // Only the 楼门长 is named.
    std::erase_if(v.residents, [&](const Resident& r) { return r.id != b.leader_id; });
  }
  return v;
}

Result<BuildingView> BuildingService::Create(const Actor& actor, const BuildingInput& in) {
  const domain::Unit* community = ref_->units.Find(in.community);
  if (community == nullptr || community->level != domain::UnitLevel::kCommunity) {
    return Status::Invalid("community must be the code of a community (社区/村), not '" +
                           in.community + "'");
  }
  if (actor.role != Role::kAdmin &&
      !(actor.role == Role::kHandler && ref_->units.IsWithin(in.community, actor.unit))) {
    return Status::Forbidden("only an administrator or a handler of " + community->name +
                             " registers its buildings");
  }
  JIESU_RETURN_IF_ERROR(CheckRequired(in.name, "name", 100));
  JIESU_RETURN_IF_ERROR(CheckText(in.covenant, "covenant", 5000));
  Building b;
  b.community = in.community;
  b.name = std::string(TrimSpace(in.name));
  b.covenant = std::string(TrimSpace(in.covenant));
  JIESU_ASSIGN_OR_RETURN(
      storage::Record r,
      db_.InsertRecord(storage::NewRecord(kBuilding, 0, BuildingDoc(b), clock_.Now())));
  JIESU_ASSIGN_OR_RETURN(b, BuildingFrom(r));
  return ViewOf(b, true);
}

Result<BuildingView> BuildingService::Edit(const Actor& actor, std::int64_t id,
                                           const BuildingEdit& in) {
  if (in.name) JIESU_RETURN_IF_ERROR(CheckRequired(*in.name, "name", 100));
  if (in.covenant) JIESU_RETURN_IF_ERROR(CheckText(*in.covenant, "covenant", 5000));
  JIESU_RETURN_IF_ERROR(Allowed(actor, id, Access::kManage).status());
  Building b;
  const auto apply = [&](storage::Record& r) -> Status {
    JIESU_ASSIGN_OR_RETURN(b, BuildingFrom(r));
    if (in.leader_id) {
      if (*in.leader_id != 0 && !ResidentRecord(id, *in.leader_id).ok()) {
        return Status::Invalid("leader_id must be a resident living in building " +
                               std::to_string(id) + " (or 0 for none)");
      }
      b.leader_id = *in.leader_id;
    }
    if (in.name) b.name = std::string(TrimSpace(*in.name));
    if (in.covenant) b.covenant = std::string(TrimSpace(*in.covenant));
    r.doc = BuildingDoc(b);
    return Status::Ok();
  };
  JIESU_RETURN_IF_ERROR(Rewrite(kBuilding, id, apply));
  return ViewOf(b, true);
}

Result<NewResident> BuildingService::AddResident(const Actor& actor, std::int64_t building_id,
                                                 const ResidentInput& in) {
  JIESU_ASSIGN_OR_RETURN(Building b, Allowed(actor, building_id, Access::kManage));
  JIESU_RETURN_IF_ERROR(CheckRequired(in.name, "name", 50));
  JIESU_RETURN_IF_ERROR(CheckRequired(in.room, "room", 20));
  const std::string name(TrimSpace(in.name));
  JIESU_ASSIGN_OR_RETURN(AuthService::NewKey key,
                         auth_.CreateResidentKey(b.community, name + " (" + b.name + ")"));
  Resident fresh;
  fresh.name = name;
  fresh.room = std::string(TrimSpace(in.room));
  fresh.key_id = key.id;
  auto r = db_.InsertRecord(storage::NewRecord(kResident, building_id, ResidentDoc(fresh),
                                               clock_.Now(), ResidentLookup(key.id)));
  if (!r.ok()) {
    (void)auth_.Revoke(key.id);  // a key that names no resident must not work
    return r.status();
  }
  JIESU_ASSIGN_OR_RETURN(Resident res, ResidentFrom(*r));
  return NewResident{std::move(res), std::move(key.key)};
}

Result<std::pair<Resident, storage::Record>> BuildingService::ResidentRecord(
    std::int64_t building_id, std::int64_t resident_id) {
  auto r = db_.GetRecord(kResident, resident_id);
  if (!r.ok() || r->parent != building_id) {
    return Status::NotFound("building " + std::to_string(building_id) + " has no resident " +
                            std::to_string(resident_id));
  }
  JIESU_ASSIGN_OR_RETURN(Resident res, ResidentFrom(*r));
  if (res.left_at) {
    return Status::Conflict("resident " + std::to_string(resident_id) + " has moved out");
  }
  return std::pair{std::move(res), std::move(*r)};
}

Result<NewResident> BuildingService::ReissueKey(const Actor& actor, std::int64_t building_id,
                                                std::int64_t resident_id) {
  JIESU_ASSIGN_OR_RETURN(Building b, Allowed(actor, building_id, Access::kManage));
  JIESU_ASSIGN_OR_RETURN(auto found, ResidentRecord(building_id, resident_id));
  auto& [res, record] = found;
  JIESU_ASSIGN_OR_RETURN(AuthService::NewKey key,
                         auth_.CreateResidentKey(b.community, res.name + " (" + b.name + ")"));
  const std::int64_t old_key = res.key_id;
  res.key_id = key.id;
  record.doc = ResidentDoc(res);
  record.lookup = ResidentLookup(key.id);
  record.updated_at = clock_.Now();
  // A concurrent change to the same resident fails this write: the new key then names nobody and
  // is revoked, and the old one stays.
  if (auto written = db_.UpdateRecord(record); !written.ok()) {
    (void)auth_.Revoke(key.id);
    return written.status();
  }
  JIESU_RETURN_IF_ERROR(auth_.Revoke(old_key));
  return NewResident{std::move(res), std::move(key.key)};
}

Result<BuildingView> BuildingService::RemoveResident(const Actor& actor, std::int64_t building_id,
                                                     std::int64_t resident_id) {
  JIESU_RETURN_IF_ERROR(Allowed(actor, building_id, Access::kManage).status());
  JIESU_ASSIGN_OR_RETURN(auto found, ResidentRecord(building_id, resident_id));
  auto& [res, record] = found;
  res.left_at = clock_.Now();
  record.doc = ResidentDoc(res);
  record.updated_at = clock_.Now();
  JIESU_RETURN_IF_ERROR(db_.UpdateRecord(record).status());
  JIESU_RETURN_IF_ERROR(auth_.Revoke(res.key_id));
  // Their votes on open proposals no longer count.
  JIESU_ASSIGN_OR_RETURN(auto proposals, db_.ListRecords(kProposal, building_id));
  const auto withdraw = [&](storage::Record& r) -> Status {
    JIESU_ASSIGN_OR_RETURN(Proposal p, ProposalFrom(r));
    if (p.status == domain::ProposalStatus::kOpen && p.votes.erase(resident_id) > 0) {
      r.doc = ProposalDoc(p);
    }
    return Status::Ok();
  };
  for (const auto& listed : proposals) {
    JIESU_RETURN_IF_ERROR(Rewrite(kProposal, listed.id, withdraw));
  }
  // And the building has no 楼门长 until one is named again.
  JIESU_ASSIGN_OR_RETURN(Building b, Allowed(actor, building_id, Access::kManage));
  if (b.leader_id != resident_id) return ViewOf(b, true);
  BuildingEdit none;
  none.leader_id = 0;
  return Edit(actor, building_id, none);
}

Result<std::vector<BuildingView>> BuildingService::List(const Actor& actor,
                                                        const std::string& community) {
  if (actor.role != Role::kAdmin && actor.role != Role::kSupervisor &&
      actor.role != Role::kHandler && actor.role != Role::kResident) {
    return Status::Forbidden(std::string("role ") + RoleName(actor.role) +
                             " may not read the buildings");
  }
  if (!community.empty() && ref_->units.Find(community) == nullptr) {
    return Status::Invalid("unknown unit '" + community + "'");
  }
  std::optional<std::int64_t> home;
  if (actor.role == Role::kResident) {
    JIESU_ASSIGN_OR_RETURN(Resident me, ResidentOf(actor));
    home = me.building_id;
  }
  JIESU_ASSIGN_OR_RETURN(auto records, db_.ListRecords(kBuilding, std::nullopt));
  std::vector<BuildingView> out;
  for (const auto& r : records) {
    JIESU_ASSIGN_OR_RETURN(Building b, BuildingFrom(r));
    if (!community.empty() && !ref_->units.IsWithin(b.community, community)) continue;
    if (!Permits(actor, home, b, Access::kRead)) continue;
    JIESU_ASSIGN_OR_RETURN(BuildingView v, ViewOf(b, false));
    out.push_back(std::move(v));
  }
  return out;
}

Result<BuildingView> BuildingService::Get(const Actor& actor, std::int64_t id) {
  JIESU_ASSIGN_OR_RETURN(Building b, Allowed(actor, id, Access::kRead));
  return ViewOf(b, true);
}

Result<ProposalView> BuildingService::View(const Actor& actor, Proposal p) {
  ProposalView v;
  JIESU_ASSIGN_OR_RETURN(auto residents, Residents(p.building_id));
  for (auto& r : residents) {
    if (!r.left_at) ++v.residents;
    v.people.emplace(r.id, std::move(r));
  }
  if (auto me = ResidentOf(actor); me.ok()) {
    if (auto it = p.votes.find(me->id); it != p.votes.end()) v.my_vote = it->second;
  }
  if (p.case_id) {
    JIESU_ASSIGN_OR_RETURN(v.linked, db_.GetCase(*p.case_id));
  }
  v.proposal = std::move(p);
  return v;
}

Result<ProposalView> BuildingService::Propose(const Actor& actor, std::int64_t building_id,
                                              const std::string& title, const std::string& text) {
  JIESU_ASSIGN_OR_RETURN(Building b, Allowed(actor, building_id, Access::kRead));
  JIESU_ASSIGN_OR_RETURN(Resident me, Neighbour(actor, b.id));
  JIESU_RETURN_IF_ERROR(CheckRequired(title, "title", 100));
  JIESU_RETURN_IF_ERROR(CheckRequired(text, "text", 2000));
  Proposal p;
  p.building_id = b.id;
  p.author_id = me.id;
  p.title = std::string(TrimSpace(title));
  p.text = std::string(TrimSpace(text));
  JIESU_ASSIGN_OR_RETURN(storage::Record r,
                         db_.InsertRecord(storage::NewRecord(kProposal, b.id, ProposalDoc(p),
                                                             clock_.Now())));
  JIESU_ASSIGN_OR_RETURN(p, ProposalFrom(r));
  return View(actor, std::move(p));
}

Result<std::vector<ProposalView>> BuildingService::Proposals(const Actor& actor,
                                                             std::int64_t building_id) {
  JIESU_ASSIGN_OR_RETURN(Building b, Allowed(actor, building_id, Access::kRead));
  JIESU_ASSIGN_OR_RETURN(auto records, db_.ListRecords(kProposal, b.id));
  std::vector<ProposalView> out;
  for (auto it = records.rbegin(); it != records.rend(); ++it) {
    JIESU_ASSIGN_OR_RETURN(Proposal p, ProposalFrom(*it));
    JIESU_ASSIGN_OR_RETURN(ProposalView v, View(actor, std::move(p)));
    out.push_back(std::move(v));
  }
  return out;
}

Result<ProposalView> BuildingService::GetProposal(const Actor& actor, std::int64_t id) {
  JIESU_ASSIGN_OR_RETURN(storage::Record r, db_.GetRecord(kProposal, id));
  JIESU_ASSIGN_OR_RETURN(Proposal p, ProposalFrom(r));
  JIESU_RETURN_IF_ERROR(Allowed(actor, p.building_id, Access::kRead).status());
  return View(actor, std::move(p));
}

Result<ProposalView> BuildingService::Change(
    const Actor& actor, std::int64_t id,
    const std::function<Status(Proposal&, const Resident&)>& change) {
  Proposal p;
  const auto apply = [&](storage::Record& r) -> Status {
    JIESU_ASSIGN_OR_RETURN(p, ProposalFrom(r));
    JIESU_RETURN_IF_ERROR(Allowed(actor, p.building_id, Access::kRead).status());
    JIESU_ASSIGN_OR_RETURN(Resident me, Neighbour(actor, p.building_id));
    JIESU_RETURN_IF_ERROR(change(p, me));
    r.doc = ProposalDoc(p);
    return Status::Ok();
  };
  JIESU_RETURN_IF_ERROR(Rewrite(kProposal, id, apply));
  return View(actor, std::move(p));
}

Status BuildingService::Rewrite(const char* kind, std::int64_t id,
                                const std::function<Status(storage::Record&)>& change) {
  for (int attempt = 1;; ++attempt) {
    JIESU_ASSIGN_OR_RETURN(storage::Record r, db_.GetRecord(kind, id));
    const std::string before = r.doc;
    JIESU_RETURN_IF_ERROR(change(r));
    if (r.doc == before) return Status::Ok();
    r.updated_at = clock_.Now();
    const Status written = db_.UpdateRecord(r).status();
    if (written.code() != StatusCode::kConflict || attempt == kWriteAttempts) return written;
  }
}

Result<ProposalView> BuildingService::Comment(const Actor& actor, std::int64_t id,
                                              const std::string& text) {
  return Change(actor, id, [&](Proposal& p, const Resident& me) {
    return domain::AddComment(p, me.id, text, clock_.Now());
  });
}

Result<ProposalView> BuildingService::Vote(const Actor& actor, std::int64_t id,
                                           const std::string& choice) {
  JIESU_ASSIGN_OR_RETURN(domain::Vote vote, domain::ParseVote(choice));
  return Change(actor, id,
                [&](Proposal& p, const Resident& me) { return CastVote(p, me.id, vote); });
}

Result<ProposalView> BuildingService::Close(const Actor& actor, std::int64_t id,
                                            const CloseInput& in) {
  if (in.outcome != "agreed" && in.outcome != "rejected") {
    return Status::Invalid("outcome must be agreed or rejected");
  }
  const bool agreed = in.outcome == "agreed";
  if (in.needs_unit && !agreed) return Status::Invalid("only an agreed item goes to a unit");
  if (!in.category.empty() && ref_->catalogue.Find(in.category) == nullptr) {
    return Status::Invalid("unknown category '" + in.category + "'");
  }
  if (!in.type.empty()) JIESU_RETURN_IF_ERROR(domain::ParseCaseType(in.type).status());
  JIESU_ASSIGN_OR_RETURN(storage::Record r, db_.GetRecord(kProposal, id));
  JIESU_ASSIGN_OR_RETURN(Proposal current, ProposalFrom(r));
  JIESU_ASSIGN_OR_RETURN(Building b, Allowed(actor, current.building_id, Access::kRead));
  // The close is written first: of two closes at once (a double click) one wins and the other
  // gets a 409, so only one case is made.
  JIESU_ASSIGN_OR_RETURN(ProposalView closed, Change(actor, id, [&](Proposal& p, const Resident& me) {
    return CloseProposal(p, b, me.id, agreed, in.agreement, clock_.Now());
  }));
  if (!in.needs_unit) return closed;

  // The agreed item as a case. Only the agreement goes into it: the deliberation stays with the
  // building (a proactive case is public, as citizens' requests are).
  const domain::Unit* community = ref_->units.Find(b.community);
  const domain::Unit* township = ref_->units.TownshipOf(b.community);
  NewCaseInput c;
  c.type = in.type.empty() ? "help" : in.type;
  c.source = "proactive";
  c.title = closed.proposal.title;
  c.text = "楼门议事协商结果：" + closed.proposal.agreement;
  c.address = (township ? township->name : "") + (community ? community->name : "") + b.name;
  c.category = in.category;
  // 属地: the community's township, unless the category names a department.
  const domain::Category* cat = ref_->catalogue.Find(in.category);
  c.unit = cat && cat->handling == domain::Handling::kDepartment && !cat->department.empty()
               ? cat->department
               : (township ? township->code : b.community);
  c.proposal_id = id;
  const std::string& leader = closed.people.at(closed.proposal.closed_by).name;
  const Actor proposer{Role::kSystem, b.community, "楼门长 " + leader + "（" + b.name + "）",
                       actor.key_id};
  auto made = cases_.Create(proposer, c);
  if (!made.ok()) {
    spdlog::error("proposal {} was closed as agreed but its case could not be made: {}", id,
                  made.status().message());
    return made.status();
  }
  return Change(actor, id, [&](Proposal& p, const Resident&) {
    p.case_id = made->c.id;
    return Status::Ok();
  });
}

}  // namespace jiesu::service
