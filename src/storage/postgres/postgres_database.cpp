#include "storage/postgres/postgres_database.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <set>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "storage/case_filter_sql.hpp"
#include "storage/rows.hpp"

namespace jiesu::storage {

using namespace jiesu::domain;

namespace {

// The numbered migrations from storage/postgres/migrations/*.sql, embedded at build time.
#include "postgres_migrations.inc"

// Advisory lock keys (one number space per database): migrating the schema, drawing case ids.
constexpr std::int64_t kMigrationLock = 0x6a69657375'0001;
constexpr std::int64_t kCaseIdLock = 0x6a69657375'0002;

// libpq's parameters per statement are counted in 16 bits; multi-row statements stay well below.
constexpr int kMaxRowsPerStatement = 1000;
constexpr int kMaxParamsPerStatement = 30000;

// libpq's messages end in a newline and may go on over lines (a hint after a tab); jiesu's
// errors are one line (the CLI's contract, the log).
std::string OneLine(const char* message) {
  std::string out;
  for (const char* p = message ? message : ""; *p != '\0'; ++p) {
    if (*p == '\n' || *p == '\t' || *p == '\r') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += *p;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string ArrayLiteral(const std::vector<std::int64_t>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + std::to_string(values[i]);
  return out + "}";
}

}  // namespace

namespace pg {

// The values of one statement, sent apart from its text: text format, bytea in binary.
class Params {
 public:
  Params& Int(std::int64_t v) { return Add(std::to_string(v), false); }
  Params& Text(std::string v) { return Add(std::move(v), false); }
  Params& Bytes(std::string v) { return Add(std::move(v), true); }
  Params& Null() {
    values_.emplace_back();
    null_.push_back(true);
    binary_.push_back(false);
    return *this;
  }
  template <typename T>
  Params& Opt(const std::optional<T>& v) {
    return v ? Int(static_cast<std::int64_t>(*v)) : Null();
  }
  Params& Values(const std::vector<ColumnValue>& values) {
    for (const ColumnValue& v : values) {
      switch (v.kind) {
        case ColumnValue::Kind::kInt: Int(v.number); break;
        case ColumnValue::Kind::kText: Text(v.text); break;
        case ColumnValue::Kind::kNull: Null(); break;
      }
    }
    return *this;
  }
  int size() const { return static_cast<int>(values_.size()); }
  void Clear() {
    values_.clear();
    null_.clear();
    binary_.clear();
  }

 private:
  friend class Connection;
  Params& Add(std::string v, bool binary) {
    values_.push_back(std::move(v));
    null_.push_back(false);
    binary_.push_back(binary);
    return *this;
  }
  std::vector<std::string> values_;
  std::vector<bool> null_;
  std::vector<bool> binary_;
};

// One row of a result; the accessor rows.hpp's templates read.
class Row {
 public:
  Row(const PGresult* res, int row) : res_(res), row_(row) {}
  std::string Text(int col) const {
    return std::string(PQgetvalue(res_, row_, col),
                       static_cast<std::size_t>(PQgetlength(res_, row_, col)));
  }
  std::int64_t Int(int col) const {
    const char* p = PQgetvalue(res_, row_, col);
    std::int64_t v = 0;
    std::from_chars(p, p + PQgetlength(res_, row_, col), v);
    return v;
  }
  bool IsNull(int col) const { return PQgetisnull(res_, row_, col) != 0; }
  // A bytea column (text format: "\x" and hex digits).
  std::string Bytes(int col) const {
    std::size_t n = 0;
    unsigned char* raw =
        PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(res_, row_, col)), &n);
    std::string out(reinterpret_cast<const char*>(raw), raw ? n : 0);
    PQfreemem(raw);
    return out;
  }

 private:
  const PGresult* res_;
  int row_;
};

// An owned PGresult.
class QueryResult {
 public:
  explicit QueryResult(PGresult* res) : res_(res, &PQclear) {}
  const PGresult* get() const { return res_.get(); }
  int rows() const { return PQntuples(res_.get()); }
  Row row(int i) const { return Row(res_.get(), i); }
  // Rows an INSERT/UPDATE/DELETE touched.
  std::int64_t affected() const {
    const char* n = PQcmdTuples(res_.get());
    return n && *n ? std::strtoll(n, nullptr, 10) : 0;
  }
  // Decodes every row with decode(row) (a T or a Result<T>).
  template <typename T, typename Decode>
  Result<std::vector<T>> All(Decode decode) const {
    std::vector<T> out;
    out.reserve(static_cast<std::size_t>(rows()));
    for (int i = 0; i < rows(); ++i) {
      Result<T> item = decode(row(i));
      if (!item.ok()) return item.status();
      out.push_back(std::move(*item));
    }
    return out;
  }

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> res_;
};

class Connection {
 public:
  // Opens a session: UTF-8, synchronous_commit on, notices (IF NOT EXISTS …) silenced.
  static Result<std::unique_ptr<Connection>> Open(const std::string& uri) {
    // The URI's own settings win over these defaults, except the client encoding, which the
    // codec needs; expand_dbname reads the URI given as dbname.
    const char* keys[] = {"connect_timeout", "fallback_application_name", "dbname",
                          "client_encoding", nullptr};
    const char* values[] = {"10", "jiesu", uri.c_str(), "UTF8", nullptr};
    PGconn* raw = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
    if (raw == nullptr) return Status::Unavailable("cannot connect to PostgreSQL: out of memory");
    std::unique_ptr<Connection> conn(new Connection(raw));
    if (PQstatus(raw) != CONNECTION_OK) {
      return Status::Unavailable("cannot connect to PostgreSQL: " + OneLine(PQerrorMessage(raw)));
    }
    PQsetNoticeProcessor(raw, [](void*, const char*) {}, nullptr);
    const char* encoding = PQparameterStatus(raw, "server_encoding");
    if (encoding == nullptr || std::strcmp(encoding, "UTF8") != 0) {
      return Status::Invalid(std::string("PostgreSQL database ") + PQdb(raw) + " has encoding " +
                             (encoding ? encoding : "?") +
                             "; jiesu needs UTF8 (createdb -E UTF8 -T template0 …)");
    }
    // A write returns once its commit is on disk, whatever the server's default says.
    JIESU_RETURN_IF_ERROR(conn->Run("SET synchronous_commit TO on"));
    return conn;
  }

  ~Connection() { PQfinish(conn_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one parameterised statement. `prepare`: parse and plan it once per connection (for the
  // fixed statements; the list query and multi-row inserts change shape and are sent unnamed).
  Result<QueryResult> Exec(const std::string& sql, const Params& params = {},
                           bool prepare = true) {
    std::vector<const char*> values(params.values_.size());
    std::vector<int> lengths(values.size()), formats(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
      values[i] = params.null_[i] ? nullptr : params.values_[i].data();
      lengths[i] = static_cast<int>(params.values_[i].size());
      formats[i] = params.binary_[i] ? 1 : 0;
    }
    const int n = params.size();
    PGresult* res = nullptr;
    if (prepare) {
      auto it = prepared_.find(sql);
      if (it == prepared_.end()) {
        const std::string name = "s" + std::to_string(prepared_.size());
        QueryResult made(PQprepare(conn_, name.c_str(), sql.c_str(), n, nullptr));
        JIESU_RETURN_IF_ERROR(Check(made, sql));
        it = prepared_.emplace(sql, name).first;
      }
      res = PQexecPrepared(conn_, it->second.c_str(), n, values.data(), lengths.data(),
                           formats.data(), 0);
    } else {
      res = PQexecParams(conn_, sql.c_str(), n, nullptr, values.data(), lengths.data(),
                         formats.data(), 0);
    }
    QueryResult result(res);
    JIESU_RETURN_IF_ERROR(Check(result, sql));
    return result;
  }

  // COPY … FROM STDIN: `sql` the COPY statement, `data` its rows in text format.
  Status CopyIn(const std::string& sql, const std::string& data) {
    QueryResult started(PQexec(conn_, sql.c_str()));
    if (PQresultStatus(started.get()) != PGRES_COPY_IN) {
      JIESU_RETURN_IF_ERROR(Check(started, sql));
      return Status::Internal("postgresql: " + sql + " did not start a copy");
    }
    constexpr std::size_t kChunk = 1 << 20;
    bool sent = true;
    for (std::size_t at = 0; sent && at < data.size(); at += kChunk) {
      const std::size_t n = std::min(kChunk, data.size() - at);
      sent = PQputCopyData(conn_, data.data() + at, static_cast<int>(n)) == 1;
    }
    if (!sent || PQputCopyEnd(conn_, nullptr) != 1) {
      return Status::Unavailable("postgresql: " + OneLine(PQerrorMessage(conn_)) + " (in: " +
                                 sql + ")");
    }
    Status s = Check(QueryResult(PQgetResult(conn_)), sql);
    while (PGresult* rest = PQgetResult(conn_)) PQclear(rest);
    return s;
  }

  // Runs SQL without values (BEGIN, LOCK, a migration of several statements).
  Status Run(const char* sql) {
    QueryResult result(PQexec(conn_, sql));
    return Check(result, sql);
  }

  // COMMIT, checked: in a transaction that an error aborted, COMMIT answers ROLLBACK.
  Status Commit() {
    QueryResult result(PQexec(conn_, "COMMIT"));
    JIESU_RETURN_IF_ERROR(Check(result, "COMMIT"));
    if (std::strcmp(PQcmdStatus(const_cast<PGresult*>(result.get())), "COMMIT") != 0) {
      return Status::Internal("postgresql: the transaction was rolled back");
    }
    return Status::Ok();
  }

  // The server dropped the connection (restart, network): nothing more will work on it.
  bool lost() const { return PQstatus(conn_) != CONNECTION_OK; }
  // Fit to lend again: connected and outside any transaction.
  bool reusable() const { return !lost() && PQtransactionStatus(conn_) == PQTRANS_IDLE; }
  std::string database() const { return PQdb(conn_); }

 private:
  explicit Connection(PGconn* conn) : conn_(conn) {}

  // The Status for a failed statement: Unavailable when the connection is gone or the server
  // asks to try again, Conflict for a unique violation, else Internal; libpq's message on one
  // line after what was being run.
  Status Check(const QueryResult& result, const std::string& sql) const {
    const PGresult* res = result.get();
    const ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Status::Ok();
    const char* primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    const std::string what = "postgresql: " + OneLine(primary ? primary : PQerrorMessage(conn_)) +
                             " (in: " + sql.substr(0, 60) + ")";
    if (lost()) return Status::Unavailable(what);
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    const std::string code = state ? state : "";
    if (code == "23505") return Status::Conflict(what);
    // Connection exceptions, serialization failure and deadlock, too many connections, the
    // server shutting down: the same request may well succeed later.
    if (code.rfind("08", 0) == 0 || code == "40001" || code == "40P01" ||
        code.rfind("53", 0) == 0 || code.rfind("57P", 0) == 0) {
      return Status::Unavailable(what);
    }
    return Status::Internal(what);
  }

  PGconn* conn_;
  std::unordered_map<std::string, std::string> prepared_;
};

}  // namespace pg

namespace {

using pg::Connection;
using pg::Params;
using pg::QueryResult;

// Multi-row statements: `head` VALUES (…),(…) `tail`, flushed every kMaxRowsPerStatement rows.
// `casts` gives each column's cast (empty: none; INSERT takes its columns' types).
class RowBatch {
 public:
  RowBatch(std::string head, std::vector<std::string> casts, std::string tail = "")
      : head_(std::move(head)), casts_(std::move(casts)), tail_(std::move(tail)) {}
  RowBatch(std::string head, int columns)
      : RowBatch(std::move(head), std::vector<std::string>(static_cast<std::size_t>(columns))) {}

  // The next row's values: add exactly one per column, then call Added.
  Params& params() { return params_; }
  Status Added(Connection& conn) {
    ++rows_;
    const int columns = static_cast<int>(casts_.size());
    if (rows_ >= kMaxRowsPerStatement || (rows_ + 1) * columns > kMaxParamsPerStatement) {
      return Flush(conn);
    }
    return Status::Ok();
  }
  Status Flush(Connection& conn) {
    if (rows_ == 0) return Status::Ok();
    std::string sql = head_ + " VALUES ";
    int n = 0;
    for (int r = 0; r < rows_; ++r) {
      sql += r ? ",(" : "(";
      for (std::size_t c = 0; c < casts_.size(); ++c) {
        sql += (c ? ",$" : "$") + std::to_string(++n) + casts_[c];
      }
      sql += ")";
    }
    sql += tail_;
    auto result = conn.Exec(sql, params_, /*prepare=*/false);
    params_.Clear();
    rows_ = 0;
    return result.status();
  }

 private:
  std::string head_;
  std::vector<std::string> casts_;
  std::string tail_;
  Params params_;
  int rows_ = 0;
};

// Rows sent by COPY … FROM STDIN in text format (new cases and their events): no statement to
// parse and no parameter list, and no limit of 65,535 values a statement.
class CopyRows {
 public:
  explicit CopyRows(const std::string& table_and_columns)
      : sql_("COPY " + table_and_columns + " FROM STDIN") {}
  void Add(const std::vector<ColumnValue>& values) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i) data_ += '\t';
      const ColumnValue& v = values[i];
      switch (v.kind) {
        case ColumnValue::Kind::kInt: data_ += std::to_string(v.number); break;
        case ColumnValue::Kind::kNull: data_ += "\\N"; break;
        case ColumnValue::Kind::kText:
          for (const char ch : v.text) {
            switch (ch) {
              case '\\': data_ += "\\\\"; break;
              case '\n': data_ += "\\n"; break;
              case '\r': data_ += "\\r"; break;
              case '\t': data_ += "\\t"; break;
              default: data_ += ch;
            }
          }
          break;
      }
    }
    data_ += '\n';
  }
  Status Flush(Connection& conn) {
    if (data_.empty()) return Status::Ok();
    Status s = conn.CopyIn(sql_, data_);
    data_.clear();
    return s;
  }

 private:
  std::string sql_;
  std::string data_;
};

// The values of one statement, e.g. Args().Int(id).Text(name).
Params Args() { return Params(); }

Result<Case> CaseFromRow(const pg::Row& row) { return CaseFromDocText(row.Text(0)); }

}  // namespace

PostgresDatabase::PostgresDatabase(std::string uri) : uri_(std::move(uri)) {}

PostgresDatabase::~PostgresDatabase() = default;

Result<std::unique_ptr<PostgresDatabase>> PostgresDatabase::Open(const std::string& uri) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(uri.c_str(), &error);
  if (options == nullptr) {
    Status s = Status::Invalid("bad PostgreSQL URL: " + OneLine(error ? error : "out of memory"));
    PQfreemem(error);
    return s;
  }
  PQconninfoFree(options);
  std::unique_ptr<PostgresDatabase> db(new PostgresDatabase(uri));
  JIESU_ASSIGN_OR_RETURN(auto conn, db->Acquire());
  Status migrated = db->Migrate(*conn);
  db->Release(std::move(conn));
  if (!migrated.ok()) return migrated;
  return db;
}

Status PostgresDatabase::Migrate(Connection& conn) {
  // A session lock: a second process opening the same database waits here, then finds the
  // schema migrated. Closing the connection would release it too.
  JIESU_RETURN_IF_ERROR(conn.Exec("SELECT pg_advisory_lock($1)", Args().Int(kMigrationLock)).status());
  const auto migrate = [&]() -> Status {
    JIESU_RETURN_IF_ERROR(conn.Run(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
        "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"));
    JIESU_ASSIGN_OR_RETURN(QueryResult current,
                           conn.Exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
    const std::int64_t version = current.row(0).Int(0);
    for (const Migration& m : kMigrations) {
      if (m.version <= version) continue;
      JIESU_RETURN_IF_ERROR(conn.Run("BEGIN"));
      Status s = conn.Run(m.sql);
      if (s.ok()) {
        s = conn.Exec("INSERT INTO schema_migrations(version) VALUES ($1)", Args().Int(m.version))
                .status();
      }
      if (s.ok()) s = conn.Commit();
      if (!s.ok()) {
        (void)conn.Run("ROLLBACK");
        return Status::Internal("migration " + std::to_string(m.version) + " failed: " +
                                s.message());
      }
      spdlog::info("database {}: migrated to schema version {}", conn.database(), m.version);
    }
    return Status::Ok();
  };
  Status s = migrate();
  Status unlocked = conn.Exec("SELECT pg_advisory_unlock($1)", Args().Int(kMigrationLock)).status();
  return s.ok() ? unlocked : s;
}

Result<std::unique_ptr<Connection>> PostgresDatabase::Acquire() {
  {
    std::unique_lock lock(pool_mu_);
    pool_cv_.wait(lock, [this] { return !idle_.empty() || open_ < kMaxConnections; });
    if (!idle_.empty()) {
      std::unique_ptr<Connection> conn = std::move(idle_.back());
      idle_.pop_back();
      return conn;
    }
    ++open_;
  }
  auto conn = Connection::Open(uri_);
  if (!conn.ok()) {
    {
      std::lock_guard lock(pool_mu_);
      --open_;
    }
    pool_cv_.notify_one();
  }
  return conn;
}

void PostgresDatabase::Release(std::unique_ptr<Connection> conn) {
  std::vector<std::unique_ptr<Connection>> closing;  // closed outside the lock
  {
    std::lock_guard lock(pool_mu_);
    if (conn->reusable()) {
      idle_.push_back(std::move(conn));
    } else {
      // A lost connection usually means the server restarted: the idle ones are gone as well.
      --open_;
      if (conn->lost()) {
        open_ -= static_cast<int>(idle_.size());
        closing = std::move(idle_);
        idle_.clear();
      }
      closing.push_back(std::move(conn));
    }
  }
  pool_cv_.notify_all();
}

template <typename Fn>
auto PostgresDatabase::Read(Fn fn) -> decltype(fn(std::declval<pg::Connection&>())) {
  for (int attempt = 0;; ++attempt) {
    auto conn = Acquire();
    if (!conn.ok()) return conn.status();
    auto result = fn(**conn);
    const bool lost = (*conn)->lost();
    Release(std::move(*conn));
    if (result.ok() || !lost || attempt > 0) return result;
  }
}

Status PostgresDatabase::Write(const std::function<Status(Connection&)>& fn) {
  for (int attempt = 0;; ++attempt) {
    JIESU_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, Acquire());
    Status s = conn->Run("BEGIN");
    if (!s.ok()) {
      const bool lost = conn->lost();
      Release(std::move(conn));
      if (lost && attempt == 0) continue;  // nothing was sent: safe to try on a new connection
      return s;
    }
    s = fn(*conn);
    if (s.ok()) {
      s = conn->Commit();
    } else {
      (void)conn->Run("ROLLBACK");
    }
    Release(std::move(conn));
    return s;
  }
}

Result<std::vector<Unit>> PostgresDatabase::LoadUnits() {
  return Read([](Connection& c) -> Result<std::vector<Unit>> {
    JIESU_ASSIGN_OR_RETURN(
        QueryResult r, c.Exec(std::string("SELECT ") + kUnitColumns + " FROM units ORDER BY code"));
    return r.All<Unit>([](const pg::Row& row) { return UnitFromRow(row); });
  });
}

Status PostgresDatabase::ReplaceUnits(const std::vector<Unit>& units) {
  return Write([&units](Connection& c) -> Status {
    // Two processes starting at once both load the built-in units: the second waits here and
    // then deletes what the first inserted, instead of colliding with it.
    JIESU_RETURN_IF_ERROR(c.Run("LOCK TABLE units IN SHARE ROW EXCLUSIVE MODE"));
    JIESU_RETURN_IF_ERROR(c.Run("DELETE FROM units"));
    RowBatch batch(std::string("INSERT INTO units(") + kUnitColumns + ")", 6);
    for (const Unit& u : units) {
      batch.params().Text(u.code).Text(u.name).Text(u.short_name).Text(JoinList(u.aliases))
          .Text(UnitLevelName(u.level)).Text(u.parent);
      JIESU_RETURN_IF_ERROR(batch.Added(c));
    }
    return batch.Flush(c);
  });
}

Result<std::vector<Category>> PostgresDatabase::LoadCategories() {
  return Read([](Connection& c) -> Result<std::vector<Category>> {
    JIESU_ASSIGN_OR_RETURN(
        QueryResult r,
        c.Exec(std::string("SELECT ") + kCategoryColumns + " FROM categories ORDER BY code"));
    return r.All<Category>([](const pg::Row& row) { return CategoryFromRow(row); });
  });
}

Status PostgresDatabase::ReplaceCategories(const std::vector<Category>& categories) {
  return Write([&categories](Connection& c) -> Status {
    JIESU_RETURN_IF_ERROR(c.Run("LOCK TABLE categories IN SHARE ROW EXCLUSIVE MODE"));
    JIESU_RETURN_IF_ERROR(c.Run("DELETE FROM categories"));
    RowBatch batch(std::string("INSERT INTO categories(") + kCategoryColumns + ")", 8);
    for (const Category& cat : categories) {
      batch.params().Text(cat.code).Text(cat.name).Text(cat.parent)
          .Text(HandlingName(cat.handling)).Text(cat.department).Int(cat.response_hours)
          .Text(FormatTimeLimit(cat.limit)).Text(JoinList(cat.keywords));
      JIESU_RETURN_IF_ERROR(batch.Added(c));
    }
    return batch.Flush(c);
  });
}

namespace {

// The ids of a batch of new cases, in order, as SQLite gives them: an imported case keeps its
// id (Conflict when it is taken, in the table or earlier in the batch); the others count on
// from the highest id so far. Takes the case-id advisory lock for the transaction: shared when
// every id comes from the sequence (creations run side by side), exclusive when the batch
// imports, so that no id is drawn while the sequence is moved past the imported ones.
Result<std::vector<std::int64_t>> CaseIds(Connection& c, const std::vector<NewCase>& cases) {
  std::vector<std::int64_t> imported;
  for (const NewCase& nc : cases) {
    if (nc.id) imported.push_back(*nc.id);
  }
  std::vector<std::int64_t> ids;
  if (imported.empty()) {
    JIESU_RETURN_IF_ERROR(
        c.Exec("SELECT pg_advisory_xact_lock_shared($1)", Args().Int(kCaseIdLock)).status());
    JIESU_ASSIGN_OR_RETURN(QueryResult r,
                           c.Exec("SELECT nextval('cases_id_seq') FROM generate_series(1, $1)",
                                  Args().Int(static_cast<std::int64_t>(cases.size()))));
    for (int i = 0; i < r.rows(); ++i) ids.push_back(r.row(i).Int(0));
    std::sort(ids.begin(), ids.end());
    return ids;
  }
  JIESU_RETURN_IF_ERROR(c.Exec("SELECT pg_advisory_xact_lock($1)", Args().Int(kCaseIdLock)).status());
  JIESU_ASSIGN_OR_RETURN(QueryResult taken,
                         c.Exec("SELECT MIN(id) FROM cases WHERE id = ANY($1::BIGINT[])",
                                Args().Text(ArrayLiteral(imported))));
  if (!taken.row(0).IsNull(0)) return CaseIdTaken(taken.row(0).Int(0));
  // With every other creation waiting on the lock, the sequence is ours until COMMIT.
  JIESU_ASSIGN_OR_RETURN(
      QueryResult next,
      c.Exec("SELECT GREATEST(nextval('cases_id_seq'), COALESCE(MAX(id), 0) + 1) FROM cases"));
  std::int64_t next_id = next.row(0).Int(0);
  std::set<std::int64_t> used;
  for (const NewCase& nc : cases) {
    const std::int64_t id = nc.id ? *nc.id : next_id;
    if (!used.insert(id).second) return CaseIdTaken(id);
    next_id = std::max(next_id, id + 1);
    ids.push_back(id);
  }
  JIESU_RETURN_IF_ERROR(
      c.Exec("SELECT setval('cases_id_seq', $1)", Args().Int(next_id - 1)).status());
  return ids;
}

}  // namespace

Result<std::vector<Case>> PostgresDatabase::CreateCases(std::vector<NewCase> cases) {
  if (cases.empty()) return std::vector<Case>();
  std::vector<Case> created;
  Status s = Write([&](Connection& c) -> Status {
    created.clear();
    JIESU_ASSIGN_OR_RETURN(std::vector<std::int64_t> ids, CaseIds(c, cases));
    // Rows first (the events and contacts refer to them): cases and events by COPY, contacts
    // (bytes) in multi-row statements.
    CopyRows rows(std::string("cases(") + kCaseRowColumns + ")");
    CopyRows events(std::string("case_events(") + kEventInsertColumns + ")");
    RowBatch contacts("INSERT INTO case_contacts(case_id, sealed)", 2);
    std::vector<FoldedWrite> writes;
    writes.reserve(cases.size());
    for (std::size_t i = 0; i < cases.size(); ++i) {
      writes.push_back(FoldNewCase(ids[i], cases[i].events));
      rows.Add(CaseRowValues(writes.back().folded));
    }
    JIESU_RETURN_IF_ERROR(rows.Flush(c));
    for (std::size_t i = 0; i < cases.size(); ++i) {
      for (std::size_t e = 0; e < cases[i].events.size(); ++e) {
        events.Add(EventRowValues(cases[i].events[e], writes[i].units_after[e]));
      }
      if (cases[i].sealed_contact) {
        contacts.params().Int(ids[i]).Bytes(*cases[i].sealed_contact);
        JIESU_RETURN_IF_ERROR(contacts.Added(c));
      }
    }
    JIESU_RETURN_IF_ERROR(events.Flush(c));
    JIESU_RETURN_IF_ERROR(contacts.Flush(c));
    for (FoldedWrite& w : writes) created.push_back(std::move(w.folded));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return created;
}

Result<Case> PostgresDatabase::AppendEvents(std::int64_t case_id, int expected_version,
                                            std::vector<CaseEvent> events) {
  Case folded;
  Status s = Write([&](Connection& c) -> Status {
    JIESU_ASSIGN_OR_RETURN(QueryResult cur,
                           c.Exec("SELECT doc FROM cases WHERE id=$1", Args().Int(case_id)));
    if (cur.rows() == 0) return CaseNotFound(case_id);
    JIESU_ASSIGN_OR_RETURN(Case current, CaseFromRow(cur.row(0)));
    if (current.version != expected_version) return StaleVersion(case_id);
    FoldedWrite write = FoldAppend(std::move(current), case_id, events);
    // The version in the WHERE makes the check and the write one step: a writer that got
    // there first (and committed while this one waited for the row) leaves no row to update.
    Params params;
    params.Values(CaseRowValues(write.folded)).Int(expected_version);
    JIESU_ASSIGN_OR_RETURN(
        QueryResult updated,
        c.Exec("UPDATE cases SET version=$1, status=$2, type=$3, source=$4, unit=$5, "
               "category=$6, title=$7, text=$8, address=$9, created_at=$10, updated_at=$11, "
               "dispatched_at=$12, replied_at=$13, due=$14, merged_into=$15, doc=$16 "
               "WHERE id=$17 AND version=$18",
               params));
    if (updated.affected() == 0) return StaleVersion(case_id);
    // A few events: one multi-row INSERT (a COPY would cost a round trip more).
    RowBatch batch(std::string("INSERT INTO case_events(") + kEventInsertColumns + ")",
                   kEventInsertColumnCount);
    for (std::size_t i = 0; i < events.size(); ++i) {
      batch.params().Values(EventRowValues(events[i], write.units_after[i]));
      JIESU_RETURN_IF_ERROR(batch.Added(c));
    }
    JIESU_RETURN_IF_ERROR(batch.Flush(c));
    folded = std::move(write.folded);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return folded;
}

Result<Case> PostgresDatabase::GetCase(std::int64_t id) {
  return Read([id](Connection& c) -> Result<Case> {
    JIESU_ASSIGN_OR_RETURN(QueryResult r, c.Exec("SELECT doc FROM cases WHERE id=$1", Args().Int(id)));
    if (r.rows() == 0) return CaseNotFound(id);
    return CaseFromRow(r.row(0));
  });
}

Result<std::vector<CaseEvent>> PostgresDatabase::GetEvents(std::int64_t id) {
  return Read([id](Connection& c) -> Result<std::vector<CaseEvent>> {
    JIESU_ASSIGN_OR_RETURN(QueryResult r,
                           c.Exec(std::string("SELECT ") + kEventColumns +
                                      " FROM case_events WHERE case_id=$1 ORDER BY seq",
                                  Args().Int(id)));
    return r.All<CaseEvent>([](const pg::Row& row) { return EventFromRow(row); });
  });
}

namespace {

// ILIKE: SQLite's LIKE ignores ASCII case; its escape character is '\' by default.
constexpr SqlDialect kPostgresDialect{
    .placeholder = [](int n) { return "$" + std::to_string(n); },
    .contains = [](const std::string& column, const std::string& placeholder) {
      return column + " ILIKE " + placeholder;
    },
    .supervised = "doc->'supervised' = 'true'",
    .not_supervised = "doc->'supervised' = 'false'",
    .enterprise_is = [](const std::string& placeholder) {
      return "doc ? 'enterprise_id' AND (doc->>'enterprise_id')::BIGINT = " + placeholder;
    },
    .has_enterprise = "doc ? 'enterprise_id'",
    // The GIN index of migration 0003 over exactly this expression; ILIKE with any pattern.
    .text_index = {
        .answers = [](const std::string&) { return true; },
        .from = "cases",
        .matches = [](const std::string& placeholder) {
          return "(title || E'\\x1f' || text || E'\\x1f' || address) ILIKE " + placeholder;
        },
        .order_by = "id"}};

Params QueryParams(const SqlQuery& query) {
  Params params;
  for (const auto& v : query.values) {
    if (const auto* n = std::get_if<std::int64_t>(&v)) {
      params.Int(*n);
    } else {
      params.Text(std::get<std::string>(v));
    }
  }
  return params;
}

}  // namespace

Result<std::vector<Case>> PostgresDatabase::ListCases(const CaseFilter& f) {
  const SqlQuery query = ListCasesQuery(f, kPostgresDialect);
  return Read([&](Connection& c) -> Result<std::vector<Case>> {
    JIESU_ASSIGN_OR_RETURN(QueryResult r, c.Exec(query.sql, QueryParams(query), /*prepare=*/false));
    return r.All<Case>(CaseFromRow);
  });
}

Result<std::vector<CaseText>> PostgresDatabase::ListCaseTexts(const CaseFilter& f) {
  const SqlQuery query = ListCasesQuery(f, kPostgresDialect, kCaseTextColumns);
  return Read([&](Connection& c) -> Result<std::vector<CaseText>> {
    JIESU_ASSIGN_OR_RETURN(QueryResult r, c.Exec(query.sql, QueryParams(query), /*prepare=*/false));
    return r.All<CaseText>([](const pg::Row& row) { return CaseTextFromRow(row); });
  });
}

Result<std::int64_t> PostgresDatabase::CountCases() {
  return Read([](Connection& c) -> Result<std::int64_t> {
    JIESU_ASSIGN_OR_RETURN(QueryResult r, c.Exec("SELECT COUNT(*) FROM cases"));
    return r.row(0).Int(0);
  });
}

Result<int> PostgresDatabase::ResealContacts(
    const std::function<Result<std::string>(const std::string&)>& reseal) {
  int n = 0;
  Status s = Write([&](Connection& c) -> Status {
    n = 0;
    // No contact may be added or changed between reading and rewriting them all.
    JIESU_RETURN_IF_ERROR(c.Run("LOCK TABLE case_contacts IN EXCLUSIVE MODE"));
    JIESU_ASSIGN_OR_RETURN(QueryResult all,
                           c.Exec("SELECT case_id, sealed FROM case_contacts ORDER BY case_id"));
    RowBatch updates("UPDATE case_contacts AS c SET sealed = v.sealed FROM (", {"::BIGINT", "::BYTEA"},
                     ") AS v(case_id, sealed) WHERE c.case_id = v.case_id");
    for (int i = 0; i < all.rows(); ++i) {
      JIESU_ASSIGN_OR_RETURN(std::string next, reseal(all.row(i).Bytes(1)));
      updates.params().Int(all.row(i).Int(0)).Bytes(std::move(next));
      JIESU_RETURN_IF_ERROR(updates.Added(c));
      ++n;
    }
    return updates.Flush(c);
  });
  if (!s.ok()) return s;
  return n;
}

Result<std::string> PostgresDatabase::IntegrityCheck() {
  return Read([](Connection& c) -> Result<std::string> {
    std::vector<std::string> problems;
    // Every case's log is numbered 1..version: the row is the fold of exactly these events.
    JIESU_ASSIGN_OR_RETURN(
        QueryResult logs,
        c.Exec("SELECT c.id, c.version, COALESCE(e.n, 0), COALESCE(e.top, 0) FROM cases c "
               "LEFT JOIN (SELECT case_id, COUNT(*) AS n, MAX(seq) AS top FROM case_events "
               "GROUP BY case_id) e ON e.case_id = c.id "
               "WHERE e.n IS DISTINCT FROM c.version OR e.top IS DISTINCT FROM c.version "
               "ORDER BY c.id LIMIT 20"));
    for (int i = 0; i < logs.rows(); ++i) {
      const pg::Row row = logs.row(i);
      problems.push_back("case " + row.Text(0) + " is at version " + row.Text(1) + " but has " +
                         row.Text(2) + " events numbered up to " + row.Text(3));
    }
    // amcheck (shipped with postgresql-15) verifies each B-tree's structure without blocking
    // writers. Creating the extension needs a superuser or the database owner's grant; without
    // it the check is the one above.
    Status amcheck = c.Run("CREATE EXTENSION IF NOT EXISTS amcheck");
    if (amcheck.ok()) {
      JIESU_ASSIGN_OR_RETURN(
          QueryResult allowed,
          c.Exec("SELECT has_function_privilege('bt_index_check(regclass)', 'EXECUTE')"));
      if (allowed.row(0).Text(0) != "t") amcheck = Status::Forbidden("bt_index_check not granted");
    }
    if (amcheck.ok()) {
      JIESU_ASSIGN_OR_RETURN(
          QueryResult indexes,
          c.Exec("SELECT ic.oid, ic.relname FROM pg_index i "
                 "JOIN pg_class ic ON ic.oid = i.indexrelid "
                 "JOIN pg_am am ON am.oid = ic.relam "
                 "JOIN pg_namespace ns ON ns.oid = ic.relnamespace "
                 "WHERE am.amname = 'btree' AND ns.nspname = current_schema() AND i.indisvalid "
                 "ORDER BY ic.relname"));
      for (int i = 0; i < indexes.rows(); ++i) {
        Status checked = c.Exec("SELECT bt_index_check($1::OID::REGCLASS)",
                                Args().Int(indexes.row(i).Int(0)))
                             .status();
        if (checked.code() == StatusCode::kUnavailable) return checked;
        if (!checked.ok()) {
          problems.push_back("index " + indexes.row(i).Text(1) + ": " + checked.message());
        }
      }
    }
    if (!amcheck.ok()) spdlog::info("integrity check without amcheck: {}", amcheck.message());
    if (problems.empty()) return std::string("ok");
    std::string out;
    for (const auto& p : problems) out += (out.empty() ? "" : "; ") + p;
    return out;
  });
}

Result<std::vector<Database::UnitEvent>> PostgresDatabase::EventsBetween(
    Timestamp from, Timestamp to, const std::vector<EventKind>& kinds) {
  return Read([&](Connection& c) -> Result<std::vector<UnitEvent>> {
    std::vector<UnitEvent> out;
    for (EventKind k : kinds) {  // kind by kind, as SQLite's index (kind, at) reads them
      JIESU_ASSIGN_OR_RETURN(
          QueryResult r,
          c.Exec(std::string("SELECT ") + kEventColumns +
                     ", unit FROM case_events WHERE kind=$1 AND at>=$2 AND at<$3 "
                     "ORDER BY at, case_id, seq",
                 Args().Text(EventKindName(k)).Int(from).Int(to)));
      for (int i = 0; i < r.rows(); ++i) {
        JIESU_ASSIGN_OR_RETURN(CaseEvent e, EventFromRow(r.row(i)));
        out.push_back({std::move(e), r.row(i).Text(8)});
      }
    }
    return out;
  });
}

Result<std::vector<DispatchedCase>> PostgresDatabase::CasesDispatchedBetween(Timestamp from,
                                                                            Timestamp to,
                                                                            bool with_texts) {
  return Read([&](Connection& c) -> Result<std::vector<DispatchedCase>> {
    JIESU_ASSIGN_OR_RETURN(
        QueryResult r,
        c.Exec("SELECT " +
                   DispatchedCaseColumns("(doc->>'accepted_at')::BIGINT",
                                         "(doc->>'response_due')::BIGINT", with_texts) +
                   " FROM cases WHERE dispatched_at>=$1 AND dispatched_at<$2 ORDER BY id",
               Args().Int(from).Int(to)));
    return r.All<DispatchedCase>([](const pg::Row& row) { return DispatchedCaseFromRow(row); });
  });
}

Result<std::int64_t> PostgresDatabase::InsertInspection(const Inspection& round) {
  std::int64_t id = 0;
  Status s = Write([&](Connection& c) -> Status {
    JIESU_ASSIGN_OR_RETURN(
        QueryResult r,
        c.Exec("INSERT INTO inspections(name, units, starts, ends, revisit_of, created_at, "
               "created_by) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id",
               Args().Text(round.name).Text(nlohmann::json(round.units).dump()).Int(round.starts)
                   .Opt(round.ends).Text(nlohmann::json(round.revisit_of).dump())
                   .Int(round.created_at).Text(round.created_by)));
    id = r.row(0).Int(0);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return id;
}

Result<Inspection> PostgresDatabase::GetInspection(std::int64_t id) {
  return Read([id](Connection& c) -> Result<Inspection> {
    JIESU_ASSIGN_OR_RETURN(QueryResult r,
                           c.Exec(std::string("SELECT ") + kInspectionColumns +
                                      " FROM inspections WHERE id=$1",
                                  Args().Int(id)));
    if (r.rows() == 0) return Status::NotFound("inspection " + std::to_string(id) + " not found");
    return InspectionFromRow(r.row(0));
  });
}

Result<std::vector<Inspection>> PostgresDatabase::ListInspections() {
  return Read([](Connection& c) -> Result<std::vector<Inspection>> {
    JIESU_ASSIGN_OR_RETURN(
        QueryResult r,
        c.Exec(std::string("SELECT ") + kInspectionColumns + " FROM inspections ORDER BY id"));
    return r.All<Inspection>([](const pg::Row& row) { return InspectionFromRow(row); });
  });
}

Result<std::vector<Case>> PostgresDatabase::CasesOfInspections(
    const std::vector<std::int64_t>& round_ids) {
  if (round_ids.empty()) return std::vector<Case>();
  return Read([&](Connection& c) -> Result<std::vector<Case>> {
    // `doc ? 'inspection_id'` is the expression index's predicate, so the planner can use it.
    JIESU_ASSIGN_OR_RETURN(
        QueryResult r,
        c.Exec("SELECT doc FROM cases WHERE doc ? 'inspection_id' AND "
               "(doc->>'inspection_id')::BIGINT = ANY($1::BIGINT[]) ORDER BY id",
               Args().Text(ArrayLiteral(round_ids))));
    return r.All<Case>(CaseFromRow);
  });
}

Result<Record> PostgresDatabase::InsertRecord(const Record& record) {
  Record out = record;
  out.version = 1;
  out.updated_at = out.created_at;
  Status s = Write([&](Connection& c) -> Status {
    // The unique index decides a race; this check gives the usual case a clear message.
    if (record.lookup) {
      JIESU_ASSIGN_OR_RETURN(QueryResult taken,
                             c.Exec("SELECT 1 FROM records WHERE kind=$1 AND lookup=$2",
                                    Args().Text(record.kind).Text(*record.lookup)));
      if (taken.rows() > 0) return LookupTaken(record.kind, *record.lookup);
    }
    Params args;
    args.Text(record.kind).Int(record.parent);
    if (record.lookup) args.Text(*record.lookup); else args.Null();
    args.Text(record.doc).Int(out.created_at);
    JIESU_ASSIGN_OR_RETURN(
        QueryResult r,
        c.Exec("INSERT INTO records(kind, parent, lookup, version, doc, created_at, updated_at) "
               "VALUES ($1,$2,$3,1,$4,$5,$5) RETURNING id", args));
    out.id = r.row(0).Int(0);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

Result<Record> PostgresDatabase::UpdateRecord(const Record& record) {
  Status s = Write([&](Connection& c) -> Status {
    JIESU_ASSIGN_OR_RETURN(
        QueryResult r,
        c.Exec("UPDATE records SET doc=$1, updated_at=$2, version=version+1, lookup=$6 "
               "WHERE kind=$3 AND id=$4 AND version=$5 RETURNING id",
               [&] {
                 Params p;
                 p.Text(record.doc).Int(record.updated_at).Text(record.kind).Int(record.id)
                     .Int(record.version);
                 if (record.lookup) p.Text(*record.lookup); else p.Null();
                 return p;
               }()));
    if (r.rows() == 1) return Status::Ok();
    JIESU_ASSIGN_OR_RETURN(QueryResult there,
                           c.Exec("SELECT 1 FROM records WHERE kind=$1 AND id=$2",
                                  Args().Text(record.kind).Int(record.id)));
    return there.rows() > 0 ? StaleRecord(record.kind, record.id)
                            : RecordNotFound(record.kind, record.id);
  });
  if (!s.ok()) return s;
  return GetRecord(record.kind, record.id);
}

Result<Record> PostgresDatabase::GetRecord(const std::string& kind, std::int64_t id) {
  return Read([&](Connection& c) -> Result<Record> {
    JIESU_ASSIGN_OR_RETURN(QueryResult r,
                           c.Exec(std::string("SELECT ") + kRecordColumns +
                                      " FROM records WHERE kind=$1 AND id=$2",
                                  Args().Text(kind).Int(id)));
    if (r.rows() == 0) return RecordNotFound(kind, id);
    return RecordFromRow(r.row(0));
  });
}

Result<std::optional<Record>> PostgresDatabase::FindRecord(const std::string& kind,
                                                           const std::string& lookup) {
  return Read([&](Connection& c) -> Result<std::optional<Record>> {
    JIESU_ASSIGN_OR_RETURN(QueryResult r,
                           c.Exec(std::string("SELECT ") + kRecordColumns +
                                      " FROM records WHERE kind=$1 AND lookup=$2",
                                  Args().Text(kind).Text(lookup)));
    if (r.rows() == 0) return std::optional<Record>();
    return std::optional<Record>(RecordFromRow(r.row(0)));
  });
}

Result<std::vector<Record>> PostgresDatabase::ListRecords(const std::string& kind,
                                                          std::optional<std::int64_t> parent) {
  return Read([&](Connection& c) -> Result<std::vector<Record>> {
    Params args;
    args.Text(kind);
    if (parent) args.Int(*parent);
    JIESU_ASSIGN_OR_RETURN(QueryResult r,
                           c.Exec(std::string("SELECT ") + kRecordColumns +
                                      " FROM records WHERE kind=$1" +
                                      (parent ? " AND parent=$2" : "") + " ORDER BY id",
                                  args));
    std::vector<Record> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(RecordFromRow(r.row(i)));
    return out;
  });
}

Result<std::optional<std::string>> PostgresDatabase::GetSealedContact(std::int64_t case_id) {
  return Read([case_id](Connection& c) -> Result<std::optional<std::string>> {
    JIESU_ASSIGN_OR_RETURN(
        QueryResult r,
        c.Exec("SELECT case_id, sealed FROM case_contacts WHERE case_id=$1", Args().Int(case_id)));
    if (r.rows() == 0) return std::optional<std::string>();
    return std::optional<std::string>(r.row(0).Bytes(1));
  });
}

Result<std::int64_t> PostgresDatabase::InsertKey(const KeyRecord& key) {
  std::int64_t id = 0;
  Status s = Write([&](Connection& c) -> Status {
    JIESU_ASSIGN_OR_RETURN(
        QueryResult r,
        c.Exec("INSERT INTO api_keys(prefix, hash, role, unit, name, created_at) "
               "VALUES ($1,$2,$3,$4,$5,$6) RETURNING id",
               Args().Text(key.prefix).Text(key.hash).Text(RoleName(key.role)).Text(key.unit)
                   .Text(key.name).Int(key.created_at)));
    id = r.row(0).Int(0);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return id;
}

Result<std::optional<KeyRecord>> PostgresDatabase::FindKey(const std::string& prefix) {
  return Read([&](Connection& c) -> Result<std::optional<KeyRecord>> {
    JIESU_ASSIGN_OR_RETURN(
        QueryResult r,
        c.Exec(std::string("SELECT ") + kKeyColumns + " FROM api_keys WHERE prefix=$1",
               Args().Text(prefix)));
    if (r.rows() == 0) return std::optional<KeyRecord>();
    JIESU_ASSIGN_OR_RETURN(KeyRecord key, KeyFromRow(r.row(0)));
    return std::optional<KeyRecord>(std::move(key));
  });
}

Result<std::vector<KeyRecord>> PostgresDatabase::ListKeys() {
  return Read([&](Connection& c) -> Result<std::vector<KeyRecord>> {
    JIESU_ASSIGN_OR_RETURN(
        QueryResult r, c.Exec(std::string("SELECT ") + kKeyColumns + " FROM api_keys ORDER BY id"));
    std::vector<KeyRecord> out;
    for (int i = 0; i < r.rows(); ++i) {
      JIESU_ASSIGN_OR_RETURN(KeyRecord key, KeyFromRow(r.row(i)));
      out.push_back(std::move(key));
    }
    return out;
  });
}

Status PostgresDatabase::RevokeKey(std::int64_t id, Timestamp at) {
  return Write([&](Connection& c) -> Status {
    JIESU_ASSIGN_OR_RETURN(
        QueryResult r,
        c.Exec("UPDATE api_keys SET revoked_at=COALESCE(revoked_at, $1) WHERE id=$2 RETURNING id",
               Args().Int(at).Int(id)));
    if (r.rows() == 0) return Status::NotFound("no key " + std::to_string(id));
    return Status::Ok();
  });
}

Status PostgresDatabase::AppendAudit(const AuditEntry& entry) {
  return Write([&](Connection& c) -> Status {
    return c.Exec("INSERT INTO audit_log(at, key_id, actor, action, case_id, detail) "
                  "VALUES ($1,$2,$3,$4,$5,$6)",
                  Args().Int(entry.at).Int(entry.key_id).Text(entry.actor).Text(entry.action)
                      .Opt(entry.case_id).Text(entry.detail))
        .status();
  });
}

Result<std::vector<AuditEntry>> PostgresDatabase::ListAudit(int limit,
                                                            std::optional<std::int64_t> before_id) {
  return Read([&](Connection& c) -> Result<std::vector<AuditEntry>> {
    JIESU_ASSIGN_OR_RETURN(
        QueryResult r,
        c.Exec(std::string("SELECT ") + kAuditColumns +
                   " FROM audit_log WHERE id < $1 ORDER BY id DESC LIMIT $2",
               Args().Int(before_id.value_or(INT64_MAX)).Int(limit)));
    return r.All<AuditEntry>([](const pg::Row& row) { return Result(AuditFromRow(row)); });
  });
}

Result<std::optional<std::string>> PostgresDatabase::GetMeta(const std::string& key) {
  return Read([&](Connection& c) -> Result<std::optional<std::string>> {
    JIESU_ASSIGN_OR_RETURN(QueryResult r,
                           c.Exec("SELECT value FROM meta WHERE key=$1", Args().Text(key)));
    if (r.rows() == 0) return std::optional<std::string>();
    return std::optional<std::string>(r.row(0).Text(0));
  });
}

Status PostgresDatabase::SetMeta(const std::string& key, const std::string& value) {
  return Write([&](Connection& c) -> Status {
    return c.Exec("INSERT INTO meta(key, value) VALUES ($1,$2) "
                  "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                  Args().Text(key).Text(value))
        .status();
  });
}

}  // namespace jiesu::storage
