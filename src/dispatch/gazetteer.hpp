// Gazetteer: finds the units a text names — communities and villages, streets and towns,
// departments — by their official names, everyday short forms (社区/村/街道/镇 dropped or swapped)
// and aliases. Built once from the unit tree; immutable and thread-safe afterwards.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/unit.hpp"

namespace jiesu::dispatch {

struct PlaceMatch {
  const domain::Unit* unit = nullptr;
  std::string matched;  // the text that matched
  std::size_t offset = 0;
  double confidence = 0;  // 0..1: longer, more specific names score higher
};

class Gazetteer {
 public:
  explicit Gazetteer(const domain::UnitTree& units);
  // Every unit named in `text`, longest names first, overlapping shorter matches dropped.
  std::vector<PlaceMatch> FindAll(std::string_view text) const;
  // The most specific place: a community/village whose township agrees with any township also
  // named wins; else the first township named; nullopt when nothing is named.
  std::optional<PlaceMatch> Best(std::string_view address, std::string_view text) const;

 private:
  struct Entry {
    std::string name;
    const domain::Unit* unit;
  };
  const domain::UnitTree& units_;
  std::vector<Entry> entries_;  // sorted by name length, longest first
};

// Name variants of a unit: 悟仙观社区居委会 → {悟仙观社区居委会, 悟仙观社区, 悟仙观};
// 于家务回族乡 → {于家务回族乡, 于家务乡, 于家务}; 马驹桥镇 → {马驹桥镇, 马驹桥}.
std::vector<std::string> NameVariants(const domain::Unit& unit);

}  // namespace jiesu::dispatch
