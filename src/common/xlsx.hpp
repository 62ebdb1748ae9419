// Writing XLSX workbooks with libxlsxwriter: a sheet written row by row under a bold, frozen
// header, and the bytes of a workbook written through a private temporary file. Used by the
// monthly review and the case export.
#pragma once

#include <xlsxwriter.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.hpp"

namespace jiesu {

class XlsxSheet {
 public:
  // Adds the sheet with its header row (title, column width) in `header`'s format.
  XlsxSheet(lxw_workbook* wb, const char* name,
            const std::vector<std::pair<std::string, double>>& columns, lxw_format* header);
  XlsxSheet& Text(const std::string& s);
  XlsxSheet& Number(double x, lxw_format* format = nullptr);
  XlsxSheet& Blank();
  void Next();

 private:
  lxw_worksheet* ws_;
  lxw_row_t row_ = 1;
  lxw_col_t col_ = 0;
};

// The bytes of the workbook `write` writes to the path it is given (a private temporary file,
// removed after). Internal when the file cannot be created or read back.
Result<std::string> XlsxBytes(const std::function<Status(const std::string& path)>& write);

}  // namespace jiesu
