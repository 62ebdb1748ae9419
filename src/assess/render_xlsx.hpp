// The monthly review as an XLSX workbook (libxlsxwriter), one sheet per table: 综合排名, 逐单位点评,
// 长处与不足, 零诉求单位, 每月一题, 巡察整改, 巡察整改（单位）. Rates are numbers with a percentage
// format, so the office can sort and chart them. Pure apart from the file it writes.
#pragma once

#include <string>

#include "assess/review_report.hpp"
#include "common/result.hpp"

namespace jiesu::assess {

// Writes the workbook to `path` (replacing it). Internal when the file cannot be written.
Status RenderXlsx(const ReviewReport& r, const std::string& path);
// The workbook's bytes (written through a private temporary file, removed after).
Result<std::string> RenderXlsxBytes(const ReviewReport& r);

}  // namespace jiesu::assess
