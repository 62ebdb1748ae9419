#include "storage/rows.hpp"

#include "common/assert.hpp"

namespace jiesu::storage {

using namespace jiesu::domain;
using nlohmann::json;

std::string JoinList(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : "|") + s;
  return out;
}

std::vector<std::string> SplitList(const std::string& joined) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= joined.size() && !joined.empty()) {
    const auto bar = joined.find('|', start);
    out.push_back(joined.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  return out;
}

namespace {

ColumnValue Int(std::int64_t v) { return {ColumnValue::Kind::kInt, v, {}}; }
ColumnValue Text(std::string v) { return {ColumnValue::Kind::kText, 0, std::move(v)}; }
template <typename T>
ColumnValue Opt(const std::optional<T>& v) {
  return v ? Int(static_cast<std::int64_t>(*v)) : ColumnValue{};
}

}  // namespace

std::vector<ColumnValue> CaseRowValues(const Case& folded) {
  return {Int(folded.version),
          Text(CaseStatusName(folded.status)),
          Text(CaseTypeName(folded.type)),
          Text(CaseSourceName(folded.source)),
          Text(folded.unit),
          Text(folded.category),
          Text(folded.title),
          Text(folded.text),
          Text(folded.address),
          Int(folded.created_at),
          Int(folded.updated_at),
          Opt(folded.dispatched_at),
          Opt(folded.replied_at),
          Opt(folded.due),
          Opt(folded.merged_into),
          Text(CaseToDoc(folded).dump()),
          Int(folded.id)};
}

std::vector<ColumnValue> EventRowValues(const CaseEvent& e, const std::string& unit) {
  return {Int(e.case_id),     Int(e.seq),        Int(e.at),
          Text(EventKindName(e.kind)), Text(RoleName(e.actor_role)), Text(e.actor_unit),
          Text(e.actor_name), Text(unit),        Text(e.payload.dump())};
}

const char* HandlingName(Handling handling) {
  return handling == Handling::kDepartment ? "department" : "township";
}

FoldedWrite FoldNewCase(std::int64_t id, std::vector<CaseEvent>& events) {
  JIESU_ASSERT(!events.empty() && events[0].kind == EventKind::kCreated);
  FoldedWrite out;
  for (std::size_t i = 0; i < events.size(); ++i) {
    events[i].case_id = id;
    events[i].seq = static_cast<int>(i + 1);
    Apply(out.folded, events[i]);
    out.units_after.push_back(out.folded.unit);
  }
  return out;
}

FoldedWrite FoldAppend(Case current, std::int64_t case_id, std::vector<CaseEvent>& events) {
  FoldedWrite out{std::move(current), {}};
  for (CaseEvent& e : events) {
    e.case_id = case_id;
    e.seq = out.folded.version + 1;
    Apply(out.folded, e);
    out.units_after.push_back(out.folded.unit);
  }
  return out;
}

std::string DispatchedCaseColumns(const std::string& accepted_at, const std::string& response_due,
                                  bool with_texts) {
  return std::string("id, status, source, unit, category, ") +
         (with_texts ? "title, text" : "'', ''") + ", dispatched_at, " + accepted_at + ", " +
         response_due + ", replied_at, due, merged_into";
}

Status CaseNotFound(std::int64_t id) {
  return Status::NotFound("case " + std::to_string(id) + " not found");
}

Status CaseIdTaken(std::int64_t id) {
  return Status::Conflict("case " + std::to_string(id) + " exists already");
}

Status StaleVersion(std::int64_t id) {
  return Status::Conflict("case " + std::to_string(id) +
                          " was changed by someone else; reload and try again");
}

std::string SubstringPattern(const std::string& query) {
  std::string pattern = "%";
  for (char ch : query) {
    if (ch == '%' || ch == '_' || ch == '\\') pattern += '\\';
    pattern += ch;
  }
  return pattern + "%";
}

Result<Case> CaseFromDocText(const std::string& text) {
  const json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) return Status::Internal("corrupt case row");
  return CaseFromDoc(doc);
}

Role StoredRole(const std::string& name) {
  auto role = ParseRole(name);
  return role.ok() ? *role : Role::kSystem;
}

bool ParseInspectionLists(const std::string& units, const std::string& revisit_of,
                          Inspection& round) {
  const json u = json::parse(units, nullptr, false);
  const json r = json::parse(revisit_of, nullptr, false);
  if (!u.is_array() || !r.is_array()) return false;
  for (const auto& code : u) {
    if (!code.is_string()) return false;
    round.units.push_back(code.get<std::string>());
  }
  for (const auto& id : r) {
    if (!id.is_number_integer()) return false;
    round.revisit_of.push_back(id.get<std::int64_t>());
  }
  return true;
}

Status RecordNotFound(const std::string& kind, std::int64_t id) {
  return Status::NotFound(kind + " " + std::to_string(id) + " not found");
}

Status StaleRecord(const std::string& kind, std::int64_t id) {
  return Status::Conflict(kind + " " + std::to_string(id) +
                          " was changed by someone else; read it again and retry");
}

Status LookupTaken(const std::string& kind, const std::string& lookup) {
  return Status::Conflict(kind + " " + lookup + " is already registered");
}

}  // namespace jiesu::storage
