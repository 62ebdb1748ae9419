// The monthly review report (review_report.hpp) as Markdown (CommonMark with GFM tables): title,
// district summary, ranking table, one 点评 paragraph per unit, zero-request units and the rules.
// Every name and text taken from data is escaped, so a unit called "<script>" or "*a*" prints as
// itself. Pure, thread-safe, never fails.
#pragma once

#include <string>
#include <string_view>

#include "assess/review_report.hpp"

namespace jiesu::assess {

std::string RenderMarkdown(const ReviewReport& r);

// Escapes text for a Markdown paragraph or table cell: backslash before every character that could
// start markup (\ ` * _ [ ] < > | ~ # ! &), before a leading - + = or "1." that would start a list
// or heading, and line breaks folded to spaces.
std::string EscapeMarkdown(std::string_view text);

}  // namespace jiesu::assess
