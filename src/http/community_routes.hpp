// The routes of building deliberation, the enterprise service package and public consultations
// (docs/community.md), with their JSON: part of the route table (routes.hpp).
#pragma once

#include <vector>

#include "http/routes.hpp"

namespace jiesu::http {

const std::vector<Route>& CommunityRoutes();

}  // namespace jiesu::http
