// Gazetteer: the address matcher. Finds the units a text names — communities and villages, streets
// and towns, departments — by their official names, everyday short forms (社区/村/街道/镇/回族乡
// dropped or swapped), single digits written for numerals (群芳1园 = 群芳一园) and near misses
// of longer names (one character wrong or missing: 雅苑 for 雅园, 德仁后街 for 德仁务后街); then
// decides which one is the place of the problem (Best). Built once from the unit tree; immutable
// and thread-safe afterwards. docs/dispatch.md has the rules and their measured accuracy.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "domain/unit.hpp"

namespace jiesu::dispatch {

struct PlaceMatch {
  const domain::Unit* unit = nullptr;
  std::string matched;    // the text that matched (normalised, see NormalizePlaceText)
  std::size_t offset = 0; // character position of `matched` in the normalised text
  bool near_miss = false; // matched with one character wrong or missing
  bool alternative = false;  // an exact name inside a near miss: another reading of its words
  int sharers = 1;        // units sharing the matched name (> 1: ambiguous on its own)
  double confidence = 0;  // 0..1 (Best): how sure the place is, given the rest of the text
};

class Gazetteer {
 public:
  explicit Gazetteer(const domain::UnitTree& units);

  // Every mention of a unit in NormalizePlaceText(text), in text order. Longer names win over the
  // shorter ones they overlap, an exact name over a near miss one character longer; a name shared
  // by several units gives one mention per unit. A bare township name (梨园) means the township,
  // not the village of the same name (梨园村).
  std::vector<PlaceMatch> FindAll(std::string_view text) const;

  // The place of the problem: the community/village (or, when none is identifiable, the street or
  // town) the address and text point at. Every mention votes for its township: the address field
  // weighs most, a mention repeated counts again, a near miss, a shared name or an exact name read
  // inside a near miss counts less, and a place named as where the caller lives or works (我住…,
  // 在…上班, …的居民) counts little unless the problem is said to be there (家里…, 那个楼…).
  // Within the winning township the best-voted community wins. docs/dispatch.md has the weights.
  // nullopt when nothing below the district is identifiable. An address marked as the caller's
  // (来电人住址) counts as such a mention.
  std::optional<PlaceMatch> Best(std::string_view address, std::string_view text) const;

  // Best() as codes, the way the labelled sets in tests/data state places: the township (the
  // district's code when none is identifiable) and the community or village (empty when none).
  struct Located {
    std::string township;
    std::string community;
    std::string matched;
  };
  Located Locate(std::string_view address, std::string_view text) const;

 private:
  struct Entry {
    std::string name;
    std::u32string chars;
    std::vector<const domain::Unit*> units;
    bool near_misses = false;  // may match with one character wrong or missing
  };
  struct Candidate {
    const Entry* entry;
    std::size_t begin, end;  // character positions in the text
    bool near_miss;
    bool alternative;  // an exact name kept inside a chosen near miss
  };
  // FindAll over text already normalised (NormalizePlaceText's characters).
  std::vector<PlaceMatch> FindIn(const std::u32string& text) const;
  // Every exact and near-miss occurrence of a name starting at character `p` of `text`.
  void Candidates(const std::u32string& text, std::size_t p, std::vector<Candidate>* out) const;

  const domain::UnitTree& units_;
  std::vector<Entry> entries_;
  // Entries by their first character, and (for near misses in the first character) by their
  // second.
  std::unordered_map<char32_t, std::vector<const Entry*>> by_first_;
  std::unordered_map<char32_t, std::vector<const Entry*>> by_second_;
};

// Name variants of a unit: 悟仙观社区居委会 → {悟仙观社区居委会, 悟仙观社区, 悟仙观};
// 于家务回族乡 → {于家务回族乡, 于家务乡, 于家务}; 马驹桥镇 → {马驹桥镇, 马驹桥}.
std::vector<std::string> NameVariants(const domain::Unit& unit);

// The text the matcher reads: full-width ASCII as ASCII, a single digit between other characters
// as its Chinese numeral (次2村 → 次二村; 10号楼 stays), 苑 as 园 and 裡 as 里 (written either
// way in estate names). Unit names are read the same way.
std::string NormalizePlaceText(std::string_view text);

}  // namespace jiesu::dispatch
