// The route table: every HTTP route of /api/v1 and the service endpoints, in one place.
#pragma once

#include <functional>
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
  const char* pattern;  // httplib regex
  const char* name;     // stable name for metrics and docs
  bool authenticated;
  std::function<Status(Server&, RequestContext&)> handler;
};

// The table itself.
const std::vector<Route>& Routes();

}  // namespace jiesu::http
