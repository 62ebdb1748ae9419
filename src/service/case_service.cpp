#include "service/case_service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "common/utf8.hpp"
#include "common/bigrams.hpp"
#include "domain/community.hpp"

namespace jiesu::service {

using namespace jiesu::domain;

namespace {

constexpr std::size_t kMaxTitleChars = 200;
constexpr std::size_t kMaxTextChars = 5000;
constexpr std::size_t kMaxAddressChars = 500;
constexpr std::size_t kMaxNameChars = 50;
constexpr int kMaxRetries = 5;

// A link, not a fetch: jiesu never downloads it (no server-side requests to citizens' URLs).
Status CheckMediaUrl(const std::string& url) {
  if (url.size() > 2000) return Status::Invalid("media_url is longer than 2000 characters");
  if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) {
    return Status::Invalid("media_url must be an http or https URL");
  }
  for (unsigned char ch : url) {
    if (ch <= ' ' || ch == 0x7f || ch == '"' || ch == '<' || ch == '>') {
      return Status::Invalid("media_url may not contain spaces, quotes or angle brackets");
    }
  }
  return Status::Ok();
}

// The sources of the cases the public may read (MayView): all but inspection findings.
std::vector<CaseSource> PublicSources() {
  return {CaseSource::kHotline, CaseSource::kWeb, CaseSource::kOpen311, CaseSource::kGrid,
          CaseSource::kProactive};
}

CaseSource DefaultSource(Role role) {
  switch (role) {
    case Role::kPublic: return CaseSource::kWeb;
    case Role::kInspector: return CaseSource::kInspection;
    case Role::kHandler: return CaseSource::kGrid;
    default: return CaseSource::kHotline;
  }
}

// Which sources a role may record.
bool SourceAllowed(Role role, CaseSource source) {
  switch (role) {
    case Role::kAdmin:
    case Role::kOperator: return true;
    case Role::kPublic: return source == CaseSource::kWeb || source == CaseSource::kOpen311;
    case Role::kInspector: return source == CaseSource::kInspection;
    case Role::kHandler: return source == CaseSource::kGrid;
    case Role::kSupervisor: return source == CaseSource::kProactive;
    case Role::kResident: return false;  // residents raise things in their building's deliberation
    case Role::kSystem: return true;
  }
  return false;
}

Result<std::int64_t> ParseInt(const std::string& s, const char* field) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) {
    return Status::Invalid(std::string(field) + " must be an integer");
  }
  return v;
}

Result<bool> ParseBool(const std::string& s, const char* field) {
  if (s == "true" || s == "1") return true;
  if (s == "false" || s == "0") return false;
  return Status::Invalid(std::string(field) + " must be true or false");
}

}  // namespace

CaseService::CaseService(storage::Database& db, std::shared_ptr<const Reference> ref,
                         const ContactVault& vault, const dispatch::Router& router,
                         const Config& config, const Clock& clock)
    : db_(db), ref_(std::move(ref)), vault_(vault), router_(router), config_(config),
      clock_(clock) {}

DecideContext CaseService::Context() const {
  DecideContext ctx;
  ctx.now = clock_.Now();
  ctx.units = &ref_->units;
  ctx.catalogue = &ref_->catalogue;
  ctx.calendar = &ref_->calendar;
  return ctx;
}

bool CaseService::MayView(const Actor& actor, const Case& c) const {
  // The public sees neither inspection findings nor enterprises' requests (服务包).
  if (actor.role == Role::kPublic) {
    return c.source != CaseSource::kInspection && !c.enterprise_id;
  }
  if (actor.role == Role::kResident) return false;  // they follow their proposals' cases there
  if (actor.role != Role::kHandler) return true;
  return !c.unit.empty() && ref_->units.IsWithin(c.unit, actor.unit);
}

CaseView CaseService::View(const Actor& actor, Case c, std::optional<Contact> contact) const {
  CaseView v;
  v.overdue = IsOverdue(c, clock_.Now());
  v.actions = AvailableActions(c, actor.role);
  if (actor.role == Role::kHandler) {
    // A handler acts as its unit only on cases within its unit.
    std::erase_if(v.actions, [&](Action a) {
      return IsUnitAction(a) && !ref_->units.IsWithin(c.unit, actor.unit);
    });
  }
  v.contact_masked = !SeesContact(actor.role);
  if (contact && actor.role != Role::kPublic) {
    if (v.contact_masked) {
      contact->name = MaskName(contact->name);
      contact->phone = MaskPhone(contact->phone);
      contact->email = MaskEmail(contact->email);
    }
    v.contact = std::move(contact);
  }
  v.c = std::move(c);
  return v;
}

Result<std::optional<Contact>> CaseService::LoadContact(const Actor& actor, const Case& c) {
  if (!c.has_contact || actor.role == Role::kPublic) return std::optional<Contact>();
  JIESU_ASSIGN_OR_RETURN(auto sealed, db_.GetSealedContact(c.id));
  if (!sealed) return std::optional<Contact>();
  JIESU_ASSIGN_OR_RETURN(Contact contact, vault_.Unseal(*sealed));
  if (SeesContact(actor.role)) {
    storage::AuditEntry entry;
    entry.at = clock_.Now();
    entry.key_id = actor.key_id;
    entry.actor = actor.name + " (" + RoleName(actor.role) + ")";
    entry.action = "read_contact";
    entry.case_id = c.id;
    JIESU_RETURN_IF_ERROR(db_.AppendAudit(entry));
  }
  return std::optional<Contact>(std::move(contact));
}

std::shared_ptr<const BigramSet> CaseService::CaseBigrams(const storage::CaseText& c) {
  // Holds open cases (Act drops a case that ends), bounded at 20,000 (several months of a
  // district's intake) of a few hundred 4-byte bigrams each, some 20 MB at most in practice;
  // dropped wholesale when full.
  constexpr std::size_t kMaxCached = 20000;
  {
    std::lock_guard lock(bigrams_mu_);
    if (auto it = bigrams_.find(c.id); it != bigrams_.end()) return it->second;
  }
  auto computed = std::make_shared<const BigramSet>(Bigrams(c.title + c.text));
  std::lock_guard lock(bigrams_mu_);
  if (bigrams_.size() >= kMaxCached) bigrams_.clear();
  bigrams_.emplace(c.id, computed);
  return computed;
}

std::vector<Duplicate> CaseService::FindDuplicates(const std::string& text,
                                                   const std::string& unit) {
  std::vector<Duplicate> out;
  if (unit.empty()) return out;
  storage::CaseFilter f;
  f.units = ref_->units.Subtree(unit);
  f.created_from = clock_.Now() - std::int64_t{config_.duplicate_window_days} * kSecondsPerDay;
  for (int s = 0; s <= static_cast<int>(CaseStatus::kTransferred); ++s) {
    // A case like one that has ended is a new request, not a duplicate.
    if (!IsTerminal(static_cast<CaseStatus>(s))) f.statuses.push_back(static_cast<CaseStatus>(s));
  }
  f.limit = 500;
  auto recent = db_.ListCaseTexts(f);
  if (!recent.ok()) {
    spdlog::warn("duplicate check skipped: {}", recent.status().ToString());
    return out;
  }
  const auto mine = Bigrams(text);
  for (const storage::CaseText& c : *recent) {
    const double score =
        SimilarityIfAtLeast(mine, *CaseBigrams(c), config_.duplicate_threshold);
    if (score >= config_.duplicate_threshold) out.push_back({c.id, c.title, score});
  }
  std::sort(out.begin(), out.end(),
            [](const Duplicate& a, const Duplicate& b) { return a.score > b.score; });
  if (out.size() > 5) out.resize(5);
  return out;
}

Result<CheckedCase> CheckNewCase(const Actor& actor, const NewCaseInput& in, const Reference& ref) {
  CheckedCase out;
  JIESU_ASSIGN_OR_RETURN(out.type, ParseCaseType(in.type));
  CaseSource& source = out.source;
  source = DefaultSource(actor.role);
  if (!in.source.empty()) {
    JIESU_ASSIGN_OR_RETURN(source, ParseCaseSource(in.source));
  }
  if (!SourceAllowed(actor.role, source)) {
    return Status::Forbidden(std::string("role ") + RoleName(actor.role) +
                             " may not record cases from source " + CaseSourceName(source));
  }
  const bool finding = source == CaseSource::kInspection;
  if (finding && !(in.inspection_id && in.due && !in.unit.empty())) {
    return Status::Forbidden("record inspection findings through POST "
                             "/api/v1/inspections/{id}/findings");
  }
  if (!finding && (in.inspection_id || in.due)) {
    return Status::Invalid("only inspection findings carry a round and a deadline");
  }
  if (in.enterprise_id && !(in.category == domain::kEnterpriseRequestCategory && !in.unit.empty())) {
    return Status::Invalid("an enterprise request goes to its manager's unit under category 1205");
  }
  if (in.proposal_id && source != CaseSource::kProactive) {
    return Status::Invalid("a case agreed in a building's deliberation has source proactive");
  }
  JIESU_ASSIGN_OR_RETURN(out.urgency, ParseUrgency(in.urgency));
  const std::string text(TrimSpace(in.text));
  if (text.empty()) return Status::Invalid("text is required");
  JIESU_RETURN_IF_ERROR(CheckText(text, "text", kMaxTextChars));
  std::string title(TrimSpace(in.title));
  JIESU_RETURN_IF_ERROR(CheckText(title, "title", kMaxTitleChars));
  if (title.empty()) title = std::string(Utf8Prefix(text, 30));
  const std::string address(TrimSpace(in.address));
  JIESU_RETURN_IF_ERROR(CheckText(address, "address", kMaxAddressChars));
  if (in.lat && (!std::isfinite(*in.lat) || *in.lat < -90 || *in.lat > 90)) {
    return Status::Invalid("lat must be between -90 and 90");
  }
  if (in.lon && (!std::isfinite(*in.lon) || *in.lon < -180 || *in.lon > 180)) {
    return Status::Invalid("lon must be between -180 and 180");
  }
  if (in.lat.has_value() != in.lon.has_value()) return Status::Invalid("give both lat and lon");
  const std::string media_url(TrimSpace(in.media_url));
  if (!media_url.empty()) JIESU_RETURN_IF_ERROR(CheckMediaUrl(media_url));
  if (!in.category.empty() && ref.catalogue.Find(in.category) == nullptr) {
    return Status::Invalid("unknown category '" + in.category + "'");
  }
  if (!in.unit.empty()) {
    if (ref.units.Find(in.unit) == nullptr) return Status::Invalid("unknown unit '" + in.unit + "'");
    const bool may_dispatch = RoleMayAct(actor.role, Action::kDispatch) ||
                              (actor.role == Role::kHandler &&
                               ref.units.IsWithin(in.unit, actor.unit)) ||
                              actor.role == Role::kInspector;
    if (!may_dispatch) {
      return Status::Forbidden(std::string("role ") + RoleName(actor.role) +
                               " may not choose the handling unit");
    }
  }
  std::optional<Contact>& caller = out.caller;
  if (in.caller && !in.anonymous) {
    caller = in.caller;
    caller->name = std::string(TrimSpace(caller->name));
    JIESU_RETURN_IF_ERROR(CheckText(caller->name, "caller.name", kMaxNameChars));
    if (!caller->phone.empty()) JIESU_RETURN_IF_ERROR(ValidatePhone(caller->phone));
    caller->email = std::string(TrimSpace(caller->email));
    if (!caller->email.empty()) JIESU_RETURN_IF_ERROR(ValidateEmail(caller->email));
    if (caller->name.empty() && caller->phone.empty() && caller->email.empty()) caller.reset();
  }
  out.text = text;
  out.title = std::move(title);
  out.address = address;
  out.media_url = media_url;
  return out;
}

bool CaseService::AutoDispatches(const dispatch::Proposal& p, CaseType type,
                                 Urgency urgency) const {
  // A 咨询 waits for the operator, who usually answers it at once; an emergency is transferred.
  return p.unit && p.confidence >= config_.auto_dispatch_threshold && type != CaseType::kConsult &&
         urgency != Urgency::kEmergency;
}

Result<DispatchInfo> CaseService::Preview(const Actor& actor, const NewCaseInput& in) {
  if (actor.role != Role::kOperator && actor.role != Role::kAdmin) {
    return Status::Forbidden("only the hotline previews dispatch");
  }
  JIESU_ASSIGN_OR_RETURN(CheckedCase checked, CheckNewCase(actor, in, *ref_));
  DispatchInfo info;
  info.proposal = router_.Propose(checked.title, checked.text, checked.address, in.category);
  info.automatic = AutoDispatches(info.proposal, checked.type, checked.urgency);
  info.duplicates = FindDuplicates(checked.title + checked.text,
                                   info.proposal.unit ? info.proposal.unit->code : "");
  return info;
}

Result<CaseView> CaseService::Create(const Actor& actor, const NewCaseInput& in) {
  JIESU_ASSIGN_OR_RETURN(CheckedCase checked, CheckNewCase(actor, in, *ref_));
  const CaseType type = checked.type;
  const CaseSource source = checked.source;
  const Urgency urgency = checked.urgency;
  const std::string& text = checked.text;
  const std::string& title = checked.title;
  const std::string& address = checked.address;
  const std::string& media_url = checked.media_url;
  const std::optional<Contact>& caller = checked.caller;

  DispatchInfo info;
  info.proposal = router_.Propose(title, text, address, in.category);

  const DecideContext ctx = Context();
  CaseEvent created;
  created.seq = 1;
  created.at = ctx.now;
  created.kind = EventKind::kCreated;
  created.actor_role = actor.role;
  created.actor_unit = actor.unit;
  created.actor_name = actor.name;
  created.payload = {{"type", CaseTypeName(type)},
                     {"source", CaseSourceName(source)},
                     {"urgency", UrgencyName(urgency)},
                     {"title", title},
                     {"text", text},
                     {"address", address},
                     {"category", in.category.empty() && info.proposal.category
                                      ? info.proposal.category->code
                                      : in.category},
                     {"anonymous", in.anonymous},
                     {"has_contact", caller.has_value()}};
  if (in.lat) {
    created.payload["lat"] = *in.lat;
    created.payload["lon"] = *in.lon;
  }
  if (in.inspection_id) created.payload["inspection_id"] = *in.inspection_id;
  if (in.enterprise_id) created.payload["enterprise_id"] = *in.enterprise_id;
  if (in.proposal_id) created.payload["proposal_id"] = *in.proposal_id;
  if (!media_url.empty()) created.payload["media_url"] = media_url;
  if (!info.proposal.place.empty()) created.payload["place"] = info.proposal.place;

  storage::NewCase nc;
  nc.events.push_back(created);
  Case draft = Fold(nc.events);

  // Dispatch now: to the unit the operator named, or to the router's choice when confident.
  Command dispatch;
  dispatch.action = Action::kDispatch;
  Actor dispatcher = actor;
  if (!in.unit.empty()) {
    dispatch.unit = in.unit;
    dispatch.category = draft.category;
    dispatch.due = in.due;
    // The dispatch block reports what was done: the named unit, not the router's guess.
    info.proposal.unit = dispatch::Choice{in.unit, ref_->units.Find(in.unit)->name, 1.0};
    info.proposal.reason = "指定承办单位";
    if (const Category* cat = ref_->catalogue.Find(draft.category)) {
      info.proposal.category = dispatch::Choice{cat->code, cat->name,
                                                in.category.empty() && info.proposal.category
                                                    ? info.proposal.category->confidence
                                                    : 1.0};
    }
    info.proposal.confidence = info.proposal.category ? info.proposal.category->confidence : 1.0;
    if (actor.role != Role::kOperator && actor.role != Role::kAdmin) {
      dispatcher = Actor{Role::kSystem, "", "jiesu", 0};  // on behalf of a grid/inspection report
    }
  } else if (AutoDispatches(info.proposal, type, urgency)) {
    dispatch.unit = info.proposal.unit->code;
    dispatch.category = draft.category;
    dispatch.automatic = true;
    dispatch.confidence = info.proposal.confidence;
    dispatcher = Actor{Role::kSystem, "", "jiesu router", 0};
    info.automatic = true;
  }
  if (!dispatch.unit.empty()) {
    JIESU_ASSIGN_OR_RETURN(auto events, Decide(draft, dispatch, dispatcher, ctx));
    nc.events.insert(nc.events.end(), events.begin(), events.end());
  }
  info.duplicates = FindDuplicates(title + text, info.proposal.unit ? info.proposal.unit->code : "");
  if (caller) nc.sealed_contact = vault_.Seal(*caller);

  JIESU_ASSIGN_OR_RETURN(auto stored, db_.CreateCases({std::move(nc)}));
  CaseView v = View(actor, std::move(stored.front()), caller);
  v.dispatch = std::move(info);
  return v;
}

Result<CaseView> CaseService::Get(const Actor& actor, std::int64_t id) {
  JIESU_ASSIGN_OR_RETURN(Case c, db_.GetCase(id));
  if (!MayView(actor, c)) {
    if (actor.role == Role::kPublic) return Status::NotFound("no case " + std::to_string(id));
    return Status::Forbidden("case " + std::to_string(id) + " is outside your unit");
  }
  JIESU_ASSIGN_OR_RETURN(auto contact, LoadContact(actor, c));
  JIESU_ASSIGN_OR_RETURN(auto events, db_.GetEvents(id));
  CaseView v = View(actor, std::move(c), std::move(contact));
  v.events = std::move(events);
  return v;
}

Result<storage::CaseFilter> CaseFilterFromQuery(const Actor& actor,
                                                const std::map<std::string, std::string>& q,
                                                const Reference& ref, int limit_max, Timestamp now) {
  static const std::set<std::string> kKnown = {"unit",  "status", "category", "type",
                                               "from",  "to",     "q",        "overdue",
                                               "limit", "cursor", "supervised",
                                               "enterprise", "source"};
  for (const auto& [key, value] : q) {
    if (!kKnown.count(key)) return Status::Invalid("unknown query parameter '" + key + "'");
  }
  const auto get = [&](const char* key) {
    const auto it = q.find(key);
    return it == q.end() ? std::string() : it->second;
  };
  if (actor.role == Role::kResident) {
    return Status::Forbidden("a resident follows its building's proposals, not the case list");
  }
  storage::CaseFilter f;
  f.now = now;
  std::string scope = actor.role == Role::kHandler ? actor.unit : "";
  if (const std::string unit = get("unit"); !unit.empty()) {
    if (ref.units.Find(unit) == nullptr) return Status::Invalid("unknown unit '" + unit + "'");
    if (!scope.empty() && !ref.units.IsWithin(unit, scope)) {
      return Status::Forbidden("unit " + unit + " is outside your unit");
    }
    scope = unit;
  }
  if (!scope.empty()) f.units = ref.units.Subtree(scope);
  if (actor.role == Role::kPublic) {
    f.sources = PublicSources();
    f.enterprise_request = false;
  }
  // status and source take one value or several, comma-separated (status=dispatched,accepted).
  const auto each = [](const std::string& list, const auto& parse, auto& out) -> Status {
    std::size_t at = 0;
    while (at <= list.size()) {
      const std::size_t end = std::min(list.find(',', at), list.size());
      JIESU_ASSIGN_OR_RETURN(auto value, parse(TrimSpace(std::string_view(list).substr(at, end - at))));
      out.push_back(value);
      at = end + 1;
    }
    return Status::Ok();
  };
  if (const std::string s = get("status"); !s.empty()) {
    JIESU_RETURN_IF_ERROR(each(s, ParseCaseStatus, f.statuses));
  }
  if (const std::string s = get("source"); !s.empty()) {
    std::vector<CaseSource> asked;
    JIESU_RETURN_IF_ERROR(each(s, ParseCaseSource, asked));
    if (actor.role == Role::kPublic) {
      for (CaseSource source : asked) {
        if (std::find(f.sources.begin(), f.sources.end(), source) == f.sources.end()) {
          return Status::Forbidden(std::string("the public does not read cases from source ") +
                                   CaseSourceName(source));
        }
      }
    }
    f.sources = std::move(asked);
  }
  if (const std::string s = get("type"); !s.empty()) {
    JIESU_ASSIGN_OR_RETURN(f.type, ParseCaseType(s));
  }
  if (const std::string s = get("category"); !s.empty()) {
    if (ref.catalogue.Find(s) == nullptr) return Status::Invalid("unknown category '" + s + "'");
    for (const auto& c : ref.catalogue.All()) {
      if (c.code == s || c.parent == s) f.categories.push_back(c.code);
    }
  }
  if (const std::string s = get("from"); !s.empty()) {
    JIESU_ASSIGN_OR_RETURN(f.created_from, ParseTime(s));
  }
  if (const std::string s = get("to"); !s.empty()) {
    JIESU_ASSIGN_OR_RETURN(f.created_to, ParseTime(s));
  }
  f.query = std::string(TrimSpace(get("q")));
  JIESU_RETURN_IF_ERROR(CheckText(f.query, "q", 100));
  if (const std::string s = get("overdue"); !s.empty()) {
    JIESU_ASSIGN_OR_RETURN(f.overdue, ParseBool(s, "overdue"));
  }
  if (const std::string s = get("supervised"); !s.empty()) {
    JIESU_ASSIGN_OR_RETURN(f.supervised, ParseBool(s, "supervised"));
  }
  if (const std::string s = get("limit"); !s.empty()) {
    JIESU_ASSIGN_OR_RETURN(auto limit, ParseInt(s, "limit"));
    if (limit < 1 || limit > limit_max) {
      return Status::Invalid("limit must be between 1 and " +
                             std::to_string(limit_max));
    }
    f.limit = static_cast<int>(limit);
  }
  if (const std::string s = get("enterprise"); !s.empty()) {
    if (actor.role == Role::kPublic) {
      return Status::Forbidden("enterprises' requests are not public");
    }
    JIESU_ASSIGN_OR_RETURN(f.enterprise_id, ParseInt(s, "enterprise"));
  }
  if (const std::string s = get("cursor"); !s.empty()) {
    JIESU_ASSIGN_OR_RETURN(auto cursor, ParseInt(s, "cursor"));
    if (cursor < 1) return Status::Invalid("cursor must be positive");
    f.before_id = cursor;
  }
  return f;
}

Result<CasePage> CaseService::List(const Actor& actor,
                                   const std::map<std::string, std::string>& q) {
  JIESU_ASSIGN_OR_RETURN(storage::CaseFilter f,
                         CaseFilterFromQuery(actor, q, *ref_, config_.list_limit_max, clock_.Now()));
  const int limit = f.limit;
  f.limit = limit + 1;  // one more tells whether there is a next page
  JIESU_ASSIGN_OR_RETURN(auto cases, db_.ListCases(f));
  CasePage page;
  if (static_cast<int>(cases.size()) > limit) {
    cases.resize(limit);
    page.next_cursor = cases.back().id;
  }
  for (Case& c : cases) {
    // Lists never carry contact: an operator opens the case to see it (and that read is audited).
    page.cases.push_back(View(actor, std::move(c), std::nullopt));
  }
  return page;
}

Result<std::vector<CaseView>> CaseService::ListPublic(const PublicQuery& q) {
  storage::CaseFilter f;
  f.now = clock_.Now();
  f.ids = q.ids;
  f.categories = q.categories;
  f.created_from = q.from;
  f.created_to = q.to;
  f.limit = q.limit;
  f.sources = PublicSources();
  f.enterprise_request = false;
  if (q.settled) {
    for (int s = 0; s <= static_cast<int>(CaseStatus::kTransferred); ++s) {
      if (IsSettled(static_cast<CaseStatus>(s)) == *q.settled) {
        f.statuses.push_back(static_cast<CaseStatus>(s));
      }
    }
  }
  JIESU_ASSIGN_OR_RETURN(auto cases, db_.ListCases(f));
  const Actor anyone{Role::kPublic, "", "public", 0};
  std::vector<CaseView> out;
  for (Case& c : cases) out.push_back(View(anyone, std::move(c), std::nullopt));
  return out;
}

Result<CaseView> CaseService::Act(const Actor& actor, std::int64_t id, const Command& cmd) {
  for (int attempt = 0;; ++attempt) {
    JIESU_ASSIGN_OR_RETURN(Case c, db_.GetCase(id));
    if (!MayView(actor, c) ||
        (actor.role == Role::kHandler && IsUnitAction(cmd.action) &&
         !ref_->units.IsWithin(c.unit, actor.unit))) {
      return Status::Forbidden("case " + std::to_string(id) + " is outside your unit");
    }
    DecideContext ctx = Context();
    std::optional<Case> target;
    if (cmd.action == Action::kMerge && cmd.into && *cmd.into != id) {
      auto t = db_.GetCase(*cmd.into);
      if (!t.ok() && t.status().code() != StatusCode::kNotFound) return t.status();
      if (t.ok()) target = std::move(*t);
      ctx.merge_target = target ? &*target : nullptr;
    }
    JIESU_ASSIGN_OR_RETURN(auto events, Decide(c, cmd, actor, ctx));
    auto stored = db_.AppendEvents(id, c.version, std::move(events));
    if (stored.ok()) {
      if (IsTerminal(stored->status)) {  // the duplicate check compares open cases only
        std::lock_guard lock(bigrams_mu_);
        bigrams_.erase(id);
      }
      JIESU_ASSIGN_OR_RETURN(auto contact, LoadContact(actor, *stored));
      return View(actor, std::move(*stored), std::move(contact));
    }
    if (stored.status().code() != StatusCode::kConflict || attempt + 1 >= kMaxRetries) {
      return stored.status();
    }
  }
}

Result<int> CaseService::SuperviseOverdue() {
  storage::CaseFilter f;
  f.now = clock_.Now();
  f.overdue = true;
  f.supervised = false;
  f.limit = 1000;
  JIESU_ASSIGN_OR_RETURN(auto cases, db_.ListCases(f));
  const Actor system{Role::kSystem, "", "jiesu 督办", 0};
  int flagged = 0;
  for (const Case& c : cases) {
    if (!IsOpenForUnit(c.status)) continue;
    Command cmd;
    cmd.action = Action::kSupervise;
    cmd.note = "超期自动督办: 办理时限 " + FormatTime(c.due.value_or(0));
    auto events = Decide(c, cmd, system, Context());
    if (!events.ok()) continue;
    auto stored = db_.AppendEvents(c.id, c.version, std::move(*events));
    if (stored.ok()) ++flagged;
  }
  return flagged;
}

}  // namespace jiesu::service
