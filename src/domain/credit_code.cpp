#include "domain/credit_code.hpp"

#include <array>

namespace jiesu::domain {

namespace {

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
constexpr std::size_t kLength = 18;

// The value of a code character, or -1 when it is not one.
int ValueOf(char c) {
  const auto at = kAlphabet.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

}  // namespace

char CreditCodeCheckCharacter(std::string_view first17) {
  int sum = 0;
  int weight = 1;  // 3^(i-1) mod 31
  for (char c : first17.substr(0, kLength - 1)) {
    sum += ValueOf(c) * weight;
    weight = weight * 3 % 31;
  }
  return kAlphabet[(31 - sum % 31) % 31];
}

Status CheckCreditCode(std::string_view code) {
  if (code.size() != kLength) {
    return Status::Invalid("统一社会信用代码须为18位 (a credit code has 18 characters, this has " +
                           std::to_string(code.size()) + " bytes)");
  }
  for (std::size_t i = 0; i < kLength; ++i) {
    const unsigned char c = static_cast<unsigned char>(code[i]);
    const bool digit_needed = i >= 2 && i < 8;  // the area code
    if (ValueOf(code[i]) < 0 || (digit_needed && (c < '0' || c > '9'))) {
      const std::string shown = c >= 0x21 && c < 0x7f ? std::string(1, static_cast<char>(c))
                                : c < 0x80             ? std::string("a space or control character")
                                                       : std::string("a non-ASCII byte");
      return Status::Invalid("统一社会信用代码第" + std::to_string(i + 1) + "位不合规 (character " +
                             std::to_string(i + 1) + " is " + shown + "; " +
                             (digit_needed ? "positions 3-8 are digits"
                                           : "allowed: 0-9 and capitals except I, O, S, V, Z") +
                             ")");
    }
  }
  const char expected = CreditCodeCheckCharacter(code.substr(0, kLength - 1));
  if (code[kLength - 1] != expected) {
    return Status::Invalid(std::string("统一社会信用代码校验位错误 (the check character is ") +
                           code[kLength - 1] + ", the first 17 characters give " + expected +
                           ")");
  }
  return Status::Ok();
}

}  // namespace jiesu::domain
