// Rows: the SQL-independent half of every backend, so that SQLite and PostgreSQL store and read
// the same columns the same way: the column lists, how each row becomes a domain value (templates
// over the backend's row accessor), the '|'-joined lists, and the fold that turns a write's events
// into the case row. Pure functions; thread-safe.
//
// A backend row accessor `Row` has, for 0-based column `col`:
//   std::string Text(int col) const;  std::int64_t Int(int col) const;  bool IsNull(int col) const;
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "domain/case.hpp"
#include "domain/case_event.hpp"
#include "domain/category.hpp"
#include "domain/inspection.hpp"
#include "domain/unit.hpp"
#include "storage/case_codec.hpp"
#include "storage/database.hpp"

namespace jiesu::storage {

// Column lists in the order the *FromRow functions read them.
inline constexpr const char* kUnitColumns = "code, name, short_name, aliases, level, parent";
inline constexpr const char* kCategoryColumns =
    "code, name, parent, handling, department, response_hours, time_limit, keywords";
inline constexpr const char* kEventColumns =
    "case_id, seq, at, kind, actor_role, actor_unit, actor_name, payload";
inline constexpr const char* kInspectionColumns =
    "id, name, units, starts, ends, revisit_of, created_at, created_by";
inline constexpr const char* kKeyColumns =
    "id, prefix, hash, role, unit, name, created_at, revoked_at";
inline constexpr const char* kAuditColumns = "id, at, key_id, actor, action, case_id, detail";
// The folded case row as written by both backends; `doc` is CaseToDoc, the rest are its columns
// for filtering (CaseRowValues gives them in this order, id last).
inline constexpr const char* kCaseRowColumns =
    "version, status, type, source, unit, category, title, text, address, created_at, "
    "updated_at, dispatched_at, replied_at, due, merged_into, doc, id";
inline constexpr const char* kEventInsertColumns =
    "case_id, seq, at, kind, actor_role, actor_unit, actor_name, unit, payload";
inline constexpr int kEventInsertColumnCount = 9;

// '|'-joined lists (unit aliases, category keywords).
std::string JoinList(const std::vector<std::string>& items);
std::vector<std::string> SplitList(const std::string& joined);

// One column value of a row to write: an integer, a text, or NULL.
struct ColumnValue {
  enum class Kind { kInt, kText, kNull } kind = Kind::kNull;
  std::int64_t number = 0;
  std::string text;
};
// The values of kCaseRowColumns for a folded case, in that order.
std::vector<ColumnValue> CaseRowValues(const domain::Case& folded);
// The values of kEventInsertColumns for an event and the case's unit after it.
std::vector<ColumnValue> EventRowValues(const domain::CaseEvent& event, const std::string& unit);
// A category's handling as stored ("department" | "township").
const char* HandlingName(domain::Handling handling);

// A write's events folded: the case after them, and its responsible unit after each event (the
// `unit` column of case_events, read by EventsBetween).
struct FoldedWrite {
  domain::Case folded;
  std::vector<std::string> units_after;
};
// Numbers a new case's events 1, 2, … under `id` and folds them. The first must be `created`.
FoldedWrite FoldNewCase(std::int64_t id, std::vector<domain::CaseEvent>& events);
// Numbers `events` after `current`'s version and folds them into it.
FoldedWrite FoldAppend(domain::Case current, std::int64_t case_id,
                       std::vector<domain::CaseEvent>& events);

// The failures both backends report in the same words.
Status CaseNotFound(std::int64_t id);
Status CaseIdTaken(std::int64_t id);    // an imported case whose id is in use
Status StaleVersion(std::int64_t id);   // AppendEvents with an expected_version that is not current

// The "%…%" LIKE pattern that finds `query` as a substring, its % _ and \ escaped with '\'.
std::string SubstringPattern(const std::string& query);

// A stored case document back to a Case; Internal when it is not one this store wrote.
Result<domain::Case> CaseFromDocText(const std::string& text);
// The stored role name back to a Role (an unknown one reads as system, as before).
domain::Role StoredRole(const std::string& name);
// Inspection round's JSON arrays back to values; false when they are not arrays of the type.
bool ParseInspectionLists(const std::string& units, const std::string& revisit_of,
                          domain::Inspection& round);

template <typename Row>
Result<domain::Unit> UnitFromRow(const Row& row) {
  domain::Unit u;
  u.code = row.Text(0);
  u.name = row.Text(1);
  u.short_name = row.Text(2);
  u.aliases = SplitList(row.Text(3));
  auto level = domain::ParseUnitLevel(row.Text(4));
  if (!level.ok()) return Status::Internal("corrupt unit level");
  u.level = *level;
  u.parent = row.Text(5);
  return u;
}

template <typename Row>
Result<domain::Category> CategoryFromRow(const Row& row) {
  domain::Category c;
  c.code = row.Text(0);
  c.name = row.Text(1);
  c.parent = row.Text(2);
  c.handling =
      row.Text(3) == "department" ? domain::Handling::kDepartment : domain::Handling::kTownship;
  c.department = row.Text(4);
  c.response_hours = static_cast<int>(row.Int(5));
  auto limit = domain::ParseTimeLimit(row.Text(6));
  if (!limit.ok()) return Status::Internal("corrupt category limit");
  c.limit = *limit;
  c.keywords = SplitList(row.Text(7));
  return c;
}

// kEventColumns from column 0.
template <typename Row>
Result<domain::CaseEvent> EventFromRow(const Row& row) {
  domain::CaseEvent e;
  e.case_id = row.Int(0);
  e.seq = static_cast<int>(row.Int(1));
  e.at = row.Int(2);
  auto kind = domain::ParseEventKind(row.Text(3));
  if (!kind.ok()) return Status::Internal("corrupt event kind");
  e.kind = *kind;
  e.actor_role = StoredRole(row.Text(4));
  e.actor_unit = row.Text(5);
  e.actor_name = row.Text(6);
  e.payload = nlohmann::json::parse(row.Text(7), nullptr, false);
  if (e.payload.is_discarded()) return Status::Internal("corrupt event payload");
  return e;
}

template <typename Row>
Result<domain::Inspection> InspectionFromRow(const Row& row) {
  domain::Inspection r;
  r.id = row.Int(0);
  r.name = row.Text(1);
  if (!ParseInspectionLists(row.Text(2), row.Text(5), r)) {
    return Status::Internal("corrupt inspection row");
  }
  r.starts = row.Int(3);
  if (!row.IsNull(4)) r.ends = row.Int(4);
  r.created_at = row.Int(6);
  r.created_by = row.Text(7);
  return r;
}

template <typename Row>
Result<KeyRecord> KeyFromRow(const Row& row) {
  KeyRecord k;
  k.id = row.Int(0);
  k.prefix = row.Text(1);
  k.hash = row.Text(2);
  auto role = domain::ParseRole(row.Text(3));
  if (!role.ok()) return Status::Internal("corrupt key role");
  k.role = *role;
  k.unit = row.Text(4);
  k.name = row.Text(5);
  k.created_at = row.Int(6);
  k.revoked = !row.IsNull(7);
  return k;
}

// The columns CaseTextFromRow reads.
inline constexpr const char* kCaseTextColumns = "id, title, text";

template <typename Row>
Result<CaseText> CaseTextFromRow(const Row& row) {
  return CaseText{row.Int(0), row.Text(1), row.Text(2)};
}

// The columns DispatchedCaseFromRow reads, given the backend's expressions for the doc's
// accepted_at and response_due (they have no columns of their own); title and text as '' unless
// `with_texts`.
std::string DispatchedCaseColumns(const std::string& accepted_at, const std::string& response_due,
                                  bool with_texts);

template <typename Row>
Result<DispatchedCase> DispatchedCaseFromRow(const Row& row) {
  auto status = domain::ParseCaseStatus(row.Text(1));
  auto source = domain::ParseCaseSource(row.Text(2));
  if (!status.ok() || !source.ok()) return Status::Internal("corrupt case row");
  const auto opt = [&](int col) {
    return row.IsNull(col) ? std::nullopt : std::optional<std::int64_t>(row.Int(col));
  };
  return DispatchedCase{.id = row.Int(0), .status = *status, .source = *source,
                        .unit = row.Text(3), .category = row.Text(4), .title = row.Text(5),
                        .text = row.Text(6), .dispatched_at = row.Int(7), .accepted_at = opt(8),
                        .response_due = opt(9), .replied_at = opt(10), .due = opt(11),
                        .merged_into = opt(12)};
}

// The columns RecordFromRow reads.
inline constexpr const char* kRecordColumns =
    "id, kind, parent, lookup, version, doc, created_at, updated_at";

template <typename Row>
Record RecordFromRow(const Row& row) {
  Record r;
  r.id = row.Int(0);
  r.kind = row.Text(1);
  r.parent = row.Int(2);
  if (!row.IsNull(3)) r.lookup = row.Text(3);
  r.version = static_cast<int>(row.Int(4));
  r.doc = row.Text(5);
  r.created_at = row.Int(6);
  r.updated_at = row.Int(7);
  return r;
}

// NotFound for a record that is not there; Conflict for a stale version or a lookup key taken.
Status RecordNotFound(const std::string& kind, std::int64_t id);
Status StaleRecord(const std::string& kind, std::int64_t id);
Status LookupTaken(const std::string& kind, const std::string& lookup);

template <typename Row>
AuditEntry AuditFromRow(const Row& row) {
  AuditEntry a;
  a.id = row.Int(0);
  a.at = row.Int(1);
  a.key_id = row.Int(2);
  a.actor = row.Text(3);
  a.action = row.Text(4);
  if (!row.IsNull(5)) a.case_id = row.Int(5);
  a.detail = row.Text(6);
  return a;
}

}  // namespace jiesu::storage
