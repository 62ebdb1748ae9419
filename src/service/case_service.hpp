// CaseService: the use cases on cases — intake (with routing and duplicate check), reading with
// role and unit scope, listing, and workflow actions. The HTTP and CLI layers call only this.
// Rules enforced here and nowhere else: who may see which case (a handler only its unit's
// subtree), who sees caller contact unmasked (operators and admins; each such read is audited),
// and optimistic concurrency (a concurrent change makes it re-read and decide again).
// Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.hpp"
#include "common/bigrams.hpp"
#include "dispatch/router.hpp"
#include "domain/workflow.hpp"
#include "service/config.hpp"
#include "service/contact_vault.hpp"
#include "service/reference.hpp"
#include "storage/database.hpp"

namespace jiesu::service {

struct NewCaseInput {
  std::string type;  // consult|help|complaint|report|suggestion or 咨询|求助|投诉|举报|建议
  std::string title;
  std::string text;
  std::string address;
  std::optional<double> lat;
  std::optional<double> lon;
  std::string source;  // default by role: hotline (operator), web (public), inspection, grid
  std::string category;
  std::string unit;
  std::string urgency;
  std::string media_url;  // http(s) link to a picture or recording (Open311); not fetched
  std::optional<Contact> caller;
  bool anonymous = false;
  // Inspection findings only (set by InspectionService): the round and the rectification deadline.
  std::optional<std::int64_t> inspection_id;
  std::optional<Timestamp> due;
  // Set by EnterpriseService (a 企业诉求, with category 1205 and the manager's unit) and by
  // BuildingService (an agreed proposal, source proactive); never from a request's body.
  std::optional<std::int64_t> enterprise_id;
  std::optional<std::int64_t> proposal_id;
};

struct Duplicate {
  std::int64_t id = 0;
  std::string title;
  double score = 0;
};

struct DispatchInfo {
  dispatch::Proposal proposal;
  bool automatic = false;
  std::vector<Duplicate> duplicates;
};

// A case as one actor may see it.
struct CaseView {
  domain::Case c;
  std::optional<Contact> contact;  // masked unless the actor may see it
  bool contact_masked = true;
  bool overdue = false;
  std::vector<domain::Action> actions;       // what this actor could do now
  std::vector<domain::CaseEvent> events;     // filled by Get
  std::optional<DispatchInfo> dispatch;      // filled by Create
};

// The public reads (Open311 GET requests): what anyone may see, without a key.
struct PublicQuery {
  std::vector<std::int64_t> ids;        // empty = any
  std::vector<std::string> categories;  // empty = any
  std::optional<Timestamp> from;        // created at or after
  std::optional<Timestamp> to;          // created before
  std::optional<bool> settled;          // domain::IsSettled (Open311 closed) or not; empty = any
  int limit = 1000;
};

struct CasePage {
  std::vector<CaseView> cases;
  std::optional<std::int64_t> next_cursor;
};

// A new case's input as CaseService::Create reads it, before anything is stored: the parsed type,
// source and urgency, text, title (the text's start when none), address and media link trimmed,
// and the caller's contact (none when anonymous or all empty).
struct CheckedCase {
  domain::CaseType type = domain::CaseType::kHelp;
  domain::CaseSource source = domain::CaseSource::kHotline;
  domain::Urgency urgency = domain::Urgency::kNormal;
  std::string title;
  std::string text;
  std::string address;
  std::string media_url;
  std::optional<Contact> caller;
};

// The checks of CaseService::Create that need neither the database nor the router (also what the
// fuzzer drives, fuzz/case_body_fuzz.cpp): InvalidArgument for a bad or missing value, Forbidden
// when the role may not record cases from that source, record a finding this way or choose the
// unit.
Result<CheckedCase> CheckNewCase(const domain::Actor& actor, const NewCaseInput& in,
                                 const Reference& ref);

// The filter a case list's query parameters (DESIGN §6.3: unit, status, category, type, from, to,
// q, overdue, supervised, limit, cursor, enterprise, source; status and source comma-separated lists) ask for, within the actor's scope, evaluated at `now`.
// InvalidArgument for an unknown parameter or a bad value (a limit outside 1..`limit_max`),
// Forbidden for a unit outside a handler's. Pure (fuzz/list_query_fuzz.cpp).
Result<storage::CaseFilter> CaseFilterFromQuery(const domain::Actor& actor,
                                                const std::map<std::string, std::string>& query,
                                                const Reference& ref, int limit_max, Timestamp now);

class CaseService {
 public:
  CaseService(storage::Database& db, std::shared_ptr<const Reference> ref,
              const ContactVault& vault, const dispatch::Router& router, const Config& config,
              const Clock& clock);

  // Records a case, proposes category and unit, dispatches when the operator named the unit or
  // the router is confident enough. Fails with InvalidArgument on bad input, Forbidden when the
  // role may not create cases or set what it set.
  Result<CaseView> Create(const domain::Actor& actor, const NewCaseInput& input);
  // What Create would propose for this input, stored nowhere: the category, unit, confidence,
  // whether it would be dispatched at once, and possible duplicates (the intake form asks as the
  // text is typed). Operator and admin; the same checks as Create.
  Result<DispatchInfo> Preview(const domain::Actor& actor, const NewCaseInput& in);
  // NotFound, or Forbidden outside a handler's unit.
  Result<CaseView> Get(const domain::Actor& actor, std::int64_t id);
  // Query parameters as in DESIGN §6.3 (unit, status, category, type, from, to, q, overdue,
  // supervised, limit, cursor); InvalidArgument on a bad value.
  Result<CasePage> List(const domain::Actor& actor, const std::map<std::string, std::string>& query);
  // Cases as the public sees them, newest first: never inspection findings or enterprises'
  // requests, never contact.
  Result<std::vector<CaseView>> ListPublic(const PublicQuery& query);
  // Performs a workflow action. Conflict for a transition the table refuses, Forbidden for the
  // wrong role or unit, InvalidArgument for missing arguments, NotFound for no such case.
  Result<CaseView> Act(const domain::Actor& actor, std::int64_t id, const domain::Command& cmd);
  // 督办: flags every overdue case not yet supervised, as the system. Returns how many.
  Result<int> SuperviseOverdue();

 private:
  // The one rule for dispatching a new case without the operator.
  bool AutoDispatches(const dispatch::Proposal& p, domain::CaseType type,
                      domain::Urgency urgency) const;
  // A handler sees its unit's subtree; the public never sees inspection findings or enterprises'
  // requests; a resident no case.
  bool MayView(const domain::Actor& actor, const domain::Case& c) const;
  CaseView View(const domain::Actor& actor, domain::Case c, std::optional<Contact> contact) const;
  Result<std::optional<Contact>> LoadContact(const domain::Actor& actor, const domain::Case& c);
  std::vector<Duplicate> FindDuplicates(const std::string& text, const std::string& unit);
  domain::DecideContext Context() const;
  // The character bigrams of a case's title and text (fixed at creation), computed once.
  std::shared_ptr<const BigramSet> CaseBigrams(const storage::CaseText& c);

  storage::Database& db_;
  std::shared_ptr<const Reference> ref_;
  const ContactVault& vault_;
  const dispatch::Router& router_;
  const Config& config_;
  const Clock& clock_;

  std::mutex bigrams_mu_;
  std::unordered_map<std::int64_t, std::shared_ptr<const BigramSet>> bigrams_;
};

}  // namespace jiesu::service
