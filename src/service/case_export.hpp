// The case interchange (DESIGN §6.2 `jiesu export` / `jiesu import`): a month's cases
//  - as CSV: one row per case, readable columns with Chinese or English headers and values, and the
//    case's whole event log as JSON in the last column (事件记录 / events), optionally with a UTF-8
//    BOM so that Excel opens it right;
//  - as XLSX: sheet 工单 (the same readable columns) and sheet 事件 (one row per event).
// The CSV comes back in with ImportCases: each case is the fold of its events (checked as untrusted
// input), keeps its id, and the file goes in whole or not at all. Caller contact never leaves.
#pragma once

#include <string>
#include <string_view>

#include "common/csv.hpp"
#include "common/result.hpp"
#include "service/reference.hpp"
#include "storage/database.hpp"

namespace jiesu::service {

struct ExportOptions {
  std::string month;           // YYYY-MM: the cases created in it
  std::string format = "csv";  // csv | xlsx
  bool english = false;        // English headers and values (default Chinese)
  bool bom = false;            // CSV: start with a UTF-8 BOM (for Excel)
};

// The export's bytes. InvalidArgument for a bad month or format.
Result<std::string> ExportCases(storage::Database& db, const Reference& ref,
                                const ExportOptions& options, Timestamp now);

// Whether a CSV header is the export's (it has an id and an events column, in either language).
bool IsCaseExport(const CsvRow& header);

struct CaseImportStats {
  int cases = 0;
  int events = 0;
};
// Imports an exported CSV. InvalidArgument naming the line for a malformed row or event log,
// Conflict when a case id is taken; nothing is stored unless everything is.
Result<CaseImportStats> ImportCases(storage::Database& db, std::string_view csv);

// What ImportCases stores, read and checked without storing it: every row's case id and its
// events (folded as untrusted input). Fails like ImportCases except for Conflict. Pure
// (fuzz/csv_import_fuzz.cpp).
Result<std::vector<storage::NewCase>> ParseCaseImport(std::string_view csv,
                                                      CaseImportStats* stats);

}  // namespace jiesu::service
