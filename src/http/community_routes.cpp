#include "http/community_routes.hpp"

#include "http/json_codec.hpp"
#include "http/server.hpp"

namespace jiesu::http {

using domain::Role;
using nlohmann::json;

namespace {

const service::Reference& Ref(Server& s) { return s.app().reference(); }

json ResidentJson(const domain::Resident& r) {
  return {{"id", r.id}, {"name", r.name}, {"room", r.room}};
}

json BuildingJson(const service::BuildingView& v, const service::Reference& ref,
                  bool with_residents) {
  const domain::Building& b = v.building;
  const domain::Unit* township = ref.units.TownshipOf(b.community);
  json leader = nullptr;
  json residents = json::array();
  for (const auto& r : v.residents) {
    if (r.id == b.leader_id) leader = ResidentJson(r);
    residents.push_back(ResidentJson(r));
  }
  json j = {{"id", b.id},
            {"name", b.name},
            {"community", UnitRef(b.community, ref)},
            {"township", township ? UnitRef(township->code, ref) : json(nullptr)},
            {"covenant", b.covenant},
            {"leader", leader},
            {"resident_count", v.resident_count},
            {"open_proposals", v.open_proposals},
            {"created_at", FormatTime(b.created_at)}};
  if (with_residents) j["residents"] = std::move(residents);
  return j;
}

json ProposalJson(const service::ProposalView& v, const service::Reference& ref,
                  bool with_comments) {
  const domain::Proposal& p = v.proposal;
  const auto person = [&](std::int64_t id) {
    const auto it = v.people.find(id);
    return it == v.people.end() ? json(nullptr) : ResidentJson(it->second);
  };
  const domain::VoteTally t = domain::CountVotes(p);
  json j = {{"id", p.id},
            {"building_id", p.building_id},
            {"title", p.title},
            {"text", p.text},
            {"author", person(p.author_id)},
            {"status", domain::ProposalStatusName(p.status)},
            {"votes", {{"for", t.for_count}, {"against", t.against}, {"abstain", t.abstain}}},
            {"residents", v.residents},
            {"my_vote", v.my_vote ? json(domain::VoteName(*v.my_vote)) : json(nullptr)},
            {"comment_count", p.comments.size()},
            {"agreement", p.closed_at ? json{{"text", p.agreement},
                                             {"at", FormatTime(*p.closed_at)},
                                             {"by", person(p.closed_by)}}
                                      : json(nullptr)},
            {"case", nullptr},
            {"created_at", FormatTime(p.created_at)},
            {"closed_at", Time(p.closed_at)}};
  if (with_comments) {
    json comments = json::array();
    for (const auto& c : p.comments) {
      comments.push_back({{"id", c.id}, {"resident", person(c.resident_id)}, {"text", c.text},
                          {"at", FormatTime(c.at)}});
    }
    j["comments"] = std::move(comments);
  }
  if (v.linked) {
    const domain::Case& c = *v.linked;
    j["case"] = {{"id", c.id},
                 {"status", domain::CaseStatusName(c.status)},
                 {"status_label", domain::CaseStatusLabel(c.status)},
                 {"unit", UnitRef(c.unit, ref)},
                 {"reply_text", c.reply_text},
                 {"replied_at", Time(c.replied_at)},
                 {"callback", c.callback ? json{{"contacted", c.callback->contacted},
                                                {"resolved", c.callback->resolved},
                                                {"satisfaction",
                                                 domain::SatisfactionLabel(c.callback->satisfaction)}}
                                         : json(nullptr)}};
  }
  return j;
}

json EnterpriseJson(const service::EnterpriseView& v, const service::Reference& ref) {
  const domain::Enterprise& e = v.enterprise;
  return {{"id", e.id},
          {"name", e.name},
          {"credit_code", e.credit_code},
          {"township", UnitRef(e.township, ref)},
          {"address", e.address},
          {"manager", {{"name", e.manager_name}, {"unit", UnitRef(e.manager_unit, ref)}}},
          {"requests", {{"total", v.requests}, {"open", v.open_requests}}},
          {"created_at", FormatTime(e.created_at)}};
}

json ConsultationJson(const service::ConsultationView& v, const service::Reference& ref,
                      bool with_texts) {
  const domain::Consultation& c = v.consultation;
  json sections = json::array();
  int total = 0;
  for (std::size_t i = 0; i < c.sections.size(); ++i) {
    json s = {{"no", c.sections[i].no}, {"title", c.sections[i].title},
              {"opinions", v.opinions[i]}};
    if (with_texts) s["text"] = c.sections[i].text;
    sections.push_back(std::move(s));
    total += v.opinions[i];
  }
  return {{"id", c.id},
          {"title", c.title},
          {"summary", c.summary},
          {"office", UnitRef(c.office, ref)},
          {"opens", FormatTime(c.opens)},
          {"closes", FormatTime(c.closes)},
          {"state", domain::ConsultationStateName(v.state)},
          {"sections", std::move(sections)},
          {"opinions", total},
          {"created_at", FormatTime(c.created_at)}};
}

// --- buildings and deliberation

Status CreateBuilding(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(json body, JsonBody(s, ctx));
  JIESU_RETURN_IF_ERROR(CheckKnown(body, {"community", "name", "covenant"}));
  service::BuildingInput in;
  JIESU_RETURN_IF_ERROR(GetString(body, "community", in.community));
  JIESU_RETURN_IF_ERROR(GetString(body, "name", in.name));
  JIESU_RETURN_IF_ERROR(GetString(body, "covenant", in.covenant));
  JIESU_ASSIGN_OR_RETURN(auto v, s.app().buildings().Create(ctx.actor, in));
  Reply(ctx, 201, BuildingJson(v, Ref(s), true));
  return Status::Ok();
}

Status EditBuilding(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(auto id, PathId(ctx));
  JIESU_ASSIGN_OR_RETURN(json body, JsonBody(s, ctx));
  JIESU_RETURN_IF_ERROR(CheckKnown(body, {"name", "covenant", "leader_id"}));
  service::BuildingEdit in;
  for (const char* key : {"name", "covenant"}) {
    if (!body.contains(key) || body.at(key).is_null()) continue;
    std::string value;
    JIESU_RETURN_IF_ERROR(GetString(body, key, value));
    (std::string(key) == "name" ? in.name : in.covenant) = value;
  }
  if (body.contains("leader_id") && !body.at("leader_id").is_null()) {
    if (!body.at("leader_id").is_number_integer()) {
      return Status::Invalid("leader_id must be a resident's id");
    }
    in.leader_id = body.at("leader_id").get<std::int64_t>();
  }
  JIESU_ASSIGN_OR_RETURN(auto v, s.app().buildings().Edit(ctx.actor, id, in));
  Reply(ctx, 200, BuildingJson(v, Ref(s), true));
  return Status::Ok();
}

Status AddResident(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(auto id, PathId(ctx));
  JIESU_ASSIGN_OR_RETURN(json body, JsonBody(s, ctx));
  JIESU_RETURN_IF_ERROR(CheckKnown(body, {"name", "room"}));
  service::ResidentInput in;
  JIESU_RETURN_IF_ERROR(GetString(body, "name", in.name));
  JIESU_RETURN_IF_ERROR(GetString(body, "room", in.room));
  JIESU_ASSIGN_OR_RETURN(auto made, s.app().buildings().AddResident(ctx.actor, id, in));
  json resident = ResidentJson(made.resident);
  resident["building_id"] = made.resident.building_id;
  Reply(ctx, 201, {{"resident", resident}, {"key", made.key}});
  return Status::Ok();
}

Status ReissueResidentKey(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(auto building, PathId(ctx, 1));
  JIESU_ASSIGN_OR_RETURN(auto resident, PathId(ctx, 2));
  JIESU_ASSIGN_OR_RETURN(auto made, s.app().buildings().ReissueKey(ctx.actor, building, resident));
  json r = ResidentJson(made.resident);
  r["building_id"] = made.resident.building_id;
  Reply(ctx, 200, {{"resident", r}, {"key", made.key}});
  return Status::Ok();
}

Status RemoveResident(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(auto building, PathId(ctx, 1));
  JIESU_ASSIGN_OR_RETURN(auto resident, PathId(ctx, 2));
  JIESU_ASSIGN_OR_RETURN(auto v, s.app().buildings().RemoveResident(ctx.actor, building, resident));
  Reply(ctx, 200, BuildingJson(v, Ref(s), true));
  return Status::Ok();
}

Status ListBuildings(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(auto query, Query(ctx));
  for (const auto& [key, value] : query) {
    if (key != "community") return Status::Invalid("unknown query parameter '" + key + "'");
  }
  JIESU_ASSIGN_OR_RETURN(auto list, s.app().buildings().List(
                                        ctx.actor, query.count("community") ? query["community"] : ""));
  json out = json::array();
  for (const auto& v : list) out.push_back(BuildingJson(v, Ref(s), false));
  Reply(ctx, 200, {{"buildings", out}});
  return Status::Ok();
}

Status GetBuilding(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(auto id, PathId(ctx));
  JIESU_ASSIGN_OR_RETURN(auto v, s.app().buildings().Get(ctx.actor, id));
  Reply(ctx, 200, BuildingJson(v, Ref(s), true));
  return Status::Ok();
}

Status CreateProposal(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(auto id, PathId(ctx));
  JIESU_ASSIGN_OR_RETURN(json body, JsonBody(s, ctx));
  JIESU_RETURN_IF_ERROR(CheckKnown(body, {"title", "text"}));
  std::string title, text;
  JIESU_RETURN_IF_ERROR(GetString(body, "title", title));
  JIESU_RETURN_IF_ERROR(GetString(body, "text", text));
  JIESU_ASSIGN_OR_RETURN(auto v, s.app().buildings().Propose(ctx.actor, id, title, text));
  Reply(ctx, 201, ProposalJson(v, Ref(s), true));
  return Status::Ok();
}

Status ListProposals(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(auto id, PathId(ctx));
  JIESU_ASSIGN_OR_RETURN(auto list, s.app().buildings().Proposals(ctx.actor, id));
  json out = json::array();
  for (const auto& v : list) out.push_back(ProposalJson(v, Ref(s), false));
  Reply(ctx, 200, {{"proposals", out}});
  return Status::Ok();
}

Status GetProposal(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(auto id, PathId(ctx));
  JIESU_ASSIGN_OR_RETURN(auto v, s.app().buildings().GetProposal(ctx.actor, id));
  Reply(ctx, 200, ProposalJson(v, Ref(s), true));
  return Status::Ok();
}

Status CommentOnProposal(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(auto id, PathId(ctx));
  JIESU_ASSIGN_OR_RETURN(json body, JsonBody(s, ctx));
  JIESU_RETURN_IF_ERROR(CheckKnown(body, {"text"}));
  std::string text;
  JIESU_RETURN_IF_ERROR(GetString(body, "text", text));
  JIESU_ASSIGN_OR_RETURN(auto v, s.app().buildings().Comment(ctx.actor, id, text));
  Reply(ctx, 201, ProposalJson(v, Ref(s), true));
  return Status::Ok();
}

Status VoteOnProposal(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(auto id, PathId(ctx));
  JIESU_ASSIGN_OR_RETURN(json body, JsonBody(s, ctx));
  JIESU_RETURN_IF_ERROR(CheckKnown(body, {"choice"}));
  std::string choice;
  JIESU_RETURN_IF_ERROR(GetString(body, "choice", choice));
  JIESU_ASSIGN_OR_RETURN(auto v, s.app().buildings().Vote(ctx.actor, id, choice));
  Reply(ctx, 200, ProposalJson(v, Ref(s), true));
  return Status::Ok();
}

Status CloseProposal(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(auto id, PathId(ctx));
  JIESU_ASSIGN_OR_RETURN(json body, JsonBody(s, ctx));
  JIESU_RETURN_IF_ERROR(
      CheckKnown(body, {"outcome", "agreement", "needs_unit", "type", "category"}));
  service::CloseInput in;
  JIESU_RETURN_IF_ERROR(GetString(body, "outcome", in.outcome));
  JIESU_RETURN_IF_ERROR(GetString(body, "agreement", in.agreement));
  JIESU_RETURN_IF_ERROR(GetString(body, "type", in.type));
  JIESU_RETURN_IF_ERROR(GetString(body, "category", in.category));
  std::optional<bool> needs_unit;
  JIESU_RETURN_IF_ERROR(GetBool(body, "needs_unit", needs_unit));
  in.needs_unit = needs_unit.value_or(false);
  JIESU_ASSIGN_OR_RETURN(auto v, s.app().buildings().Close(ctx.actor, id, in));
  Reply(ctx, 200, ProposalJson(v, Ref(s), true));
  return Status::Ok();
}

// --- enterprises

Status CreateEnterprise(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(json body, JsonBody(s, ctx));
  JIESU_RETURN_IF_ERROR(CheckKnown(
      body, {"name", "credit_code", "township", "address", "manager_name", "manager_unit"}));
  service::EnterpriseInput in;
  JIESU_RETURN_IF_ERROR(GetString(body, "name", in.name));
  JIESU_RETURN_IF_ERROR(GetString(body, "credit_code", in.credit_code));
  JIESU_RETURN_IF_ERROR(GetString(body, "township", in.township));
  JIESU_RETURN_IF_ERROR(GetString(body, "address", in.address));
  JIESU_RETURN_IF_ERROR(GetString(body, "manager_name", in.manager_name));
  JIESU_RETURN_IF_ERROR(GetString(body, "manager_unit", in.manager_unit));
  service::EnterpriseView v;
  JIESU_ASSIGN_OR_RETURN(v.enterprise, s.app().enterprises().Create(ctx.actor, in));
  Reply(ctx, 201, EnterpriseJson(v, Ref(s)));
  return Status::Ok();
}

Status ListEnterprises(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(auto query, Query(ctx));
  for (const auto& [key, value] : query) {
    if (key != "township" && key != "q") {
      return Status::Invalid("unknown query parameter '" + key + "'");
    }
  }
  JIESU_ASSIGN_OR_RETURN(auto list, s.app().enterprises().List(
                                        ctx.actor, query.count("township") ? query["township"] : "",
                                        query.count("q") ? query["q"] : ""));
  json out = json::array();
  for (const auto& v : list) out.push_back(EnterpriseJson(v, Ref(s)));
  Reply(ctx, 200, {{"enterprises", out}});
  return Status::Ok();
}

Status GetEnterprise(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(auto id, PathId(ctx));
  JIESU_ASSIGN_OR_RETURN(auto v, s.app().enterprises().Get(ctx.actor, id));
  json j = EnterpriseJson(v, Ref(s));
  json cases = json::array();
  for (const auto& c : v.cases) cases.push_back(CaseToJson(c, Ref(s), ctx.actor.role));
  j["cases"] = std::move(cases);
  Reply(ctx, 200, j);
  return Status::Ok();
}

// --- consultations

Status CreateConsultation(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(json body, JsonBody(s, ctx));
  JIESU_RETURN_IF_ERROR(
      CheckKnown(body, {"title", "summary", "office", "opens", "closes", "sections"}));
  service::ConsultationInput in;
  JIESU_RETURN_IF_ERROR(GetString(body, "title", in.title));
  JIESU_RETURN_IF_ERROR(GetString(body, "summary", in.summary));
  JIESU_RETURN_IF_ERROR(GetString(body, "office", in.office));
  JIESU_RETURN_IF_ERROR(GetTime(body, "opens", in.opens));
  JIESU_RETURN_IF_ERROR(GetTime(body, "closes", in.closes));
  if (body.contains("sections")) {
    const Status bad = Status::Invalid("sections must be an array of {title, text}");
    if (!body.at("sections").is_array()) return bad;
    for (const auto& section : body.at("sections")) {
      if (!section.is_object()) return bad;
      JIESU_RETURN_IF_ERROR(CheckKnown(section, {"title", "text"}));
      std::string title, text;
      JIESU_RETURN_IF_ERROR(GetString(section, "title", title));
      JIESU_RETURN_IF_ERROR(GetString(section, "text", text));
      in.sections.emplace_back(std::move(title), std::move(text));
    }
  }
  JIESU_ASSIGN_OR_RETURN(auto v, s.app().consultations().Create(ctx.actor, in));
  Reply(ctx, 201, ConsultationJson(v, Ref(s), true));
  return Status::Ok();
}

Status ListConsultations(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(auto list, s.app().consultations().List(ctx.actor));
  json out = json::array();
  for (const auto& v : list) out.push_back(ConsultationJson(v, Ref(s), false));
  Reply(ctx, 200, {{"consultations", out}});
  return Status::Ok();
}

Status GetConsultation(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(auto id, PathId(ctx));
  JIESU_ASSIGN_OR_RETURN(auto v, s.app().consultations().Get(ctx.actor, id));
  Reply(ctx, 200, ConsultationJson(v, Ref(s), true));
  return Status::Ok();
}

Status GiveOpinion(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(auto id, PathId(ctx));
  JIESU_ASSIGN_OR_RETURN(json body, JsonBody(s, ctx));
  JIESU_RETURN_IF_ERROR(CheckKnown(body, {"section", "text", "name"}));
  if (!body.contains("section") || !body.at("section").is_number_integer()) {
    return Status::Invalid("section must be a section's number");
  }
  const std::int64_t section = body.at("section").get<std::int64_t>();
  if (section < 1 || section > 10000) return Status::Invalid("section must be a section's number");
  std::string text, name;
  JIESU_RETURN_IF_ERROR(GetString(body, "text", text));
  JIESU_RETURN_IF_ERROR(GetString(body, "name", name));
  JIESU_ASSIGN_OR_RETURN(auto o, s.app().consultations().Opine(ctx.actor, id,
                                                               static_cast<int>(section), text, name));
  Reply(ctx, 201, {{"opinion", {{"id", o.id}, {"section", o.section}, {"at", FormatTime(o.at)}}}});
  return Status::Ok();
}

Status ConsultationOpinions(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(auto id, PathId(ctx));
  JIESU_ASSIGN_OR_RETURN(auto d, s.app().consultations().Opinions(ctx.actor, id));
  json sections = json::array();
  for (std::size_t i = 0; i < d.sections.size(); ++i) {
    json groups = json::array();
    for (const auto& g : d.sections[i].groups) {
      groups.push_back({{"representative", g.representative},
                        {"count", g.opinion_ids.size()},
                        {"opinion_ids", g.opinion_ids}});
    }
    sections.push_back({{"no", d.sections[i].no},
                        {"title", d.view.consultation.sections[i].title},
                        {"opinions", d.view.opinions[i]},
                        {"groups", std::move(groups)}});
  }
  json opinions = json::array();
  for (const auto& o : d.opinions) {
    opinions.push_back({{"id", o.id}, {"section", o.section}, {"text", o.text},
                        {"name", o.name}, {"at", FormatTime(o.at)}});
  }
  Reply(ctx, 200, {{"consultation", ConsultationJson(d.view, Ref(s), false)},
                   {"sections", std::move(sections)},
                   {"opinions", std::move(opinions)}});
  return Status::Ok();
}

Status ExportConsultation(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(auto id, PathId(ctx));
  JIESU_ASSIGN_OR_RETURN(std::string bytes, s.app().consultations().Export(ctx.actor, id));
  ctx.res.status = 200;
  ctx.res.set_header("Content-Disposition",
                     "attachment; filename=\"consultation-" + std::to_string(id) + ".xlsx\"");
  ctx.res.set_content(bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  return Status::Ok();
}

}  // namespace

const std::vector<Route>& CommunityRoutes() {
  static const std::vector<Route> kRoutes = {
      {"POST", "/api/v1/buildings", "buildings.create", true, CreateBuilding},
      {"GET", "/api/v1/buildings", "buildings.list", true, ListBuildings},
      {"GET", "/api/v1/buildings/{id}", "buildings.get", true, GetBuilding},
      {"POST", "/api/v1/buildings/{id}", "buildings.edit", true, EditBuilding},
      {"POST", "/api/v1/buildings/{id}/residents", "buildings.residents.create", true,
       AddResident},
      {"POST", "/api/v1/buildings/{id}/residents/{rid}/key", "buildings.residents.key", true,
       ReissueResidentKey},
      {"POST", "/api/v1/buildings/{id}/residents/{rid}/leave", "buildings.residents.leave", true,
       RemoveResident},
      {"POST", "/api/v1/buildings/{id}/proposals", "proposals.create", true, CreateProposal},
      {"GET", "/api/v1/buildings/{id}/proposals", "proposals.list", true, ListProposals},
      {"GET", "/api/v1/proposals/{id}", "proposals.get", true, GetProposal},
      {"POST", "/api/v1/proposals/{id}/comments", "proposals.comment", true, CommentOnProposal},
      {"POST", "/api/v1/proposals/{id}/votes", "proposals.vote", true, VoteOnProposal},
      {"POST", "/api/v1/proposals/{id}/close", "proposals.close", true, CloseProposal},
      {"POST", "/api/v1/enterprises", "enterprises.create", true, CreateEnterprise},
      {"GET", "/api/v1/enterprises", "enterprises.list", true, ListEnterprises},
      {"GET", "/api/v1/enterprises/{id}", "enterprises.get", true, GetEnterprise},
      {"POST", "/api/v1/consultations", "consultations.create", true, CreateConsultation},
      {"GET", "/api/v1/consultations", "consultations.list", true, ListConsultations},
      {"GET", "/api/v1/consultations/{id}", "consultations.get", true, GetConsultation},
      {"POST", "/api/v1/consultations/{id}/opinions", "consultations.opinions.create", true,
       GiveOpinion},
      {"GET", "/api/v1/consultations/{id}/opinions", "consultations.opinions.list", true,
       ConsultationOpinions},
      {"GET", "/api/v1/consultations/{id}/export", "consultations.export", true,
       ExportConsultation},
  };
  return kRoutes;
}

}  // namespace jiesu::http
