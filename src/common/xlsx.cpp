#include "common/xlsx.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace jiesu {

XlsxSheet::XlsxSheet(lxw_workbook* wb, const char* name,
                     const std::vector<std::pair<std::string, double>>& columns,
                     lxw_format* header)
    : ws_(workbook_add_worksheet(wb, name)) {
  lxw_col_t col = 0;
  for (const auto& [title, width] : columns) {
    worksheet_set_column(ws_, col, col, width, nullptr);
    worksheet_write_string(ws_, 0, col++, title.c_str(), header);
  }
  worksheet_freeze_panes(ws_, 1, 0);
}

XlsxSheet& XlsxSheet::Text(const std::string& s) {
  worksheet_write_string(ws_, row_, col_++, s.c_str(), nullptr);
  return *this;
}

XlsxSheet& XlsxSheet::Number(double x, lxw_format* format) {
  worksheet_write_number(ws_, row_, col_++, x, format);
  return *this;
}

XlsxSheet& XlsxSheet::Blank() {
  ++col_;
  return *this;
}

void XlsxSheet::Next() {
  ++row_;
  col_ = 0;
}

Result<std::string> XlsxBytes(const std::function<Status(const std::string& path)>& write) {
  std::string path = (std::filesystem::temp_directory_path() / "jiesu-xlsx-XXXXXX").string();
  const int fd = ::mkstemp(path.data());
  if (fd < 0) return Status::Internal("cannot create a temporary file for the workbook");
  ::close(fd);
  Status s = write(path);
  std::string bytes;
  if (s.ok()) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    bytes = buf.str();
    if (!in && bytes.empty()) s = Status::Internal("cannot read the workbook back");
  }
  std::error_code ec;
  std::filesystem::remove(path, ec);
  if (!s.ok()) return s;
  return bytes;
}

}  // namespace jiesu
