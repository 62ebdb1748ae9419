#include "domain/role.hpp"

namespace jiesu::domain {

const char* RoleName(Role role) {
  switch (role) {
    case Role::kOperator: return "operator";
    case Role::kHandler: return "handler";
    case Role::kSupervisor: return "supervisor";
    case Role::kInspector: return "inspector";
    case Role::kAdmin: return "admin";
    case Role::kPublic: return "public";
    case Role::kResident: return "resident";
    case Role::kSystem: return "system";
  }
  return "public";
}

Result<Role> ParseRole(std::string_view name) {
  for (Role r : {Role::kOperator, Role::kHandler, Role::kSupervisor, Role::kInspector, Role::kAdmin,
                 Role::kPublic, Role::kResident}) {
    if (name == RoleName(r)) return r;
  }
  return Status::Invalid("role must be operator, handler, supervisor, inspector, admin, public or resident");
}

}  // namespace jiesu::domain
