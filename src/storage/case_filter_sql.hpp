// CaseFilter as SQL: the one place that says how ListCases's filter rules (DESIGN §6.3 list query)
// read in SQL, for both backends. A backend gives its dialect (placeholders, substring match,
// the doc's `supervised` flag) and binds the values in order. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "storage/database.hpp"

namespace jiesu::storage {

struct SqlDialect {
  // The placeholder of the n-th value (1-based): "?" or "$n".
  std::string (*placeholder)(int n);
  // `column` matching a SubstringPattern bound at `placeholder` (escape character '\').
  std::string (*contains)(const std::string& column, const std::string& placeholder);
  // The condition that the doc's `supervised` is true / false.
  const char* supervised;
  const char* not_supervised;
};

struct SqlQuery {
  std::string sql;
  std::vector<std::variant<std::int64_t, std::string>> values;  // in placeholder order
};

// "SELECT <columns> FROM cases WHERE … ORDER BY id DESC LIMIT …" for the filter: newest first,
// below `before_id` when set, at most `limit` rows; the query a literal substring of title, text
// or address; overdue as domain::IsOverdue at `now`.
SqlQuery ListCasesQuery(const CaseFilter& filter, const SqlDialect& dialect,
                        const char* columns = "doc");

}  // namespace jiesu::storage
