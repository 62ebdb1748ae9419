#include "service/demo_generator.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>

#include "storage/case_codec.hpp"

namespace jiesu::service {
namespace {

using namespace jiesu::domain;
namespace fs = std::filesystem;

constexpr int kMonths = 2;
constexpr int kPerMonth = 300;

// Everything a generation needs: a fresh SQLite file, reference data loaded into it, a vault.
struct DemoDb {
  std::unique_ptr<storage::Database> db;
  std::shared_ptr<const Reference> ref;
  std::optional<ContactVault> vault;
};

std::string MissingData(const std::string& dir) {
  for (const char* f : {"/categories.csv", "/departments.csv", "/tongzhou/divisions.csv",
                        "/calendar/cn-workdays.csv", "/demo/templates.csv", "/demo/answers.csv"}) {
    if (!fs::exists(dir + f)) return dir + f;
  }
  return "";
}

class DemoGeneratorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!MissingData(DefaultDataDir()).empty()) return;
    dir_ =
        new fs::path(fs::temp_directory_path() / ("jiesu_demo_test_" + std::to_string(::getpid())));
    fs::remove_all(*dir_);
    fs::create_directories(*dir_);
    first_ = new DemoDb();
    OpenDemoDb("first", first_);
    if (first_->db && first_->ref && first_->vault) {
      stats_ =
          new Result<DemoStats>(GenerateDemo(*first_->db, *first_->ref, *first_->vault, Options()));
    } else {
      stats_ = new Result<DemoStats>(Status::Internal("could not open the first database"));
    }
  }
  static void TearDownTestSuite() {
    delete stats_;
    delete first_;
    if (dir_ != nullptr) fs::remove_all(*dir_);
    delete dir_;
    stats_ = nullptr;
    first_ = nullptr;
    dir_ = nullptr;
  }

  void SetUp() override {
    const std::string missing = MissingData(DefaultDataDir());
    if (!missing.empty()) GTEST_SKIP() << "shipped data not there yet: " << missing;
    ASSERT_NE(first_->db, nullptr);
    ASSERT_TRUE(stats_->ok()) << stats_->status().ToString();
  }

  static DemoOptions Options() {
    DemoOptions opt;
    opt.months = kMonths;
    opt.cases_per_month = kPerMonth;
    opt.seed = 20251118;
    opt.now = *ParseTime("2025-11-18T10:10:00+08:00");  // a Tuesday morning
    return opt;
  }

  static void OpenDemoDb(const std::string& name, DemoDb* out) {
    auto db = storage::OpenDatabase("sqlite:" + (*dir_ / (name + ".db")).string());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    out->db = std::move(*db);
    auto ref = LoadReference(*out->db, DefaultDataDir());
    ASSERT_TRUE(ref.ok()) << ref.status().ToString();
    out->ref = *ref;
    auto vault = ContactVault::Open((*dir_ / (name + ".k")).string());
    ASSERT_TRUE(vault.ok()) << vault.status().ToString();
    out->vault = *vault;
  }

  static std::vector<Case> AllCases(storage::Database& db) {
    std::vector<Case> out;
    storage::CaseFilter f;
    f.limit = 1000;
    while (true) {
      auto page = db.ListCases(f);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok() || page->empty()) break;
      f.before_id = page->back().id;
      out.insert(out.end(), page->begin(), page->end());
    }
    std::sort(out.begin(), out.end(), [](const Case& a, const Case& b) { return a.id < b.id; });
    return out;
  }

  // Valid callbacks recorded in [from, to), by the unit responsible at the time.
  static std::map<std::string, int> ValidCallbacks(Timestamp from, Timestamp to) {
    auto events = first_->db->EventsBetween(from, to, {EventKind::kCallback});
    EXPECT_TRUE(events.ok());
    std::map<std::string, int> out;
    if (!events.ok()) return out;
    for (const auto& ue : *events) {
      if (ue.event.payload.value("reachable", false)) ++out[ue.unit];
    }
    return out;
  }

  static Timestamp MonthStart(int k) {
    const Date d = *ParseMonth(first_stats().first_month);
    const int index = d.year * 12 + d.month - 1 + k;
    return BeijingMidnight(Date{index / 12, index % 12 + 1, 1});
  }
  static const DemoStats& first_stats() { return **stats_; }

  static fs::path* dir_;
  static DemoDb* first_;
  static Result<DemoStats>* stats_;
};

fs::path* DemoGeneratorTest::dir_ = nullptr;
DemoDb* DemoGeneratorTest::first_ = nullptr;
Result<DemoStats>* DemoGeneratorTest::stats_ = nullptr;

TEST_F(DemoGeneratorTest, FillsTheRequestedMonths) {
  const DemoStats& s = first_stats();
  EXPECT_EQ(s.first_month, "2025-09");
  EXPECT_EQ(s.last_month, "2025-11");
  // Two full months and 17.4 of November's 30 days, each within ±8 % of 300 cases.
  EXPECT_GT(s.cases, static_cast<int>(kPerMonth * (kMonths + 17.0 / 30) * 0.9));
  EXPECT_LT(s.cases, static_cast<int>(kPerMonth * (kMonths + 18.0 / 30) * 1.1));
  auto count = first_->db->CountCases();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, s.cases + s.findings);
  EXPECT_GT(s.events, 3 * s.cases);
  EXPECT_GT(s.callbacks, 0);
}

TEST_F(DemoGeneratorTest, EveryCaseIsTheFoldOfItsEvents) {
  const Timestamp now = Options().now;
  const Timestamp from = MonthStart(0);
  int events = 0;
  for (const Case& c : AllCases(*first_->db)) {
    auto log = first_->db->GetEvents(c.id);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    events += static_cast<int>(log->size());
    EXPECT_EQ(storage::CaseToDoc(Fold(*log)).dump(), storage::CaseToDoc(c).dump()) << c.id;
    for (const CaseEvent& e : *log) {
      ASSERT_LE(e.at, now) << "case " << c.id << " event " << e.seq;
      ASSERT_GE(e.at, from) << "case " << c.id << " event " << e.seq;
    }
  }
  EXPECT_EQ(events, first_stats().events);
}

TEST_F(DemoGeneratorTest, SameSeedAndNowGiveTheSameCases) {
  DemoDb second;
  OpenDemoDb("second", &second);
  auto stats = GenerateDemo(*second.db, *second.ref, *second.vault, Options());
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  const auto a = AllCases(*first_->db);
  const auto b = AllCases(*second.db);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(storage::CaseToDoc(a[i]).dump(), storage::CaseToDoc(b[i]).dump()) << a[i].id;
    auto ea = first_->db->GetEvents(a[i].id);
    auto eb = second.db->GetEvents(b[i].id);
    ASSERT_TRUE(ea.ok() && eb.ok());
    ASSERT_EQ(ea->size(), eb->size()) << a[i].id;
    for (std::size_t k = 0; k < ea->size(); ++k) {
      const CaseEvent &x = (*ea)[k], &y = (*eb)[k];
      ASSERT_EQ(x.at, y.at) << a[i].id;
      ASSERT_EQ(x.actor_name, y.actor_name) << a[i].id;
      ASSERT_EQ(x.payload.dump(), y.payload.dump()) << a[i].id;
    }
  }
  EXPECT_EQ(stats->events, first_stats().events);
  EXPECT_EQ(stats->callbacks, first_stats().callbacks);
}

TEST_F(DemoGeneratorTest, LooksLikeAHotline) {
  const auto cases = AllCases(*first_->db);
  const Timestamp now = Options().now;
  std::map<CaseType, int> types;
  std::map<CaseStatus, int> current;  // statuses of this month's cases
  std::set<std::string> categories;
  int overdue = 0, reopened = 0, merged = 0, transferred = 0, supervised = 0, extended = 0;
  int anonymous = 0;
  for (const Case& c : cases) {
    if (c.source == CaseSource::kInspection) continue;  // findings: InspectionRounds below
    ++types[c.type];
    if (c.created_at >= MonthStart(kMonths)) ++current[c.status];
    if (!c.category.empty()) categories.insert(c.category);
    overdue += IsOverdue(c, now);
    reopened += c.reopen_count > 0;
    merged += c.merged_into.has_value();
    transferred += c.status == CaseStatus::kTransferred;
    supervised += c.supervised;
    extended += c.extension_count > 0;
    anonymous += c.anonymous;
    EXPECT_FALSE(c.address.empty());
    EXPECT_EQ(c.title.find('{'), std::string::npos) << c.title;
    EXPECT_EQ(c.text.find('{'), std::string::npos) << c.text;
  }
  const double n = static_cast<double>(first_stats().cases);  // citizen cases only
  EXPECT_GT(types[CaseType::kConsult] / n, 0.45);
  EXPECT_LT(types[CaseType::kConsult] / n, 0.65);
  for (CaseType t :
       {CaseType::kHelp, CaseType::kComplaint, CaseType::kReport, CaseType::kSuggestion}) {
    EXPECT_GT(types[t], 0) << CaseTypeName(t);
  }
  EXPECT_GT(categories.size(), 50u);
  EXPECT_GT(overdue, 0);
  EXPECT_GT(reopened, 0);
  EXPECT_GT(merged, 0);
  EXPECT_GT(transferred, 0);
  EXPECT_GT(supervised, 0);
  EXPECT_GT(extended, 0);
  EXPECT_GT(anonymous / n, 0.03);
  // This month's cases wait at every stage, so the work queues are not empty.
  for (CaseStatus s : {CaseStatus::kAccepted, CaseStatus::kReplied, CaseStatus::kClosed}) {
    EXPECT_GT(current[s], 0) << CaseStatusName(s);
  }
  EXPECT_GT(current[CaseStatus::kReceived] + current[CaseStatus::kDispatched] +
                current[CaseStatus::kObjected],
            0);
}

TEST_F(DemoGeneratorTest, TownshipsHaveCallbacksToRank) {
  const UnitTree& units = first_->ref->units;
  const auto roll_up = [&](const std::map<std::string, int>& by_unit) {
    std::map<std::string, int> out;
    for (const auto& [code, n] : by_unit) {
      if (const Unit* t = units.TownshipOf(code)) out[t->code] += n;
    }
    return out;
  };
  const auto first_month = roll_up(ValidCallbacks(MonthStart(0), MonthStart(1)));
  EXPECT_GE(first_month.size(), 20u);
  // The last full month has one township with a handful of callbacks (样本不足), and
  // communities with none at all (zero-request units).
  const auto by_unit = ValidCallbacks(MonthStart(kMonths - 1), MonthStart(kMonths));
  const auto last_month = roll_up(by_unit);
  int low = 0;
  for (const auto& [code, n] : last_month) low += n > 0 && n < 5;
  EXPECT_GE(low, 1);
  int communities_with = 0, communities_without = 0;
  for (const Unit* u : units.ByLevel(UnitLevel::kCommunity)) {
    (by_unit.count(u->code) ? communities_with : communities_without)++;
  }
  EXPECT_GT(communities_with, 0);
  EXPECT_GT(communities_without, 0);
}

TEST_F(DemoGeneratorTest, InspectionRoundsWithARevisitAndVerifiedFindings) {
  const DemoStats& s = first_stats();
  EXPECT_GT(s.findings, 100);
  auto rounds = first_->db->ListInspections();
  ASSERT_TRUE(rounds.ok());
  ASSERT_GE(rounds->size(), 2u);
  EXPECT_TRUE((*rounds)[1].IsRevisit());
  EXPECT_EQ((*rounds)[1].revisit_of, std::vector<std::int64_t>{(*rounds)[0].id});
  std::vector<std::int64_t> ids;
  for (const auto& r : *rounds) ids.push_back(r.id);
  auto findings = first_->db->CasesOfInspections(ids);
  ASSERT_TRUE(findings.ok());
  EXPECT_EQ(static_cast<int>(findings->size()), s.findings);
  int rectified = 0, reopened = 0;
  for (const Case& c : *findings) {
    EXPECT_EQ(c.source, CaseSource::kInspection);
    ASSERT_TRUE(c.due.has_value());
    EXPECT_LE(*c.due - *c.dispatched_at, 60 * kSecondsPerDay);
    rectified += c.rectified_at.has_value();
    reopened += c.reopen_count > 0;
  }
  EXPECT_GT(rectified, 0);
  EXPECT_LT(rectified, s.findings);  // the latest round is still being rectified
  EXPECT_GT(reopened, 0);            // the 回头看 found some back
}

TEST_F(DemoGeneratorTest, RefusesANonEmptyDatabase) {
  auto again = GenerateDemo(*first_->db, *first_->ref, *first_->vault, Options());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kConflict);
}

TEST_F(DemoGeneratorTest, ATotalIsSpreadOverTheMonths) {
  DemoDb empty;
  OpenDemoDb("total", &empty);
  DemoOptions opt = Options();
  opt.months = 2;
  opt.total_cases = 900;
  auto stats = GenerateDemo(*empty.db, *empty.ref, *empty.vault, opt);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  // Each month has ±8 % noise, and the quiet township of the last full month gives up its cases.
  EXPECT_GT(stats->cases, 900 * 0.85);
  EXPECT_LT(stats->cases, 900 * 1.1);
  EXPECT_EQ(*empty.db->CountCases(), stats->cases + stats->findings);
}

TEST_F(DemoGeneratorTest, RejectsBadOptions) {
  DemoDb empty;
  OpenDemoDb("options", &empty);
  DemoOptions opt = Options();
  opt.months = -1;
  EXPECT_EQ(GenerateDemo(*empty.db, *empty.ref, *empty.vault, opt).status().code(),
            StatusCode::kInvalidArgument);
  opt = Options();
  opt.months = kMaxDemoMonths + 1;
  EXPECT_EQ(GenerateDemo(*empty.db, *empty.ref, *empty.vault, opt).status().code(),
            StatusCode::kInvalidArgument);
  opt = Options();
  opt.cases_per_month = kMaxDemoCasesPerMonth + 1;
  EXPECT_EQ(GenerateDemo(*empty.db, *empty.ref, *empty.vault, opt).status().code(),
            StatusCode::kInvalidArgument);
  opt = Options();
  opt.total_cases = std::int64_t{kMaxDemoCasesPerMonth} * 100;  // over a month's limit
  EXPECT_EQ(GenerateDemo(*empty.db, *empty.ref, *empty.vault, opt).status().code(),
            StatusCode::kInvalidArgument);
  opt = Options();
  opt.data_dir = (*dir_ / "nowhere").string();
  EXPECT_EQ(GenerateDemo(*empty.db, *empty.ref, *empty.vault, opt).status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace jiesu::service
