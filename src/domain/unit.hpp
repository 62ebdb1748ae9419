// Units: the district, its streets/towns (township level), their communities and villages, grids,
// and the district departments. UnitTree is an immutable index over them, built once at start-up
// from shipped data; after construction it is safe to share between threads.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace jiesu::domain {

enum class UnitLevel { kDistrict, kTownship, kCommunity, kGrid, kDepartment };

const char* UnitLevelName(UnitLevel level);  // "district", "township", ...
Result<UnitLevel> ParseUnitLevel(std::string_view name);

struct Unit {
  std::string code;
  std::string name;        // official name, e.g. 悟仙观社区居委会
  std::string short_name;  // everyday name, e.g. 悟仙观社区
  std::vector<std::string> aliases;
  UnitLevel level = UnitLevel::kCommunity;
  std::string parent;  // empty for the root
};

// Everyday name of a community/village committee: 居民委员会/居委会 → (社区 kept), 村民委员会 → 村.
std::string ShortUnitName(std::string_view official);

class UnitTree {
 public:
  UnitTree() = default;
  // Fails when a parent is unknown, a code repeats or there is not exactly one root.
  static Result<UnitTree> Build(std::vector<Unit> units);
  // Parses divisions.csv (code,name,level,parent_code; "village" means community) plus
  // departments.csv (code,name,aliases,parent_code) into units.
  static Result<std::vector<Unit>> ParseDivisionsCsv(std::string_view text);
  static Result<std::vector<Unit>> ParseDepartmentsCsv(std::string_view text);

  const Unit* Find(std::string_view code) const;
  const Unit& Root() const { return units_.at(root_); }
  // True when `code` is `ancestor` or lies below it.
  bool IsWithin(std::string_view code, std::string_view ancestor) const;
  // The township-level ancestor of a unit (itself if township); null for district/departments.
  const Unit* TownshipOf(std::string_view code) const;
  // "/110112/110112001/110112001006/": the path used for subtree queries.
  std::string Path(std::string_view code) const;
  std::vector<const Unit*> Children(std::string_view code) const;
  std::vector<const Unit*> ByLevel(UnitLevel level) const;
  // Codes of the unit and every unit below it.
  std::vector<std::string> Subtree(std::string_view code) const;
  const std::vector<Unit>& All() const { return units_; }

 private:
  std::vector<Unit> units_;
  std::map<std::string, std::size_t, std::less<>> index_;
  std::size_t root_ = 0;
};

}  // namespace jiesu::domain
