#include "storage/sqlite/sqlite_database.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "storage/case_codec.hpp"

namespace jiesu::storage {
namespace {

using namespace jiesu::domain;

class SqliteDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("jiesu_sqlite_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto db = SqliteDatabase::Open((dir_ / "t.db").string());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  static NewCase Created(const std::string& text, Timestamp at) {
    CaseEvent e;
    e.seq = 1;
    e.at = at;
    e.kind = EventKind::kCreated;
    e.actor_role = Role::kOperator;
    e.payload = {{"type", "complaint"}, {"source", "hotline"}, {"text", text},
                 {"title", text.substr(0, 6)}};
    return NewCase{{e}, std::nullopt, std::nullopt};
  }

  static CaseEvent Dispatch(const std::string& unit, Timestamp at) {
    CaseEvent e;
    e.at = at;
    e.kind = EventKind::kDispatched;
    e.actor_role = Role::kOperator;
    e.payload = {{"unit", unit},
                 {"category", ""},
                 {"response_due", FormatTime(at + 7200)},
                 {"due", FormatTime(at + 7 * 86400)},
                 {"auto", false}};
    return e;
  }

  std::filesystem::path dir_;
  std::unique_ptr<SqliteDatabase> db_;
};

TEST_F(SqliteDatabaseTest, CreateAppendAndReadBack) {
  auto created = db_->CreateCases({Created("路灯不亮", 1000), Created("噪声扰民", 1001)});
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  ASSERT_EQ(created->size(), 2u);
  EXPECT_EQ((*created)[0].id, 1);
  EXPECT_EQ((*created)[1].id, 2);
  auto appended = db_->AppendEvents(1, 1, {Dispatch("110112001", 2000)});
  ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  EXPECT_EQ(appended->status, CaseStatus::kDispatched);
  EXPECT_EQ(appended->version, 2);
  auto got = db_->GetCase(1);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->unit, "110112001");
  EXPECT_EQ(db_->GetCase(3).status().code(), StatusCode::kNotFound);
}

TEST_F(SqliteDatabaseTest, StaleVersionIsAConflictAndWritesNothing) {
  ASSERT_TRUE(db_->CreateCases({Created("路灯不亮", 1000)}).ok());
  ASSERT_TRUE(db_->AppendEvents(1, 1, {Dispatch("110112001", 2000)}).ok());
  auto stale = db_->AppendEvents(1, 1, {Dispatch("110112002", 3000)});
  EXPECT_EQ(stale.status().code(), StatusCode::kConflict);
  EXPECT_EQ(db_->GetEvents(1)->size(), 2u);
  EXPECT_EQ(db_->GetCase(1)->unit, "110112001");
}

TEST_F(SqliteDatabaseTest, EveryCaseRowIsTheFoldOfItsEvents) {
  std::vector<NewCase> batch;
  for (int i = 0; i < 40; ++i) batch.push_back(Created("诉求" + std::to_string(i), 1000 + i));
  ASSERT_TRUE(db_->CreateCases(std::move(batch)).ok());
  for (int i = 1; i <= 40; i += 3) {
    ASSERT_TRUE(db_->AppendEvents(i, 1, {Dispatch("110112001", 5000 + i)}).ok());
  }
  for (std::int64_t id = 1; id <= 40; ++id) {
    auto events = db_->GetEvents(id);
    ASSERT_TRUE(events.ok());
    const Case rebuilt = Fold(*events);
    EXPECT_EQ(CaseToDoc(rebuilt), CaseToDoc(*db_->GetCase(id))) << "case " << id;
  }
}

TEST_F(SqliteDatabaseTest, ConcurrentWritersAreGroupCommittedAndAllLand) {
  constexpr int kThreads = 16;
  constexpr int kPerThread = 20;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        if (!db_->CreateCases({Created("并发" + std::to_string(t * 100 + i), 1000)}).ok()) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(*db_->CountCases(), kThreads * kPerThread);
}

TEST_F(SqliteDatabaseTest, ListFiltersAndCursor) {
  std::vector<NewCase> batch;
  for (int i = 0; i < 10; ++i) batch.push_back(Created(i % 2 ? "小区噪声扰民" : "路灯 50%坏了", 1000 + i));
  ASSERT_TRUE(db_->CreateCases(std::move(batch)).ok());
  ASSERT_TRUE(db_->AppendEvents(2, 1, {Dispatch("110112001", 2000)}).ok());
  CaseFilter f;
  f.query = "噪声";
  EXPECT_EQ(db_->ListCases(f)->size(), 5u);
  f.query = "50%";  // LIKE wildcards in the query are literal
  EXPECT_EQ(db_->ListCases(f)->size(), 5u);
  f.query = "%";
  EXPECT_EQ(db_->ListCases(f)->size(), 5u);
  f = {};
  f.units = {"110112001"};
  ASSERT_EQ(db_->ListCases(f)->size(), 1u);
  f = {};
  f.limit = 4;
  auto page1 = *db_->ListCases(f);
  ASSERT_EQ(page1.size(), 4u);
  EXPECT_EQ(page1.front().id, 10);
  f.before_id = page1.back().id;
  auto page2 = *db_->ListCases(f);
  EXPECT_EQ(page2.front().id, 6);
  f = {};
  f.overdue = true;
  f.now = 2000 + 8 * 86400;
  ASSERT_EQ(db_->ListCases(f)->size(), 1u);
  f.now = 2000 + 86400;
  EXPECT_EQ(db_->ListCases(f)->size(), 0u);
}

TEST_F(SqliteDatabaseTest, ReopeningKeepsData) {
  ASSERT_TRUE(db_->CreateCases({Created("路灯不亮", 1000)}).ok());
  ASSERT_TRUE(db_->SetMeta("k", "v").ok());
  db_.reset();
  auto db = SqliteDatabase::Open((dir_ / "t.db").string());
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(*(*db)->CountCases(), 1);
  EXPECT_EQ((*db)->GetMeta("k")->value_or(""), "v");
}

}  // namespace
}  // namespace jiesu::storage
