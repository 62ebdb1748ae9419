#include "common/csv.hpp"

#include <gtest/gtest.h>

namespace jiesu {
namespace {

TEST(CsvTest, QuotedFieldsDoubledQuotesAndLineBreaksRoundTrip) {
  const CsvRow row = {"1", "标题,带逗号", "第一行\r\n第二行 \"引号\"", ""};
  auto rows = ParseCsv(CsvLine(row));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front(), row);
  EXPECT_FALSE(ParseCsv("id,title\n1,\"abc\n").ok()) << "an unterminated quote";
}

// Issue 8 (fuzz/regressions/csv_import_fuzz/leading-bom-in-a-later-row.csv): a field starting with
// a BOM was written unquoted, so as the first field of a file it was read back without its BOM.
TEST(CsvTest, Issue8AFieldStartingWithABomIsQuotedAndReadBackWhole) {
  const CsvRow row = {"\xEF\xBB\xBF", "x"};
  EXPECT_EQ(CsvLine(row), "\"\xEF\xBB\xBF\",x\r\n");
  auto rows = ParseCsv(CsvLine(row));
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front(), row);
  // The file's own BOM is still skipped.
  auto with_bom = ParseCsv("\xEF\xBB\xBFid,events\r\n");
  ASSERT_TRUE(with_bom.ok());
  EXPECT_EQ(with_bom->front(), (CsvRow{"id", "events"}));
}

}  // namespace
}  // namespace jiesu
