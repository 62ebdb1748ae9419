// The monthly review report (review_report.hpp) as one self-contained, printable HTML page: inline
// CSS, an inline SVG bar chart of the scores, no script and no external resource. Every name and
// text taken from data is HTML-escaped. Pure, thread-safe, never fails.
#pragma once

#include <string>
#include <string_view>

#include "assess/review_report.hpp"

namespace jiesu::assess {

std::string RenderHtml(const ReviewReport& r);

// Escapes & < > " ' for HTML text, attribute values and SVG text alike.
std::string EscapeHtml(std::string_view text);

}  // namespace jiesu::assess
