#include "service/case_export.hpp"

#include <gtest/gtest.h>

#include <set>

#include "service/demo_generator.hpp"
#include "service/test_app.hpp"
#include "storage/case_codec.hpp"

namespace jiesu::service {
namespace {

using namespace jiesu::domain;

// Every case of a database with its event log, by id.
std::vector<std::pair<std::string, std::string>> Everything(storage::Database& db) {
  storage::CaseFilter all;
  all.limit = 100000;
  std::vector<std::pair<std::string, std::string>> out;
  const auto cases = db.ListCases(all);
  for (const Case& c : *cases) {
    std::string events;
    const auto log = db.GetEvents(c.id);
    for (const CaseEvent& e : *log) {
      events += std::to_string(e.case_id) + "/" + std::to_string(e.seq) + "/" +
                std::to_string(e.at) + "/" + EventKindName(e.kind) + "/" + RoleName(e.actor_role) +
                "/" + e.actor_unit + "/" + e.actor_name + "/" + e.payload.dump() + "\n";
    }
    out.emplace_back(storage::CaseToDoc(c).dump(), events);
  }
  return out;
}

class CaseExportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    source_ = new TempApp();
    ASSERT_TRUE(source_->status().ok()) << source_->status().ToString();
    DemoOptions o;
    o.months = 1;
    o.cases_per_month = 200;
    o.now = *ParseTime("2026-11-20T12:00:00+08:00");
    App& a = *source_->app();
    auto stats = GenerateDemo(a.db(), a.reference(), a.vault(), o);
    ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  }
  static void TearDownTestSuite() { delete source_; }

  static Result<std::string> Export(ExportOptions o) {
    App& a = *source_->app();
    return ExportCases(a.db(), a.reference(), o, *ParseTime("2026-11-20T12:00:00+08:00"));
  }

  static TempApp* source_;
};
TempApp* CaseExportTest::source_ = nullptr;

TEST_F(CaseExportTest, CsvRoundTripGivesTheSameCasesAndEventsInBothLanguages) {
  const auto source = Everything(source_->app()->db());
  const std::set<std::pair<std::string, std::string>> all_source(source.begin(), source.end());
  for (bool english : {false, true}) {
    auto csv = Export({"2026-10", "csv", english, /*bom=*/true});
    ASSERT_TRUE(csv.ok()) << csv.status().ToString();
    ASSERT_EQ(csv->rfind("\xEF\xBB\xBF", 0), 0u) << "the BOM opens the file";
    EXPECT_NE(csv->find(english ? "id,type,source" : "工单编号,类型,来源"), std::string::npos);

    TempApp target;
    ASSERT_TRUE(target.status().ok());
    auto stats = ImportCases(target.app()->db(), *csv);
    ASSERT_TRUE(stats.ok()) << stats.status().ToString();
    EXPECT_GT(stats->cases, 150);
    EXPECT_GT(stats->events, 3 * stats->cases);

    // The October cases of the source, exactly, and nothing else.
    auto again = ExportCases(target.app()->db(), target.app()->reference(),
                             {"2026-10", "csv", english, true},
                             *ParseTime("2026-11-20T12:00:00+08:00"));
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, *csv);
    const auto imported = Everything(target.app()->db());
    ASSERT_EQ(static_cast<int>(imported.size()), stats->cases);
    int matched = 0;
    for (const auto& row : imported) {
      matched += all_source.count(row);
    }
    EXPECT_EQ(matched, stats->cases) << "every imported case and log equals its source";

    // A second import of the same file is refused whole.
    auto twice = ImportCases(target.app()->db(), *csv);
    EXPECT_EQ(twice.status().code(), StatusCode::kConflict);
    EXPECT_EQ(*target.app()->db().CountCases(), stats->cases);
  }
}

TEST_F(CaseExportTest, XlsxIsAZipWorkbookAndBadOptionsAreRefused) {
  auto xlsx = Export({"2026-10", "xlsx", false, false});
  ASSERT_TRUE(xlsx.ok()) << xlsx.status().ToString();
  EXPECT_EQ(xlsx->rfind("PK", 0), 0u);
  EXPECT_EQ(Export({"2026-10", "pdf", false, false}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Export({"2026-13", "csv", false, false}).status().code(), StatusCode::kInvalidArgument);
  auto empty = Export({"2020-01", "csv", false, false});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(std::count(empty->begin(), empty->end(), '\n'), 1) << "a header and no rows";
}

TEST(CaseImportTest, MalformedLogsAreRefusedNamingTheLineAndNothingIsStored) {
  TempApp target;
  ASSERT_TRUE(target.status().ok());
  const std::string header = "id,events\n";
  const std::string created =
      R"({""seq"":1,""at"":""2026-10-01T09:00:00+08:00"",""kind"":""created"",)"
      R"(""actor_role"":""operator"",""actor_unit"":"""",""actor_name"":""张"",)"
      R"(""payload"":{""type"":""help"",""source"":""hotline"",""text"":""路灯不亮""}})";
  const std::string good = "1,\"[" + created + "]\"\n";
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"2,not json\n", "JSON array"},
      {"x,\"[" + created + "]\"\n", "positive integer"},
      {"3,\"[]\"\n", "created event"},
      {"4,\"[" + created + "," + created + "]\"\n", "numbered"},
      {"5,\"[" + std::string(created).replace(created.find("created"), 7, "exploded") + "]\"\n",
       "unknown event kind"},
      {"6,\"[" + std::string(created).replace(created.find("help"), 4, "joke") + "]\"\n",
       "not valid"},
      {"7,\"[" + std::string(created).replace(created.find("operator"), 8, "emperor") + "]\"\n",
       "role"},
      {"8,\"[" +
           std::string(created).replace(created.find(R"(""text"":""路灯不亮"")"),
                                        std::string(R"(""text"":""路灯不亮"")").size(),
                                        R"(""text"":[1])") +
           "]\"\n",
       "wrong type"},
      {"1,\"[" + created + "]\"\n", "exists already"},  // the good row's id again
  };
  for (const auto& [row, message] : bad) {
    auto r = ImportCases(target.app()->db(), header + good + row);
    ASSERT_FALSE(r.ok()) << row;
    EXPECT_NE(r.status().message().find(message), std::string::npos) << r.status().ToString();
    if (message != "exists already") {
      EXPECT_NE(r.status().message().find("line 3"), std::string::npos) << r.status().ToString();
    }
    EXPECT_EQ(*target.app()->db().CountCases(), 0) << "nothing stored for " << row;
  }
  EXPECT_FALSE(ImportCases(target.app()->db(), "a,b\n1,2\n").ok()) << "not an export";
  auto ok = ImportCases(target.app()->db(), header + good);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->cases, 1);
  auto c = target.app()->db().GetCase(1);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->text, "路灯不亮");
}

}  // namespace
}  // namespace jiesu::service
