#include "service/replay_import.hpp"

#include <gtest/gtest.h>

#include "service/test_app.hpp"

namespace jiesu::service {
namespace {

using namespace jiesu::domain;

TEST(ParseSlashTimeTest, ReadsTheFilesTimes) {
  EXPECT_EQ(*ParseSlashTime("2019/4/25 9:32:09"), *ParseTime("2019-04-25T09:32:09+08:00"));
  EXPECT_EQ(*ParseSlashTime("2019/12/1 23:05"), *ParseTime("2019-12-01T23:05:00+08:00"));
  EXPECT_EQ(*ParseSlashTime("2018/4/24"), *ParseTime("2018-04-24T00:00:00+08:00"));
  for (const char* bad : {"", "4/8/19 8:37", "2019-04-25 09:32:09", "2019/13/1 1:00",
                          "2019/4/25 25:00:00", "2019/4/25 9", "2019/4/25 9:32:09:01", "x/y/z"}) {
    EXPECT_FALSE(ParseSlashTime(bad).ok()) << bad;
  }
}

class ReplayImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    temp_ = std::make_unique<TempApp>();
    ASSERT_TRUE(temp_->status().ok()) << temp_->status().ToString();
    app_ = temp_->app();
  }
  Result<ImportStats> Import(const std::string& csv) {
    return ImportReplied(app_->db(), app_->reference(), app_->router(), csv);
  }

  std::unique_ptr<TempApp> temp_;
  App* app_ = nullptr;
};

TEST_F(ReplayImportTest, RowsBecomeRepliedCasesAndBadRowsAreCounted) {
  const std::string csv =
      "id,title,text,time,reply,reply_time\n"
      "1,小区噪音扰民,小区楼下餐馆夜间噪音扰民，请管一管,2019/5/6 21:10:00,"
      "\"经调查，已责令餐馆整改\",2019/5/20 10:00:00\n"
      "2,公交线路,建议增开公交线路,2019/5/7 8:00:00,已转交公交公司研究,2019/5/7 7:00:00\n"
      "3,没有时间,内容,sometime,回复,2019/5/8 8:00:00\n"
      "4,无内容,,2019/5/8 8:00:00,回复,2019/5/9 8:00:00\n";
  auto stats = Import(csv);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->cases, 1);
  EXPECT_EQ(stats->events, 4);  // created, dispatched, accepted, replied
  EXPECT_EQ(stats->skipped["reply before the message"], 1);
  EXPECT_EQ(stats->skipped["unreadable time"], 1);
  EXPECT_EQ(stats->skipped["empty text or reply"], 1);
  EXPECT_EQ(stats->first_month, "2019-05");

  storage::CaseFilter all;
  auto cases = app_->db().ListCases(all);
  ASSERT_TRUE(cases.ok());
  ASSERT_EQ(cases->size(), 1u);
  const Case& c = cases->front();
  EXPECT_EQ(c.status, CaseStatus::kReplied);
  EXPECT_EQ(c.source, CaseSource::kWeb);
  EXPECT_EQ(c.created_at, *ParseTime("2019-05-06T21:10:00+08:00"));
  EXPECT_EQ(*c.replied_at, *ParseTime("2019-05-20T10:00:00+08:00"));
  EXPECT_EQ(c.reply_text, "经调查，已责令餐馆整改");
  EXPECT_FALSE(c.unit.empty());
  auto events = app_->db().GetEvents(c.id);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(Fold(*events).status, c.status);
  EXPECT_EQ(events->front().payload.value("external_id", ""), "replied.csv#1");

  // The same bytes again: refused, nothing added.
  EXPECT_EQ(Import(csv).status().code(), StatusCode::kConflict);
  EXPECT_EQ(*app_->db().CountCases(), 1);
  EXPECT_EQ(Import("id,title,text\n1,a,b\n").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Import("id,title,text,time,reply,reply_time\n1,\"a\n").status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace jiesu::service
