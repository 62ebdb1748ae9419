#include "dispatch/gazetteer.hpp"

#include <algorithm>
#include <set>

#include "common/utf8.hpp"

namespace jiesu::dispatch {

using domain::Unit;
using domain::UnitLevel;

namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::vector<std::string> NameVariants(const Unit& unit) {
  std::set<std::string> out = {unit.name, unit.short_name};
  for (const auto& a : unit.aliases) out.insert(a);
  static constexpr std::string_view kSuffixes[] = {"社区居委会", "居民委员会", "村民委员会", "居委会",
                                                   "回族乡",     "街道",       "社区",       "地区",
                                                   "镇",         "乡",         "村"};
  std::vector<std::string> bases(out.begin(), out.end());
  for (const std::string& name : bases) {
    for (std::string_view suffix : kSuffixes) {
      if (EndsWith(name, suffix)) {
        std::string core = name.substr(0, name.size() - suffix.size());
        if (Utf8Length(core) >= 2) out.insert(core);
        if (suffix == "回族乡") out.insert(core + "乡");
      }
    }
  }
  if (unit.level == UnitLevel::kDepartment) {
    // 区住建委 is also said 住建委: drop the leading 区.
    for (const std::string& name : std::vector<std::string>(out.begin(), out.end())) {
      if (name.rfind("区", 0) == 0 && Utf8Length(name) >= 4) out.insert(name.substr(3));
    }
  }
  std::vector<std::string> v;
  for (const auto& s : out) {
    if (Utf8Length(s) >= 2) v.push_back(s);
  }
  return v;
}

Gazetteer::Gazetteer(const domain::UnitTree& units) : units_(units) {
  for (const Unit& u : units.All()) {
    if (u.level == UnitLevel::kDistrict) continue;
    for (std::string& name : NameVariants(u)) entries_.push_back({std::move(name), &u});
  }
  std::stable_sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
    return a.name.size() > b.name.size();
  });
}

std::vector<PlaceMatch> Gazetteer::FindAll(std::string_view text) const {
  std::vector<PlaceMatch> out;
  std::vector<std::pair<std::size_t, std::size_t>> taken;  // byte ranges already matched
  for (const Entry& e : entries_) {
    for (std::size_t pos = text.find(e.name); pos != std::string_view::npos;
         pos = text.find(e.name, pos + 1)) {
      const std::size_t end = pos + e.name.size();
      const bool overlaps = std::any_of(taken.begin(), taken.end(), [&](const auto& r) {
        return pos < r.second && end > r.first;
      });
      if (overlaps) continue;
      taken.emplace_back(pos, end);
      const double len = static_cast<double>(Utf8Length(e.name));
      out.push_back({e.unit, e.name, pos, std::min(1.0, 0.5 + len / 10.0)});
    }
  }
  return out;
}

std::optional<PlaceMatch> Gazetteer::Best(std::string_view address, std::string_view text) const {
  for (std::string_view source : {address, text}) {
    if (source.empty()) continue;
    const auto matches = FindAll(source);
    if (matches.empty()) continue;
    std::set<std::string> townships;
    for (const auto& m : matches) {
      if (m.unit->level == UnitLevel::kTownship) townships.insert(m.unit->code);
    }
    const PlaceMatch* best = nullptr;
    for (const auto& m : matches) {
      if (m.unit->level != UnitLevel::kCommunity && m.unit->level != UnitLevel::kGrid) continue;
      const auto* t = units_.TownshipOf(m.unit->code);
      const bool agrees = townships.empty() || (t && townships.count(t->code));
      if (!agrees) continue;
      if (best == nullptr || m.confidence > best->confidence) best = &m;
    }
    if (best == nullptr) {
      for (const auto& m : matches) {
        if (m.unit->level == UnitLevel::kTownship &&
            (best == nullptr || m.offset < best->offset)) {
          best = &m;
        }
      }
    }
    if (best != nullptr) return *best;
  }
  return std::nullopt;
}

}  // namespace jiesu::dispatch
