// SqliteDatabase: the embedded backend. One file in WAL mode with synchronous=FULL, so that a
// committed transaction survives kill -9 and power loss. All writes go through one writer thread
// that takes every write queued while the previous transaction committed and runs them as one
// transaction (group commit), each inside its own savepoint so that one failing write does not
// undo its neighbours; callers block until their transaction has committed. Reads use a pool of
// read-only connections and see the last committed state. Thread-safe.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <sqlite3.h>

#include "storage/database.hpp"

namespace jiesu::storage {

class SqliteDatabase final : public Database {
 public:
  // Opens (creating if needed) and migrates. Fails with Internal when the file cannot be opened.
  static Result<std::unique_ptr<SqliteDatabase>> Open(const std::string& path);
  ~SqliteDatabase() override;

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
  using WriteFn = std::function<Status(sqlite3*)>;
  struct PendingWrite {
    WriteFn fn;
    std::promise<Status> done;
  };

  explicit SqliteDatabase(std::string path) : path_(std::move(path)) {}
  Status Init();
  // Runs `fn` inside the next group-committed transaction; returns once it is durable.
  Status Write(WriteFn fn);
  void WriterLoop();

  // Borrowing a read connection.
  sqlite3* AcquireReader();
  void ReleaseReader(sqlite3* db);
  template <typename Fn>
  auto Read(Fn fn) -> decltype(fn(static_cast<sqlite3*>(nullptr)));

  std::string path_;
  sqlite3* writer_ = nullptr;
  std::thread writer_thread_;
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<PendingWrite> queue_;
  bool stopping_ = false;

  std::mutex readers_mu_;
  std::vector<sqlite3*> idle_readers_;
  std::vector<sqlite3*> all_readers_;
};

}  // namespace jiesu::storage
