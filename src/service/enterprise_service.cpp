#include "service/enterprise_service.hpp"

#include <nlohmann/json.hpp>

#include "common/utf8.hpp"
#include "domain/credit_code.hpp"

namespace jiesu::service {

using domain::Actor;
using domain::Enterprise;
using domain::Role;
using nlohmann::json;

namespace {

constexpr const char* kEnterprise = "enterprise";

Result<Enterprise> EnterpriseFrom(const storage::Record& r) {
  const json j = json::parse(r.doc, nullptr, false);
  Enterprise e;
  e.id = r.id;
  e.credit_code = r.lookup.value_or("");
  e.created_at = r.created_at;
  try {
    e.name = j.at("name").get<std::string>();
    e.township = j.at("township").get<std::string>();
    e.address = j.at("address").get<std::string>();
    e.manager_name = j.at("manager_name").get<std::string>();
    e.manager_unit = j.at("manager_unit").get<std::string>();
  } catch (const json::exception&) {
    return Status::Internal("corrupt enterprise record " + std::to_string(r.id));
  }
  return e;
}

}  // namespace

bool EnterpriseService::MayRead(const Actor& actor, const Enterprise& e) const {
  switch (actor.role) {
    case Role::kOperator:
    case Role::kSupervisor:
    case Role::kAdmin: return true;
    case Role::kHandler:
      return ref_->units.IsWithin(e.manager_unit, actor.unit) ||
             ref_->units.IsWithin(e.township, actor.unit);
    default: return false;
  }
}

Result<Enterprise> EnterpriseService::Create(const Actor& actor, const EnterpriseInput& in) {
  if (actor.role != Role::kSupervisor && actor.role != Role::kAdmin) {
    return Status::Forbidden("only a supervisor or an administrator registers enterprises");
  }
  const std::string name(TrimSpace(in.name));
  if (name.empty()) return Status::Invalid("name is required");
  JIESU_RETURN_IF_ERROR(CheckText(name, "name", 100));
  const std::string code(TrimSpace(in.credit_code));
  JIESU_RETURN_IF_ERROR(domain::CheckCreditCode(code));
  const domain::Unit* township = ref_->units.Find(in.township);
  if (township == nullptr || township->level != domain::UnitLevel::kTownship) {
    return Status::Invalid("township must be the code of a street or town, not '" + in.township +
                           "'");
  }
  if (ref_->units.Find(in.manager_unit) == nullptr) {
    return Status::Invalid("manager_unit: unknown unit '" + in.manager_unit + "'");
  }
  const std::string manager(TrimSpace(in.manager_name));
  if (manager.empty()) return Status::Invalid("manager_name is required (the 服务管家)");
  JIESU_RETURN_IF_ERROR(CheckText(manager, "manager_name", 50));
  const std::string address(TrimSpace(in.address));
  JIESU_RETURN_IF_ERROR(CheckText(address, "address", 200));
  JIESU_ASSIGN_OR_RETURN(
      storage::Record r,
      db_.InsertRecord(storage::NewRecord(kEnterprise, 0,
                                          json{{"name", name}, {"township", in.township},
                                               {"address", address}, {"manager_name", manager},
                                               {"manager_unit", in.manager_unit}}.dump(),
                                          clock_.Now(), code)));
  return EnterpriseFrom(r);
}

Result<std::vector<Enterprise>> EnterpriseService::All() {
  JIESU_ASSIGN_OR_RETURN(auto records, db_.ListRecords(kEnterprise, std::nullopt));
  std::vector<Enterprise> out;
  for (const auto& r : records) {
    JIESU_ASSIGN_OR_RETURN(Enterprise e, EnterpriseFrom(r));
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<EnterpriseView>> EnterpriseService::List(const Actor& actor,
                                                            const std::string& township,
                                                            const std::string& q) {
  if (actor.role != Role::kOperator && actor.role != Role::kSupervisor &&
      actor.role != Role::kAdmin && actor.role != Role::kHandler) {
    return Status::Forbidden(std::string("role ") + RoleName(actor.role) +
                             " may not read the enterprise registry");
  }
  if (!township.empty() && ref_->units.Find(township) == nullptr) {
    return Status::Invalid("unknown unit '" + township + "'");
  }
  JIESU_ASSIGN_OR_RETURN(auto all, All());
  std::vector<EnterpriseView> out;
  for (auto& e : all) {
    if (!MayRead(actor, e)) continue;
    if (!township.empty() && e.township != township) continue;
    if (!q.empty() && e.name.find(q) == std::string::npos &&
        e.credit_code.find(q) == std::string::npos && e.address.find(q) == std::string::npos) {
      continue;
    }
    JIESU_ASSIGN_OR_RETURN(EnterpriseView v, ViewOf(actor, std::move(e)));
    v.cases.clear();  // counted, not listed
    out.push_back(std::move(v));
  }
  return out;
}

Result<EnterpriseView> EnterpriseService::ViewOf(const Actor& actor, Enterprise e) {
  EnterpriseView v;
  // Its requests as this actor may see them (a handler: those within its unit).
  JIESU_ASSIGN_OR_RETURN(CasePage page, cases_.List(actor, {{"enterprise", std::to_string(e.id)},
                                                            {"limit", "200"}}));
  v.enterprise = std::move(e);
  v.cases = std::move(page.cases);
  v.requests = static_cast<int>(v.cases.size());
  for (const CaseView& c : v.cases) {
    if (domain::IsOpenForUnit(c.c.status)) ++v.open_requests;
  }
  return v;
}

Result<EnterpriseView> EnterpriseService::Get(const Actor& actor, std::int64_t id) {
  JIESU_ASSIGN_OR_RETURN(storage::Record r, db_.GetRecord(kEnterprise, id));
  JIESU_ASSIGN_OR_RETURN(Enterprise e, EnterpriseFrom(r));
  if (!MayRead(actor, e)) {
    return Status::Forbidden("enterprise " + std::to_string(id) + " is outside your unit");
  }
  return ViewOf(actor, std::move(e));
}

Result<CaseView> EnterpriseService::Request(const Actor& actor, std::int64_t id,
                                            NewCaseInput in) {
  if (actor.role != Role::kOperator && actor.role != Role::kAdmin) {
    return Status::Forbidden("only the hotline records an enterprise's requests");
  }
  JIESU_ASSIGN_OR_RETURN(storage::Record r, db_.GetRecord(kEnterprise, id));
  JIESU_ASSIGN_OR_RETURN(Enterprise e, EnterpriseFrom(r));
  if (!in.unit.empty() || (!in.category.empty() && in.category != domain::kEnterpriseRequestCategory)) {
    return Status::Invalid("an enterprise request goes to its service manager's unit under "
                           "category 1205; do not set unit or category");
  }
  in.category = domain::kEnterpriseRequestCategory;
  in.unit = e.manager_unit;
  in.enterprise_id = e.id;
  if (TrimSpace(in.address).empty()) in.address = e.address;
  return cases_.Create(actor, in);
}

}  // namespace jiesu::service
