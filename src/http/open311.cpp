#include "http/open311.hpp"

#include <charconv>
#include <cmath>
#include <set>

#include "common/clock.hpp"
#include "common/utf8.hpp"
#include "http/open311_form.hpp"
#include "http/server.hpp"

namespace jiesu::http {

using domain::Role;
using nlohmann::json;
using Doc = nlohmann::ordered_json;  // the specification's field order, in JSON and in XML

namespace {

constexpr const char* kSpecification = "http://wiki.open311.org/GeoReport_v2";
constexpr const char* kChangeset = "2026-11-27T00:00:00+08:00";  // when the service list changed
constexpr std::int64_t kMaxSpanDays = 90;  // the specification's default and largest window
constexpr int kMaxRequests = 1000;         // "or first 1000 requests returned"

std::string ItemName(const std::string& array) {
  static const std::map<std::string, std::string> kItems = {
      {"services", "service"},     {"service_requests", "request"}, {"attributes", "attribute"},
      {"values", "value"},         {"endpoints", "endpoint"},       {"formats", "format"},
      {"errors", "error"}};
  const auto it = kItems.find(array);
  return it == kItems.end() ? "item" : it->second;
}

void AppendEscaped(std::string& out, std::string_view text) {
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') break;  // not allowed in XML 1.0
        out += ch;
    }
  }
}

void AppendElement(std::string& out, const std::string& name, const Doc& v) {
  out += '<' + name + '>';
  if (v.is_array()) {
    const std::string item = ItemName(name);
    for (const auto& e : v) AppendElement(out, item, e);
  } else if (v.is_object()) {
    for (const auto& [key, e] : v.items()) AppendElement(out, key, e);
  } else if (v.is_string()) {
    AppendEscaped(out, v.get_ref<const std::string&>());
  } else if (!v.is_null()) {
    out += v.dump();
  }
  out += "</" + name + '>';
}

std::string Format(const RequestContext& ctx) { return ctx.req.matches[ctx.req.matches.size() - 1]; }

void Send(RequestContext& ctx, const char* root, const Doc& doc, int status = 200) {
  ctx.res.status = status;
  if (Format(ctx) == "xml") {
    ctx.res.set_content(Open311Xml(root, doc), "text/xml; charset=utf-8");
  } else {
    ctx.res.set_content(doc.dump(-1, ' ', false, json::error_handler_t::replace),
                        "application/json; charset=utf-8");
  }
}

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const std::size_t end = std::min(s.find(',', start), s.size());
    const std::string part(TrimSpace(std::string_view(s).substr(start, end - start)));
    if (!part.empty()) out.push_back(part);
    start = end + 1;
  }
  return out;
}

// An ISO 8601 time; a '+' of the offset that arrived as a space (an unencoded query) is restored.
Result<Timestamp> ParseDateTime(std::string s, const char* name) {
  if (s.size() > 19 && s[19] == ' ') s[19] = '+';
  auto t = ParseTime(s);
  if (!t.ok()) return Status::Invalid(std::string(name) + " must be an ISO 8601 time, e.g. " +
                                      "2026-11-01T00:00:00+08:00");
  return t;
}

Doc ServiceDoc(const domain::Category& c, const service::Reference& ref) {
  std::string keywords;
  for (const auto& k : c.keywords) keywords += (keywords.empty() ? "" : ",") + k;
  const auto* top = ref.catalogue.TopLevel(c.code);
  const auto* department = ref.units.Find(c.department);
  const std::string handler = c.handling == domain::Handling::kDepartment && department
                                  ? department->name
                                  : std::string("属地街道（乡镇）");
  return Doc{{"service_code", c.code},
             {"service_name", c.name},
             {"description", c.name + "：" + handler + "办理，时限" +
                                 domain::FormatTimeLimit(c.limit)},
             {"metadata", true},
             {"type", "realtime"},
             {"keywords", keywords},
             {"group", top ? top->name : c.name}};
}

template <std::size_t N>
Doc AttributeDoc(const char* code, const char* description, int order,
                 const Open311Choice (&values)[N]) {
  Doc vs = Doc::array();
  for (const auto& v : values) vs.push_back({{"key", v.key}, {"name", v.name}});
  return Doc{{"variable", true},
             {"code", code},
             {"datatype", "singlevaluelist"},
             {"required", false},
             {"datatype_description", ""},
             {"order", order},
             {"description", description},
             {"values", vs}};
}

std::string StatusNotes(const domain::Case& c) {
  if (c.merged_into) return "已并入工单" + std::to_string(*c.merged_into) + "办理";
  if (c.status == domain::CaseStatus::kTransferred) return "已移交" + c.transferred_to;
  return c.reply_text;
}

// Where clients reach us: the configured public URL, else what the Host header says.
std::string BaseUrl(Server& s, const RequestContext& ctx) {
  std::string base = s.app().config().public_url;
  if (base.empty()) base = "http://" + ctx.req.get_header_value("Host");
  if (base.back() == '/') base.pop_back();
  return base;
}

Doc RequestDoc(const service::CaseView& v, const service::Reference& ref) {
  const domain::Case& c = v.c;
  const auto* category = ref.catalogue.Find(c.category);
  const auto* unit = ref.units.Find(c.unit);
  Doc r = {{"service_request_id", std::to_string(c.id)},
           {"status", domain::IsSettled(c.status) ? "closed" : "open"},
           {"detailed_status", domain::CaseStatusName(c.status)},
           {"detailed_status_label", domain::CaseStatusLabel(c.status)},
           {"status_notes", StatusNotes(c)},
           {"service_name", category ? category->name : ""},
           {"service_code", c.category},
           {"description", c.text},
           {"agency_responsible", unit ? unit->name : ""},
           {"service_notice", ""},
           {"requested_datetime", FormatTime(c.created_at)},
           {"updated_datetime", FormatTime(c.updated_at)},
           {"expected_datetime", c.due ? Doc(FormatTime(*c.due)) : Doc(nullptr)},
           {"address", c.address},
           {"address_id", ""},
           {"zipcode", ""}};
  if (c.lat && c.lon) {
    r["lat"] = *c.lat;
    r["long"] = *c.lon;
  }
  r["media_url"] = c.media_url;  // the citizen's own link; attachments are not public
  return r;
}

Status Discovery(Server& s, RequestContext& ctx) {
  const std::string base = BaseUrl(s, ctx);
  const Doc endpoint = {{"specification", kSpecification},
                        {"url", base + "/open311/v2/"},
                        {"changeset", kChangeset},
                        {"type", "production"},
                        {"formats", {"text/xml", "application/json"}}};
  Send(ctx, "discovery",
       Doc{{"changeset", kChangeset},
           {"contact", "12345 市民服务热线"},
           {"key_service", "api_key: ask the jiesu administrator (jiesu keys create --role public)"},
           {"endpoints", Doc::array({endpoint})}});
  return Status::Ok();
}

Status ListServices(Server& s, RequestContext& ctx) {
  Doc out = Doc::array();
  for (const auto* c : Open311Services(s.app().reference().catalogue)) {
    out.push_back(ServiceDoc(*c, s.app().reference()));
  }
  Send(ctx, "services", out);
  return Status::Ok();
}

Status ServiceDefinition(Server& s, RequestContext& ctx) {
  const std::string code = ctx.req.matches[1];
  if (FindOpen311Service(s.app().reference(), code) == nullptr) {
    return Status::NotFound("service_code '" + std::string(Utf8Prefix(code, 40)) + "' not found");
  }
  Send(ctx, "service_definition",
       Doc{{"service_code", code},
           {"attributes", {AttributeDoc("request_type", "诉求类型", 1, kOpen311RequestTypes),
                           AttributeDoc("urgency", "紧急程度", 2, kOpen311Urgencies)}}});
  return Status::Ok();
}

Status PostRequest(Server& s, RequestContext& ctx) {
  if (MediaType(ctx.req.get_header_value("Content-Type")) != "application/x-www-form-urlencoded") {
    return Status::Invalid("POST requests takes application/x-www-form-urlencoded parameters");
  }
  JIESU_ASSIGN_OR_RETURN(auto p, ReadOpen311Params(ctx.req.params));
  const std::string api_key = Open311Param(p, "api_key");
  if (api_key.empty()) return Status::Forbidden("api_key is required");
  auto actor = s.app().auth().Authenticate(api_key);
  if (!actor.ok()) return Status::Forbidden("invalid api_key");
  const auto& ref = s.app().reference();
  JIESU_ASSIGN_OR_RETURN(service::NewCaseInput in, Open311CaseFromForm(p, ref));

  JIESU_ASSIGN_OR_RETURN(auto view, s.app().cases().Create(*actor, in));
  const auto* unit = ref.units.Find(view.c.unit);
  const std::string notice =
      unit && view.c.due ? "已派至" + unit->name + "，" + FormatTime(*view.c.due) + "前办结"
                         : std::string("已受理，等待派单");
  Send(ctx, "service_requests",
       Doc::array({Doc{{"service_request_id", std::to_string(view.c.id)},
                       {"service_notice", notice},
                       {"account_id", nullptr}}}),
       201);
  return Status::Ok();
}

Status GetRequests(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(auto p, ReadOpen311Params(ctx.req.params));
  service::PublicQuery q;
  q.limit = kMaxRequests;
  if (const std::string ids = Open311Param(p, "service_request_id"); !ids.empty()) {
    // The specification: a list of ids overrides every other parameter.
    for (const auto& id : SplitComma(ids)) {
      std::int64_t v = 0;
      auto [ptr, ec] = std::from_chars(id.data(), id.data() + id.size(), v);
      if (ec != std::errc() || ptr != id.data() + id.size() || v <= 0) {
        return Status::Invalid("service_request_id must be a comma-separated list of ids");
      }
      q.ids.push_back(v);
    }
    if (q.ids.size() > static_cast<std::size_t>(kMaxRequests)) {
      return Status::Invalid("at most 1000 service_request_id at once");
    }
  } else {
    for (const auto& code : SplitComma(Open311Param(p, "service_code"))) {
      if (FindOpen311Service(s.app().reference(), code) == nullptr) {
        return Status::Invalid("service_code '" + std::string(Utf8Prefix(code, 40)) +
                               "' not found");
      }
      q.categories.push_back(code);
    }
    const std::string start = Open311Param(p, "start_date"), end = Open311Param(p, "end_date");
    const Timestamp span = kMaxSpanDays * kSecondsPerDay;
    Timestamp from = 0, to = 0;
    if (!end.empty()) {
      JIESU_ASSIGN_OR_RETURN(to, ParseDateTime(end, "end_date"));
    }
    if (!start.empty()) {
      JIESU_ASSIGN_OR_RETURN(from, ParseDateTime(start, "start_date"));
      if (end.empty()) to = from + span;
    } else {
      if (end.empty()) to = s.app().clock().Now() + 1;
      from = to - span;
    }
    if (to < from) return Status::Invalid("end_date is before start_date");
    if (to - from > span) return Status::Invalid("start_date to end_date spans more than 90 days");
    q.from = from;
    q.to = to + 1;  // end_date is inclusive
    std::set<bool> settled;
    for (const auto& st : SplitComma(Open311Param(p, "status"))) {
      if (st != "open" && st != "closed") return Status::Invalid("status must be open or closed");
      settled.insert(st == "closed");
    }
    if (settled.size() == 1) q.settled = *settled.begin();
  }
  JIESU_ASSIGN_OR_RETURN(auto views, s.app().cases().ListPublic(q));
  Doc out = Doc::array();
  for (const auto& v : views) out.push_back(RequestDoc(v, s.app().reference()));
  Send(ctx, "service_requests", out);
  return Status::Ok();
}

// The request a path's {id} (or {token}: jiesu records requests at once, so a token is the id).
Result<service::CaseView> PublicCase(Server& s, const RequestContext& ctx) {
  const std::string id = ctx.req.matches[1];
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(id.data(), id.data() + id.size(), v);
  if (ec != std::errc() || ptr != id.data() + id.size() || v <= 0) {
    return Status::NotFound("no service request " + std::string(Utf8Prefix(id, 40)));
  }
  auto view = s.app().cases().Get(domain::Actor{Role::kPublic, "", "open311", 0}, v);
  if (!view.ok() && view.status().code() == StatusCode::kNotFound) {
    return Status::NotFound("no service request " + id);
  }
  return view;
}

Status GetRequest(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(auto view, PublicCase(s, ctx));
  Send(ctx, "service_requests",
       Doc::array({RequestDoc(view, s.app().reference())}));
  return Status::Ok();
}

Status GetToken(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(auto view, PublicCase(s, ctx));
  Send(ctx, "service_requests",
       Doc::array({Doc{{"service_request_id", std::to_string(view.c.id)},
                       {"token", std::string(ctx.req.matches[1])}}}));
  return Status::Ok();
}

}  // namespace

std::string Open311Xml(const std::string& root, const Doc& doc) {
  std::string out = R"(<?xml version="1.0" encoding="utf-8"?>)";
  out += '\n';
  AppendElement(out, root, doc);
  return out;
}

void WriteOpen311Error(httplib::Response& res, const Status& s, const std::string& path) {
  int code = HttpStatus(s.code());
  if (s.code() == StatusCode::kUnauthenticated) code = 403;  // the specification's api_key error
  const Doc doc = Doc::array({Doc{{"code", code}, {"description", s.message()}}});
  res.status = code;
  const bool xml = path.size() >= 4 && path.compare(path.size() - 4, 4, ".xml") == 0;
  if (xml) {
    res.set_content(Open311Xml("errors", doc), "text/xml; charset=utf-8");
  } else {
    res.set_content(doc.dump(-1, ' ', false, json::error_handler_t::replace),
                    "application/json; charset=utf-8");
  }
}

const std::vector<Route>& Open311Routes() {
  static const std::vector<Route> kRoutes = {
      {"GET", "/open311/v2/discovery.{format}", "open311.discovery", false, Discovery, true},
      {"GET", "/open311/v2/services.{format}", "open311.services", false, ListServices, true},
      {"GET", "/open311/v2/services/{code}.{format}", "open311.service", false,
       ServiceDefinition, true},
      {"POST", "/open311/v2/requests.{format}", "open311.requests.create", false, PostRequest,
       true},
      {"GET", "/open311/v2/requests.{format}", "open311.requests.list", false, GetRequests, true},
      {"GET", "/open311/v2/requests/{id}.{format}", "open311.requests.get", false, GetRequest,
       true},
      {"GET", "/open311/v2/tokens/{token}.{format}", "open311.tokens.get", false, GetToken, true},
  };
  return kRoutes;
}

}  // namespace jiesu::http
