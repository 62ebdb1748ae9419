#include "domain/unit.hpp"

#include "common/csv.hpp"

namespace jiesu::domain {

const char* UnitLevelName(UnitLevel level) {
  switch (level) {
    case UnitLevel::kDistrict: return "district";
    case UnitLevel::kTownship: return "township";
    case UnitLevel::kCommunity: return "community";
    case UnitLevel::kGrid: return "grid";
    case UnitLevel::kDepartment: return "department";
  }
  return "community";
}

Result<UnitLevel> ParseUnitLevel(std::string_view name) {
  if (name == "district") return UnitLevel::kDistrict;
  if (name == "township") return UnitLevel::kTownship;
  if (name == "community" || name == "village") return UnitLevel::kCommunity;
  if (name == "grid") return UnitLevel::kGrid;
  if (name == "department") return UnitLevel::kDepartment;
  return Status::Invalid("unknown unit level '" + std::string(name) + "'");
}

std::string ShortUnitName(std::string_view official) {
  std::string s(official);
  const auto ends = [&](std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(),
                                                  suffix) == 0;
  };
  const auto cut = [&](std::string_view suffix) { s.resize(s.size() - suffix.size()); };
  for (std::string_view suffix : {"村民委员会", "村委会"}) {
    if (ends(suffix)) {
      cut(suffix);
      if (!ends("村")) s += "村";  // 尹家河村村委会 → 尹家河村, 宋庄村委会 → 宋庄村
      return s;
    }
  }
  for (std::string_view suffix : {"居民委员会", "居委会", "社区居委会"}) {
    if (ends(suffix)) {
      cut(suffix);
      if (!(s.size() >= 6 && s.compare(s.size() - 6, 6, "社区") == 0)) s += "社区";
      return s;
    }
  }
  return s;
}

Result<UnitTree> UnitTree::Build(std::vector<Unit> units) {
  UnitTree tree;
  tree.units_ = std::move(units);
  bool has_root = false;
  for (std::size_t i = 0; i < tree.units_.size(); ++i) {
    const Unit& u = tree.units_[i];
    if (!tree.index_.emplace(u.code, i).second) {
      return Status::Invalid("unit code " + u.code + " appears twice");
    }
    if (u.level == UnitLevel::kDistrict) {
      if (has_root) return Status::Invalid("more than one district unit");
      has_root = true;
      tree.root_ = i;
    }
  }
  if (!has_root) return Status::Invalid("no district unit");
  for (Unit& u : tree.units_) {
    if (u.level == UnitLevel::kDistrict) {
      u.parent.clear();
      continue;
    }
    if (!tree.index_.count(u.parent)) {
      return Status::Invalid("unit " + u.code + " has unknown parent " + u.parent);
    }
  }
  return tree;
}

Result<std::vector<Unit>> UnitTree::ParseDivisionsCsv(std::string_view text) {
  JIESU_ASSIGN_OR_RETURN(auto rows, ParseCsv(text));
  if (rows.empty()) return Status::Invalid("divisions: empty file");
  const int c_code = CsvColumn(rows[0], "code"), c_name = CsvColumn(rows[0], "name"),
            c_level = CsvColumn(rows[0], "level"), c_parent = CsvColumn(rows[0], "parent_code");
  if (c_code < 0 || c_name < 0 || c_level < 0 || c_parent < 0) {
    return Status::Invalid("divisions: need columns code,name,level,parent_code");
  }
  std::vector<Unit> units;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const CsvRow& r = rows[i];
    if (r.size() < rows[0].size()) return Status::Invalid("divisions: short row " + std::to_string(i));
    Unit u;
    u.code = r[c_code];
    u.name = r[c_name];
    u.short_name = ShortUnitName(u.name);
    JIESU_ASSIGN_OR_RETURN(u.level, ParseUnitLevel(r[c_level]));
    u.parent = r[c_parent];
    if (u.short_name != u.name) u.aliases.push_back(u.short_name);
    units.push_back(std::move(u));
  }
  return units;
}

Result<std::vector<Unit>> UnitTree::ParseDepartmentsCsv(std::string_view text) {
  JIESU_ASSIGN_OR_RETURN(auto rows, ParseCsv(text));
  if (rows.empty()) return Status::Invalid("departments: empty file");
  const int c_code = CsvColumn(rows[0], "code"), c_name = CsvColumn(rows[0], "name"),
            c_aliases = CsvColumn(rows[0], "aliases"), c_parent = CsvColumn(rows[0], "parent_code");
  if (c_code < 0 || c_name < 0 || c_parent < 0) {
    return Status::Invalid("departments: need columns code,name,aliases,parent_code");
  }
  std::vector<Unit> units;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const CsvRow& r = rows[i];
    if (r.size() < rows[0].size()) {
      return Status::Invalid("departments: short row " + std::to_string(i));
    }
    Unit u;
    u.code = r[c_code];
    u.name = r[c_name];
    u.short_name = u.name;
    u.level = UnitLevel::kDepartment;
    u.parent = r[c_parent];
    if (c_aliases >= 0) {
      std::string_view rest = r[c_aliases];
      while (!rest.empty()) {
        const auto bar = rest.find('|');
        std::string_view alias = rest.substr(0, bar);
        if (!alias.empty()) u.aliases.emplace_back(alias);
        if (bar == std::string_view::npos) break;
        rest.remove_prefix(bar + 1);
      }
    }
    units.push_back(std::move(u));
  }
  return units;
}

const Unit* UnitTree::Find(std::string_view code) const {
  const auto it = index_.find(code);
  return it == index_.end() ? nullptr : &units_[it->second];
}

bool UnitTree::IsWithin(std::string_view code, std::string_view ancestor) const {
  for (const Unit* u = Find(code); u != nullptr; u = u->parent.empty() ? nullptr : Find(u->parent)) {
    if (u->code == ancestor) return true;
  }
  return false;
}

const Unit* UnitTree::TownshipOf(std::string_view code) const {
  for (const Unit* u = Find(code); u != nullptr; u = u->parent.empty() ? nullptr : Find(u->parent)) {
    if (u->level == UnitLevel::kTownship) return u;
  }
  return nullptr;
}

std::string UnitTree::Path(std::string_view code) const {
  std::vector<const Unit*> chain;
  for (const Unit* u = Find(code); u != nullptr; u = u->parent.empty() ? nullptr : Find(u->parent)) {
    chain.push_back(u);
  }
  std::string path = "/";
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) path += (*it)->code + "/";
  return path;
}

std::vector<const Unit*> UnitTree::Children(std::string_view code) const {
  std::vector<const Unit*> out;
  for (const Unit& u : units_) {
    if (u.parent == code) out.push_back(&u);
  }
  return out;
}

std::vector<const Unit*> UnitTree::ByLevel(UnitLevel level) const {
  std::vector<const Unit*> out;
  for (const Unit& u : units_) {
    if (u.level == level) out.push_back(&u);
  }
  return out;
}

std::vector<std::string> UnitTree::Subtree(std::string_view code) const {
  std::vector<std::string> out;
  for (const Unit& u : units_) {
    if (IsWithin(u.code, code)) out.push_back(u.code);
  }
  return out;
}

}  // namespace jiesu::domain
