// The route table: every HTTP route of /api/v1 and the service endpoints, in one place.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "domain/role.hpp"

namespace jiesu::http {

class Server;

// What a handler gets: the authenticated actor (for authenticated routes) and the request.
struct RequestContext {
  const httplib::Request& req;
  httplib::Response& res;
  domain::Actor actor;
  std::string request_id;
};

struct Route {
  const char* method;   // GET, POST
  const char* path;     // OpenAPI-style template: /api/v1/cases/{id}, /open311/v2/services.{format}
  const char* name;     // stable name for metrics and docs
  bool authenticated;
  std::function<Status(Server&, RequestContext&)> handler;
  bool open311 = false;  // errors in Open311's form instead of jiesu's
  bool figures = false;  // reads whole months of cases: a few at a time (Server::figures_)
};

// The table itself (/api/v1 and the service endpoints, with community_routes.hpp's; Open311's
// are in open311.hpp).
const std::vector<Route>& Routes();

// What handlers share: answer with a JSON body; the path's {id}s; the JSON body (Content-Type
// application/json, within the size limit); the query parameters (UTF-8, none twice); the
// caller's role among `roles` (Forbidden otherwise).
void Reply(RequestContext& ctx, int status, const nlohmann::json& body);
Result<std::int64_t> PathId(const RequestContext& ctx, int n = 1);  // the n-th {id}
Result<nlohmann::json> JsonBody(Server& s, const RequestContext& ctx);
Result<std::map<std::string, std::string>> Query(const RequestContext& ctx);
Status RequireRole(const RequestContext& ctx, std::initializer_list<domain::Role> roles);

// The media type of a Content-Type header, lower-cased, without parameters or spaces:
// "Application/JSON; charset=utf-8" → "application/json".
std::string MediaType(std::string_view content_type);

// The regex httplib matches for a path template: {id} digits, {hash} 64 hex digits, {format}
// json|xml, {code} and {token} one path segment, {rid} digits (a second id, a resident's).
// Captures in order of the placeholders.
std::string PathRegex(std::string_view path);

}  // namespace jiesu::http
