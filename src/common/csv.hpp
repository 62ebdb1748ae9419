// A small RFC 4180 CSV reader/writer (quoted fields, doubled quotes, CRLF or LF, a UTF-8 BOM is
// skipped). Used for shipped data, imports and exports. Pure, thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace jiesu {

using CsvRow = std::vector<std::string>;

// Parses a whole document. Fails on an unterminated quote, with the line number.
Result<std::vector<CsvRow>> ParseCsv(std::string_view text);
// Header-indexed view: column index by name, or -1.
int CsvColumn(const CsvRow& header, std::string_view name);
// One line, quoting where needed (a field with a comma, quote or line break, or starting with a
// BOM), ending in "\r\n"; ParseCsv reads it back as `fields`.
std::string CsvLine(const CsvRow& fields);
// Reads a file into a string; NotFound / Internal on failure.
Result<std::string> ReadFile(const std::string& path);

}  // namespace jiesu
