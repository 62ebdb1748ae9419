// 统一社会信用代码 (unified social credit code, GB 32100-2015): the 18 characters that name an
// enterprise or other organisation in China. Pure; thread-safe.
//
//   position 1      登记管理部门代码 (registering authority: 1 机构编制, 5 民政, 9 工商, Y 其他…)
//   position 2      机构类别代码 (kind of organisation within that authority)
//   positions 3–8   登记管理机关行政区划码 (six digits, the registering office's area)
//   positions 9–17  主体标识码 (the organisation code of GB 11714)
//   position 18     校验码: the check character over the first 17
//
// Characters come from 0–9 and the 21 capitals that cannot be misread (no I, O, S, V, Z); their
// values are 0–30 in that order. The check character's value is 31 − (Σ value_i × 3^(i−1) mod 31),
// 31 written as 0.
#pragma once

#include <string>
#include <string_view>

#include "common/status.hpp"

namespace jiesu::domain {

// Ok for a well-formed code whose check character is right. InvalidArgument otherwise, with a
// message saying what is wrong in terms a clerk can act on (the length, the position and character
// that is not allowed, or the check character expected), in Chinese and English.
Status CheckCreditCode(std::string_view code);

// The check character of a code's first 17 characters (which must be allowed characters).
char CreditCodeCheckCharacter(std::string_view first17);

}  // namespace jiesu::domain
