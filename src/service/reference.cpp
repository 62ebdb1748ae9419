#include "service/reference.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "common/csv.hpp"

namespace jiesu::service {

using namespace jiesu::domain;

Result<std::vector<Unit>> LoadShippedUnits(const std::string& data_dir) {
  JIESU_ASSIGN_OR_RETURN(std::string divisions, ReadFile(data_dir + "/tongzhou/divisions.csv"));
  JIESU_ASSIGN_OR_RETURN(std::string departments, ReadFile(data_dir + "/departments.csv"));
  JIESU_ASSIGN_OR_RETURN(auto units, UnitTree::ParseDivisionsCsv(divisions));
  JIESU_ASSIGN_OR_RETURN(auto depts, UnitTree::ParseDepartmentsCsv(departments));
  units.insert(units.end(), depts.begin(), depts.end());
  JIESU_RETURN_IF_ERROR(UnitTree::Build(units).status());
  return units;
}

Result<std::vector<Category>> LoadShippedCategories(const std::string& data_dir) {
  JIESU_ASSIGN_OR_RETURN(std::string text, ReadFile(data_dir + "/categories.csv"));
  JIESU_ASSIGN_OR_RETURN(auto categories, Catalogue::ParseCsv(text));
  JIESU_RETURN_IF_ERROR(Catalogue::Build(categories).status());
  return categories;
}

Result<std::shared_ptr<const Reference>> LoadReference(storage::Database& db,
                                                       const std::string& data_dir) {
  auto ref = std::make_shared<Reference>();
  JIESU_ASSIGN_OR_RETURN(auto units, db.LoadUnits());
  if (units.empty()) {
    JIESU_ASSIGN_OR_RETURN(units, LoadShippedUnits(data_dir));
    JIESU_RETURN_IF_ERROR(db.ReplaceUnits(units));
    spdlog::info("loaded {} units from {}", units.size(), data_dir);
  }
  JIESU_ASSIGN_OR_RETURN(ref->units, UnitTree::Build(std::move(units)));

  JIESU_ASSIGN_OR_RETURN(auto categories, db.LoadCategories());
  if (categories.empty()) {
    JIESU_ASSIGN_OR_RETURN(categories, LoadShippedCategories(data_dir));
    JIESU_RETURN_IF_ERROR(db.ReplaceCategories(categories));
    spdlog::info("loaded {} categories from {}", categories.size(), data_dir);
  }
  JIESU_ASSIGN_OR_RETURN(ref->catalogue, Catalogue::Build(std::move(categories)));
  for (const auto& c : ref->catalogue.All()) {
    if (c.handling == Handling::kDepartment && ref->units.Find(c.department) == nullptr) {
      return Status::Invalid("category " + c.code + " names unknown department " + c.department);
    }
  }

  JIESU_ASSIGN_OR_RETURN(std::string calendar, ReadFile(data_dir + "/calendar/cn-workdays.csv"));
  JIESU_ASSIGN_OR_RETURN(ref->calendar, HolidayCalendar::FromCsv(calendar));
  return std::shared_ptr<const Reference>(std::move(ref));
}

std::string DefaultDataDir() {
  if (const char* env = std::getenv("JIESU_DATA_DIR"); env && *env) return env;
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto candidate = exe.parent_path().parent_path() / "data";
    if (std::filesystem::exists(candidate / "categories.csv", ec)) return candidate.string();
  }
#ifdef JIESU_SOURCE_DIR
  return std::string(JIESU_SOURCE_DIR) + "/data";
#else
  return "data";
#endif
}

}  // namespace jiesu::service
