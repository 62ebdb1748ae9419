// Roles and the acting principal. An Actor is who performs an action: a role, the unit a handler
// is bound to, and a display name for the event log. Plain values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace jiesu::domain {

// kResident: a registered resident of one building (楼门院), for its deliberation only; the key's
// unit is the building's community.
enum class Role { kOperator, kHandler, kSupervisor, kInspector, kAdmin, kPublic, kResident, kSystem };

const char* RoleName(Role role);  // "operator", ...
Result<Role> ParseRole(std::string_view name);

struct Actor {
  Role role = Role::kPublic;
  std::string unit;  // bound unit code (handlers; optional for others)
  std::string name;  // shown in the event log
  std::int64_t key_id = 0;
};

// Whether the role sees caller contact unmasked (operators and admins only, DESIGN §2).
inline bool SeesContact(Role role) { return role == Role::kOperator || role == Role::kAdmin; }

}  // namespace jiesu::domain
