// The dispatch catalogue (派单目录): 大类 and 小类, each with who handles it by default (属地 = the
// township of the place, or a named department) and its time limits. Catalogue is an immutable
// index built at start-up; thread-safe to share after construction.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace jiesu::domain {

enum class LimitKind { kHours, kDays, kWorkdays };

// A time limit such as 24h, 7d or 15wd (working days).
struct TimeLimit {
  LimitKind kind = LimitKind::kDays;
  int amount = 7;
  friend bool operator==(const TimeLimit&, const TimeLimit&) = default;
};
// Parses "24h", "7d", "15wd"; amount 1..365.
Result<TimeLimit> ParseTimeLimit(std::string_view text);
std::string FormatTimeLimit(TimeLimit limit);

enum class Handling { kTownship, kDepartment };

struct Category {
  std::string code;
  std::string name;
  std::string parent;  // empty for a 大类
  Handling handling = Handling::kTownship;
  std::string department;  // unit code when handling is kDepartment
  int response_hours = 2;  // 签收 deadline
  TimeLimit limit;
  std::vector<std::string> keywords;
};

class Catalogue {
 public:
  Catalogue() = default;
  // Fails on a repeated code, an unknown parent, or a department category with no department.
  static Result<Catalogue> Build(std::vector<Category> categories);
  // categories.csv: code,name,parent,handling,department,response_hours,limit,keywords.
  static Result<std::vector<Category>> ParseCsv(std::string_view text);

  const Category* Find(std::string_view code) const;
  // The 大类 of a category (itself for a 大类).
  const Category* TopLevel(std::string_view code) const;
  const std::vector<Category>& All() const { return categories_; }

 private:
  std::vector<Category> categories_;
  std::map<std::string, std::size_t, std::less<>> index_;
};

}  // namespace jiesu::domain
