// The storage tests, run against every backend: SQLite on a file in a temporary directory, and
// PostgreSQL on a fresh database of the server JIESU_TEST_PG names (skipped when it is unset;
// ctest's unit_postgres starts a server and runs them, see docs/postgres.md).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <set>
#include <thread>

#include "storage/case_codec.hpp"
#include "storage/database.hpp"
#include "storage/postgres/scratch_database.hpp"

namespace jiesu::storage {
namespace {

using namespace jiesu::domain;

enum class Backend { kSqlite, kPostgres };

class StorageTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    const std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    if (GetParam() == Backend::kPostgres) {
      const auto server = ScratchDatabase::ServerUri();
      if (!server) GTEST_SKIP() << kPostgresTestHint;
      auto scratch = ScratchDatabase::Create(*server, "jiesu_unit");
      ASSERT_TRUE(scratch.ok()) << scratch.status().ToString();
      scratch_ = std::move(*scratch);
      url_ = scratch_->url();
    } else {
      std::string name = test;
      std::replace(name.begin(), name.end(), '/', '_');
      dir_ = std::filesystem::temp_directory_path() /
             ("jiesu_storage_test_" + std::to_string(::getpid()) + "_" + name);
      std::filesystem::remove_all(dir_);
      std::filesystem::create_directories(dir_);
      url_ = "sqlite:" + (dir_ / "t.db").string();
    }
    Reopen();
  }
  void TearDown() override {
    db_.reset();
    scratch_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // Closes the database and opens it again from its URL.
  void Reopen() {
    db_.reset();
    auto db = OpenDatabase(url_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
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

  static NewCase Imported(std::int64_t id, const std::string& text) {
    NewCase nc = Created(text, 1000);
    nc.id = id;
    return nc;
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

  static CaseEvent Simple(EventKind kind, Timestamp at, nlohmann::json payload = {}) {
    CaseEvent e;
    e.at = at;
    e.kind = kind;
    e.actor_role = Role::kHandler;
    e.actor_unit = "110112001";
    e.payload = payload.is_null() ? nlohmann::json::object() : std::move(payload);
    return e;
  }

  std::vector<std::int64_t> Ids(const CaseFilter& f) {
    std::vector<std::int64_t> out;
    auto cases = db_->ListCases(f);
    EXPECT_TRUE(cases.ok()) << cases.status().ToString();
    if (cases.ok()) {
      for (const Case& c : *cases) out.push_back(c.id);
    }
    return out;
  }

  std::filesystem::path dir_;
  std::unique_ptr<ScratchDatabase> scratch_;
  std::string url_;
  std::unique_ptr<Database> db_;
};

INSTANTIATE_TEST_SUITE_P(Sqlite, StorageTest, ::testing::Values(Backend::kSqlite));
INSTANTIATE_TEST_SUITE_P(Postgres, StorageTest, ::testing::Values(Backend::kPostgres));

TEST_P(StorageTest, CreateAppendAndReadBack) {
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
  EXPECT_EQ(db_->AppendEvents(3, 1, {Dispatch("110112001", 2000)}).status().code(),
            StatusCode::kNotFound);
}

TEST_P(StorageTest, StaleVersionIsAConflictAndWritesNothing) {
  ASSERT_TRUE(db_->CreateCases({Created("路灯不亮", 1000)}).ok());
  ASSERT_TRUE(db_->AppendEvents(1, 1, {Dispatch("110112001", 2000)}).ok());
  auto stale = db_->AppendEvents(1, 1, {Dispatch("110112002", 3000)});
  EXPECT_EQ(stale.status().code(), StatusCode::kConflict);
  EXPECT_EQ(db_->GetEvents(1)->size(), 2u);
  EXPECT_EQ(db_->GetCase(1)->unit, "110112001");
}

TEST_P(StorageTest, RecordsKeepTheirDocumentsLookupsAndVersions) {
  Record building = NewRecord("building", 0, R"({"name":"1号楼"})", 100);
  auto b = db_->InsertRecord(building);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->version, 1);
  Record resident = NewRecord("resident", b->id, "{\"name\":\"王\\t芳\"}", 101, "key:7");
  auto r = db_->InsertRecord(resident);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(db_->InsertRecord(resident).status().code(), StatusCode::kConflict);
  resident.lookup = "key:8";
  ASSERT_TRUE(db_->InsertRecord(resident).ok());
  // The same lookup under another kind is not taken.
  ASSERT_TRUE(db_->InsertRecord(NewRecord("enterprise", 0, "{}", 0, "key:7")).ok());

  auto found = db_->FindRecord("resident", "key:7");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->id, r->id);
  EXPECT_EQ((*found)->doc, resident.doc);
  EXPECT_EQ((*found)->parent, b->id);
  EXPECT_FALSE(db_->FindRecord("resident", "key:9")->has_value());
  EXPECT_EQ(db_->ListRecords("resident", b->id)->size(), 2u);
  EXPECT_EQ(db_->ListRecords("resident", b->id + 100)->size(), 0u);
  EXPECT_EQ(db_->ListRecords("building", std::nullopt)->size(), 1u);

  Record edit = *b;
  edit.doc = R"({"name":"1号楼","leader":3})";
  edit.updated_at = 200;
  auto updated = db_->UpdateRecord(edit);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->version, 2);
  EXPECT_EQ(updated->updated_at, 200);
  EXPECT_EQ(updated->created_at, 100);
  // A second writer holding version 1 loses and changes nothing.
  edit.doc = "{}";
  EXPECT_EQ(db_->UpdateRecord(edit).status().code(), StatusCode::kConflict);
  EXPECT_EQ(db_->GetRecord("building", b->id)->doc, R"({"name":"1号楼","leader":3})");
  edit.id = 999;
  EXPECT_EQ(db_->UpdateRecord(edit).status().code(), StatusCode::kNotFound);
  // An update moves the lookup key, unless another record of the kind holds it.
  Record moved = *db_->GetRecord("resident", r->id);
  moved.lookup = "key:8";
  EXPECT_EQ(db_->UpdateRecord(moved).status().code(), StatusCode::kConflict);
  moved.lookup = "key:70";
  ASSERT_TRUE(db_->UpdateRecord(moved).ok());
  EXPECT_FALSE(db_->FindRecord("resident", "key:7")->has_value());
  EXPECT_EQ((*db_->FindRecord("resident", "key:70"))->id, r->id);
  EXPECT_EQ(db_->GetRecord("resident", b->id).status().code(), StatusCode::kNotFound);
}

TEST_P(StorageTest, EveryCaseRowIsTheFoldOfItsEvents) {
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
  EXPECT_EQ(*db_->IntegrityCheck(), "ok");
}

TEST_P(StorageTest, ConcurrentWritersAreGroupCommittedAndAllLand) {
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

TEST_P(StorageTest, ListFiltersAndCursor) {
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
  f.query = "_";
  EXPECT_EQ(db_->ListCases(f)->size(), 0u);
  f.query = "\\";
  EXPECT_EQ(db_->ListCases(f)->size(), 0u);
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

TEST_P(StorageTest, ListFiltersByEveryField) {
  std::vector<NewCase> batch;
  for (int i = 0; i < 6; ++i) batch.push_back(Created("案件" + std::to_string(i), 1000 + i * 100));
  batch[5].events[0].payload["type"] = "suggestion";
  batch[4].events[0].payload["source"] = "web";
  batch[3].events[0].payload["address"] = "梨园镇 Qunfang 3号楼";
  ASSERT_TRUE(db_->CreateCases(std::move(batch)).ok());
  ASSERT_TRUE(db_->AppendEvents(1, 1, {Dispatch("110112001", 2000)}).ok());
  ASSERT_TRUE(db_->AppendEvents(2, 1, {Dispatch("110112002", 2000)}).ok());
  ASSERT_TRUE(db_->AppendEvents(2, 2, {Simple(EventKind::kSupervised, 2100, {{"note", "督办"}})})
                  .ok());
  using Ids = std::vector<std::int64_t>;
  CaseFilter f;
  f.statuses = {CaseStatus::kDispatched};
  EXPECT_EQ(this->Ids(f), (Ids{2, 1}));
  f = {};
  f.units = {"110112001", "110112002"};
  EXPECT_EQ(this->Ids(f), (Ids{2, 1}));
  f = {};
  f.ids = {1, 3, 5, 99};
  EXPECT_EQ(this->Ids(f), (Ids{5, 3, 1}));
  f = {};
  f.type = CaseType::kSuggestion;
  EXPECT_EQ(this->Ids(f), (Ids{6}));
  f = {};
  f.sources = {CaseSource::kWeb};
  EXPECT_EQ(this->Ids(f), (Ids{5}));
  f = {};
  f.created_from = 1100;
  f.created_to = 1300;  // exclusive
  EXPECT_EQ(this->Ids(f), (Ids{3, 2}));
  f = {};
  f.query = "qunfang";  // ASCII letters match in either case, as SQLite's LIKE does
  EXPECT_EQ(this->Ids(f), (Ids{4}));
  f = {};
  f.supervised = true;
  EXPECT_EQ(this->Ids(f), (Ids{2}));
  f.supervised = false;
  EXPECT_EQ(this->Ids(f).size(), 5u);
  f = {};
  f.overdue = false;
  f.now = 2000 + 8 * 86400;
  EXPECT_EQ(this->Ids(f), (Ids{6, 5, 4, 3}));
}

TEST_P(StorageTest, SearchFindsAnyFieldsSubstringButNoneAcrossFields) {
  std::vector<NewCase> batch;
  for (int i = 0; i < 7; ++i) batch.push_back(Created("小区噪声扰民 Street light " + std::to_string(i), 1000 + i));
  batch[2].events[0].payload["title"] = "路灯坏了";
  batch[2].events[0].payload["text"] = "晚上很黑";
  batch[2].events[0].payload["address"] = "梨园镇云景里";
  ASSERT_TRUE(db_->CreateCases(std::move(batch)).ok());
  // Events rewrite the case row: the search index must neither lose nor repeat the case.
  ASSERT_TRUE(db_->AppendEvents(3, 1, {Dispatch("110112001", 2000)}).ok());
  ASSERT_TRUE(db_->AppendEvents(5, 1, {Dispatch("110112001", 2000)}).ok());
  using Ids = std::vector<std::int64_t>;
  CaseFilter f;
  f.query = "梨园镇云景";  // address, from the index
  EXPECT_EQ(this->Ids(f), (Ids{3}));
  f.query = "路灯坏了";  // title
  EXPECT_EQ(this->Ids(f), (Ids{3}));
  f.query = "很黑";  // two characters: a scan
  EXPECT_EQ(this->Ids(f), (Ids{3}));
  f.query = "坏了晚上";  // the end of the title and the start of the text: no match
  EXPECT_TRUE(this->Ids(f).empty());
  f.query = "STREET LIGHT";  // ASCII letters in either case
  EXPECT_EQ(this->Ids(f), (Ids{7, 6, 5, 4, 2, 1}));
  f.units = {"110112001"};
  EXPECT_EQ(this->Ids(f), (Ids{5}));
  f = {};
  f.query = "噪声扰民";
  f.limit = 4;
  EXPECT_EQ(this->Ids(f), (Ids{7, 6, 5, 4}));
  f.before_id = 4;
  EXPECT_EQ(this->Ids(f), (Ids{2, 1}));
}

TEST_P(StorageTest, ABulkCreateKeepsEveryCharacter) {
  // Tabs, line breaks and backslashes are what COPY's text format escapes; \N and \. mean
  // NULL and the end of data there. A batch of 1,500 cases also crosses its 1 MiB chunks.
  const std::string tricky = "a\tb\nc\r\\N \\. \\\\ \"引号\" '单引号' 50% 路灯";
  std::vector<NewCase> batch;
  for (int i = 0; i < 1500; ++i) {
    batch.push_back(Created(tricky + " " + std::to_string(i) + std::string(600, 'x'), 1000 + i));
  }
  batch[7].events[0].payload["address"] = "梨园镇\t云景里\\3号";
  auto created = db_->CreateCases(std::move(batch));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  ASSERT_EQ(created->size(), 1500u);
  auto back = db_->GetCase((*created)[7].id);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->text, tricky + " 7" + std::string(600, 'x'));
  EXPECT_EQ(back->address, "梨园镇\t云景里\\3号");
  auto events = db_->GetEvents((*created)[1499].id);
  ASSERT_TRUE(events.ok() && events->size() == 1u);
  EXPECT_EQ((*events)[0].payload.value("text", ""), tricky + " 1499" + std::string(600, 'x'));
  EXPECT_EQ(*db_->CountCases(), 1500);
}

TEST_P(StorageTest, CaseTextsAreTheListedCasesTitlesAndTexts) {
  std::vector<NewCase> batch;
  for (int i = 0; i < 5; ++i) batch.push_back(Created("井盖缺失" + std::to_string(i), 1000 + i));
  ASSERT_TRUE(db_->CreateCases(std::move(batch)).ok());
  ASSERT_TRUE(db_->AppendEvents(2, 1, {Dispatch("110112001", 2000)}).ok());
  ASSERT_TRUE(db_->AppendEvents(4, 1, {Dispatch("110112001", 2000)}).ok());
  CaseFilter f;
  f.units = {"110112001"};
  f.statuses = {CaseStatus::kDispatched, CaseStatus::kAccepted};
  f.created_from = 1002;
  const auto cases = db_->ListCases(f);
  const auto texts = db_->ListCaseTexts(f);
  ASSERT_TRUE(cases.ok() && texts.ok());
  ASSERT_EQ(texts->size(), 1u);
  ASSERT_EQ(cases->size(), 1u);
  EXPECT_EQ((*texts)[0].id, 4);
  EXPECT_EQ((*texts)[0].title, (*cases)[0].title);
  EXPECT_EQ((*texts)[0].text, (*cases)[0].text);
  EXPECT_NE((*texts)[0].text.find("井盖缺失3"), std::string::npos);
}

TEST_P(StorageTest, ReopeningKeepsData) {
  ASSERT_TRUE(db_->CreateCases({Created("路灯不亮", 1000)}).ok());
  ASSERT_TRUE(db_->SetMeta("k", "v").ok());
  Reopen();  // the migrations are not run again over the data
  ASSERT_NE(db_, nullptr);
  EXPECT_EQ(*db_->CountCases(), 1);
  EXPECT_EQ(db_->GetMeta("k")->value_or(""), "v");
  ASSERT_TRUE(db_->SetMeta("k", "w").ok());
  EXPECT_EQ(db_->GetMeta("k")->value_or(""), "w");
  EXPECT_FALSE(db_->GetMeta("none")->has_value());
}

TEST_P(StorageTest, ConcurrentOpensOfANewDatabaseMigrateItOnce) {
  std::unique_ptr<ScratchDatabase> fresh;
  std::string url = "sqlite:" + (dir_ / "fresh.db").string();
  if (GetParam() == Backend::kPostgres) {
    auto scratch = ScratchDatabase::Create(*ScratchDatabase::ServerUri(), "jiesu_unit");
    ASSERT_TRUE(scratch.ok()) << scratch.status().ToString();
    fresh = std::move(*scratch);
    url = fresh->url();
  }
  std::vector<std::thread> threads;
  std::vector<Status> opened(4);
  for (std::size_t t = 0; t < opened.size(); ++t) {
    threads.emplace_back([&, t] {
      auto db = OpenDatabase(url);
      opened[t] = db.ok() ? (*db)->CountCases().status() : db.status();
    });
  }
  for (auto& th : threads) th.join();
  for (const Status& s : opened) EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST_P(StorageTest, ImportedIdsThenNewIds) {
  auto first = db_->CreateCases({Imported(100, "导入"), Created("新建", 1000)});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ((*first)[0].id, 100);
  EXPECT_EQ((*first)[1].id, 101);  // new ids count on from the highest
  auto lower = db_->CreateCases({Imported(50, "较早导入")});
  ASSERT_TRUE(lower.ok()) << lower.status().ToString();
  EXPECT_EQ((*lower)[0].id, 50);
  auto next = db_->CreateCases({Created("又一个", 1000)});
  ASSERT_TRUE(next.ok());
  EXPECT_EQ((*next)[0].id, 102);
  EXPECT_EQ(db_->CreateCases({Imported(101, "重复")}).status().code(), StatusCode::kConflict);
  EXPECT_EQ(db_->CreateCases({Imported(7, "甲"), Imported(7, "乙")}).status().code(),
            StatusCode::kConflict);
  Reopen();  // the next id survives a restart
  auto after = db_->CreateCases({Created("重启后", 1000)});
  ASSERT_TRUE(after.ok());
  EXPECT_GT((*after)[0].id, 102);
  EXPECT_EQ(db_->GetCase(100)->text, "导入");
  EXPECT_EQ(*db_->CountCases(), 5);
}

TEST_P(StorageTest, CreateCasesIsAllOrNone) {
  ASSERT_TRUE(db_->CreateCases({Imported(5, "已有")}).ok());
  std::vector<NewCase> batch;
  for (int i = 0; i < 30; ++i) batch.push_back(Created("批量" + std::to_string(i), 1000));
  batch[3].sealed_contact = std::string("sealed\0contact", 14);
  batch.push_back(Imported(5, "冲突"));
  EXPECT_EQ(db_->CreateCases(std::move(batch)).status().code(), StatusCode::kConflict);
  EXPECT_EQ(*db_->CountCases(), 1);
  CaseFilter f;
  f.query = "批量";
  EXPECT_TRUE(db_->ListCases(f)->empty());
  EXPECT_EQ(*db_->IntegrityCheck(), "ok");
}

TEST_P(StorageTest, ConcurrentAppendsAtOneVersionLetOneThrough) {
  ASSERT_TRUE(db_->CreateCases({Created("路灯不亮", 1000)}).ok());
  constexpr int kThreads = 8;
  std::atomic<int> ok{0}, conflicts{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto r = db_->AppendEvents(1, 1, {Dispatch("11011200" + std::to_string(t), 2000 + t)});
      if (r.ok()) {
        ++ok;
      } else if (r.status().code() == StatusCode::kConflict) {
        ++conflicts;
      } else {
        ++other;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(conflicts.load(), kThreads - 1);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(db_->GetEvents(1)->size(), 2u);
  EXPECT_EQ(db_->GetCase(1)->version, 2);
}

TEST_P(StorageTest, ImportsAlongsideNewCasesKeepIdsUnique) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  std::mutex mu;
  std::set<std::int64_t> ids;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        // Thread 0 imports ids 5000, 4990, …: below the first, never drawn anew; the others
        // draw new ids meanwhile.
        auto r = t == 0 ? db_->CreateCases({Imported(5000 - 10 * i, "导入")})
                        : db_->CreateCases({Created("新建", 1000), Created("新建", 1000)});
        if (!r.ok()) {
          ++failures;
          continue;
        }
        std::lock_guard lock(mu);
        for (const Case& c : *r) ids.insert(c.id);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(ids.size(), 110u);
  EXPECT_EQ(*db_->CountCases(), 110);
}

TEST_P(StorageTest, ContactsAreBytesAndResealIsAllOrNone) {
  const std::string sealed("\x00\xff\x01sealed\x80", 10);
  std::vector<NewCase> batch = {Created("甲", 1000), Created("乙", 1000), Created("丙", 1000)};
  batch[0].sealed_contact = sealed;
  batch[2].sealed_contact = "second";
  ASSERT_TRUE(db_->CreateCases(std::move(batch)).ok());
  EXPECT_EQ(db_->GetSealedContact(1)->value_or(""), sealed);
  EXPECT_FALSE(db_->GetSealedContact(2)->has_value());
  auto failing = db_->ResealContacts([](const std::string& s) -> Result<std::string> {
    if (s == "second") return Status::Internal("cannot open it");
    return "re" + s;
  });
  EXPECT_EQ(failing.status().code(), StatusCode::kInternal);
  EXPECT_EQ(db_->GetSealedContact(1)->value_or(""), sealed);
  auto n = db_->ResealContacts([](const std::string& s) -> Result<std::string> { return "re" + s; });
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(db_->GetSealedContact(1)->value_or(""), "re" + sealed);
  EXPECT_EQ(db_->GetSealedContact(3)->value_or(""), "resecond");
}

TEST_P(StorageTest, ReferenceDataIsReplacedWhole) {
  Unit district{"110112", "通州区", "通州区", {}, UnitLevel::kDistrict, ""};
  Unit street{"110112001", "中仓街道办事处", "中仓街道", {"中仓", "中仓街"}, UnitLevel::kTownship,
              "110112"};
  ASSERT_TRUE(db_->ReplaceUnits({street, district}).ok());
  ASSERT_TRUE(db_->ReplaceUnits({street, district}).ok());
  auto units = db_->LoadUnits();
  ASSERT_TRUE(units.ok());
  ASSERT_EQ(units->size(), 2u);
  EXPECT_EQ((*units)[0].code, "110112");  // by code
  EXPECT_EQ((*units)[1].aliases, (std::vector<std::string>{"中仓", "中仓街"}));
  EXPECT_EQ((*units)[1].level, UnitLevel::kTownship);
  Category cat;
  cat.code = "0105";
  cat.name = "供水";
  cat.handling = Handling::kDepartment;
  cat.department = "110112D09";
  cat.response_hours = 4;
  cat.keywords = {"停水", "水压"};
  ASSERT_TRUE(db_->ReplaceCategories({cat}).ok());
  auto cats = db_->LoadCategories();
  ASSERT_TRUE(cats.ok());
  ASSERT_EQ(cats->size(), 1u);
  EXPECT_EQ((*cats)[0].department, "110112D09");
  EXPECT_EQ((*cats)[0].handling, Handling::kDepartment);
  EXPECT_EQ((*cats)[0].limit, cat.limit);
  EXPECT_EQ((*cats)[0].keywords, cat.keywords);
}

TEST_P(StorageTest, EventsBetweenCarryTheUnitAfterEachEvent) {
  ASSERT_TRUE(db_->CreateCases({Created("甲", 1000), Created("乙", 1000)}).ok());
  ASSERT_TRUE(db_->AppendEvents(1, 1, {Dispatch("110112001", 2000)}).ok());
  ASSERT_TRUE(db_->AppendEvents(2, 1, {Dispatch("110112002", 1500)}).ok());
  ASSERT_TRUE(db_->AppendEvents(1, 2, {Simple(EventKind::kAccepted, 2500)}).ok());
  auto events = db_->EventsBetween(1000, 3000, {EventKind::kDispatched, EventKind::kAccepted});
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].event.case_id, 2);  // kind by kind, oldest first
  EXPECT_EQ((*events)[0].unit, "110112002");
  EXPECT_EQ((*events)[1].event.case_id, 1);
  EXPECT_EQ((*events)[2].event.kind, EventKind::kAccepted);
  EXPECT_EQ((*events)[2].unit, "110112001");
  EXPECT_EQ(db_->EventsBetween(1000, 1500, {EventKind::kDispatched})->size(), 0u);  // to: exclusive
  auto dispatched = db_->CasesDispatchedBetween(1500, 2001, /*with_texts=*/true);
  ASSERT_TRUE(dispatched.ok()) << dispatched.status().ToString();
  ASSERT_EQ(dispatched->size(), 2u);
  EXPECT_EQ((*dispatched)[0].id, 1);
  EXPECT_EQ((*dispatched)[0].accepted_at, 2500);
  EXPECT_EQ((*dispatched)[0].response_due, 2000 + 7200);
  EXPECT_FALSE((*dispatched)[0].text.empty());
  EXPECT_EQ((*dispatched)[1].unit, "110112002");
  EXPECT_FALSE((*dispatched)[1].accepted_at.has_value());
  auto bare = db_->CasesDispatchedBetween(1500, 2001, /*with_texts=*/false);
  ASSERT_TRUE(bare.ok() && bare->size() == 2u);
  EXPECT_EQ((*bare)[0].accepted_at, 2500);
  EXPECT_TRUE((*bare)[0].title.empty() && (*bare)[0].text.empty());
}

TEST_P(StorageTest, InspectionsAndTheirFindings) {
  Inspection round;
  round.name = "区委第三巡察组";
  round.units = {"110112001", "110112002"};
  round.starts = 1000;
  round.created_at = 900;
  round.created_by = "巡察办";
  auto id = db_->InsertInspection(round);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  round.revisit_of = {*id};
  round.ends = 5000;
  auto revisit = db_->InsertInspection(round);
  ASSERT_TRUE(revisit.ok());
  auto got = db_->GetInspection(*revisit);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->units, round.units);
  EXPECT_EQ(got->revisit_of, std::vector<std::int64_t>{*id});
  EXPECT_EQ(got->ends, 5000);
  EXPECT_FALSE(db_->GetInspection(*id)->ends.has_value());
  EXPECT_EQ(db_->GetInspection(999).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(db_->ListInspections()->size(), 2u);

  std::vector<NewCase> findings = {Created("整改一", 1000), Created("普通", 1000),
                                   Created("整改二", 1000), Created("整改三", 1000)};
  findings[0].events[0].payload["inspection_id"] = *id;
  findings[2].events[0].payload["inspection_id"] = *revisit;
  findings[3].events[0].payload["inspection_id"] = *id;
  ASSERT_TRUE(db_->CreateCases(std::move(findings)).ok());
  auto of_first = db_->CasesOfInspections({*id});
  ASSERT_TRUE(of_first.ok()) << of_first.status().ToString();
  ASSERT_EQ(of_first->size(), 2u);
  EXPECT_EQ((*of_first)[0].id, 1);
  EXPECT_EQ((*of_first)[1].id, 4);
  EXPECT_EQ(db_->CasesOfInspections({*revisit, *id})->size(), 3u);
  EXPECT_TRUE(db_->CasesOfInspections({})->empty());
}

TEST_P(StorageTest, KeysAndAudit) {
  KeyRecord key;
  key.prefix = "jz_abc";
  key.hash = "$argon2id$…";
  key.role = Role::kHandler;
  key.unit = "110112001";
  key.name = "中仓街道";
  key.created_at = 1000;
  auto id = db_->InsertKey(key);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  auto found = db_->FindKey("jz_abc");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->id, *id);
  EXPECT_EQ((*found)->role, Role::kHandler);
  EXPECT_FALSE((*found)->revoked);
  EXPECT_FALSE(db_->FindKey("jz_none")->has_value());
  key.prefix = "jz_def";
  auto second = db_->InsertKey(key);
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(db_->RevokeKey(*id, 2000).ok());
  ASSERT_TRUE(db_->RevokeKey(*id, 3000).ok());  // already revoked: no change, no error
  EXPECT_EQ(db_->RevokeKey(*second + 100, 2000).code(), StatusCode::kNotFound);
  EXPECT_TRUE((*db_->FindKey("jz_abc"))->revoked);
  auto keys = db_->ListKeys();
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_TRUE((*keys)[0].revoked);
  EXPECT_FALSE((*keys)[1].revoked);
  EXPECT_EQ((*keys)[1].prefix, "jz_def");
  for (int i = 0; i < 5; ++i) {
    AuditEntry a{0, 1000 + i, *id, "中仓街道", "read_contact", i % 2 ? std::optional<std::int64_t>(7)
                                                                  : std::nullopt, "详情"};
    ASSERT_TRUE(db_->AppendAudit(a).ok());
  }
  auto page = db_->ListAudit(3, std::nullopt);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 3u);
  EXPECT_EQ((*page)[0].at, 1004);  // newest first
  EXPECT_EQ((*page)[1].case_id, 7);
  auto rest = db_->ListAudit(10, (*page)[2].id);
  EXPECT_EQ(rest->size(), 2u);
}

// Not parameterised: what OpenDatabase makes of a URL before it reaches a backend.
TEST(OpenDatabaseTest, UrlsThatNameNoDatabase) {
  EXPECT_EQ(OpenDatabase("sqlite:").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenDatabase("postgresql:db").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenDatabase("postgresql://[::1/x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenDatabase("postgresql://h/db?nosuch=1").status().code(),
            StatusCode::kInvalidArgument);
  // No server there: Unavailable, with libpq's message on one line.
  auto gone = OpenDatabase("postgresql:///jiesu?host=/nonexistent/dir&connect_timeout=2");
  EXPECT_EQ(gone.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(gone.status().message().find('\n'), std::string::npos) << gone.status().message();
}

TEST(ScratchDatabaseTest, UrlNamesTheNewDatabase) {
  EXPECT_EQ(*WithDatabaseName("postgresql:///postgres?host=/tmp/pg&user=postgres", "t1"),
            "postgresql:///t1?host=/tmp/pg&user=postgres");
  EXPECT_EQ(*WithDatabaseName("postgres://u:p@db.example:5433/main", "t1"),
            "postgres://u:p@db.example:5433/t1");
  EXPECT_EQ(*WithDatabaseName("postgresql://localhost", "t1"), "postgresql://localhost/t1");
  EXPECT_EQ(*WithDatabaseName("postgresql://h?sslmode=disable", "t1"),
            "postgresql://h/t1?sslmode=disable");
  EXPECT_FALSE(WithDatabaseName("host=/tmp dbname=x", "t1").ok());
}

}  // namespace
}  // namespace jiesu::storage
