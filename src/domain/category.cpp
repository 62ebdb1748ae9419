#include "domain/category.hpp"

#include <charconv>

#include "common/csv.hpp"

namespace jiesu::domain {

Result<TimeLimit> ParseTimeLimit(std::string_view text) {
  TimeLimit limit;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, limit.amount);
  const std::string_view unit(ptr, end - ptr);
  if (ec != std::errc() || limit.amount < 1 || limit.amount > 365) {
    return Status::Invalid("bad time limit '" + std::string(text) + "' (e.g. 24h, 7d, 15wd)");
  }
  if (unit == "h") {
    limit.kind = LimitKind::kHours;
  } else if (unit == "d") {
    limit.kind = LimitKind::kDays;
  } else if (unit == "wd") {
    limit.kind = LimitKind::kWorkdays;
  } else {
    return Status::Invalid("bad time limit '" + std::string(text) + "' (e.g. 24h, 7d, 15wd)");
  }
  return limit;
}

std::string FormatTimeLimit(TimeLimit limit) {
  const char* unit = limit.kind == LimitKind::kHours ? "h"
                     : limit.kind == LimitKind::kDays ? "d"
                                                      : "wd";
  return std::to_string(limit.amount) + unit;
}

Result<Catalogue> Catalogue::Build(std::vector<Category> categories) {
  Catalogue c;
  c.categories_ = std::move(categories);
  for (std::size_t i = 0; i < c.categories_.size(); ++i) {
    if (!c.index_.emplace(c.categories_[i].code, i).second) {
      return Status::Invalid("category code " + c.categories_[i].code + " appears twice");
    }
  }
  for (const Category& cat : c.categories_) {
    if (!cat.parent.empty() && !c.index_.count(cat.parent)) {
      return Status::Invalid("category " + cat.code + " has unknown parent " + cat.parent);
    }
    if (cat.handling == Handling::kDepartment && cat.department.empty()) {
      return Status::Invalid("category " + cat.code + " is handled by a department but names none");
    }
  }
  return c;
}

Result<std::vector<Category>> Catalogue::ParseCsv(std::string_view text) {
  JIESU_ASSIGN_OR_RETURN(auto rows, jiesu::ParseCsv(text));
  if (rows.empty()) return Status::Invalid("categories: empty file");
  const CsvRow& h = rows[0];
  const int c_code = CsvColumn(h, "code"), c_name = CsvColumn(h, "name"),
            c_parent = CsvColumn(h, "parent"), c_handling = CsvColumn(h, "handling"),
            c_dept = CsvColumn(h, "department"), c_resp = CsvColumn(h, "response_hours"),
            c_limit = CsvColumn(h, "limit"), c_kw = CsvColumn(h, "keywords");
  if (c_code < 0 || c_name < 0 || c_parent < 0 || c_handling < 0 || c_dept < 0 || c_resp < 0 ||
      c_limit < 0) {
    return Status::Invalid(
        "categories: need columns code,name,parent,handling,department,response_hours,limit");
  }
  std::vector<Category> out;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const CsvRow& r = rows[i];
    const std::string where = "categories row " + std::to_string(i) + ": ";
    if (r.size() < h.size()) return Status::Invalid(where + "too few columns");
    Category c;
    c.code = r[c_code];
    c.name = r[c_name];
    c.parent = r[c_parent];
    if (r[c_handling] == "township") {
      c.handling = Handling::kTownship;
    } else if (r[c_handling] == "department") {
      c.handling = Handling::kDepartment;
    } else {
      return Status::Invalid(where + "handling must be township or department");
    }
    c.department = r[c_dept];
    auto [p, ec] = std::from_chars(r[c_resp].data(), r[c_resp].data() + r[c_resp].size(),
                                   c.response_hours);
    if (ec != std::errc() || c.response_hours < 1 || c.response_hours > 240) {
      return Status::Invalid(where + "bad response_hours");
    }
    auto limit = ParseTimeLimit(r[c_limit]);
    if (!limit.ok()) return Status::Invalid(where + limit.status().message());
    c.limit = *limit;
    if (c_kw >= 0) {
      std::string_view rest = r[c_kw];
      while (!rest.empty()) {
        const auto bar = rest.find('|');
        if (bar != 0) c.keywords.emplace_back(rest.substr(0, bar));
        if (bar == std::string_view::npos) break;
        rest.remove_prefix(bar + 1);
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

const Category* Catalogue::Find(std::string_view code) const {
  const auto it = index_.find(code);
  return it == index_.end() ? nullptr : &categories_[it->second];
}

const Category* Catalogue::TopLevel(std::string_view code) const {
  const Category* c = Find(code);
  while (c != nullptr && !c->parent.empty()) c = Find(c->parent);
  return c;
}

}  // namespace jiesu::domain
