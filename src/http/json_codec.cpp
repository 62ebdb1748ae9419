#include "http/json_codec.hpp"

#include <algorithm>
#include <set>

#include "common/utf8.hpp"

namespace jiesu::http {

using namespace jiesu::domain;
using nlohmann::json;

json Time(const std::optional<Timestamp>& t) { return t ? json(FormatTime(*t)) : json(nullptr); }

json UnitRef(const std::string& code, const service::Reference& ref) {
  if (code.empty()) return nullptr;
  const Unit* u = ref.units.Find(code);
  return {{"code", code}, {"name", u ? u->short_name : code}};
}

Status GetString(const json& j, const char* key, std::string& out) {
  if (!j.contains(key) || j.at(key).is_null()) return Status::Ok();
  if (!j.at(key).is_string()) return Status::Invalid(std::string(key) + " must be a string");
  out = j.at(key).get<std::string>();
  if (out.find('\0') != std::string::npos) {
    return Status::Invalid(std::string(key) + " must not contain NUL characters");
  }
  return Status::Ok();
}

Status GetBool(const json& j, const char* key, std::optional<bool>& out) {
  if (!j.contains(key) || j.at(key).is_null()) return Status::Ok();
  if (!j.at(key).is_boolean()) return Status::Invalid(std::string(key) + " must be true or false");
  out = j.at(key).get<bool>();
  return Status::Ok();
}

namespace {

constexpr int kMaxDepth = 32;


json CategoryRef(const std::string& code, const service::Reference& ref) {
  if (code.empty()) return nullptr;
  const Category* c = ref.catalogue.Find(code);
  return {{"code", code}, {"name", c ? c->name : code}};
}

json ChoiceJson(const dispatch::Choice& c) {
  return {{"code", c.code}, {"name", c.name}, {"confidence", c.confidence}};
}

Status GetNumber(const json& j, const char* key, std::optional<double>& out) {
  if (!j.contains(key) || j.at(key).is_null()) return Status::Ok();
  if (!j.at(key).is_number()) return Status::Invalid(std::string(key) + " must be a number");
  out = j.at(key).get<double>();
  return Status::Ok();
}

}  // namespace

Result<json> ParseBody(const std::string& body) {
  if (!IsValidUtf8(body)) return Status::Invalid("the body is not valid UTF-8");
  bool too_deep = false;
  std::string duplicate;
  std::vector<std::set<std::string>> keys;  // the keys seen in each open object
  json j = json::parse(
      body,
      [&](int depth, json::parse_event_t event, json& parsed) {
        if (too_deep || !duplicate.empty()) return false;  // the body is refused already
        if (depth > kMaxDepth) too_deep = true;
        if (event == json::parse_event_t::object_start) keys.emplace_back();
        if (event == json::parse_event_t::object_end) keys.pop_back();
        if (event == json::parse_event_t::key && !keys.back().insert(parsed).second) {
          duplicate = parsed;
        }
        return !too_deep && duplicate.empty();
      },
      /*allow_exceptions=*/false);
  if (too_deep) return Status::Invalid("the JSON body is nested too deeply");
  if (!duplicate.empty()) return Status::Invalid("the key '" + duplicate + "' is given twice");
  if (j.is_discarded()) return Status::Invalid("the body is not valid JSON");
  if (!j.is_object()) return Status::Invalid("the body must be a JSON object");
  return j;
}

json DispatchToJson(const service::DispatchInfo& info, const service::Reference& ref) {
  const auto& p = info.proposal;
  json d = {{"category", p.category ? ChoiceJson(*p.category) : json(nullptr)},
            {"unit", p.unit ? ChoiceJson(*p.unit) : json(nullptr)},
            {"auto", info.automatic},
            {"confidence", p.confidence},
            {"reason", p.reason},
            {"place", UnitRef(p.place, ref)}};
  json suggestions = json::array();
  for (const auto& s : p.suggestions) {
    suggestions.push_back({{"category", ChoiceJson(s.category)},
                           {"unit", ChoiceJson(s.unit)},
                           {"confidence", s.confidence}});
  }
  d["suggestions"] = suggestions;
  json dups = json::array();
  for (const auto& dup : info.duplicates) {
    dups.push_back({{"id", dup.id}, {"title", dup.title}, {"score", dup.score}});
  }
  d["duplicates"] = dups;
  return d;
}

json CaseToJson(const service::CaseView& v, const service::Reference& ref, Role role) {
  const Case& c = v.c;
  json j = {{"id", c.id},
            {"type", CaseTypeName(c.type)},
            {"type_label", CaseTypeLabel(c.type)},
            {"source", CaseSourceName(c.source)},
            {"urgency", UrgencyName(c.urgency)},
            {"title", c.title},
            {"text", c.text},
            {"address", c.address},
            {"lat", c.lat ? json(*c.lat) : json(nullptr)},
            {"lon", c.lon ? json(*c.lon) : json(nullptr)},
            {"category", CategoryRef(c.category, ref)},
            {"unit", UnitRef(c.unit, ref)},
            {"status", CaseStatusName(c.status)},
            {"status_label", CaseStatusLabel(c.status)},
            {"anonymous", c.anonymous},
            {"supervised", c.supervised},
            {"overdue", v.overdue},
            {"created_at", FormatTime(c.created_at)},
            {"updated_at", FormatTime(c.updated_at)},
            {"dispatched_at", Time(c.dispatched_at)},
            {"accepted_at", Time(c.accepted_at)},
            {"replied_at", Time(c.replied_at)},
            {"closed_at", Time(c.closed_at)},
            {"rectified_at", Time(c.rectified_at)},
            {"response_due", Time(c.response_due)},
            {"due", Time(c.due)},
            {"reopen_count", c.reopen_count},
            {"extension_count", c.extension_count},
            {"callback_attempts", c.callback_attempts},
            {"version", c.version}};
  if (!c.reply_text.empty()) {
    j["reply"] = {{"text", c.reply_text},
                  {"resolved", c.reply_resolved ? json(*c.reply_resolved) : json(nullptr)}};
  }
  if (c.callback) {
    j["callback"] = {{"contacted", c.callback->contacted},
                     {"resolved", c.callback->resolved},
                     {"satisfaction", SatisfactionLabel(c.callback->satisfaction)},
                     {"at", FormatTime(c.callback->at)}};
  }
  if (!c.objection_reason.empty()) j["objection_reason"] = c.objection_reason;
  if (c.merged_into) j["merged_into"] = *c.merged_into;
  if (!c.transferred_to.empty()) j["transferred_to"] = c.transferred_to;
  if (c.inspection_id) j["inspection_id"] = *c.inspection_id;
  if (role != Role::kPublic) {
    if (c.enterprise_id) j["enterprise_id"] = *c.enterprise_id;
    if (c.proposal_id) j["proposal_id"] = *c.proposal_id;
  }
  if (!c.media_url.empty()) j["media_url"] = c.media_url;
  json attachments = json::array();
  for (const Attachment& a : c.attachments) attachments.push_back(AttachmentToJson(c.id, a));
  j["attachments"] = attachments;
  if (!c.remote_id.empty()) {
    j["remote"] = {{"id", c.remote_id}, {"status", c.remote_status}, {"notes", c.remote_notes}};
  }
  if (v.contact) {
    j["caller"] = {{"name", v.contact->name}, {"phone", v.contact->phone},
                   {"masked", v.contact_masked}};
    if (!v.contact->email.empty()) j["caller"]["email"] = v.contact->email;
  }
  json actions = json::array();
  for (Action a : v.actions) actions.push_back(ActionName(a));
  j["actions"] = actions;
  if (!v.events.empty()) {
    json events = json::array();
    for (const CaseEvent& e : v.events) {
      json ej = {{"seq", e.seq}, {"at", FormatTime(e.at)}, {"kind", EventKindName(e.kind)},
                 {"payload", e.payload}};
      ej["actor"] = role == Role::kPublic
                        ? json{{"role", RoleName(e.actor_role)}}
                        : json{{"role", RoleName(e.actor_role)},
                               {"unit", e.actor_unit},
                               {"name", e.actor_name}};
      events.push_back(std::move(ej));
    }
    j["events"] = std::move(events);
  }
  if (v.dispatch) j["dispatch"] = DispatchToJson(*v.dispatch, ref);
  return j;
}

Status CheckKnown(const json& j, std::initializer_list<const char*> known) {
  for (const auto& item : j.items()) {
    const std::string& key = item.key();
    if (std::none_of(known.begin(), known.end(), [&](const char* k) { return key == k; })) {
      return Status::Invalid("unknown field '" + key + "'");
    }
  }
  return Status::Ok();
}


json AttachmentToJson(std::int64_t case_id, const Attachment& a) {
  return {{"hash", a.hash},
          {"type", a.media_type},
          {"size", a.size},
          {"name", a.name},
          {"at", FormatTime(a.at)},
          {"url", "/api/v1/cases/" + std::to_string(case_id) + "/attachments/" + a.hash}};
}

Result<service::NewCaseInput> NewCaseFromJson(const json& j) {
  static const std::set<std::string> kKnown = {"type",     "title",   "text",     "address",
                                               "lat",      "lon",     "source",   "category",
                                               "unit",     "urgency", "caller",   "anonymous",
                                               "media_url"};
  for (const auto& [key, value] : j.items()) {
    if (!kKnown.count(key)) return Status::Invalid("unknown field '" + key + "'");
  }
  service::NewCaseInput in;
  if (!j.contains("type")) return Status::Invalid("type is required (咨询 求助 投诉 举报 建议)");
  JIESU_RETURN_IF_ERROR(GetString(j, "type", in.type));
  if (!j.contains("text")) return Status::Invalid("text is required");
  JIESU_RETURN_IF_ERROR(GetString(j, "text", in.text));
  JIESU_RETURN_IF_ERROR(GetString(j, "title", in.title));
  JIESU_RETURN_IF_ERROR(GetString(j, "address", in.address));
  JIESU_RETURN_IF_ERROR(GetString(j, "source", in.source));
  JIESU_RETURN_IF_ERROR(GetString(j, "category", in.category));
  JIESU_RETURN_IF_ERROR(GetString(j, "unit", in.unit));
  JIESU_RETURN_IF_ERROR(GetString(j, "urgency", in.urgency));
  JIESU_RETURN_IF_ERROR(GetString(j, "media_url", in.media_url));
  JIESU_RETURN_IF_ERROR(GetNumber(j, "lat", in.lat));
  JIESU_RETURN_IF_ERROR(GetNumber(j, "lon", in.lon));
  std::optional<bool> anonymous;
  JIESU_RETURN_IF_ERROR(GetBool(j, "anonymous", anonymous));
  in.anonymous = anonymous.value_or(false);
  if (j.contains("caller") && !j.at("caller").is_null()) {
    const json& c = j.at("caller");
    if (!c.is_object()) return Status::Invalid("caller must be an object {name?, phone?, email?}");
    JIESU_RETURN_IF_ERROR(CheckKnown(c, {"name", "phone", "email"}));
    service::Contact contact;
    JIESU_RETURN_IF_ERROR(GetString(c, "name", contact.name));
    JIESU_RETURN_IF_ERROR(GetString(c, "phone", contact.phone));
    JIESU_RETURN_IF_ERROR(GetString(c, "email", contact.email));
    in.caller = contact;
  }
  return in;
}

Status GetTime(const json& j, const char* key, std::optional<Timestamp>& out) {
  std::string text;
  JIESU_RETURN_IF_ERROR(GetString(j, key, text));
  if (text.empty()) return Status::Ok();
  auto t = ParseTime(text);
  if (!t.ok()) return Status::Invalid(std::string(key) + " must be an ISO 8601 time with offset");
  out = *t;
  return Status::Ok();
}


Result<service::NewInspectionInput> NewInspectionFromJson(const json& j) {
  JIESU_RETURN_IF_ERROR(CheckKnown(j, {"name", "units", "starts", "ends", "revisit_of"}));
  service::NewInspectionInput in;
  JIESU_RETURN_IF_ERROR(GetString(j, "name", in.name));
  if (j.contains("units") && !j.at("units").is_null()) {
    if (!j.at("units").is_array()) return Status::Invalid("units must be an array of unit codes");
    for (const auto& u : j.at("units")) {
      if (!u.is_string()) return Status::Invalid("units must be an array of unit codes");
      in.units.push_back(u.get<std::string>());
    }
  }
  if (j.contains("revisit_of") && !j.at("revisit_of").is_null()) {
    if (!j.at("revisit_of").is_array()) return Status::Invalid("revisit_of must be an array of ids");
    for (const auto& id : j.at("revisit_of")) {
      if (!id.is_number_integer()) return Status::Invalid("revisit_of must be an array of ids");
      in.revisit_of.push_back(id.get<std::int64_t>());
    }
  }
  JIESU_RETURN_IF_ERROR(GetTime(j, "starts", in.starts));
  JIESU_RETURN_IF_ERROR(GetTime(j, "ends", in.ends));
  return in;
}

Result<service::NewFindingInput> NewFindingFromJson(const json& j) {
  JIESU_RETURN_IF_ERROR(CheckKnown(j, {"unit", "title", "text", "category", "type", "due"}));
  service::NewFindingInput in;
  JIESU_RETURN_IF_ERROR(GetString(j, "unit", in.unit));
  JIESU_RETURN_IF_ERROR(GetString(j, "title", in.title));
  JIESU_RETURN_IF_ERROR(GetString(j, "text", in.text));
  JIESU_RETURN_IF_ERROR(GetString(j, "category", in.category));
  JIESU_RETURN_IF_ERROR(GetString(j, "type", in.type));
  JIESU_RETURN_IF_ERROR(GetTime(j, "due", in.due));
  return in;
}

json InspectionToJson(const assess::RoundFigures& f, const std::vector<Case>* findings,
                      Timestamp now, const service::Reference& ref) {
  json j = assess::RoundFiguresToJson(f);
  json units = json::array();
  for (const auto& code : f.round.units) units.push_back(UnitRef(code, ref));
  j["units"] = std::move(units);
  j["created_at"] = FormatTime(f.round.created_at);
  j["created_by"] = f.round.created_by;
  if (findings) {
    json list = json::array();
    for (const Case& c : *findings) {
      list.push_back({{"id", c.id},
                      {"inspection_id", c.inspection_id ? json(*c.inspection_id) : json(nullptr)},
                      {"title", c.title},
                      {"unit", UnitRef(c.unit, ref)},
                      {"status", CaseStatusName(c.status)},
                      {"status_label", CaseStatusLabel(c.status)},
                      {"due", Time(c.due)},
                      {"rectified_at", Time(c.rectified_at)},
                      {"overdue", assess::OverdueAt(c, now)}});
    }
    j["findings"] = std::move(list);
  }
  return j;
}

Result<Command> CommandFromJson(const json& j) {
  if (!j.contains("action") || !j.at("action").is_string()) {
    return Status::Invalid("action is required (a string)");
  }
  Command cmd;
  JIESU_ASSIGN_OR_RETURN(cmd.action, ParseAction(j.at("action").get<std::string>()));
  if (cmd.action == Action::kAttach) {
    return Status::Invalid("upload files with POST /api/v1/cases/{id}/attachments");
  }
  if (cmd.action == Action::kRemoteUpdate) {
    return Status::Invalid("a peer's status is pulled with POST /api/v1/cases/{id}/remote-status");
  }
  JIESU_RETURN_IF_ERROR(GetString(j, "unit", cmd.unit));
  JIESU_RETURN_IF_ERROR(GetString(j, "category", cmd.category));
  JIESU_RETURN_IF_ERROR(GetString(j, "text", cmd.text));
  JIESU_RETURN_IF_ERROR(GetString(j, "reason", cmd.reason));
  JIESU_RETURN_IF_ERROR(GetString(j, "note", cmd.note));
  JIESU_RETURN_IF_ERROR(GetString(j, "to", cmd.to));
  JIESU_RETURN_IF_ERROR(GetBool(j, "resolved", cmd.resolved));
  JIESU_RETURN_IF_ERROR(GetBool(j, "uphold", cmd.uphold));
  JIESU_RETURN_IF_ERROR(GetBool(j, "reachable", cmd.reachable));
  JIESU_RETURN_IF_ERROR(GetBool(j, "contacted", cmd.contacted));
  JIESU_RETURN_IF_ERROR(GetBool(j, "rectified", cmd.rectified));
  std::string satisfaction, until;
  JIESU_RETURN_IF_ERROR(GetString(j, "satisfaction", satisfaction));
  if (!satisfaction.empty()) {
    JIESU_ASSIGN_OR_RETURN(cmd.satisfaction, ParseSatisfaction(satisfaction));
  }
  JIESU_RETURN_IF_ERROR(GetString(j, "until", until));
  if (!until.empty()) {
    JIESU_ASSIGN_OR_RETURN(cmd.until, ParseTime(until));
  }
  if (j.contains("into") && !j.at("into").is_null()) {
    if (!j.at("into").is_number_integer()) return Status::Invalid("into must be a case id");
    cmd.into = j.at("into").get<std::int64_t>();
  }
  return cmd;
}

json UnitToJson(const Unit& u) {
  return {{"code", u.code},
          {"name", u.name},
          {"short_name", u.short_name},
          {"level", UnitLevelName(u.level)},
          {"parent", u.parent.empty() ? json(nullptr) : json(u.parent)},
          {"aliases", u.aliases}};
}

json CategoryToJson(const Category& c, const service::Reference& ref) {
  return {{"code", c.code},
          {"name", c.name},
          {"parent", c.parent.empty() ? json(nullptr) : json(c.parent)},
          {"handling", c.handling == Handling::kDepartment ? "department" : "township"},
          {"department", c.department.empty() ? json(nullptr) : UnitRef(c.department, ref)},
          {"response_hours", c.response_hours},
          {"limit", FormatTimeLimit(c.limit)}};
}

json ModelToJson(const dispatch::CategoryModel* model) {
  if (model == nullptr) return nullptr;
  return {{"version", model->Version()},
          {"trained_at", model->TrainedAt()},
          {"labels", model->Labels()}};
}

}  // namespace jiesu::http
