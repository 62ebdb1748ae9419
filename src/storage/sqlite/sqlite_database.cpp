#include "storage/sqlite/sqlite_database.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "common/assert.hpp"
#include "storage/case_codec.hpp"

namespace jiesu::storage {

using namespace jiesu::domain;
using nlohmann::json;

namespace {

// The numbered migrations from storage/migrations/*.sql, embedded at build time.
struct Migration {
  int version;
  const char* sql;
};
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
  Status s = Exec(db, read_only ? "PRAGMA query_only=ON;"
                                : "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                                  "PRAGMA foreign_keys=ON;");
  if (!s.ok()) {
    sqlite3_close(db);
    return s;
  }
  return db;
}

std::string Joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : "|") + s;
  return out;
}

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size() && !s.empty()) {
    const auto bar = s.find('|', start);
    out.push_back(s.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  return out;
}

Result<Case> CaseFromRow(const Stmt& st, int col) {
  json doc = json::parse(st.Text(col), nullptr, false);
  if (doc.is_discarded()) return Status::Internal("corrupt case row");
  return CaseFromDoc(doc);
}

Result<CaseEvent> EventFromRow(const Stmt& st) {
  CaseEvent e;
  e.case_id = st.Int(0);
  e.seq = static_cast<int>(st.Int(1));
  e.at = st.Int(2);
  auto kind = ParseEventKind(st.Text(3));
  if (!kind.ok()) return Status::Internal("corrupt event kind");
  e.kind = *kind;
  const std::string role = st.Text(4);
  e.actor_role = role == "system" ? Role::kSystem : ParseRole(role).ok() ? *ParseRole(role) : Role::kSystem;
  e.actor_unit = st.Text(5);
  e.actor_name = st.Text(6);
  e.payload = json::parse(st.Text(7), nullptr, false);
  if (e.payload.is_discarded()) return Status::Internal("corrupt event payload");
  return e;
}

constexpr const char* kEventColumns =
    "case_id, seq, at, kind, actor_role, actor_unit, actor_name, payload";

// Inserts the events and upserts the folded row. Runs inside the writer's transaction.
// `units_after[i]` is the case's responsible unit after events[i].
Status StoreEvents(sqlite3* db, const Case& folded, const std::vector<CaseEvent>& events,
                   const std::vector<std::string>& units_after, bool insert_row) {
  const char* sql =
      insert_row
          ? "INSERT INTO cases(version, status, type, source, unit, category, title, text, "
            "address, created_at, updated_at, dispatched_at, replied_at, due, merged_into, doc, "
            "id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
          : "UPDATE cases SET version=?, status=?, type=?, source=?, unit=?, category=?, title=?, "
            "text=?, address=?, created_at=?, updated_at=?, dispatched_at=?, replied_at=?, due=?, "
            "merged_into=?, doc=? WHERE id=?";
  Stmt row(db, sql);
  if (!row.ok()) return row.error("prepare case row");
  row.Bind(1, std::int64_t{folded.version})
      .Bind(2, std::string(CaseStatusName(folded.status)))
      .Bind(3, std::string(CaseTypeName(folded.type)))
      .Bind(4, std::string(CaseSourceName(folded.source)))
      .Bind(5, folded.unit).Bind(6, folded.category).Bind(7, folded.title)
      .Bind(8, folded.text).Bind(9, folded.address)
      .Bind(10, folded.created_at).Bind(11, folded.updated_at)
      .BindOpt(12, folded.dispatched_at).BindOpt(13, folded.replied_at).BindOpt(14, folded.due)
      .BindOpt(15, folded.merged_into)
      .Bind(16, CaseToDoc(folded).dump())
      .Bind(17, folded.id);
  if (row.Step() != SQLITE_DONE) return row.error("write case row");
  Stmt ins(db,
           "INSERT INTO case_events(case_id, seq, at, kind, actor_role, actor_unit, actor_name, "
           "unit, payload) VALUES (?,?,?,?,?,?,?,?,?)");
  if (!ins.ok()) return ins.error("prepare event insert");
  for (std::size_t i = 0; i < events.size(); ++i) {
    const CaseEvent& e = events[i];
    ins.Bind(1, e.case_id).Bind(2, std::int64_t{e.seq}).Bind(3, e.at)
        .Bind(4, std::string(EventKindName(e.kind)))
        .Bind(5, std::string(RoleName(e.actor_role)))
        .Bind(6, e.actor_unit).Bind(7, e.actor_name)
        .Bind(8, units_after[i])
        .Bind(9, e.payload.dump());
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
  Stmt v(writer_, "PRAGMA user_version");
  if (!v.ok() || v.Step() != SQLITE_ROW) return SqlError(writer_, "read schema version");
  int version = static_cast<int>(v.Int(0));
  for (const Migration& m : kMigrations) {
    if (m.version <= version) continue;
    JIESU_RETURN_IF_ERROR(Exec(writer_, "BEGIN IMMEDIATE"));
    Status s = Exec(writer_, m.sql);
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
    Stmt st(db, "SELECT code, name, short_name, aliases, level, parent FROM units ORDER BY code");
    if (!st.ok()) return st.error("load units");
    std::vector<Unit> out;
    int rc;
    while ((rc = st.Step()) == SQLITE_ROW) {
      Unit u;
      u.code = st.Text(0);
      u.name = st.Text(1);
      u.short_name = st.Text(2);
      u.aliases = Split(st.Text(3));
      auto level = ParseUnitLevel(st.Text(4));
      if (!level.ok()) return Status::Internal("corrupt unit level");
      u.level = *level;
      u.parent = st.Text(5);
      out.push_back(std::move(u));
    }
    if (rc != SQLITE_DONE) return st.error("load units");
    return out;
  });
}

Status SqliteDatabase::ReplaceUnits(const std::vector<Unit>& units) {
  return Write([&units](sqlite3* db) -> Status {
    JIESU_RETURN_IF_ERROR(Exec(db, "DELETE FROM units"));
    Stmt st(db, "INSERT INTO units(code, name, short_name, aliases, level, parent) "
                "VALUES (?,?,?,?,?,?)");
    if (!st.ok()) return st.error("prepare unit insert");
    for (const Unit& u : units) {
      st.Bind(1, u.code).Bind(2, u.name).Bind(3, u.short_name).Bind(4, Joined(u.aliases))
          .Bind(5, std::string(UnitLevelName(u.level))).Bind(6, u.parent);
      if (st.Step() != SQLITE_DONE) return st.error("insert unit " + u.code);
      st.Reset();
    }
    return Status::Ok();
  });
}

Result<std::vector<Category>> SqliteDatabase::LoadCategories() {
  return Read([](sqlite3* db) -> Result<std::vector<Category>> {
    Stmt st(db, "SELECT code, name, parent, handling, department, response_hours, time_limit, "
                "keywords FROM categories ORDER BY code");
    if (!st.ok()) return st.error("load categories");
    std::vector<Category> out;
    int rc;
    while ((rc = st.Step()) == SQLITE_ROW) {
      Category c;
      c.code = st.Text(0);
      c.name = st.Text(1);
      c.parent = st.Text(2);
      c.handling = st.Text(3) == "department" ? Handling::kDepartment : Handling::kTownship;
      c.department = st.Text(4);
      c.response_hours = static_cast<int>(st.Int(5));
      auto limit = ParseTimeLimit(st.Text(6));
      if (!limit.ok()) return Status::Internal("corrupt category limit");
      c.limit = *limit;
      c.keywords = Split(st.Text(7));
      out.push_back(std::move(c));
    }
    if (rc != SQLITE_DONE) return st.error("load categories");
    return out;
  });
}

Status SqliteDatabase::ReplaceCategories(const std::vector<Category>& categories) {
  return Write([&categories](sqlite3* db) -> Status {
    JIESU_RETURN_IF_ERROR(Exec(db, "DELETE FROM categories"));
    Stmt st(db, "INSERT INTO categories(code, name, parent, handling, department, response_hours, "
                "time_limit, keywords) VALUES (?,?,?,?,?,?,?,?)");
    if (!st.ok()) return st.error("prepare category insert");
    for (const Category& c : categories) {
      st.Bind(1, c.code).Bind(2, c.name).Bind(3, c.parent)
          .Bind(4, std::string(c.handling == Handling::kDepartment ? "department" : "township"))
          .Bind(5, c.department).Bind(6, std::int64_t{c.response_hours})
          .Bind(7, FormatTimeLimit(c.limit)).Bind(8, Joined(c.keywords));
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
      JIESU_ASSERT(!nc.events.empty() && nc.events[0].kind == EventKind::kCreated);
      std::int64_t id = next_id;
      if (nc.id) {
        id = *nc.id;
        taken.Bind(1, id);
        const int rc = taken.Step();
        taken.Reset();
        if (rc == SQLITE_ROW) return Status::Conflict("case " + std::to_string(id) + " exists already");
        if (rc != SQLITE_DONE) return taken.error("check id");
      }
      next_id = std::max(next_id, id + 1);
      Case folded;
      std::vector<std::string> units_after;
      for (std::size_t i = 0; i < nc.events.size(); ++i) {
        nc.events[i].case_id = id;
        nc.events[i].seq = static_cast<int>(i + 1);
        Apply(folded, nc.events[i]);
        units_after.push_back(folded.unit);
      }
      JIESU_RETURN_IF_ERROR(StoreEvents(db, folded, nc.events, units_after, /*insert_row=*/true));
      if (nc.sealed_contact) {
        contact.Bind(1, id).BindBlob(2, *nc.sealed_contact);
        if (contact.Step() != SQLITE_DONE) return contact.error("insert contact");
        contact.Reset();
      }
      created.push_back(std::move(folded));
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
    if (rc == SQLITE_DONE) return Status::NotFound("case " + std::to_string(case_id) + " not found");
    if (rc != SQLITE_ROW) return cur.error("read case");
    JIESU_ASSIGN_OR_RETURN(folded, CaseFromRow(cur, 0));
    if (folded.version != expected_version) {
      return Status::Conflict("case " + std::to_string(case_id) +
                              " was changed by someone else; reload and try again");
    }
    std::vector<std::string> units_after;
    for (CaseEvent& e : events) {
      e.case_id = case_id;
      e.seq = folded.version + 1;
      Apply(folded, e);
      units_after.push_back(folded.unit);
    }
    return StoreEvents(db, folded, events, units_after, /*insert_row=*/false);
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
    if (rc == SQLITE_DONE) return Status::NotFound("case " + std::to_string(id) + " not found");
    if (rc != SQLITE_ROW) return st.error("get case");
    return CaseFromRow(st, 0);
  });
}

Result<std::vector<CaseEvent>> SqliteDatabase::GetEvents(std::int64_t id) {
  return Read([id](sqlite3* db) -> Result<std::vector<CaseEvent>> {
    Stmt st(db, (std::string("SELECT ") + kEventColumns +
                 " FROM case_events WHERE case_id=? ORDER BY seq").c_str());
    if (!st.ok()) return st.error("get events");
    st.Bind(1, id);
    std::vector<CaseEvent> out;
    int rc;
    while ((rc = st.Step()) == SQLITE_ROW) {
      JIESU_ASSIGN_OR_RETURN(CaseEvent e, EventFromRow(st));
      out.push_back(std::move(e));
    }
    if (rc != SQLITE_DONE) return st.error("get events");
    return out;
  });
}

Result<std::vector<Case>> SqliteDatabase::ListCases(const CaseFilter& f) {
  return Read([&f](sqlite3* db) -> Result<std::vector<Case>> {
    std::string sql = "SELECT doc FROM cases WHERE 1=1";
    std::vector<std::string> text_args;
    std::vector<std::int64_t> int_args;
    // Build the WHERE clause with positional placeholders; binding order is tracked in `binds`.
    std::vector<std::pair<bool, std::size_t>> binds;  // (is_text, index)
    const auto text = [&](std::string v) {
      text_args.push_back(std::move(v));
      binds.emplace_back(true, text_args.size() - 1);
    };
    const auto num = [&](std::int64_t v) {
      int_args.push_back(v);
      binds.emplace_back(false, int_args.size() - 1);
    };
    const auto in_list = [&](const char* column, const std::vector<std::string>& values) {
      sql += std::string(" AND ") + column + " IN (";
      for (std::size_t i = 0; i < values.size(); ++i) {
        sql += i ? ",?" : "?";
        text(values[i]);
      }
      sql += ")";
    };
    if (!f.units.empty()) in_list("unit", f.units);
    if (!f.categories.empty()) in_list("category", f.categories);
    if (!f.statuses.empty()) {
      std::vector<std::string> names;
      for (auto st : f.statuses) names.push_back(CaseStatusName(st));
      in_list("status", names);
    }
    if (!f.sources.empty()) {
      std::vector<std::string> names;
      for (auto src : f.sources) names.push_back(CaseSourceName(src));
      in_list("source", names);
    }
    if (!f.ids.empty()) {
      sql += " AND id IN (";
      for (std::size_t i = 0; i < f.ids.size(); ++i) {
        sql += i ? ",?" : "?";
        num(f.ids[i]);
      }
      sql += ")";
    }
    if (f.type) {
      sql += " AND type=?";
      text(CaseTypeName(*f.type));
    }
    if (f.created_from) {
      sql += " AND created_at>=?";
      num(*f.created_from);
    }
    if (f.created_to) {
      sql += " AND created_at<?";
      num(*f.created_to);
    }
    if (!f.query.empty()) {
      std::string pattern = "%";
      for (char ch : f.query) {
        if (ch == '%' || ch == '_' || ch == '\\') pattern += '\\';
        pattern += ch;
      }
      pattern += "%";
      sql += " AND (title LIKE ? ESCAPE '\\' OR text LIKE ? ESCAPE '\\' OR address LIKE ? "
             "ESCAPE '\\')";
      text(pattern);
      text(pattern);
      text(pattern);
    }
    if (f.overdue) {
      // Mirrors domain::IsOverdue.
      const std::string overdue =
          "(due IS NOT NULL AND ((status IN ('dispatched','accepted','objected') AND due<?) OR "
          "(merged_into IS NULL AND replied_at IS NOT NULL AND replied_at>due AND status NOT IN "
          "('dispatched','accepted','objected'))))";
      sql += *f.overdue ? " AND " + overdue : " AND NOT " + overdue;
      num(f.now);
    }
    if (f.supervised) {
      sql += *f.supervised ? " AND json_extract(doc,'$.supervised')=1"
                           : " AND json_extract(doc,'$.supervised')=0";
    }
    if (f.before_id) {
      sql += " AND id<?";
      num(*f.before_id);
    }
    sql += " ORDER BY id DESC LIMIT ?";
    num(f.limit);
    Stmt st(db, sql.c_str());
    if (!st.ok()) return st.error("list cases");
    for (std::size_t i = 0; i < binds.size(); ++i) {
      const int pos = static_cast<int>(i + 1);
      if (binds[i].first) {
        st.Bind(pos, text_args[binds[i].second]);
      } else {
        st.Bind(pos, int_args[binds[i].second]);
      }
    }
    std::vector<Case> out;
    int rc;
    while ((rc = st.Step()) == SQLITE_ROW) {
      JIESU_ASSIGN_OR_RETURN(Case c, CaseFromRow(st, 0));
      out.push_back(std::move(c));
    }
    if (rc != SQLITE_DONE) return st.error("list cases");
    return out;
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

Result<std::vector<Case>> SqliteDatabase::CasesDispatchedBetween(Timestamp from, Timestamp to) {
  return Read([&](sqlite3* db) -> Result<std::vector<Case>> {
    Stmt st(db, "SELECT doc FROM cases WHERE dispatched_at>=? AND dispatched_at<? ORDER BY id");
    if (!st.ok()) return st.error("cases dispatched");
    st.Bind(1, from).Bind(2, to);
    std::vector<Case> out;
    int rc;
    while ((rc = st.Step()) == SQLITE_ROW) {
      JIESU_ASSIGN_OR_RETURN(Case c, CaseFromRow(st, 0));
      out.push_back(std::move(c));
    }
    if (rc != SQLITE_DONE) return st.error("cases dispatched");
    return out;
  });
}

namespace {

constexpr const char* kInspectionColumns =
    "id, name, units, starts, ends, revisit_of, created_at, created_by";

Result<Inspection> InspectionFromRow(const Stmt& st) {
  Inspection r;
  r.id = st.Int(0);
  r.name = st.Text(1);
  const json units = json::parse(st.Text(2), nullptr, false);
  const json revisits = json::parse(st.Text(5), nullptr, false);
  if (!units.is_array() || !revisits.is_array()) return Status::Internal("corrupt inspection row");
  for (const auto& u : units) r.units.push_back(u.get<std::string>());
  for (const auto& id : revisits) r.revisit_of.push_back(id.get<std::int64_t>());
  r.starts = st.Int(3);
  if (!st.IsNull(4)) r.ends = st.Int(4);
  r.created_at = st.Int(6);
  r.created_by = st.Text(7);
  return r;
}

}  // namespace

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
    if (!st.ok()) return st.error("list inspections");
    std::vector<Inspection> out;
    int rc;
    while ((rc = st.Step()) == SQLITE_ROW) {
      JIESU_ASSIGN_OR_RETURN(Inspection r, InspectionFromRow(st));
      out.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE) return st.error("list inspections");
    return out;
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
    Stmt st(db, "SELECT id, prefix, hash, role, unit, name, created_at, revoked_at FROM api_keys "
                "WHERE prefix=?");
    if (!st.ok()) return st.error("find key");
    st.Bind(1, prefix);
    const int rc = st.Step();
    if (rc == SQLITE_DONE) return std::optional<KeyRecord>();
    if (rc != SQLITE_ROW) return st.error("find key");
    KeyRecord k;
    k.id = st.Int(0);
    k.prefix = st.Text(1);
    k.hash = st.Text(2);
    auto role = ParseRole(st.Text(3));
    if (!role.ok()) return Status::Internal("corrupt key role");
    k.role = *role;
    k.unit = st.Text(4);
    k.name = st.Text(5);
    k.created_at = st.Int(6);
    k.revoked = !st.IsNull(7);
    return std::optional<KeyRecord>(std::move(k));
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
    Stmt st(db, "SELECT id, at, key_id, actor, action, case_id, detail FROM audit_log "
                "WHERE id < ? ORDER BY id DESC LIMIT ?");
    if (!st.ok()) return st.error("list audit");
    st.Bind(1, before_id.value_or(INT64_MAX)).Bind(2, std::int64_t{limit});
    std::vector<AuditEntry> out;
    int rc;
    while ((rc = st.Step()) == SQLITE_ROW) {
      AuditEntry a;
      a.id = st.Int(0);
      a.at = st.Int(1);
      a.key_id = st.Int(2);
      a.actor = st.Text(3);
      a.action = st.Text(4);
      if (!st.IsNull(5)) a.case_id = st.Int(5);
      a.detail = st.Text(6);
      out.push_back(std::move(a));
    }
    if (rc != SQLITE_DONE) return st.error("list audit");
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

Result<std::unique_ptr<Database>> OpenDatabase(const std::string& url) {
  std::string path = url;
  if (url.rfind("sqlite:", 0) == 0) {
    path = url.substr(7);
  } else if (url.rfind("postgres", 0) == 0) {
    return Status::Invalid("PostgreSQL is not supported by this build yet; use sqlite:PATH");
  }
  if (path.empty()) return Status::Invalid("database URL names no file: '" + url + "'");
  auto db = SqliteDatabase::Open(path);
  if (!db.ok()) return db.status();
  return std::unique_ptr<Database>(std::move(*db));
}

}  // namespace jiesu::storage
