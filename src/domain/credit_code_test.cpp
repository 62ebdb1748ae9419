#include "domain/credit_code.hpp"

#include <gtest/gtest.h>

namespace jiesu::domain {
namespace {

TEST(CreditCodeTest, TheStandardsExampleIsValid) {
  EXPECT_TRUE(CheckCreditCode("91350100M000100Y43").ok());
}

TEST(CreditCodeTest, CheckCharacterIsComputedOverTheFirstSeventeen) {
  EXPECT_EQ(CreditCodeCheckCharacter("91350100M000100Y4"), '3');
}

TEST(CreditCodeTest, EverySingleCharacterChangeIsCaught) {
  const std::string good = "91350100M000100Y43";
  const std::string alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  int caught = 0;
  int tried = 0;
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (char c : alphabet) {
      if (c == good[i]) continue;
      std::string bad = good;
      bad[i] = c;
      ++tried;
      if (!CheckCreditCode(bad).ok()) ++caught;
    }
  }
  EXPECT_EQ(caught, tried);  // mod 31 with weights prime to 31: one changed character always shows
}

TEST(CreditCodeTest, RefusesWithAReasonAClerkCanAct) {
  auto s = CheckCreditCode("91350100M000100Y4");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("18"), std::string::npos) << s.message();

  s = CheckCreditCode("91350100M000100Y44");
  EXPECT_NE(s.message().find("校验位"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("give 3"), std::string::npos) << s.message();

  s = CheckCreditCode("91350100MO00100Y43");  // letter O for zero
  EXPECT_NE(s.message().find("第10位"), std::string::npos) << s.message();

  s = CheckCreditCode("9135A100M000100Y43");  // a letter in the area code
  EXPECT_NE(s.message().find("positions 3-8 are digits"), std::string::npos) << s.message();

  s = CheckCreditCode("91350100m000100y43");  // lower case is not a code character
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(CheckCreditCode(std::string(18, '\0')).ok());
  EXPECT_FALSE(CheckCreditCode("统一社会信用").ok());  // 18 bytes of UTF-8
}

}  // namespace
}  // namespace jiesu::domain
