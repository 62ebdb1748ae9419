// Database: the storage interface every backend implements (sqlite/, postgres/). The event log is
// the source of truth: every write appends events and rewrites the case's row as their fold, in one
// transaction. A successful write returns only after it is durable (fsync'd), and concurrent
// writes share their flushes to disk (group commit: SQLite's writer thread batches them into one
// transaction; PostgreSQL flushes concurrent commits together).
//
// Implementations are thread-safe: any number of threads may call any method concurrently.
// Every method fails with Internal on an I/O or database error, Unavailable when shutting down
// or when the database server cannot be reached (the same request may succeed later).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "domain/case.hpp"
#include "domain/case_event.hpp"
#include "domain/category.hpp"
#include "domain/inspection.hpp"
#include "domain/role.hpp"
#include "domain/unit.hpp"

namespace jiesu::storage {

struct CaseFilter {
  std::vector<std::string> units;  // responsible unit in this set; empty = any
  std::vector<std::int64_t> ids;                 // id in this set; empty = any
  std::vector<domain::CaseStatus> statuses;      // status in this set; empty = any
  std::vector<domain::CaseSource> sources;       // source in this set; empty = any
  std::vector<std::string> categories;  // category in this set; empty = any
  std::optional<domain::CaseType> type;
  std::optional<std::int64_t> enterprise_id;  // a 企业诉求 of this enterprise
  std::optional<bool> enterprise_request;     // a 企业诉求 of any enterprise, or not one
  std::optional<Timestamp> created_from;  // inclusive
  std::optional<Timestamp> created_to;    // exclusive
  std::string query;                      // substring of title, text or address
  std::optional<bool> overdue;            // evaluated at `now`
  std::optional<bool> supervised;
  Timestamp now = 0;
  int limit = 50;
  std::optional<std::int64_t> before_id;  // cursor: only ids below this, newest first
};

// `base` once for each slice of 5,000 of `ids` (within every backend's limit of values in a
// statement), each with its slice as `ids` and a limit to match.
inline std::vector<CaseFilter> FiltersByIdSlices(const std::vector<std::int64_t>& ids,
                                                 const CaseFilter& base) {
  constexpr std::size_t kSlice = 5000;
  std::vector<CaseFilter> out;
  for (std::size_t at = 0; at < ids.size(); at += kSlice) {
    CaseFilter& f = out.emplace_back(base);
    f.ids.assign(ids.begin() + static_cast<std::ptrdiff_t>(at),
                 ids.begin() + static_cast<std::ptrdiff_t>(std::min(at + kSlice, ids.size())));
    f.limit = static_cast<int>(f.ids.size());
  }
  return out;
}

struct KeyRecord {
  std::int64_t id = 0;
  std::string prefix;
  std::string hash;
  domain::Role role = domain::Role::kPublic;
  std::string unit;
  std::string name;
  Timestamp created_at = 0;
  bool revoked = false;
};

struct AuditEntry {
  std::int64_t id = 0;
  Timestamp at = 0;
  std::int64_t key_id = 0;
  std::string actor;
  std::string action;
  std::optional<std::int64_t> case_id;
  std::string detail;
};

// A dispatched case as the assessment and the review read it: the figures read every case of a
// month (and four months for 每月一题), so a backend reads these from columns and indexes
// without decoding the whole case document.
struct DispatchedCase {
  std::int64_t id = 0;
  domain::CaseStatus status = domain::CaseStatus::kDispatched;
  domain::CaseSource source = domain::CaseSource::kHotline;
  std::string unit;
  std::string category;
  std::string title;
  std::string text;
  Timestamp dispatched_at = 0;
  std::optional<Timestamp> accepted_at;
  std::optional<Timestamp> response_due;
  std::optional<Timestamp> replied_at;
  std::optional<Timestamp> due;
  std::optional<std::int64_t> merged_into;
};

// What the duplicate check compares: a case's id, title and text, read from columns.
struct CaseText {
  std::int64_t id = 0;
  std::string title;
  std::string text;
};

// A community record: a building, a resident, a proposal, an enterprise, a consultation or an
// opinion (service/building_service, enterprise_service, consultation_service). The store keeps its JSON document as given, under a kind, an
// optional parent record (0 for none) and an optional lookup key unique within the kind (an
// enterprise's credit code, a resident's key id). `version` counts writes, as for cases.
struct Record {
  std::int64_t id = 0;
  std::string kind;
  std::int64_t parent = 0;
  std::optional<std::string> lookup;
  int version = 0;
  std::string doc;
  Timestamp created_at = 0;
  Timestamp updated_at = 0;
};

// A record to insert.
inline Record NewRecord(std::string kind, std::int64_t parent, std::string doc, Timestamp at,
                        std::optional<std::string> lookup = std::nullopt) {
  Record r;
  r.kind = std::move(kind);
  r.parent = parent;
  r.doc = std::move(doc);
  r.created_at = at;
  r.lookup = std::move(lookup);
  return r;
}

// A new case: its events (the first is `created`; case ids are filled in by the store) and the
// sealed caller contact, if any.
struct NewCase {
  std::vector<domain::CaseEvent> events;
  std::optional<std::string> sealed_contact;
  std::optional<std::int64_t> id;  // an imported case keeps its id (Conflict when it is taken)
};

class Database {
 public:
  virtual ~Database() = default;

  // Reference data. Replace* rewrites the whole table in one transaction.
  virtual Result<std::vector<domain::Unit>> LoadUnits() = 0;
  virtual Status ReplaceUnits(const std::vector<domain::Unit>& units) = 0;
  virtual Result<std::vector<domain::Category>> LoadCategories() = 0;
  virtual Status ReplaceCategories(const std::vector<domain::Category>& categories) = 0;

  // Creates cases atomically (all or none) and returns them folded, with their new ids.
  virtual Result<std::vector<domain::Case>> CreateCases(std::vector<NewCase> cases) = 0;
  // Appends events to a case whose current version is `expected_version`; Conflict when another
  // writer got there first (the caller re-reads and decides again), NotFound for no such case.
  virtual Result<domain::Case> AppendEvents(std::int64_t case_id, int expected_version,
                                            std::vector<domain::CaseEvent> events) = 0;
  virtual Result<domain::Case> GetCase(std::int64_t id) = 0;
  virtual Result<std::vector<domain::CaseEvent>> GetEvents(std::int64_t id) = 0;
  virtual Result<std::vector<domain::Case>> ListCases(const CaseFilter& filter) = 0;
  // The same cases as ListCases, as CaseText (no case document is read or decoded).
  virtual Result<std::vector<CaseText>> ListCaseTexts(const CaseFilter& filter) = 0;
  virtual Result<std::int64_t> CountCases() = 0;
  // The store's own consistency check ("ok", or what is wrong): SQLite's PRAGMA integrity_check;
  // on PostgreSQL amcheck over the indexes (when the extension can be used) and every case's
  // events numbered 1..version.
  virtual Result<std::string> IntegrityCheck() = 0;
  // Events of the given kinds with from <= at < to, oldest first; with `unit` of each set to the
  // case's responsible unit after the event.
  struct UnitEvent {
    domain::CaseEvent event;
    std::string unit;
  };
  virtual Result<std::vector<UnitEvent>> EventsBetween(Timestamp from, Timestamp to,
                                                       const std::vector<domain::EventKind>& kinds) = 0;
  // Cases dispatched in [from, to), by id, as the monthly figures read them (DispatchedCase);
  // title and text are left empty unless `with_texts` (the hot topics need them, the rates not).
  virtual Result<std::vector<DispatchedCase>> CasesDispatchedBetween(Timestamp from, Timestamp to,
                                                                     bool with_texts) = 0;

  // Inspection rounds. Insert returns the new id; Get fails with NotFound; List is by id.
  virtual Result<std::int64_t> InsertInspection(const domain::Inspection& round) = 0;
  virtual Result<domain::Inspection> GetInspection(std::int64_t id) = 0;
  virtual Result<std::vector<domain::Inspection>> ListInspections() = 0;
  // The findings (cases) recorded in any of the given rounds, by id.
  virtual Result<std::vector<domain::Case>> CasesOfInspections(
      const std::vector<std::int64_t>& round_ids) = 0;

  // Records. Insert assigns id and version 1 (Conflict when the kind's lookup key is taken);
  // Update writes `doc`, `lookup` and `updated_at` over the record whose version is
  // `record.version` (Conflict when another writer got there first or the lookup is taken,
  // NotFound for none) and returns it.
  virtual Result<Record> InsertRecord(const Record& record) = 0;
  virtual Result<Record> UpdateRecord(const Record& record) = 0;
  virtual Result<Record> GetRecord(const std::string& kind, std::int64_t id) = 0;
  virtual Result<std::optional<Record>> FindRecord(const std::string& kind,
                                                   const std::string& lookup) = 0;
  // The kind's records, with the given parent when set, by id.
  virtual Result<std::vector<Record>> ListRecords(const std::string& kind,
                                                  std::optional<std::int64_t> parent) = 0;

  // Replaces every sealed contact by reseal(it), in one transaction (all or none); the count.
  virtual Result<int> ResealContacts(
      const std::function<Result<std::string>(const std::string&)>& reseal) = 0;
  // The sealed contact of a case, or nullopt.
  virtual Result<std::optional<std::string>> GetSealedContact(std::int64_t case_id) = 0;

  virtual Result<std::int64_t> InsertKey(const KeyRecord& key) = 0;
  virtual Result<std::optional<KeyRecord>> FindKey(const std::string& prefix) = 0;
  // Every key, by id (hashes included: callers show only the other fields).
  virtual Result<std::vector<KeyRecord>> ListKeys() = 0;
  // Marks the key revoked at `at` (kept revoked at its first time when it already was); NotFound
  // for no such key.
  virtual Status RevokeKey(std::int64_t id, Timestamp at) = 0;

  virtual Status AppendAudit(const AuditEntry& entry) = 0;
  virtual Result<std::vector<AuditEntry>> ListAudit(int limit, std::optional<std::int64_t> before_id) = 0;

  virtual Result<std::optional<std::string>> GetMeta(const std::string& key) = 0;
  virtual Status SetMeta(const std::string& key, const std::string& value) = 0;
};

// Opens a database from a URL: "sqlite:PATH" (or a bare path), or a libpq connection URI
// "postgresql://…" / "postgres://…". Creates and migrates the schema. Fails with InvalidArgument
// for an unsupported URL, Unavailable when the PostgreSQL server cannot be reached, Internal when
// the file cannot be opened or a migration fails.
Result<std::unique_ptr<Database>> OpenDatabase(const std::string& url);

}  // namespace jiesu::storage
