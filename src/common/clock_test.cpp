#include "common/clock.hpp"

#include <gtest/gtest.h>

#include "common/utf8.hpp"

namespace jiesu {
namespace {

TEST(ClockTest, ParseTimeReadsWhatFormatTimeWrites) {
  auto t = ParseTime("2026-11-27T10:00:00+08:00");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(FormatTime(*t), "2026-11-27T10:00:00+08:00");
  EXPECT_EQ(*ParseTime("2026-11-27T02:00:00Z"), *t);
  EXPECT_EQ(*ParseTime("2026-11-27"), *ParseTime("2026-11-27T00:00:00+08:00"));
  EXPECT_FALSE(ParseTime("2026-02-30").ok());
}

// Issue 8 (fuzz/regressions/list_query_fuzz/time-error-cuts-a-character.txt): the error messages
// quoted the first 40 bytes of what they could not read, which could cut a Chinese character in
// two and put invalid UTF-8 into the API's error; now the first 40 characters.
TEST(ClockTest, Issue8ErrorsQuoteWholeCharactersOnly) {
  const std::string text = "2026-complaint11,0oh00:已派单00 h00:已派单00 08:0town00";
  for (const auto& s :
       {ParseTime(text).status(), ParseDate(text).status(), ParseMonth(text).status()}) {
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(IsValidUtf8(s.message())) << s.message();
  }
  EXPECT_EQ(ParseTime(text).status().message(),
            "not an ISO 8601 time: '2026-complaint11,0oh00:已派单00 h00:已派单00 0'");
}

}  // namespace
}  // namespace jiesu
