#include "http/routes.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>

#include "assess/monthly_assessment.hpp"
#include "common/assert.hpp"
#include "common/utf8.hpp"
#include "assess/render_html.hpp"
#include "assess/render_markdown.hpp"
#include "assess/render_xlsx.hpp"
#include "assess/review_report.hpp"
#include "http/community_routes.hpp"
#include "http/json_codec.hpp"
#include "http/server.hpp"
#include "service/case_export.hpp"

namespace jiesu::http {

using domain::Role;
using nlohmann::json;

void Reply(RequestContext& ctx, int status, const json& body) {
  ctx.res.status = status;
  ctx.res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace),
                      "application/json; charset=utf-8");
}

Result<std::int64_t> PathId(const RequestContext& ctx, int n) {
  std::int64_t id = 0;
  const std::string s = ctx.req.matches[n];
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
  if (ec != std::errc() || id <= 0) return Status::NotFound("nothing numbered " + s);
  return id;
}

Result<json> JsonBody(Server& s, const RequestContext& ctx) {
  if (MediaType(ctx.req.get_header_value("Content-Type")) != "application/json") {
    return Status::Invalid("Content-Type must be application/json");
  }
  if (ctx.req.body.size() > s.app().config().max_body_bytes) {
    return Status::TooLarge("the body is too large");
  }
  return ParseBody(ctx.req.body);
}

Result<std::map<std::string, std::string>> Query(const RequestContext& ctx) {
  // httplib keeps one of two identical pairs (a=1&a=1), so repeats are counted on the raw query.
  const std::string& target = ctx.req.target;
  if (const auto mark = target.find('?'); mark != std::string::npos) {
    std::map<std::string, int> seen;
    std::size_t at = mark + 1;
    while (at <= target.size()) {
      const std::size_t end = std::min(target.find('&', at), target.size());
      const std::string pair = target.substr(at, end - at);
      const std::string key = httplib::detail::decode_url(pair.substr(0, pair.find('=')), true);
      if (!key.empty() && ++seen[key] > 1) {
        return Status::Invalid("query parameter '" + key + "' is given twice");
      }
      at = end + 1;
    }
  }
  std::map<std::string, std::string> q;
  for (const auto& [key, value] : ctx.req.params) {
    if (!IsValidUtf8(key) || !IsValidUtf8(value)) {
      return Status::Invalid("query parameters must be UTF-8 text");
    }
    if (!q.emplace(key, value).second) {
      return Status::Invalid("query parameter '" + key + "' is given twice");
    }
  }
  return q;
}

Status RequireRole(const RequestContext& ctx, std::initializer_list<Role> roles) {
  for (Role r : roles) {
    if (ctx.actor.role == r) return Status::Ok();
  }
  return Status::Forbidden(std::string("role ") + domain::RoleName(ctx.actor.role) +
                           " may not use this route");
}

namespace {

Status Health(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(auto n, s.app().db().CountCases());
  Reply(ctx, 200, {{"status", "ok"},
                   {"version", "0.1.0"},
                   {"cases", n},
                   {"model", ModelToJson(s.app().classifier().model().get())}});
  return Status::Ok();
}

Status ReloadModel(Server& s, RequestContext& ctx) {
  JIESU_RETURN_IF_ERROR(RequireRole(ctx, {Role::kAdmin}));
  JIESU_ASSIGN_OR_RETURN(auto model, s.app().ReloadModel());
  Reply(ctx, 200, {{"model", ModelToJson(model.get())}});
  return Status::Ok();
}

Status MetricsText(Server& s, RequestContext& ctx) {
  ctx.res.set_content(s.metrics().Render(), "text/plain; version=0.0.4");
  return Status::Ok();
}

Status Me(Server& s, RequestContext& ctx) {
  const auto* unit = s.app().reference().units.Find(ctx.actor.unit);
  json me = {{"role", domain::RoleName(ctx.actor.role)},
             {"name", ctx.actor.name},
             {"unit", unit ? UnitToJson(*unit) : json(nullptr)}};
  if (ctx.actor.role == Role::kResident) {
    JIESU_ASSIGN_OR_RETURN(auto resident, s.app().buildings().ResidentOf(ctx.actor));
    me["resident"] = {{"id", resident.id}, {"name", resident.name}, {"room", resident.room},
                      {"building_id", resident.building_id}};
  }
  Reply(ctx, 200, me);
  return Status::Ok();
}

Status CreateCase(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(json body, JsonBody(s, ctx));
  // A 企业诉求 names its enterprise: the enterprise service sends it to the service manager.
  std::optional<std::int64_t> enterprise;
  if (body.contains("enterprise_id") && !body.at("enterprise_id").is_null()) {
    if (!body.at("enterprise_id").is_number_integer()) {
      return Status::Invalid("enterprise_id must be an enterprise's id");
    }
    enterprise = body.at("enterprise_id").get<std::int64_t>();
  }
  body.erase("enterprise_id");
  JIESU_ASSIGN_OR_RETURN(auto input, NewCaseFromJson(body));
  JIESU_ASSIGN_OR_RETURN(auto view,
                         enterprise ? s.app().enterprises().Request(ctx.actor, *enterprise, input)
                                    : s.app().cases().Create(ctx.actor, input));
  Reply(ctx, 201, CaseToJson(view, s.app().reference(), ctx.actor.role));
  return Status::Ok();
}

Status PreviewDispatch(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(json body, JsonBody(s, ctx));
  JIESU_ASSIGN_OR_RETURN(auto input, NewCaseFromJson(body));
  JIESU_ASSIGN_OR_RETURN(auto info, s.app().cases().Preview(ctx.actor, input));
  Reply(ctx, 200, {{"dispatch", DispatchToJson(info, s.app().reference())}});
  return Status::Ok();
}

Status GetCase(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(auto id, PathId(ctx));
  JIESU_ASSIGN_OR_RETURN(auto view, s.app().cases().Get(ctx.actor, id));
  Reply(ctx, 200, CaseToJson(view, s.app().reference(), ctx.actor.role));
  return Status::Ok();
}

Status ListCases(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(auto query, Query(ctx));
  JIESU_ASSIGN_OR_RETURN(auto page, s.app().cases().List(ctx.actor, query));
  json cases = json::array();
  for (const auto& v : page.cases) {
    cases.push_back(CaseToJson(v, s.app().reference(), ctx.actor.role));
  }
  Reply(ctx, 200, {{"cases", cases},
                   {"next_cursor", page.next_cursor ? json(std::to_string(*page.next_cursor))
                                                    : json(nullptr)}});
  return Status::Ok();
}

Status ActOnCase(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(auto id, PathId(ctx));
  JIESU_ASSIGN_OR_RETURN(json body, JsonBody(s, ctx));
  JIESU_ASSIGN_OR_RETURN(auto cmd, CommandFromJson(body));
  // A transfer may go to a peer jurisdiction: the transfer service posts it there first.
  JIESU_ASSIGN_OR_RETURN(auto view, cmd.action == domain::Action::kTransfer
                                        ? s.app().transfers().Transfer(ctx.actor, id, cmd)
                                        : s.app().cases().Act(ctx.actor, id, cmd));
  Reply(ctx, 200, CaseToJson(view, s.app().reference(), ctx.actor.role));
  return Status::Ok();
}

Status AddAttachment(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(auto id, PathId(ctx));
  if (!ctx.req.is_multipart_form_data() || !ctx.req.has_file("file")) {
    return Status::Invalid("send the file as multipart/form-data, in a part named 'file'");
  }
  const auto file = ctx.req.get_file_value("file");
  JIESU_ASSIGN_OR_RETURN(auto view,
                         s.app().attachments().Attach(ctx.actor, id, file.filename, file.content));
  Reply(ctx, 201, {{"attachment", AttachmentToJson(id, view.c.attachments.back())},
                   {"case", CaseToJson(view, s.app().reference(), ctx.actor.role)}});
  return Status::Ok();
}

Status GetAttachment(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(auto id, PathId(ctx));
  JIESU_ASSIGN_OR_RETURN(auto file,
                         s.app().attachments().Read(ctx.actor, id, ctx.req.matches[2]));
  ctx.res.status = 200;
  // Served as what its bytes are (nosniff is on every answer), never run as a page of ours.
  ctx.res.set_header("Content-Security-Policy", "default-src 'none'; sandbox");
  ctx.res.set_header("Content-Disposition", "inline; filename=\"" + file.meta.hash + "\"");
  ctx.res.set_content(std::move(file.bytes), file.meta.media_type.c_str());
  return Status::Ok();
}

Status PullRemoteStatus(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(auto id, PathId(ctx));
  JIESU_ASSIGN_OR_RETURN(auto view, s.app().transfers().PullStatus(ctx.actor, id));
  Reply(ctx, 200, CaseToJson(view, s.app().reference(), ctx.actor.role));
  return Status::Ok();
}

Status ListPeers(Server& s, RequestContext& ctx) {
  JIESU_RETURN_IF_ERROR(RequireRole(ctx, {Role::kOperator, Role::kSupervisor, Role::kAdmin}));
  json peers = json::array();
  for (const auto& p : s.app().transfers().peers()) {
    peers.push_back({{"name", p.name}, {"title", p.title}, {"url", p.url}});
  }
  Reply(ctx, 200, {{"peers", peers}});
  return Status::Ok();
}

Status ListUnits(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(auto query, Query(ctx));
  const std::string level = query.count("level") ? query["level"] : "";
  const std::string parent = query.count("parent") ? query["parent"] : "";
  if (!level.empty()) JIESU_RETURN_IF_ERROR(domain::ParseUnitLevel(level).status());
  json units = json::array();
  for (const auto& u : s.app().reference().units.All()) {
    if (!level.empty() && domain::UnitLevelName(u.level) != level &&
        !(level == "village" && u.level == domain::UnitLevel::kCommunity)) {
      continue;
    }
    if (!parent.empty() && u.parent != parent) continue;
    units.push_back(UnitToJson(u));
  }
  Reply(ctx, 200, {{"units", units}});
  return Status::Ok();
}

Status ListCategories(Server& s, RequestContext& ctx) {
  json out = json::array();
  for (const auto& c : s.app().reference().catalogue.All()) {
    out.push_back(CategoryToJson(c, s.app().reference()));
  }
  Reply(ctx, 200, {{"categories", out}});
  return Status::Ok();
}

Status Assessments(Server& s, RequestContext& ctx) {
  JIESU_RETURN_IF_ERROR(RequireRole(
      ctx, {Role::kSupervisor, Role::kAdmin, Role::kOperator, Role::kHandler, Role::kInspector}));
  JIESU_ASSIGN_OR_RETURN(auto query, Query(ctx));
  if (!query.count("month")) return Status::Invalid("month is required (YYYY-MM)");
  JIESU_ASSIGN_OR_RETURN(auto a, s.app().assessments().Monthly(
                                     query["month"], query.count("level") ? query["level"] : ""));
  Reply(ctx, 200, assess::AssessmentToJson(a));
  return Status::Ok();
}

// The monthly review (点评) as JSON, Markdown, a printable HTML page or an XLSX workbook
// (format=json|md|html|xlsx).
Status MonthlyReport(Server& s, RequestContext& ctx) {
  JIESU_RETURN_IF_ERROR(RequireRole(
      ctx, {Role::kSupervisor, Role::kAdmin, Role::kOperator, Role::kHandler, Role::kInspector}));
  JIESU_ASSIGN_OR_RETURN(auto query, Query(ctx));
  if (!query.count("month")) return Status::Invalid("month is required (YYYY-MM)");
  const std::string format = query.count("format") ? query["format"] : "json";
  if (format != "json" && format != "md" && format != "html" && format != "xlsx") {
    return Status::Invalid("format must be json, md, html or xlsx");
  }
  JIESU_ASSIGN_OR_RETURN(auto report, s.app().reports().Monthly(query["month"]));
  if (format == "md") {
    ctx.res.status = 200;
    ctx.res.set_content(assess::RenderMarkdown(report), "text/markdown; charset=utf-8");
  } else if (format == "html") {
    ctx.res.status = 200;
    // One self-contained page: its own inline styles and SVG, nothing else.
    ctx.res.set_header("Content-Security-Policy",
                       "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    ctx.res.set_content(assess::RenderHtml(report), "text/html; charset=utf-8");
  } else if (format == "xlsx") {
    JIESU_ASSIGN_OR_RETURN(std::string bytes, assess::RenderXlsxBytes(report));
    ctx.res.status = 200;
    ctx.res.set_header("Content-Disposition", "attachment; filename=\"review-" +
                                                  query["month"].substr(0, 7) + ".xlsx\"");
    ctx.res.set_content(bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  } else {
    Reply(ctx, 200, assess::ReviewToJson(report));
  }
  return Status::Ok();
}

// A month's cases as CSV or XLSX (service/case_export.hpp); never caller contact.
Status ExportCases(Server& s, RequestContext& ctx) {
  JIESU_RETURN_IF_ERROR(RequireRole(ctx, {Role::kOperator, Role::kSupervisor, Role::kAdmin}));
  JIESU_ASSIGN_OR_RETURN(auto query, Query(ctx));
  for (const auto& [key, value] : query) {
    if (key != "month" && key != "format" && key != "lang" && key != "bom") {
      return Status::Invalid("unknown query parameter '" + key + "'");
    }
  }
  if (!query.count("month")) return Status::Invalid("month is required (YYYY-MM)");
  service::ExportOptions o;
  o.month = query["month"];
  if (query.count("format")) o.format = query["format"];
  const std::string lang = query.count("lang") ? query["lang"] : "zh";
  if (lang != "zh" && lang != "en") return Status::Invalid("lang must be zh or en");
  o.english = lang == "en";
  const std::string bom = query.count("bom") ? query["bom"] : "false";
  if (bom != "true" && bom != "false") return Status::Invalid("bom must be true or false");
  o.bom = bom == "true";
  JIESU_ASSIGN_OR_RETURN(std::string bytes, service::ExportCases(s.app().db(), s.app().reference(),
                                                                 o, s.app().clock().Now()));
  ctx.res.status = 200;
  ctx.res.set_header("Content-Disposition", "attachment; filename=\"cases-" +
                                                o.month.substr(0, 7) + "." + o.format + "\"");
  ctx.res.set_content(bytes, o.format == "xlsx"
                                 ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                                 : "text/csv; charset=utf-8");
  return Status::Ok();
}

Status CreateInspection(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(json body, JsonBody(s, ctx));
  JIESU_ASSIGN_OR_RETURN(auto input, NewInspectionFromJson(body));
  JIESU_ASSIGN_OR_RETURN(auto round, s.app().inspections().Create(ctx.actor, input));
  JIESU_ASSIGN_OR_RETURN(auto view, s.app().inspections().Get(ctx.actor, round.id));
  Reply(ctx, 201, InspectionToJson(view.figures, &view.findings, view.as_of, s.app().reference()));
  return Status::Ok();
}

Status GetInspection(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(auto id, PathId(ctx));
  JIESU_ASSIGN_OR_RETURN(auto view, s.app().inspections().Get(ctx.actor, id));
  Reply(ctx, 200, InspectionToJson(view.figures, &view.findings, view.as_of, s.app().reference()));
  return Status::Ok();
}

Status ListInspections(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(auto rounds, s.app().inspections().List(ctx.actor));
  json out = json::array();
  for (const auto& f : rounds) {
    out.push_back(InspectionToJson(f, nullptr, 0, s.app().reference()));
  }
  Reply(ctx, 200, {{"inspections", out}});
  return Status::Ok();
}

Status AddFinding(Server& s, RequestContext& ctx) {
  JIESU_ASSIGN_OR_RETURN(auto id, PathId(ctx));
  JIESU_ASSIGN_OR_RETURN(json body, JsonBody(s, ctx));
  JIESU_ASSIGN_OR_RETURN(auto input, NewFindingFromJson(body));
  JIESU_ASSIGN_OR_RETURN(auto view, s.app().inspections().AddFinding(ctx.actor, id, input));
  Reply(ctx, 201, CaseToJson(view, s.app().reference(), ctx.actor.role));
  return Status::Ok();
}

Status Audit(Server& s, RequestContext& ctx) {
  JIESU_RETURN_IF_ERROR(RequireRole(ctx, {Role::kAdmin}));
  JIESU_ASSIGN_OR_RETURN(auto entries, s.app().db().ListAudit(200, std::nullopt));
  json out = json::array();
  for (const auto& e : entries) {
    out.push_back({{"id", e.id},
                   {"at", FormatTime(e.at)},
                   {"key_id", e.key_id},
                   {"actor", e.actor},
                   {"action", e.action},
                   {"case_id", e.case_id ? json(*e.case_id) : json(nullptr)},
                   {"detail", e.detail}});
  }
  Reply(ctx, 200, {{"entries", out}});
  return Status::Ok();
}

}  // namespace

std::string MediaType(std::string_view content_type) {
  const std::string_view type = TrimSpace(content_type.substr(0, content_type.find(';')));
  std::string out(type);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string PathRegex(std::string_view path) {
  static const std::map<std::string, std::string, std::less<>> kParams = {
      {"id", R"((\d+))"},
      {"rid", R"((\d+))"},  // a second id: a building's resident
      {"hash", "([0-9a-f]{64})"},
      {"format", "(json|xml)"},
      {"code", "([^/]+?)"},
      {"token", "([^/]+?)"},
  };
  std::string out;
  for (std::size_t i = 0; i < path.size(); ++i) {
    const char ch = path[i];
    if (ch == '{') {
      const std::size_t end = path.find('}', i);
      const auto it = kParams.find(path.substr(i + 1, end - i - 1));
      JIESU_ASSERT(end != std::string_view::npos && it != kParams.end());
      out += it->second;
      i = end;
    } else {
      if (ch == '.') out += '\\';
      out += ch;
    }
  }
  return out;
}

const std::vector<Route>& Routes() {
  static const std::vector<Route> kRoutes = {
      {"GET", "/healthz", "healthz", false, Health},
      {"GET", "/metrics", "metrics", false, MetricsText},
      {"GET", "/api/v1/me", "me", true, Me},
      {"POST", "/api/v1/cases", "cases.create", true, CreateCase},
      {"POST", "/api/v1/dispatch/preview", "dispatch.preview", true, PreviewDispatch},
      {"GET", "/api/v1/cases", "cases.list", true, ListCases},
      {"GET", "/api/v1/cases/{id}", "cases.get", true, GetCase},
      {"POST", "/api/v1/cases/{id}/actions", "cases.act", true, ActOnCase},
      {"POST", "/api/v1/cases/{id}/attachments", "cases.attachments.create", true, AddAttachment},
      {"GET", "/api/v1/cases/{id}/attachments/{hash}", "cases.attachments.get", true,
       GetAttachment},
      {"POST", "/api/v1/cases/{id}/remote-status", "cases.remote_status", true, PullRemoteStatus},
      {"GET", "/api/v1/peers", "peers.list", true, ListPeers},
      {"GET", "/api/v1/units", "units.list", true, ListUnits},
      {"GET", "/api/v1/categories", "categories.list", true, ListCategories},
      {"GET", "/api/v1/assessments", "assessments", true, Assessments,
       /*open311=*/false, /*figures=*/true},
      {"GET", "/api/v1/reports/monthly", "reports.monthly", true, MonthlyReport,
       /*open311=*/false, /*figures=*/true},
      {"GET", "/api/v1/export", "export", true, ExportCases,
       /*open311=*/false, /*figures=*/true},
      {"POST", "/api/v1/inspections", "inspections.create", true, CreateInspection},
      {"GET", "/api/v1/inspections", "inspections.list", true, ListInspections},
      {"GET", "/api/v1/inspections/{id}", "inspections.get", true, GetInspection},
      {"POST", "/api/v1/inspections/{id}/findings", "inspections.findings.create", true,
       AddFinding},
      {"GET", "/api/v1/audit", "audit", true, Audit},
      {"POST", "/api/v1/admin/model/reload", "admin.model.reload", true, ReloadModel},
  };
  static const std::vector<Route> kAll = [] {
    std::vector<Route> all = kRoutes;
    for (const Route& r : CommunityRoutes()) all.push_back(r);
    return all;
  }();
  return kAll;
}

}  // namespace jiesu::http
