#include "storage/sqlite/sqlite_database.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include <spdlog/spdlog.h>

#include "common/utf8.hpp"
#include "storage/case_codec.hpp"
#include "storage/case_filter_sql.hpp"
#include "storage/rows.hpp"

namespace jiesu::storage {

using namespace jiesu::domain;
using nlohmann::json;

namespace {

// The numbered migrations from storage/migrations/*.sql, embedded at build time.
#include "migrations.inc"

constexpr std::size_t kMaxBatch = 512;
constexpr int kReaderPool = 16;

Status SqlError(sqlite3* db, const std::string& what) {
  return Status::Internal(what + ": " + sqlite3_errmsg(db));
}

// A prepared statement, finalized on destruction. Bind indexes are 1-based.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) stmt_ = nullptr;
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  bool ok() const { return stmt_ != nullptr; }
  Status error(const std::string& what) const { return SqlError(db_, what); }
  Stmt& Bind(int i, std::int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Stmt& Bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& BindBlob(int i, const std::string& v) {
    sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& BindNull(int i) {
    sqlite3_bind_null(stmt_, i);
    return *this;
  }
  template <typename T>
  Stmt& BindOpt(int i, const std::optional<T>& v) {
    return v ? Bind(i, static_cast<std::int64_t>(*v)) : BindNull(i);
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(stmt_); }
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string Text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, sqlite3_column_bytes(stmt_, col)) : std::string();
  }
  std::string Blob(int col) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
    return p ? std::string(p, sqlite3_column_bytes(stmt_, col)) : std::string();
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

Status Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    Status s = Status::Internal(std::string("sqlite: ") + (err ? err : "error") + " in: " +
                                std::string(sql).substr(0, 60));
    sqlite3_free(err);
    return s;
  }
  return Status::Ok();
}

Result<sqlite3*> OpenConnection(const std::string& path, bool read_only) {
  sqlite3* db = nullptr;
  const int flags = read_only ? SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
                              : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    Status s = Status::Internal("cannot open database " + path + ": " +
                                (db ? sqlite3_errmsg(db) : "out of memory"));
    sqlite3_close(db);
    return s;
  }
  sqlite3_busy_timeout(db, 10000);
  // Readers keep a small page cache (16 of them; under writes a reader's cache is mostly
  // invalidated anyway, and the kernel caches the file): 16 × 512 KiB instead of 16 × 2 MiB.
  const char* setup = read_only ? "PRAGMA query_only=ON; PRAGMA cache_size=-512;"
                                : "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                                  "PRAGMA foreign_keys=ON;";
  Status s = Exec(db, setup);
  // A new file turns to WAL under an exclusive lock that SQLite does not wait for: a second
  // process opening the same new file at that moment is told SQLITE_BUSY. Wait as long as the
  // busy timeout would.
  for (int tries = 0; !s.ok() && sqlite3_errcode(db) == SQLITE_BUSY && tries < 200; ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    s = Exec(db, setup);
  }
  if (!s.ok()) {
    sqlite3_close(db);
    return s;
  }
  return db;
}

Result<Case> CaseFromRow(const Stmt& st, int col) { return CaseFromDocText(st.Text(col)); }

// Steps through every row, decoding each with `decode(stmt)` (a T or a Result<T>).
template <typename T, typename Decode>
Result<std::vector<T>> AllRows(Stmt& st, const char* what, Decode decode) {
  if (!st.ok()) return st.error(what);
  std::vector<T> out;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) {
    Result<T> row = decode(static_cast<const Stmt&>(st));
    if (!row.ok()) return row.status();
    out.push_back(std::move(*row));
  }
  if (rc != SQLITE_DONE) return st.error(what);
  return out;
}

// Binds ColumnValues from position 1.
void BindAll(Stmt& st, const std::vector<ColumnValue>& values) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    const int pos = static_cast<int>(i + 1);
    switch (values[i].kind) {
      case ColumnValue::Kind::kInt: st.Bind(pos, values[i].number); break;
      case ColumnValue::Kind::kText: st.Bind(pos, values[i].text); break;
      case ColumnValue::Kind::kNull: st.BindNull(pos); break;
    }
  }
}

// Inserts the events and upserts the folded row. Runs inside the writer's transaction.
// `units_after[i]` is the case's responsible unit after events[i].
Status StoreEvents(sqlite3* db, const FoldedWrite& write,
                   const std::vector<CaseEvent>& events, bool insert_row) {
  const std::string sql =
      insert_row ? std::string("INSERT INTO cases(") + kCaseRowColumns +
                       ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                 : "UPDATE cases SET version=?, status=?, type=?, source=?, unit=?, category=?, "
                   "title=?, text=?, address=?, created_at=?, updated_at=?, dispatched_at=?, "
                   "replied_at=?, due=?, merged_into=?, doc=? WHERE id=?";
  Stmt row(db, sql.c_str());
  if (!row.ok()) return row.error("prepare case row");
  BindAll(row, CaseRowValues(write.folded));
  if (row.Step() != SQLITE_DONE) return row.error("write case row");
  Stmt ins(db, (std::string("INSERT INTO case_events(") + kEventInsertColumns +
                ") VALUES (?,?,?,?,?,?,?,?,?)").c_str());
  if (!ins.ok()) return ins.error("prepare event insert");
  for (std::size_t i = 0; i < events.size(); ++i) {
    BindAll(ins, EventRowValues(events[i], write.units_after[i]));
    if (ins.Step() != SQLITE_DONE) return ins.error("insert event");
    ins.Reset();
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::Open(const std::string& path) {
  std::unique_ptr<SqliteDatabase> db(new SqliteDatabase(path));
  JIESU_RETURN_IF_ERROR(db->Init());
  return db;
}

Status SqliteDatabase::Init() {
  JIESU_ASSIGN_OR_RETURN(writer_, OpenConnection(path_, false));
  // The statement is finished before any BEGIN: a connection still reading cannot take the write
  // lock after another process's commit (SQLITE_BUSY at once, no busy wait).
  const auto read_version = [this]() -> Result<int> {
    Stmt v(writer_, "PRAGMA user_version");
    if (!v.ok() || v.Step() != SQLITE_ROW) return SqlError(writer_, "read schema version");
    return static_cast<int>(v.Int(0));
  };
  JIESU_ASSIGN_OR_RETURN(int version, read_version());
  for (const Migration& m : kMigrations) {
    if (m.version <= version) continue;
    JIESU_RETURN_IF_ERROR(Exec(writer_, "BEGIN IMMEDIATE"));
    // Another process opening the same new file at once may have migrated it meanwhile.
    auto current = read_version();
    Status s = current.status();
    if (s.ok() && *current >= m.version) {
      JIESU_RETURN_IF_ERROR(Exec(writer_, "COMMIT"));
      version = *current;
      continue;
    }
    if (s.ok()) s = Exec(writer_, m.sql);
    if (s.ok()) {
      s = Exec(writer_, ("PRAGMA user_version=" + std::to_string(m.version)).c_str());
    }
    if (!s.ok()) {
      (void)Exec(writer_, "ROLLBACK");
      return Status::Internal("migration " + std::to_string(m.version) + " failed: " +
                              s.message());
    }
    JIESU_RETURN_IF_ERROR(Exec(writer_, "COMMIT"));
    spdlog::info("database {}: migrated to schema version {}", path_, m.version);
    version = m.version;
  }
  writer_thread_ = std::thread([this] { WriterLoop(); });
  return Status::Ok();
}

SqliteDatabase::~SqliteDatabase() {
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (writer_thread_.joinable()) writer_thread_.join();
  for (sqlite3* r : all_readers_) sqlite3_close(r);
  sqlite3_close(writer_);
}

Status SqliteDatabase::Write(WriteFn fn) {
  std::future<Status> done;
  {
    std::lock_guard lock(queue_mu_);
    if (stopping_) return Status::Unavailable("database is shutting down");
    queue_.push_back({std::move(fn), {}});
    done = queue_.back().done.get_future();
  }
  queue_cv_.notify_one();
  return done.get();
}

void SqliteDatabase::WriterLoop() {
  for (;;) {
    std::vector<PendingWrite> batch;
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping with nothing left
      while (!queue_.empty() && batch.size() < kMaxBatch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    std::vector<Status> results(batch.size());
    Status txn = Exec(writer_, "BEGIN IMMEDIATE");
    if (txn.ok()) {
      for (std::size_t i = 0; i < batch.size(); ++i) {
        Status sp = Exec(writer_, "SAVEPOINT w");
        if (!sp.ok()) {
          results[i] = sp;
          continue;
        }
        results[i] = batch[i].fn(writer_);
        if (!results[i].ok()) (void)Exec(writer_, "ROLLBACK TO w");
        (void)Exec(writer_, "RELEASE w");
      }
      txn = Exec(writer_, "COMMIT");
      if (!txn.ok()) (void)Exec(writer_, "ROLLBACK");
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      batch[i].done.set_value(txn.ok() ? results[i] : txn);
    }
  }
}

sqlite3* SqliteDatabase::AcquireReader() {
  {
    std::lock_guard lock(readers_mu_);
    if (!idle_readers_.empty()) {
      sqlite3* db = idle_readers_.back();
      idle_readers_.pop_back();
      return db;
    }
  }
  auto db = OpenConnection(path_, true);
  if (!db.ok()) return nullptr;
  std::lock_guard lock(readers_mu_);
  all_readers_.push_back(*db);
  return *db;
}

void SqliteDatabase::ReleaseReader(sqlite3* db) {
  std::lock_guard lock(readers_mu_);
  if (idle_readers_.size() < kReaderPool) {
    idle_readers_.push_back(db);
    return;
  }
  std::erase(all_readers_, db);
  sqlite3_close(db);
}

template <typename Fn>
auto SqliteDatabase::Read(Fn fn) -> decltype(fn(static_cast<sqlite3*>(nullptr))) {
  sqlite3* db = AcquireReader();
  if (db == nullptr) return Status::Internal("cannot open a read connection to " + path_);
  auto result = fn(db);
  ReleaseReader(db);
  return result;
}

Result<std::vector<Unit>> SqliteDatabase::LoadUnits() {
  return Read([](sqlite3* db) -> Result<std::vector<Unit>> {
    Stmt st(db, (std::string("SELECT ") + kUnitColumns + " FROM units ORDER BY code").c_str());
    return AllRows<Unit>(st, "load units", [](const Stmt& row) { return UnitFromRow(row); });
  });
}

Status SqliteDatabase::ReplaceUnits(const std::vector<Unit>& units) {
  return Write([&units](sqlite3* db) -> Status {
    JIESU_RETURN_IF_ERROR(Exec(db, "DELETE FROM units"));
    Stmt st(db, (std::string("INSERT INTO units(") + kUnitColumns + ") VALUES (?,?,?,?,?,?)")
                    .c_str());
    if (!st.ok()) return st.error("prepare unit insert");
    for (const Unit& u : units) {
      st.Bind(1, u.code).Bind(2, u.name).Bind(3, u.short_name).Bind(4, JoinList(u.aliases))
          .Bind(5, std::string(UnitLevelName(u.level))).Bind(6, u.parent);
      if (st.Step() != SQLITE_DONE) return st.error("insert unit " + u.code);
      st.Reset();
    }
    return Status::Ok();
  });
}

Result<std::vector<Category>> SqliteDatabase::LoadCategories() {
  return Read([](sqlite3* db) -> Result<std::vector<Category>> {
    Stmt st(db,
            (std::string("SELECT ") + kCategoryColumns + " FROM categories ORDER BY code").c_str());
    return AllRows<Category>(st, "load categories",
                             [](const Stmt& row) { return CategoryFromRow(row); });
  });
}

Status SqliteDatabase::ReplaceCategories(const std::vector<Category>& categories) {
  return Write([&categories](sqlite3* db) -> Status {
    JIESU_RETURN_IF_ERROR(Exec(db, "DELETE FROM categories"));
    Stmt st(db, (std::string("INSERT INTO categories(") + kCategoryColumns +
                 ") VALUES (?,?,?,?,?,?,?,?)").c_str());
    if (!st.ok()) return st.error("prepare category insert");
    for (const Category& c : categories) {
      st.Bind(1, c.code).Bind(2, c.name).Bind(3, c.parent)
          .Bind(4, std::string(HandlingName(c.handling)))
          .Bind(5, c.department).Bind(6, std::int64_t{c.response_hours})
          .Bind(7, FormatTimeLimit(c.limit)).Bind(8, JoinList(c.keywords));
      if (st.Step() != SQLITE_DONE) return st.error("insert category " + c.code);
      st.Reset();
    }
    return Status::Ok();
  });
}

Result<std::vector<Case>> SqliteDatabase::CreateCases(std::vector<NewCase> cases) {
  std::vector<Case> created;
  Status s = Write([&](sqlite3* db) -> Status {
    created.clear();
    Stmt next(db, "SELECT COALESCE(MAX(id), 0) + 1 FROM cases");
    if (!next.ok() || next.Step() != SQLITE_ROW) return SqlError(db, "next case id");
    std::int64_t next_id = next.Int(0);
    Stmt contact(db, "INSERT INTO case_contacts(case_id, sealed) VALUES (?,?)");
    if (!contact.ok()) return contact.error("prepare contact insert");
    Stmt taken(db, "SELECT 1 FROM cases WHERE id=?");
    if (!taken.ok()) return taken.error("prepare id check");
    for (NewCase& nc : cases) {
      std::int64_t id = next_id;
      if (nc.id) {
        id = *nc.id;
        taken.Bind(1, id);
        const int rc = taken.Step();
        taken.Reset();
        if (rc == SQLITE_ROW) return CaseIdTaken(id);
        if (rc != SQLITE_DONE) return taken.error("check id");
      }
      next_id = std::max(next_id, id + 1);
      FoldedWrite write = FoldNewCase(id, nc.events);
      JIESU_RETURN_IF_ERROR(StoreEvents(db, write, nc.events, /*insert_row=*/true));
      if (nc.sealed_contact) {
        contact.Bind(1, id).BindBlob(2, *nc.sealed_contact);
        if (contact.Step() != SQLITE_DONE) return contact.error("insert contact");
        contact.Reset();
      }
      created.push_back(std::move(write.folded));
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return created;
}

Result<Case> SqliteDatabase::AppendEvents(std::int64_t case_id, int expected_version,
                                          std::vector<CaseEvent> events) {
  Case folded;
  Status s = Write([&](sqlite3* db) -> Status {
    Stmt cur(db, "SELECT doc FROM cases WHERE id=?");
    if (!cur.ok()) return cur.error("read case");
    cur.Bind(1, case_id);
    const int rc = cur.Step();
    if (rc == SQLITE_DONE) return CaseNotFound(case_id);
    if (rc != SQLITE_ROW) return cur.error("read case");
    JIESU_ASSIGN_OR_RETURN(Case current, CaseFromRow(cur, 0));
    if (current.version != expected_version) return StaleVersion(case_id);
    FoldedWrite write = FoldAppend(std::move(current), case_id, events);
    JIESU_RETURN_IF_ERROR(StoreEvents(db, write, events, /*insert_row=*/false));
    folded = std::move(write.folded);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return folded;
}

Result<Case> SqliteDatabase::GetCase(std::int64_t id) {
  return Read([id](sqlite3* db) -> Result<Case> {
    Stmt st(db, "SELECT doc FROM cases WHERE id=?");
    if (!st.ok()) return st.error("get case");
    st.Bind(1, id);
    const int rc = st.Step();
    if (rc == SQLITE_DONE) return CaseNotFound(id);
    if (rc != SQLITE_ROW) return st.error("get case");
    return CaseFromRow(st, 0);
  });
}

Result<std::vector<CaseEvent>> SqliteDatabase::GetEvents(std::int64_t id) {
  return Read([id](sqlite3* db) -> Result<std::vector<CaseEvent>> {
    Stmt st(db, (std::string("SELECT ") + kEventColumns +
                 " FROM case_events WHERE case_id=? ORDER BY seq").c_str());
    st.Bind(1, id);
    return AllRows<CaseEvent>(st, "get events",
                              [](const Stmt& row) { return EventFromRow(row); });
  });
}

namespace {

constexpr SqlDialect kSqliteDialect{
    .placeholder = [](int) { return std::string("?"); },
    .contains = [](const std::string& column, const std::string& placeholder) {
      return column + " LIKE " + placeholder + " ESCAPE '\\'";
    },
    .supervised = "json_extract(doc,'$.supervised')=1",
    .not_supervised = "json_extract(doc,'$.supervised')=0",
    .enterprise_is = [](const std::string& placeholder) {
      return "json_extract(doc,'$.enterprise_id')=" + placeholder;
    },
    .has_enterprise = "json_extract(doc,'$.enterprise_id') IS NOT NULL",
    // FTS5's trigrams need three characters, and its LIKE takes no ESCAPE clause.
    .text_index = {
        .answers = [](const std::string& query) {
          return Utf8Length(query) >= 3 && query.find_first_of("%_\\") == std::string::npos;
        },
        // CROSS JOIN keeps the index outside: its rows come newest first and stop at the limit.
        .from = "cases_search CROSS JOIN cases ON cases.id = cases_search.rowid",
        .matches = [](const std::string& placeholder) {
          return "cases_search.body LIKE " + placeholder;
        },
        .order_by = "cases_search.rowid"}};

// Runs a case-list query (ListCasesQuery), each row decoded by `decode`.
template <typename T, typename Decode>
Result<std::vector<T>> ReadCaseList(sqlite3* db, const SqlQuery& query, const char* what,
                                    Decode decode) {
  Stmt st(db, query.sql.c_str());
  for (std::size_t i = 0; i < query.values.size() && st.ok(); ++i) {
    const int pos = static_cast<int>(i + 1);
    if (const auto* n = std::get_if<std::int64_t>(&query.values[i])) {
      st.Bind(pos, *n);
    } else {
      st.Bind(pos, std::get<std::string>(query.values[i]));
    }
  }
  return AllRows<T>(st, what, decode);
}

}  // namespace

Result<std::vector<Case>> SqliteDatabase::ListCases(const CaseFilter& f) {
  const SqlQuery query = ListCasesQuery(f, kSqliteDialect);
  return Read([&query](sqlite3* db) {
    return ReadCaseList<Case>(db, query, "list cases",
                              [](const Stmt& row) { return CaseFromRow(row, 0); });
  });
}

Result<std::vector<CaseText>> SqliteDatabase::ListCaseTexts(const CaseFilter& f) {
  const SqlQuery query = ListCasesQuery(f, kSqliteDialect, kCaseTextColumns);
  return Read([&query](sqlite3* db) {
    return ReadCaseList<CaseText>(db, query, "list case texts",
                                  [](const Stmt& row) { return CaseTextFromRow(row); });
  });
}

Result<std::int64_t> SqliteDatabase::CountCases() {
  return Read([](sqlite3* db) -> Result<std::int64_t> {
    Stmt st(db, "SELECT COUNT(*) FROM cases");
    if (!st.ok() || st.Step() != SQLITE_ROW) return SqlError(db, "count cases");
    return st.Int(0);
  });
}

Result<int> SqliteDatabase::ResealContacts(
    const std::function<Result<std::string>(const std::string&)>& reseal) {
  int n = 0;
  Status s = Write([&](sqlite3* db) -> Status {
    n = 0;
    std::vector<std::pair<std::int64_t, std::string>> rows;
    {
      Stmt all(db, "SELECT case_id, sealed FROM case_contacts");
      if (!all.ok()) return all.error("read contacts");
      while (all.Step() == SQLITE_ROW) rows.emplace_back(all.Int(0), all.Blob(1));
    }
    Stmt update(db, "UPDATE case_contacts SET sealed=? WHERE case_id=?");
    if (!update.ok()) return update.error("prepare contact update");
    for (const auto& [id, sealed] : rows) {
      JIESU_ASSIGN_OR_RETURN(std::string next, reseal(sealed));
      update.BindBlob(1, next).Bind(2, id);
      if (update.Step() != SQLITE_DONE) return update.error("update contact");
      update.Reset();
      ++n;
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return n;
}

Result<std::string> SqliteDatabase::IntegrityCheck() {
  return Read([](sqlite3* db) -> Result<std::string> {
    Stmt st(db, "PRAGMA integrity_check");
    if (!st.ok()) return SqlError(db, "integrity check");
    std::string out;
    while (st.Step() == SQLITE_ROW) out += (out.empty() ? "" : "; ") + st.Text(0);
    return out;
  });
}

Result<std::vector<Database::UnitEvent>> SqliteDatabase::EventsBetween(
    Timestamp from, Timestamp to, const std::vector<EventKind>& kinds) {
  return Read([&](sqlite3* db) -> Result<std::vector<UnitEvent>> {
    std::vector<UnitEvent> out;
    Stmt st(db, (std::string("SELECT ") + kEventColumns +
                 ", unit FROM case_events WHERE kind=? AND at>=? AND at<? ORDER BY at, case_id, seq")
                    .c_str());
    if (!st.ok()) return st.error("events between");
    for (EventKind k : kinds) {
      st.Bind(1, std::string(EventKindName(k))).Bind(2, from).Bind(3, to);
      int rc;
      while ((rc = st.Step()) == SQLITE_ROW) {
        JIESU_ASSIGN_OR_RETURN(CaseEvent e, EventFromRow(st));
        out.push_back({std::move(e), st.Text(8)});
      }
      if (rc != SQLITE_DONE) return st.error("events between");
      st.Reset();
    }
    return out;
  });
}

Result<std::vector<DispatchedCase>> SqliteDatabase::CasesDispatchedBetween(Timestamp from,
                                                                          Timestamp to,
                                                                          bool with_texts) {
  return Read([&](sqlite3* db) -> Result<std::vector<DispatchedCase>> {
    Stmt st(db, ("SELECT " +
                 DispatchedCaseColumns("json_extract(doc, '$.accepted_at')",
                                       "json_extract(doc, '$.response_due')", with_texts) +
                 " FROM cases WHERE dispatched_at>=? AND dispatched_at<? ORDER BY id")
                    .c_str());
    st.Bind(1, from).Bind(2, to);
    return AllRows<DispatchedCase>(st, "cases dispatched",
                                   [](const Stmt& row) { return DispatchedCaseFromRow(row); });
  });
}

Result<std::int64_t> SqliteDatabase::InsertInspection(const Inspection& round) {
  std::int64_t id = 0;
  Status s = Write([&](sqlite3* db) -> Status {
    Stmt st(db, "INSERT INTO inspections(name, units, starts, ends, revisit_of, created_at, "
                "created_by) VALUES (?,?,?,?,?,?,?)");
    if (!st.ok()) return st.error("prepare inspection insert");
    st.Bind(1, round.name).Bind(2, json(round.units).dump()).Bind(3, round.starts)
        .BindOpt(4, round.ends).Bind(5, json(round.revisit_of).dump()).Bind(6, round.created_at)
        .Bind(7, round.created_by);
    if (st.Step() != SQLITE_DONE) return st.error("insert inspection");
    id = sqlite3_last_insert_rowid(db);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return id;
}

Result<Inspection> SqliteDatabase::GetInspection(std::int64_t id) {
  return Read([&](sqlite3* db) -> Result<Inspection> {
    Stmt st(db, (std::string("SELECT ") + kInspectionColumns + " FROM inspections WHERE id=?")
                    .c_str());
    if (!st.ok()) return st.error("get inspection");
    st.Bind(1, id);
    const int rc = st.Step();
    if (rc == SQLITE_DONE) return Status::NotFound("inspection " + std::to_string(id) + " not found");
    if (rc != SQLITE_ROW) return st.error("get inspection");
    return InspectionFromRow(st);
  });
}

Result<std::vector<Inspection>> SqliteDatabase::ListInspections() {
  return Read([&](sqlite3* db) -> Result<std::vector<Inspection>> {
    Stmt st(db, (std::string("SELECT ") + kInspectionColumns + " FROM inspections ORDER BY id")
                    .c_str());
    return AllRows<Inspection>(st, "list inspections",
                               [](const Stmt& row) { return InspectionFromRow(row); });
  });
}

Result<std::vector<Case>> SqliteDatabase::CasesOfInspections(
    const std::vector<std::int64_t>& round_ids) {
  return Read([&](sqlite3* db) -> Result<std::vector<Case>> {
    Stmt st(db, "SELECT doc FROM cases WHERE json_extract(doc, '$.inspection_id')=? ORDER BY id");
    if (!st.ok()) return st.error("inspection findings");
    std::vector<Case> out;
    for (std::int64_t round : round_ids) {
      st.Bind(1, round);
      int rc;
      while ((rc = st.Step()) == SQLITE_ROW) {
        JIESU_ASSIGN_OR_RETURN(Case c, CaseFromRow(st, 0));
        out.push_back(std::move(c));
      }
      if (rc != SQLITE_DONE) return st.error("inspection findings");
      st.Reset();
    }
    std::sort(out.begin(), out.end(), [](const Case& a, const Case& b) { return a.id < b.id; });
    out.erase(std::unique(out.begin(), out.end(),
                          [](const Case& a, const Case& b) { return a.id == b.id; }),
              out.end());
    return out;
  });
}

Result<std::optional<std::string>> SqliteDatabase::GetSealedContact(std::int64_t case_id) {
  return Read([case_id](sqlite3* db) -> Result<std::optional<std::string>> {
    Stmt st(db, "SELECT sealed FROM case_contacts WHERE case_id=?");
    if (!st.ok()) return st.error("get contact");
    st.Bind(1, case_id);
    const int rc = st.Step();
    if (rc == SQLITE_DONE) return std::optional<std::string>();
    if (rc != SQLITE_ROW) return st.error("get contact");
    return std::optional<std::string>(st.Blob(0));
  });
}

Result<std::int64_t> SqliteDatabase::InsertKey(const KeyRecord& key) {
  std::int64_t id = 0;
  Status s = Write([&](sqlite3* db) -> Status {
    Stmt st(db, "INSERT INTO api_keys(prefix, hash, role, unit, name, created_at) "
                "VALUES (?,?,?,?,?,?)");
    if (!st.ok()) return st.error("prepare key insert");
    st.Bind(1, key.prefix).Bind(2, key.hash).Bind(3, std::string(RoleName(key.role)))
        .Bind(4, key.unit).Bind(5, key.name).Bind(6, key.created_at);
    if (st.Step() != SQLITE_DONE) return st.error("insert key");
    id = sqlite3_last_insert_rowid(db);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return id;
}

Result<std::optional<KeyRecord>> SqliteDatabase::FindKey(const std::string& prefix) {
  return Read([&](sqlite3* db) -> Result<std::optional<KeyRecord>> {
    Stmt st(db, (std::string("SELECT ") + kKeyColumns + " FROM api_keys WHERE prefix=?").c_str());
    if (!st.ok()) return st.error("find key");
    st.Bind(1, prefix);
    const int rc = st.Step();
    if (rc == SQLITE_DONE) return std::optional<KeyRecord>();
    if (rc != SQLITE_ROW) return st.error("find key");
    JIESU_ASSIGN_OR_RETURN(KeyRecord key, KeyFromRow(st));
    return std::optional<KeyRecord>(std::move(key));
  });
}

Result<std::vector<KeyRecord>> SqliteDatabase::ListKeys() {
  return Read([&](sqlite3* db) -> Result<std::vector<KeyRecord>> {
    Stmt st(db, (std::string("SELECT ") + kKeyColumns + " FROM api_keys ORDER BY id").c_str());
    if (!st.ok()) return st.error("list keys");
    std::vector<KeyRecord> out;
    int rc;
    while ((rc = st.Step()) == SQLITE_ROW) {
      JIESU_ASSIGN_OR_RETURN(KeyRecord key, KeyFromRow(st));
      out.push_back(std::move(key));
    }
    if (rc != SQLITE_DONE) return st.error("list keys");
    return out;
  });
}

Status SqliteDatabase::RevokeKey(std::int64_t id, Timestamp at) {
  return Write([&](sqlite3* db) -> Status {
    Stmt st(db, "UPDATE api_keys SET revoked_at=COALESCE(revoked_at, ?) WHERE id=?");
    if (!st.ok()) return st.error("prepare key revoke");
    st.Bind(1, at).Bind(2, id);
    if (st.Step() != SQLITE_DONE) return st.error("revoke key");
    if (sqlite3_changes(db) == 0) return Status::NotFound("no key " + std::to_string(id));
    return Status::Ok();
  });
}

Status SqliteDatabase::AppendAudit(const AuditEntry& entry) {
  return Write([&](sqlite3* db) -> Status {
    Stmt st(db, "INSERT INTO audit_log(at, key_id, actor, action, case_id, detail) "
                "VALUES (?,?,?,?,?,?)");
    if (!st.ok()) return st.error("prepare audit insert");
    st.Bind(1, entry.at).Bind(2, entry.key_id).Bind(3, entry.actor).Bind(4, entry.action)
        .BindOpt(5, entry.case_id).Bind(6, entry.detail);
    if (st.Step() != SQLITE_DONE) return st.error("insert audit");
    return Status::Ok();
  });
}

Result<std::vector<AuditEntry>> SqliteDatabase::ListAudit(int limit,
                                                          std::optional<std::int64_t> before_id) {
  return Read([&](sqlite3* db) -> Result<std::vector<AuditEntry>> {
    Stmt st(db, (std::string("SELECT ") + kAuditColumns +
                 " FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?").c_str());
    st.Bind(1, before_id.value_or(INT64_MAX)).Bind(2, std::int64_t{limit});
    return AllRows<AuditEntry>(st, "list audit",
                               [](const Stmt& row) { return Result(AuditFromRow(row)); });
  });
}

Result<Record> SqliteDatabase::InsertRecord(const Record& record) {
  Record out = record;
  out.version = 1;
  out.updated_at = out.created_at;
  Status s = Write([&](sqlite3* db) -> Status {
    if (record.lookup) {
      Stmt taken(db, "SELECT 1 FROM records WHERE kind=? AND lookup=?");
      if (!taken.ok()) return taken.error("find record");
      taken.Bind(1, record.kind).Bind(2, *record.lookup);
      if (taken.Step() == SQLITE_ROW) return LookupTaken(record.kind, *record.lookup);
    }
    Stmt st(db, "INSERT INTO records(kind, parent, lookup, version, doc, created_at, updated_at) "
                "VALUES (?,?,?,1,?,?,?)");
    if (!st.ok()) return st.error("prepare record insert");
    st.Bind(1, record.kind).Bind(2, record.parent).Bind(4, record.doc).Bind(5, out.created_at)
        .Bind(6, out.updated_at);
    if (record.lookup) st.Bind(3, *record.lookup); else st.BindNull(3);
    if (st.Step() != SQLITE_DONE) return st.error("insert record");
    out.id = sqlite3_last_insert_rowid(db);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

Result<Record> SqliteDatabase::UpdateRecord(const Record& record) {
  Record out = record;
  Status s = Write([&](sqlite3* db) -> Status {
    if (record.lookup) {
      Stmt taken(db, "SELECT 1 FROM records WHERE kind=? AND lookup=? AND id<>?");
      if (!taken.ok()) return taken.error("find record");
      taken.Bind(1, record.kind).Bind(2, *record.lookup).Bind(3, record.id);
      if (taken.Step() == SQLITE_ROW) return LookupTaken(record.kind, *record.lookup);
    }
    Stmt st(db, "UPDATE records SET doc=?, lookup=?, updated_at=?, version=version+1 "
                "WHERE kind=? AND id=? AND version=?");
    if (!st.ok()) return st.error("prepare record update");
    st.Bind(1, record.doc).Bind(3, record.updated_at).Bind(4, record.kind).Bind(5, record.id)
        .Bind(6, record.version);
    if (record.lookup) st.Bind(2, *record.lookup); else st.BindNull(2);
    if (st.Step() != SQLITE_DONE) return st.error("update record");
    if (sqlite3_changes(db) == 1) return Status::Ok();
    Stmt there(db, "SELECT 1 FROM records WHERE kind=? AND id=?");
    if (!there.ok()) return there.error("find record");
    there.Bind(1, record.kind).Bind(2, record.id);
    return there.Step() == SQLITE_ROW ? StaleRecord(record.kind, record.id)
                                      : RecordNotFound(record.kind, record.id);
  });
  if (!s.ok()) return s;
  return GetRecord(record.kind, record.id);
}

Result<Record> SqliteDatabase::GetRecord(const std::string& kind, std::int64_t id) {
  return Read([&](sqlite3* db) -> Result<Record> {
    Stmt st(db, (std::string("SELECT ") + kRecordColumns + " FROM records WHERE kind=? AND id=?")
                    .c_str());
    if (!st.ok()) return st.error("get record");
    st.Bind(1, kind).Bind(2, id);
    const int rc = st.Step();
    if (rc == SQLITE_DONE) return RecordNotFound(kind, id);
    if (rc != SQLITE_ROW) return st.error("get record");
    return RecordFromRow(st);
  });
}

Result<std::optional<Record>> SqliteDatabase::FindRecord(const std::string& kind,
                                                         const std::string& lookup) {
  return Read([&](sqlite3* db) -> Result<std::optional<Record>> {
    Stmt st(db, (std::string("SELECT ") + kRecordColumns +
                 " FROM records WHERE kind=? AND lookup=?").c_str());
    if (!st.ok()) return st.error("find record");
    st.Bind(1, kind).Bind(2, lookup);
    const int rc = st.Step();
    if (rc == SQLITE_DONE) return std::optional<Record>();
    if (rc != SQLITE_ROW) return st.error("find record");
    return std::optional<Record>(RecordFromRow(st));
  });
}

Result<std::vector<Record>> SqliteDatabase::ListRecords(const std::string& kind,
                                                        std::optional<std::int64_t> parent) {
  return Read([&](sqlite3* db) -> Result<std::vector<Record>> {
    Stmt st(db, (std::string("SELECT ") + kRecordColumns + " FROM records WHERE kind=?" +
                 (parent ? " AND parent=?" : "") + " ORDER BY id").c_str());
    if (!st.ok()) return st.error("list records");
    st.Bind(1, kind);
    if (parent) st.Bind(2, *parent);
    std::vector<Record> out;
    int rc;
    while ((rc = st.Step()) == SQLITE_ROW) out.push_back(RecordFromRow(st));
    if (rc != SQLITE_DONE) return st.error("list records");
    return out;
  });
}

Result<std::optional<std::string>> SqliteDatabase::GetMeta(const std::string& key) {
  return Read([&](sqlite3* db) -> Result<std::optional<std::string>> {
    Stmt st(db, "SELECT value FROM meta WHERE key=?");
    if (!st.ok()) return st.error("get meta");
    st.Bind(1, key);
    const int rc = st.Step();
    if (rc == SQLITE_DONE) return std::optional<std::string>();
    if (rc != SQLITE_ROW) return st.error("get meta");
    return std::optional<std::string>(st.Text(0));
  });
}

Status SqliteDatabase::SetMeta(const std::string& key, const std::string& value) {
  return Write([&](sqlite3* db) -> Status {
    Stmt st(db, "INSERT INTO meta(key, value) VALUES (?,?) "
                "ON CONFLICT(key) DO UPDATE SET value=excluded.value");
    if (!st.ok()) return st.error("prepare meta");
    st.Bind(1, key).Bind(2, value);
    if (st.Step() != SQLITE_DONE) return st.error("set meta");
    return Status::Ok();
  });
}

}  // namespace jiesu::storage
