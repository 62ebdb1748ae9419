// Shared by the fuzz targets: the shipped reference data (Tongzhou's units, the category catalogue,
// the workday calendar) and the dispatch pipeline over it (keyword classifier, gazetteer, router),
// built once per process; a fixed "now"; one actor per role; and JIESU_FUZZ_CHECK for the
// properties a target asserts (a violation aborts, which libFuzzer reports as a crash with the
// input). Header-only; the targets are single-threaded.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/csv.hpp"
#include "common/utf8.hpp"
#include "dispatch/catalogue_classifier.hpp"
#include "dispatch/gazetteer.hpp"
#include "dispatch/router.hpp"
#include "domain/role.hpp"
#include "service/reference.hpp"

#define JIESU_FUZZ_CHECK(cond)                                                                  \
  do {                                                                                          \
    if (!(cond)) {                                                                              \
      std::fprintf(stderr, "fuzz property violated: %s at %s:%d\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                             \
    }                                                                                           \
  } while (0)

namespace jiesu::fuzz {

// Everything a target needs that is built from the shipped data; see World().
struct World {
  service::Reference ref;
  std::unique_ptr<dispatch::CatalogueClassifier> classifier;
  std::unique_ptr<dispatch::Gazetteer> gazetteer;
  std::unique_ptr<dispatch::Router> router;
  std::string township;   // 梨园镇
  std::string community;  // a 社区 of 梨园镇
};

[[noreturn]] inline void Die(const std::string& what) {
  std::fprintf(stderr, "fuzz setup failed: %s\n", what.c_str());
  std::abort();
}

template <typename T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) Die(std::string(what) + ": " + r.status().ToString());
  return std::move(r).value();
}

// $JIESU_DATA_DIR, else the source tree's data/.
inline std::string DataDir() {
  if (const char* env = std::getenv("JIESU_DATA_DIR"); env && *env) return env;
  return std::string(JIESU_SOURCE_DIR) + "/data";
}

// Built on first use, never destroyed (the router and gazetteer hold references into `ref`).
inline const World& TheWorld() {
  static const World* const world = [] {
    auto* w = new World;
    const std::string dir = DataDir();
    auto units = Must(domain::UnitTree::ParseDivisionsCsv(
                          Must(ReadFile(dir + "/tongzhou/divisions.csv"), "divisions.csv")),
                      "divisions");
    auto departments = Must(domain::UnitTree::ParseDepartmentsCsv(
                                Must(ReadFile(dir + "/departments.csv"), "departments.csv")),
                            "departments");
    units.insert(units.end(), departments.begin(), departments.end());
    w->ref.units = Must(domain::UnitTree::Build(std::move(units)), "unit tree");
    w->ref.catalogue = Must(
        domain::Catalogue::Build(Must(
            domain::Catalogue::ParseCsv(Must(ReadFile(dir + "/categories.csv"), "categories.csv")),
            "categories")),
        "catalogue");
    w->ref.calendar = Must(domain::HolidayCalendar::FromCsv(
                               Must(ReadFile(dir + "/calendar/cn-workdays.csv"), "calendar")),
                           "calendar");
    w->classifier = std::make_unique<dispatch::CatalogueClassifier>(w->ref.catalogue);
    w->gazetteer = std::make_unique<dispatch::Gazetteer>(w->ref.units);
    w->router = std::make_unique<dispatch::Router>(w->ref.units, w->ref.catalogue, *w->classifier,
                                                   *w->gazetteer);
    w->township = "110112121";
    for (const auto& u : w->ref.units.All()) {
      if (u.parent == w->township && u.level == domain::UnitLevel::kCommunity) {
        w->community = u.code;
        break;
      }
    }
    if (w->ref.units.Find(w->township) == nullptr || w->community.empty()) {
      Die("梨园镇 (110112121) or its communities are missing from " + dir);
    }
    return w;
  }();
  return *world;
}

// 2026-11-27 10:00 Beijing time, a Friday: every target sees the same clock.
inline Timestamp Now() {
  static const Timestamp now = Must(ParseTime("2026-11-27T10:00:00+08:00"), "now");
  return now;
}

// One actor per role; the handler is 梨园镇's desk.
inline const std::vector<domain::Actor>& Actors() {
  static const std::vector<domain::Actor> actors = {
      {domain::Role::kOperator, "", "fuzz operator", 1},
      {domain::Role::kHandler, TheWorld().township, "fuzz handler", 2},
      {domain::Role::kSupervisor, "", "fuzz supervisor", 3},
      {domain::Role::kInspector, "", "fuzz inspector", 4},
      {domain::Role::kAdmin, "", "fuzz admin", 5},
      {domain::Role::kPublic, "", "fuzz public", 6},
  };
  return actors;
}

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace jiesu::fuzz
