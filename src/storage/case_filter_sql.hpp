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
  // The condition that the doc's `enterprise_id` equals the value at `placeholder`, in the form
  // the expression index of migration SQLite 0006 / PostgreSQL 0004 serves; that it has one.
  std::string (*enterprise_is)(const std::string& placeholder);
  const char* has_enterprise;
  // The search (the `q` filter) from the backend's text index over title, text and address
  // joined by U+001F (migrations: SQLite 0005, PostgreSQL 0003).
  struct TextIndex {
    // Whether the index answers this query; when not, `contains` is used on each column.
    bool (*answers)(const std::string& query);
    const char* from;  // the FROM clause, `cases` joined to the index as needed
    // The condition that the joined text matches the SubstringPattern bound at `placeholder`.
    std::string (*matches)(const std::string& placeholder);
    const char* order_by;  // the column giving the newest first, served by the index
  };
  TextIndex text_index;
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
