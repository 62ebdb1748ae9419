#include "storage/case_filter_sql.hpp"

#include "storage/rows.hpp"

namespace jiesu::storage {

using namespace jiesu::domain;

SqlQuery ListCasesQuery(const CaseFilter& f, const SqlDialect& dialect, const char* columns) {
  SqlQuery q{" WHERE 1=1", {}};  // the conditions; SELECT … FROM is put in front at the end
  std::string from = "cases", order_by = "id";
  const auto bind = [&](std::variant<std::int64_t, std::string> v) {
    q.values.push_back(std::move(v));
    return dialect.placeholder(static_cast<int>(q.values.size()));
  };
  const auto in_list = [&](const char* column, const auto& values) {
    q.sql += std::string(" AND ") + column + " IN (";
    for (std::size_t i = 0; i < values.size(); ++i) q.sql += (i ? "," : "") + bind(values[i]);
    q.sql += ")";
  };
  const auto names = [](const auto& values, auto name_of) {
    std::vector<std::string> out;
    for (const auto& v : values) out.emplace_back(name_of(v));
    return out;
  };
  if (!f.units.empty()) in_list("unit", f.units);
  if (!f.categories.empty()) in_list("category", f.categories);
  if (!f.statuses.empty()) in_list("status", names(f.statuses, CaseStatusName));
  if (!f.sources.empty()) in_list("source", names(f.sources, CaseSourceName));
  if (!f.ids.empty()) in_list("id", f.ids);
  if (f.enterprise_id) q.sql += " AND " + dialect.enterprise_is(bind(*f.enterprise_id));
  if (f.enterprise_request) {
    q.sql += std::string(*f.enterprise_request ? " AND " : " AND NOT ") + "(" +
             dialect.has_enterprise + ")";
  }
  if (f.type) q.sql += " AND type=" + bind(std::string(CaseTypeName(*f.type)));
  if (f.created_from) q.sql += " AND created_at>=" + bind(*f.created_from);
  if (f.created_to) q.sql += " AND created_at<" + bind(*f.created_to);
  // The index joins the three fields with U+001F, so a query holding it goes column by column.
  if (!f.query.empty() && f.query.find('\x1f') == std::string::npos &&
      dialect.text_index.answers(f.query)) {
    from = dialect.text_index.from;
    order_by = dialect.text_index.order_by;
    q.sql += " AND " + dialect.text_index.matches(bind(SubstringPattern(f.query)));
  } else if (!f.query.empty()) {
    const std::string pattern = SubstringPattern(f.query);
    q.sql += " AND (";
    const char* searched[] = {"title", "text", "address"};
    for (const char* column : searched) {
      q.sql += (column == searched[0] ? "" : " OR ") + dialect.contains(column, bind(pattern));
    }
    q.sql += ")";
  }
  if (f.overdue) {
    // Mirrors domain::IsOverdue.
    const std::string overdue =
        "(due IS NOT NULL AND ((status IN ('dispatched','accepted','objected') AND due<" +
        bind(f.now) +
        ") OR (merged_into IS NULL AND replied_at IS NOT NULL AND replied_at>due AND status NOT "
        "IN ('dispatched','accepted','objected'))))";
    q.sql += *f.overdue ? " AND " + overdue : " AND NOT " + overdue;
  }
  if (f.supervised) {
    q.sql += std::string(" AND ") + (*f.supervised ? dialect.supervised : dialect.not_supervised);
  }
  if (f.before_id) q.sql += " AND " + order_by + "<" + bind(*f.before_id);
  q.sql += " ORDER BY " + order_by + " DESC LIMIT " + bind(std::int64_t{f.limit});
  q.sql = std::string("SELECT ") + columns + " FROM " + from + q.sql;
  return q;
}

}  // namespace jiesu::storage
