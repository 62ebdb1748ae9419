#include "service/building_service.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

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

Result<Building> BuildingFrom(const storage::Record& r) {
  const json j = json::parse(r.doc, nullptr, false);
  if (!j.is_object()) return Status::Internal("corrupt building record " + std::to_string(r.id));
  Building b;
  b.id = r.id;
  b.community = j.value("community", "");
  b.name = j.value("name", "");
  b.covenant = j.value("covenant", "");
  b.leader_id = j.value("leader_id", std::int64_t{0});
  b.created_at = r.created_at;
  return b;
}

std::string ResidentLookup(std::int64_t key_id) { return "key:" + std::to_string(key_id); }

Result<Resident> ResidentFrom(const storage::Record& r) {
  const json j = json::parse(r.doc, nullptr, false);
  if (!j.is_object()) return Status::Internal("corrupt resident record " + std::to_string(r.id));
  Resident res;
  res.id = r.id;
  res.building_id = r.parent;
  res.name = j.value("name", "");
  res.room = j.value("room", "");
  res.key_id = j.value("key_id", std::int64_t{0});
  res.created_at = r.created_at;
  return res;
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
  const Status corrupt = Status::Internal("corrupt proposal record " + std::to_string(r.id));
  if (!j.is_object()) return corrupt;
  Proposal p;
  p.id = r.id;
  p.building_id = r.parent;
  p.created_at = r.created_at;
  try {
    p.author_id = j.at("author_id").get<std::int64_t>();
    p.title = j.at("title").get<std::string>();
    p.text = j.at("text").get<std::string>();
    const std::string status = j.at("status").get<std::string>();
    for (auto s : {domain::ProposalStatus::kOpen, domain::ProposalStatus::kAgreed,
                   domain::ProposalStatus::kRejected}) {
      if (status == ProposalStatusName(s)) p.status = s;
    }
    for (const auto& [resident, vote] : j.at("votes").items()) {
      JIESU_ASSIGN_OR_RETURN(auto v, domain::ParseVote(vote.get<std::string>()));
      p.votes[std::stoll(resident)] = v;
    }
    for (const auto& c : j.at("comments")) {
      p.comments.push_back({c.at("id").get<std::int64_t>(), c.at("resident_id").get<std::int64_t>(),
                            c.at("text").get<std::string>(), c.at("at").get<Timestamp>()});
    }
    p.agreement = j.value("agreement", "");
    p.closed_by = j.value("closed_by", std::int64_t{0});
    if (j.contains("closed_at")) p.closed_at = j.at("closed_at").get<Timestamp>();
    if (j.contains("case_id")) p.case_id = j.at("case_id").get<std::int64_t>();
  } catch (const std::exception&) {
    return corrupt;
  }
  return p;
}

Status CheckRequired(const std::string& value, const char* field, std::size_t max_chars) {
  if (TrimSpace(value).empty()) return Status::Invalid(std::string(field) + " is required");
  return CheckText(value, field, max_chars);
}

}  // namespace

Result<Building> BuildingService::Allowed(const Actor& actor, std::int64_t id, Access access) {
  JIESU_ASSIGN_OR_RETURN(storage::Record r, db_.GetRecord(kBuilding, id));
  JIESU_ASSIGN_OR_RETURN(Building b, BuildingFrom(r));
  bool ok = false;
  switch (actor.role) {
    case Role::kAdmin: ok = true; break;
    case Role::kSupervisor: ok = access == Access::kRead; break;
    case Role::kHandler: ok = ref_->units.IsWithin(b.community, actor.unit); break;
    case Role::kResident: {
      auto me = ResidentOf(actor);
      ok = access == Access::kRead && me.ok() && me->building_id == b.id;
      break;
    }
    default: break;
  }
  if (!ok) {
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
  return ResidentFrom(*r);
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
  for (int attempt = 0;; ++attempt) {
    JIESU_ASSIGN_OR_RETURN(Building b, Allowed(actor, id, Access::kManage));
    JIESU_ASSIGN_OR_RETURN(storage::Record r, db_.GetRecord(kBuilding, id));
    if (in.leader_id) {
      auto leader = db_.GetRecord(kResident, *in.leader_id);
      if (!leader.ok() || leader->parent != id) {
        return Status::Invalid("leader_id must be a resident of building " + std::to_string(id));
      }
      b.leader_id = *in.leader_id;
    }
    if (in.name) b.name = std::string(TrimSpace(*in.name));
    if (in.covenant) b.covenant = std::string(TrimSpace(*in.covenant));
    r.doc = BuildingDoc(b);
    r.updated_at = clock_.Now();
    auto written = db_.UpdateRecord(r);
    if (written.ok()) return ViewOf(b, true);
    if (written.status().code() != StatusCode::kConflict || attempt + 1 == kWriteAttempts) {
      return written.status();
    }
  }
}

Result<NewResident> BuildingService::AddResident(const Actor& actor, std::int64_t building_id,
                                                 const ResidentInput& in) {
  JIESU_ASSIGN_OR_RETURN(Building b, Allowed(actor, building_id, Access::kManage));
  JIESU_RETURN_IF_ERROR(CheckRequired(in.name, "name", 50));
  JIESU_RETURN_IF_ERROR(CheckRequired(in.room, "room", 20));
  const std::string name(TrimSpace(in.name));
  JIESU_ASSIGN_OR_RETURN(AuthService::NewKey key,
                         auth_.CreateResidentKey(b.community, name + " (" + b.name + ")"));
  JIESU_ASSIGN_OR_RETURN(
      storage::Record r,
      db_.InsertRecord(storage::NewRecord(kResident, building_id,
                                          json{{"name", name},
                                               {"room", std::string(TrimSpace(in.room))},
                                               {"key_id", key.id}}.dump(),
                                          clock_.Now(), ResidentLookup(key.id))));
  JIESU_ASSIGN_OR_RETURN(Resident res, ResidentFrom(r));
  return NewResident{std::move(res), std::move(key.key)};
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
  JIESU_ASSIGN_OR_RETURN(auto records, db_.ListRecords(kBuilding, std::nullopt));
  std::vector<BuildingView> out;
  for (const auto& r : records) {
    JIESU_ASSIGN_OR_RETURN(Building b, BuildingFrom(r));
    if (!community.empty() && !ref_->units.IsWithin(b.community, community)) continue;
    if (!Allowed(actor, b.id, Access::kRead).ok()) continue;
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
  v.residents = static_cast<int>(residents.size());
  for (auto& r : residents) v.people.emplace(r.id, std::move(r));
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
  for (int attempt = 0;; ++attempt) {
    JIESU_ASSIGN_OR_RETURN(storage::Record r, db_.GetRecord(kProposal, id));
    JIESU_ASSIGN_OR_RETURN(Proposal p, ProposalFrom(r));
    JIESU_RETURN_IF_ERROR(Allowed(actor, p.building_id, Access::kRead).status());
    JIESU_ASSIGN_OR_RETURN(Resident me, Neighbour(actor, p.building_id));
    JIESU_RETURN_IF_ERROR(change(p, me));
    r.doc = ProposalDoc(p);
    r.updated_at = clock_.Now();
    auto written = db_.UpdateRecord(r);
    if (written.ok()) return View(actor, std::move(p));
    if (written.status().code() != StatusCode::kConflict || attempt + 1 == kWriteAttempts) {
      return written.status();
    }
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
  // Check everything on a copy first, so that no case is made for a close that would fail.
  JIESU_ASSIGN_OR_RETURN(storage::Record r, db_.GetRecord(kProposal, id));
  JIESU_ASSIGN_OR_RETURN(Proposal trial, ProposalFrom(r));
  JIESU_ASSIGN_OR_RETURN(Building b, Allowed(actor, trial.building_id, Access::kRead));
  JIESU_ASSIGN_OR_RETURN(Resident me, Neighbour(actor, b.id));
  JIESU_RETURN_IF_ERROR(
      CloseProposal(trial, b, me.id, agreed, in.agreement, clock_.Now()));

  std::optional<std::int64_t> case_id;
  if (in.needs_unit) {
    const domain::Unit* community = ref_->units.Find(b.community);
    const domain::Unit* township = ref_->units.TownshipOf(b.community);
    NewCaseInput c;
    c.type = in.type.empty() ? "help" : in.type;
    c.source = "proactive";
    c.title = trial.title;
    c.text = "楼门议事协商结果：" + trial.agreement + "\n议题：" + trial.text;
    c.address = (township ? township->name : "") + (community ? community->name : "") + b.name;
    c.category = in.category;
    // 属地: the community's township, unless the category names a department.
    const domain::Category* cat = ref_->catalogue.Find(in.category);
    c.unit = cat && cat->handling == domain::Handling::kDepartment && !cat->department.empty()
                 ? cat->department
                 : (township ? township->code : b.community);
    c.proposal_id = id;
    const Actor proposer{Role::kSystem, b.community, "楼门长 " + me.name + "（" + b.name + "）",
                         actor.key_id};
    JIESU_ASSIGN_OR_RETURN(CaseView made, cases_.Create(proposer, c));
    case_id = made.c.id;
  }
  return Change(actor, id, [&](Proposal& p, const Resident& closer) {
    JIESU_RETURN_IF_ERROR(CloseProposal(p, b, closer.id, agreed, in.agreement, clock_.Now()));
    p.case_id = case_id;
    return Status::Ok();
  });
}

}  // namespace jiesu::service
