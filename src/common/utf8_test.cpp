#include "common/utf8.hpp"

#include <gtest/gtest.h>

namespace jiesu {
namespace {

TEST(Utf8, ValidityRejectsOverlongsSurrogatesAndTruncation) {
  EXPECT_TRUE(IsValidUtf8("梨园镇 abc"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // U+D800
  EXPECT_FALSE(IsValidUtf8("\xE6\xA2"));          // cut inside 梨
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
}

TEST(Utf8, CheckTextCountsCodePointsNotBytes) {
  EXPECT_TRUE(CheckText("梨园镇", "text", 3).ok());
  const Status s = CheckText("梨园镇", "text", 2);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "text is longer than 2 characters");
}

TEST(Utf8, CheckTextRefusesControlCharactersButKeepsLineBreaks) {
  EXPECT_TRUE(CheckText("第一行\r\n第二行\t完", "text", 100).ok());
  for (const std::string& bad : {std::string("a\0b", 3), std::string("a\x1b[31mb"),
                                std::string("a\x7f"), std::string("\x0b")}) {
    const Status s = CheckText(bad, "note", 100);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(s.message(), "note may not contain control characters");
  }
}

}  // namespace
}  // namespace jiesu
