#include "storage/case_codec.hpp"

namespace jiesu::storage {

using nlohmann::json;
using namespace jiesu::domain;

namespace {

template <typename T>
void PutOpt(json& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = *v;
}

template <typename T>
void GetOpt(const json& j, const char* key, std::optional<T>& v) {
  if (j.contains(key)) v = j.at(key).get<T>();
}

}  // namespace

json CaseToDoc(const Case& c) {
  json j = {{"id", c.id},
            {"version", c.version},
            {"type", CaseTypeName(c.type)},
            {"source", CaseSourceName(c.source)},
            {"urgency", UrgencyName(c.urgency)},
            {"title", c.title},
            {"text", c.text},
            {"address", c.address},
            {"category", c.category},
            {"unit", c.unit},
            {"status", CaseStatusName(c.status)},
            {"anonymous", c.anonymous},
            {"has_contact", c.has_contact},
            {"supervised", c.supervised},
            {"created_at", c.created_at},
            {"updated_at", c.updated_at},
            {"reply_text", c.reply_text},
            {"callback_attempts", c.callback_attempts},
            {"reopen_count", c.reopen_count},
            {"extension_count", c.extension_count},
            {"objection_reason", c.objection_reason},
            {"transferred_to", c.transferred_to}};
  if (!c.media_url.empty()) j["media_url"] = c.media_url;
  if (!c.remote_id.empty()) {
    j["remote"] = {{"id", c.remote_id}, {"status", c.remote_status}, {"notes", c.remote_notes}};
  }
  if (!c.attachments.empty()) {
    json a = json::array();
    for (const Attachment& x : c.attachments) {
      a.push_back({{"hash", x.hash}, {"type", x.media_type}, {"size", x.size}, {"name", x.name},
                   {"at", x.at}});
    }
    j["attachments"] = a;
  }
  PutOpt(j, "lat", c.lat);
  PutOpt(j, "lon", c.lon);
  PutOpt(j, "inspection_id", c.inspection_id);
  PutOpt(j, "enterprise_id", c.enterprise_id);
  PutOpt(j, "proposal_id", c.proposal_id);
  PutOpt(j, "dispatched_at", c.dispatched_at);
  PutOpt(j, "accepted_at", c.accepted_at);
  PutOpt(j, "replied_at", c.replied_at);
  PutOpt(j, "closed_at", c.closed_at);
  PutOpt(j, "rectified_at", c.rectified_at);
  PutOpt(j, "response_due", c.response_due);
  PutOpt(j, "due", c.due);
  PutOpt(j, "reply_resolved", c.reply_resolved);
  PutOpt(j, "merged_into", c.merged_into);
  if (c.callback) {
    j["callback"] = {{"contacted", c.callback->contacted},
                     {"resolved", c.callback->resolved},
                     {"satisfaction", SatisfactionLabel(c.callback->satisfaction)},
                     {"at", c.callback->at}};
  }
  return j;
}

Result<Case> CaseFromDoc(const json& j) {
  try {
    Case c;
    c.id = j.at("id");
    c.version = j.at("version");
    c.type = *ParseCaseType(j.at("type").get<std::string>());
    c.source = *ParseCaseSource(j.at("source").get<std::string>());
    c.urgency = *ParseUrgency(j.at("urgency").get<std::string>());
    c.title = j.at("title");
    c.text = j.at("text");
    c.address = j.at("address");
    c.category = j.at("category");
    c.unit = j.at("unit");
    c.status = *ParseCaseStatus(j.at("status").get<std::string>());
    c.anonymous = j.at("anonymous");
    c.has_contact = j.at("has_contact");
    c.supervised = j.at("supervised");
    c.created_at = j.at("created_at");
    c.updated_at = j.at("updated_at");
    c.reply_text = j.at("reply_text");
    c.callback_attempts = j.at("callback_attempts");
    c.reopen_count = j.at("reopen_count");
    c.extension_count = j.at("extension_count");
    c.objection_reason = j.at("objection_reason");
    c.transferred_to = j.at("transferred_to");
    c.media_url = j.value("media_url", "");
    if (j.contains("remote")) {
      c.remote_id = j.at("remote").at("id");
      c.remote_status = j.at("remote").at("status");
      c.remote_notes = j.at("remote").at("notes");
    }
    for (const json& x : j.value("attachments", json::array())) {
      c.attachments.push_back({x.at("hash").get<std::string>(), x.at("type").get<std::string>(),
                               x.at("size").get<std::int64_t>(), x.at("name").get<std::string>(),
                               x.at("at").get<Timestamp>()});
    }
    GetOpt(j, "lat", c.lat);
    GetOpt(j, "lon", c.lon);
    GetOpt(j, "inspection_id", c.inspection_id);
    GetOpt(j, "enterprise_id", c.enterprise_id);
    GetOpt(j, "proposal_id", c.proposal_id);
    GetOpt(j, "dispatched_at", c.dispatched_at);
    GetOpt(j, "accepted_at", c.accepted_at);
    GetOpt(j, "replied_at", c.replied_at);
    GetOpt(j, "closed_at", c.closed_at);
    GetOpt(j, "rectified_at", c.rectified_at);
    GetOpt(j, "response_due", c.response_due);
    GetOpt(j, "due", c.due);
    GetOpt(j, "reply_resolved", c.reply_resolved);
    GetOpt(j, "merged_into", c.merged_into);
    if (j.contains("callback")) {
      const json& cb = j.at("callback");
      c.callback = CallbackResult{cb.at("contacted"), cb.at("resolved"),
                                  *ParseSatisfaction(cb.at("satisfaction").get<std::string>()),
                                  cb.at("at")};
    }
    return c;
  } catch (const json::exception& e) {
    return Status::Internal(std::string("corrupt case document: ") + e.what());
  }
}

}  // namespace jiesu::storage
