// EnterpriseService: the service package (服务包) — the enterprise registry (统一社会信用代码 checked
// by GB 32100-2015, one registration per code) with each enterprise's service manager (服务管家),
// and its requests (企业诉求): cases under catalogue entry 1205 sent straight to the manager's
// unit (docs/community.md).
// Rules enforced here: supervisors and admins register enterprises; operators, supervisors and
// admins read every enterprise, a handler those it manages or that lie within its unit;
// operators and admins record requests. Thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "domain/community.hpp"
#include "service/case_service.hpp"
#include "service/reference.hpp"
#include "storage/database.hpp"

namespace jiesu::service {

struct EnterpriseInput {
  std::string name;
  std::string credit_code;
  std::string township;
  std::string address;
  std::string manager_name;
  std::string manager_unit;
};

struct EnterpriseView {
  domain::Enterprise enterprise;
  std::vector<CaseView> cases;  // its requests the actor may see, newest first (the last 200)
  int requests = 0;             // how many `cases` are (List leaves `cases` empty)
  int open_requests = 0;        // of them, those the unit still owes work on
};

class EnterpriseService {
 public:
  EnterpriseService(storage::Database& db, std::shared_ptr<const Reference> ref,
                    CaseService& cases, const Clock& clock)
      : db_(db), ref_(std::move(ref)), cases_(cases), clock_(clock) {}

  // InvalidArgument for a bad code (saying what is wrong), an unknown township or unit, a
  // missing name; Conflict for a code already registered.
  Result<domain::Enterprise> Create(const domain::Actor& actor, const EnterpriseInput& in);
  // Those the actor may read, of `township` when set, whose name, code or address holds `q`.
  Result<std::vector<EnterpriseView>> List(const domain::Actor& actor, const std::string& township,
                                          const std::string& q);
  Result<EnterpriseView> Get(const domain::Actor& actor, std::int64_t id);
  // Records a request of the enterprise: category 1205, the manager's unit, the enterprise's id.
  Result<CaseView> Request(const domain::Actor& actor, std::int64_t id, NewCaseInput in);
  // Every registered enterprise (for the monthly review); no role check.
  Result<std::vector<domain::Enterprise>> All();

 private:
  Result<EnterpriseView> ViewOf(const domain::Actor& actor, domain::Enterprise e);
  bool MayRead(const domain::Actor& actor, const domain::Enterprise& e) const;

  storage::Database& db_;
  std::shared_ptr<const Reference> ref_;
  CaseService& cases_;
  const Clock& clock_;
};

}  // namespace jiesu::service
