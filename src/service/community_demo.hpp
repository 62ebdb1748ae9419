// The community part of `jiesu demo` (docs/community.md): a 梨园镇 building with its covenant,
// residents and an open proposal, an enterprise of the service package with a request, and an
// open consultation with opinions — made once, through the services, as the administrator.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "service/app.hpp"

namespace jiesu::service {

// Makes the records when there is no building yet; returns the resident keys it registered as
// (who, key), or nothing when the records were there already.
Result<std::vector<std::pair<std::string, std::string>>> SeedCommunityDemo(App& app);

}  // namespace jiesu::service
