// PostgresDatabase: the server backend, over libpq (PostgreSQL 15). Same tables, columns and
// semantics as the SQLite backend, in PostgreSQL's types (postgres/migrations/), with the same
// row codec (storage/rows.hpp) and list query (storage/case_filter_sql.hpp).
//
// Durability: every write is one transaction on one connection with synchronous_commit on, and
// returns only after its COMMIT has succeeded, i.e. after the server has flushed its WAL. There is
// no writer thread: concurrent writes run in their own transactions on their own connections, and
// PostgreSQL groups their WAL flushes itself (a backend that flushes writes out every commit queued
// before it), which is the group commit SQLite's writer thread does by hand. A write that finds a
// row changed under it fails instead of waiting: AppendEvents updates `WHERE id=$1 AND version=$2`
// and reports Conflict when no row matched.
//
// New case ids come from a sequence; an imported case keeps its id and moves the sequence past it.
// Case creation holds a transaction-scoped advisory lock (shared for new ids, exclusive when the
// batch imports ids) so that no new id can be drawn from the sequence while an import is moving
// it. A failed creation may leave a gap in the ids (sequences are not transactional); SQLite
// reuses them.
//
// Connections: a small pool (at most kMaxConnections), opened on demand and kept; a connection
// the server dropped is discarded and replaced, and a read (or a write that had not begun) is
// retried once on a new one. Statements are parameterised and prepared once per connection.
// Thread-safe: any number of threads may call any method.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "storage/database.hpp"

namespace jiesu::storage {

namespace pg {
class Connection;
}

class PostgresDatabase final : public Database {
 public:
  static constexpr int kMaxConnections = 8;

  // Connects to `uri` (a libpq URI, postgresql://… or postgres://…) and migrates the schema under
  // an advisory lock, so that processes opening the same database at once migrate it once. Fails
  // with Unavailable when the server cannot be reached (libpq's message), InvalidArgument when the
  // database is not UTF-8, Internal when a migration fails.
  static Result<std::unique_ptr<PostgresDatabase>> Open(const std::string& uri);
  ~PostgresDatabase() override;

  Result<std::vector<domain::Unit>> LoadUnits() override;
  Status ReplaceUnits(const std::vector<domain::Unit>& units) override;
  Result<std::vector<domain::Category>> LoadCategories() override;
  Status ReplaceCategories(const std::vector<domain::Category>& categories) override;

  Result<std::vector<domain::Case>> CreateCases(std::vector<NewCase> cases) override;
  Result<domain::Case> AppendEvents(std::int64_t case_id, int expected_version,
                                    std::vector<domain::CaseEvent> events) override;
  Result<domain::Case> GetCase(std::int64_t id) override;
  Result<std::vector<domain::CaseEvent>> GetEvents(std::int64_t id) override;
  Result<std::vector<domain::Case>> ListCases(const CaseFilter& filter) override;
  Result<std::vector<CaseText>> ListCaseTexts(const CaseFilter& filter) override;
  Result<std::int64_t> CountCases() override;
  Result<std::string> IntegrityCheck() override;
  Result<int> ResealContacts(
      const std::function<Result<std::string>(const std::string&)>& reseal) override;
  Result<std::vector<UnitEvent>> EventsBetween(Timestamp from, Timestamp to,
                                               const std::vector<domain::EventKind>& kinds) override;
  Result<std::vector<DispatchedCase>> CasesDispatchedBetween(Timestamp from, Timestamp to,
                                                             bool with_texts) override;
  Result<std::int64_t> InsertInspection(const domain::Inspection& round) override;
  Result<domain::Inspection> GetInspection(std::int64_t id) override;
  Result<std::vector<domain::Inspection>> ListInspections() override;
  Result<std::vector<domain::Case>> CasesOfInspections(
      const std::vector<std::int64_t>& round_ids) override;
  Result<std::optional<std::string>> GetSealedContact(std::int64_t case_id) override;

  Result<std::int64_t> InsertKey(const KeyRecord& key) override;
  Result<std::optional<KeyRecord>> FindKey(const std::string& prefix) override;
  Result<std::vector<KeyRecord>> ListKeys() override;
  Status RevokeKey(std::int64_t id, Timestamp at) override;
  Status AppendAudit(const AuditEntry& entry) override;
  Result<std::vector<AuditEntry>> ListAudit(int limit, std::optional<std::int64_t> before_id) override;
  Result<Record> InsertRecord(const Record& record) override;
  Result<Record> UpdateRecord(const Record& record) override;
  Result<Record> GetRecord(const std::string& kind, std::int64_t id) override;
  Result<std::optional<Record>> FindRecord(const std::string& kind,
                                           const std::string& lookup) override;
  Result<std::vector<Record>> ListRecords(const std::string& kind,
                                          std::optional<std::int64_t> parent) override;
  Result<std::optional<std::string>> GetMeta(const std::string& key) override;
  Status SetMeta(const std::string& key, const std::string& value) override;

 private:
  explicit PostgresDatabase(std::string uri);
  Status Migrate(pg::Connection& conn);

  // Borrows a connection (blocking while kMaxConnections are out); Unavailable when a new one
  // cannot be opened. Release keeps it for the next caller unless it is broken.
  Result<std::unique_ptr<pg::Connection>> Acquire();
  void Release(std::unique_ptr<pg::Connection> conn);
  // Runs fn(connection) outside a transaction (each statement commits on its own); retried once
  // on a fresh connection when the server had dropped the one it got.
  template <typename Fn>
  auto Read(Fn fn) -> decltype(fn(std::declval<pg::Connection&>()));
  // Runs fn(connection) in one transaction and commits it; returns once the commit is durable.
  // Retried once on a fresh connection when BEGIN finds the connection dropped.
  Status Write(const std::function<Status(pg::Connection&)>& fn);

  std::string uri_;
  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<pg::Connection>> idle_;
  int open_ = 0;  // connections in idle_ or lent out
};

}  // namespace jiesu::storage
