// What only the PostgreSQL backend has to show: its integrity check finding a broken log, and its
// pool coming back after the server dropped its connections. Needs JIESU_TEST_PG (skipped
// without; ctest's unit_postgres runs it). The storage tests shared with SQLite are in
// storage/database_test.cpp.
#include "storage/postgres/postgres_database.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include "storage/postgres/scratch_database.hpp"

namespace jiesu::storage {
namespace {

using namespace jiesu::domain;

class PostgresDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto server = ScratchDatabase::ServerUri();
    if (!server) GTEST_SKIP() << kPostgresTestHint;
    auto scratch = ScratchDatabase::Create(*server, "jiesu_unit");
    ASSERT_TRUE(scratch.ok()) << scratch.status().ToString();
    scratch_ = std::move(*scratch);
    auto db = PostgresDatabase::Open(scratch_->url());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    CaseEvent e;
    e.seq = 1;
    e.at = 1000;
    e.kind = EventKind::kCreated;
    e.actor_role = Role::kOperator;
    e.payload = {{"type", "complaint"}, {"source", "hotline"}, {"text", "路灯不亮"}};
    ASSERT_TRUE(db_->CreateCases({NewCase{{e}, std::nullopt, std::nullopt}}).ok());
  }
  void TearDown() override {
    db_.reset();
    scratch_.reset();
  }

  // Runs SQL behind the store's back, on the test database or (`on_server`) the server's own.
  void Sql(const std::string& sql, bool on_server = false) {
    PGconn* conn = PQconnectdb((on_server ? *ScratchDatabase::ServerUri() : scratch_->url()).c_str());
    ASSERT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
    PGresult* res = PQexec(conn, sql.c_str());
    const ExecStatusType st = PQresultStatus(res);
    EXPECT_TRUE(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) << PQresultErrorMessage(res);
    PQclear(res);
    PQfinish(conn);
  }

  std::unique_ptr<ScratchDatabase> scratch_;
  std::unique_ptr<PostgresDatabase> db_;
};

TEST_F(PostgresDatabaseTest, IntegrityCheckFindsACaseWithoutItsEvents) {
  EXPECT_EQ(*db_->IntegrityCheck(), "ok");
  Sql("DELETE FROM case_events WHERE case_id = 1");
  auto check = db_->IntegrityCheck();
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_NE(check->find("case 1 is at version 1 but has 0 events"), std::string::npos) << *check;
}

TEST_F(PostgresDatabaseTest, ThePoolComesBackAfterTheServerDroppedItsConnections) {
  ASSERT_TRUE(db_->GetCase(1).ok());
  Sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
      "WHERE datname = current_database() AND pid <> pg_backend_pid()");
  auto read = db_->GetCase(1);  // on a dropped connection, then once more on a new one
  EXPECT_TRUE(read.ok()) << read.status().ToString();
  Sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
      "WHERE datname = current_database() AND pid <> pg_backend_pid()");
  EXPECT_TRUE(db_->SetMeta("after", "restart").ok());  // BEGIN failed: tried again
  EXPECT_EQ(db_->GetMeta("after")->value_or(""), "restart");
}

TEST_F(PostgresDatabaseTest, ADatabaseThatRefusesConnectionsIsUnavailableNotACrash) {
  Sql("ALTER DATABASE " + scratch_->name() + " ALLOW_CONNECTIONS false", true);
  Sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" +
          scratch_->name() + "'",
      true);
  auto read = db_->GetCase(1);
  EXPECT_EQ(read.status().code(), StatusCode::kUnavailable) << read.status().ToString();
  EXPECT_EQ(read.status().message().find('\n'), std::string::npos);
  EXPECT_EQ(db_->SetMeta("k", "v").code(), StatusCode::kUnavailable);
  EXPECT_EQ(PostgresDatabase::Open(scratch_->url()).status().code(), StatusCode::kUnavailable);
  Sql("ALTER DATABASE " + scratch_->name() + " ALLOW_CONNECTIONS true", true);
  EXPECT_TRUE(db_->GetCase(1).ok());
}

}  // namespace
}  // namespace jiesu::storage
