// Reference data: the unit tree, the category catalogue and the holiday calendar, loaded once at
// start-up. On first start the shipped data (data_dir) is written into the database, which is the
// copy used from then on. Immutable and thread-safe after loading.
#pragma once

#include <memory>
#include <string>

#include "domain/calendar.hpp"
#include "domain/category.hpp"
#include "domain/unit.hpp"
#include "storage/database.hpp"

namespace jiesu::service {

struct Reference {
  domain::UnitTree units;
  domain::Catalogue catalogue;
  domain::HolidayCalendar calendar;
};

// Loads reference data from the database, seeding it from `data_dir` when empty. Fails with
// NotFound when a shipped file is missing, InvalidArgument when one does not parse.
Result<std::shared_ptr<const Reference>> LoadReference(storage::Database& db,
                                                       const std::string& data_dir);

// The units shipped in `data_dir` (divisions and departments), checked as a tree; fails like
// LoadReference.
Result<std::vector<domain::Unit>> LoadShippedUnits(const std::string& data_dir);
// The category catalogue shipped in `data_dir`, checked; fails like LoadReference.
Result<std::vector<domain::Category>> LoadShippedCategories(const std::string& data_dir);

// The data directory shipped with the binary: $JIESU_DATA_DIR, else <exe dir>/../data, else the
// source tree's data/ (for tests run from the build tree).
std::string DefaultDataDir();

}  // namespace jiesu::service
