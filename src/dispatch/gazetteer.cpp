#include "dispatch/gazetteer.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "common/utf8.hpp"

namespace jiesu::dispatch {

using domain::Unit;
using domain::UnitLevel;

namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool IsIdeograph(char32_t c) { return c >= 0x3400 && c < 0xA000; }
bool IsDigit(char32_t c) { return c >= U'0' && c <= U'9'; }

std::u32string NormalizeChars(std::string_view text) {
  static constexpr char32_t kNumerals[] = U"〇一二三四五六七八九";
  std::u32string s = DecodeUtf8(text);
  for (char32_t& c : s) {
    if (c >= 0xFF01 && c <= 0xFF5E) c = c - 0xFF01 + 0x21;  // full-width ASCII
    // Place words people write either way: 雅苑 and 雅园, 北裡 and 北里.
    if (c == U'苑') c = U'园';
    if (c == U'裡') c = U'里';
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool lone_digit = IsDigit(s[i]) && (i == 0 || !IsDigit(s[i - 1])) &&
                            (i + 1 == s.size() || !IsDigit(s[i + 1]));
    if (lone_digit) s[i] = kNumerals[s[i] - U'0'];
  }
  return s;
}

// Clauses end at these; what the text says about the caller applies within a clause.
bool IsClauseBreak(char32_t c) {
  return std::u32string_view(U"，。；！？,;!?\n、：:").find(c) != std::u32string_view::npos;
}

bool Contains(std::u32string_view haystack, std::u32string_view needle) {
  return haystack.find(needle) != std::u32string_view::npos;
}

// Words that make a place where the caller lives, or works, rather than the problem's place.
constexpr std::array<std::u32string_view, 11> kHomeCues = {
    U"我住", U"住在", U"家住", U"来电人住", U"本人住", U"我家在", U"家在", U"的居民", U"的村民",
    U"老家", U"我是"};
constexpr std::array<std::u32string_view, 4> kWorkCues = {U"上班", U"单位在", U"工作", U"打工"};
// Words that put the problem at the caller's own home after all, anywhere later in the text…
constexpr std::array<std::u32string_view, 5> kAtMyHome = {U"家里", U"家楼", U"家门口", U"家中",
                                                          U"家的"};
// …or at the place just named (before another place is).
constexpr std::array<std::u32string_view, 3> kAtThatPlace = {U"那个楼", U"那栋楼", U"那个小区"};
// Marks an address field that holds the caller's residence.
constexpr std::string_view kCallerAddressMark = "来电人住址";
// A three-character name may only be misspelt when its last character is one of these place words
// (郭县镇 for 漷县镇); other three-character near misses are mostly ordinary words.
constexpr std::u32string_view kPlaceEndings = U"镇乡村园里苑区庄屯营店";

// Vote weights (docs/dispatch.md).
constexpr double kAddressWeight = 2.0;
constexpr double kCallerPlaceFactor = 0.3;
constexpr double kNearMissFactor = 0.7;
constexpr double kAlternativeFactor = 0.5;
constexpr double kTownshipOnlyConfidence = 0.8;

}  // namespace

std::string NormalizePlaceText(std::string_view text) { return EncodeUtf8(NormalizeChars(text)); }

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
  std::map<std::string, std::vector<const Unit*>> by_name;
  for (const Unit& u : units.All()) {
    if (u.level == UnitLevel::kDistrict) continue;
    for (std::string& name : NameVariants(u)) by_name[std::move(name)].push_back(&u);
  }
  entries_.reserve(by_name.size());
  for (auto& [name, list] : by_name) {
    // A bare township name means the township (梨园), not its village 梨园村.
    if (std::any_of(list.begin(), list.end(),
                    [](const Unit* u) { return u->level == UnitLevel::kTownship; })) {
      std::erase_if(list, [](const Unit* u) { return u->level != UnitLevel::kTownship; });
    }
    Entry e{name, NormalizeChars(name), std::move(list), false};
    e.near_misses = e.chars.size() >= 3 && e.units.front()->level != UnitLevel::kDepartment &&
                    (e.chars.size() >= 4 || kPlaceEndings.find(e.chars.back()) !=
                                                std::u32string_view::npos);
    entries_.push_back(std::move(e));
  }
  for (const Entry& e : entries_) {
    by_first_[e.chars[0]].push_back(&e);
    if (e.near_misses) by_second_[e.chars[1]].push_back(&e);
  }
}

void Gazetteer::Candidates(const std::u32string& text, std::size_t p,
                           std::vector<Candidate>* out) const {
  const std::size_t rest = text.size() - p;
  if (auto it = by_first_.find(text[p]); it != by_first_.end()) {
    for (const Entry* e : it->second) {
      const std::size_t n = e->chars.size();
      if (n <= rest && text.compare(p, n, e->chars) == 0) {
        out->push_back({e, p, p + n, false, false});
        continue;
      }
      if (!e->near_misses) continue;
      // One character wrong: not the first (see by_second_) and not the last, the place word
      // (张家湾李 is not a misspelt 张家湾镇).
      if (n <= rest) {
        std::size_t wrong = 0, at = 0;
        for (std::size_t i = 1; i < n && wrong < 2; ++i) {
          if (text[p + i] != e->chars[i]) {
            ++wrong;
            at = i;
          }
        }
        if (wrong == 1 && at < n - 1 && IsIdeograph(text[p + at])) {
          out->push_back({e, p, p + n, true, false});
          continue;
        }
      }
      // One inner character missing, from a name of five or more.
      if (n >= 5 && n - 1 <= rest) {
        std::size_t i = 1;
        while (i < n - 1 && text[p + i] == e->chars[i]) ++i;
        if (i < n - 1 && text.compare(p + i, n - 1 - i, e->chars, i + 1, n - 1 - i) == 0) {
          out->push_back({e, p, p + n - 1, true, false});
        }
      }
    }
  }
  if (rest >= 3 && IsIdeograph(text[p])) {
    if (auto it = by_second_.find(text[p + 1]); it != by_second_.end()) {
      for (const Entry* e : it->second) {
        const std::size_t n = e->chars.size();
        if (n <= rest && text[p] != e->chars[0] &&
            text.compare(p + 1, n - 1, e->chars, 1, n - 1) == 0) {
          out->push_back({e, p, p + n, true, false});
        }
      }
    }
  }
}

std::vector<PlaceMatch> Gazetteer::FindAll(std::string_view raw) const {
  return FindIn(NormalizeChars(raw));
}

std::vector<PlaceMatch> Gazetteer::FindIn(const std::u32string& text) const {
  std::vector<Candidate> candidates;
  for (std::size_t p = 0; p < text.size(); ++p) Candidates(text, p, &candidates);
  // A near miss that cuts into an exact name is a coincidence (镇马庄村 in 漷县镇马庄村 is not
  // a misspelt 驸马庄村); one that contains exact names may be a misspelling of something longer.
  std::erase_if(candidates, [&](const Candidate& n) {
    return n.near_miss && std::any_of(candidates.begin(), candidates.end(), [&](const Candidate& e) {
             return !e.near_miss && e.begin < n.end && e.end > n.begin &&
                    (e.begin < n.begin || e.end > n.end);
           });
  });
  // Longest first, a near miss counting half a character less (so it wins over the shorter exact
  // names inside it, 附马庄村 over 马庄村, and loses to an exact name of its length).
  auto rank = [](const Candidate& c) {
    return static_cast<int>(c.end - c.begin) * 2 - (c.near_miss ? 1 : 0);
  };
  std::stable_sort(candidates.begin(), candidates.end(),
                   [&](const Candidate& a, const Candidate& b) { return rank(a) > rank(b); });
  std::vector<Candidate> chosen;  // non-overlapping spans; a span may hold several names
  for (const Candidate& c : candidates) {
    bool same_span = false, overlaps = false;
    for (const Candidate& t : chosen) {
      if (c.begin == t.begin && c.end == t.end && c.near_miss == t.near_miss) {
        same_span = true;
      } else if (c.begin < t.end && c.end > t.begin) {
        overlaps = true;
      }
    }
    if (same_span || !overlaps) chosen.push_back(c);
  }
  // Inside a near miss, the longest exact names stay as another reading of the same words, so
  // that a coincidence (这边三间房村 is not a misspelt 南三间房村) can still be outvoted.
  std::vector<Candidate> alternatives;
  for (const Candidate& n : chosen) {
    if (!n.near_miss) continue;
    std::size_t longest = 0;
    for (const Candidate& e : candidates) {
      if (!e.near_miss && e.begin >= n.begin && e.end <= n.end) longest = std::max(longest, e.end - e.begin);
    }
    for (const Candidate& e : candidates) {
      if (!e.near_miss && e.begin >= n.begin && e.end <= n.end && e.end - e.begin == longest) {
        alternatives.push_back({e.entry, e.begin, e.end, false, true});
      }
    }
  }
  chosen.insert(chosen.end(), alternatives.begin(), alternatives.end());
  std::stable_sort(chosen.begin(), chosen.end(),
                   [](const Candidate& a, const Candidate& b) { return a.begin < b.begin; });
  std::vector<PlaceMatch> out;
  std::vector<bool> done(chosen.size(), false);
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    if (done[i]) continue;
    const Candidate& c = chosen[i];
    // Every name read from the same words: one mention per unit, sharing them.
    std::vector<const Unit*> units;
    for (std::size_t j = i; j < chosen.size() && chosen[j].begin == c.begin; ++j) {
      const Candidate& d = chosen[j];
      if (d.end != c.end || d.near_miss != c.near_miss || d.alternative != c.alternative) continue;
      done[j] = true;
      for (const Unit* u : d.entry->units) {
        if (std::find(units.begin(), units.end(), u) == units.end()) units.push_back(u);
      }
    }
    const std::string matched =
        EncodeUtf8(std::u32string_view(text).substr(c.begin, c.end - c.begin));
    for (const Unit* u : units) {
      out.push_back({u, matched, c.begin, c.near_miss, c.alternative,
                     static_cast<int>(units.size()), 0});
    }
  }
  return out;
}

std::optional<PlaceMatch> Gazetteer::Best(std::string_view address, std::string_view text) const {
  struct Vote {
    PlaceMatch match;
    double weight = 0;
  };
  std::vector<Vote> votes;
  auto collect = [&](std::string_view source, double weight, bool callers) {
    const std::u32string normal = NormalizeChars(source);
    std::vector<PlaceMatch> matches = FindIn(normal);
    std::erase_if(matches, [](const PlaceMatch& m) { return m.unit->level == UnitLevel::kDepartment; });
    // Whether each mention is where the caller lives or works. Mentions written together
    // (马驹桥景盛社区) share the verdict of the last one.
    std::vector<bool> caller_place(matches.size(), callers);
    for (std::size_t i = matches.size(); i-- > 0;) {
      const PlaceMatch& m = matches[i];
      const std::size_t end = m.offset + Utf8Length(m.matched);
      std::size_t next = i + 1;
      while (next < matches.size() && matches[next].offset == m.offset) ++next;
      if (next < matches.size() && matches[next].offset == end) {
        caller_place[i] = caller_place[next];
        continue;
      }
      std::size_t begin = m.offset, stop = end;
      while (begin > 0 && !IsClauseBreak(normal[begin - 1])) --begin;
      while (stop < normal.size() && !IsClauseBreak(normal[stop])) ++stop;
      const std::u32string_view clause = std::u32string_view(normal).substr(begin, stop - begin);
      bool home = callers || (end < normal.size() && normal[end] == U'住');  // 在新海南里住
      for (std::u32string_view c : kHomeCues) home = home || Contains(clause, c);
      bool work = false;
      for (std::u32string_view c : kWorkCues) work = work || Contains(clause, c);
      const std::u32string_view after = std::u32string_view(normal).substr(end);
      const std::size_t until = next < matches.size() ? matches[next].offset : normal.size();
      const std::u32string_view before_next = after.substr(0, until > end ? until - end : 0);
      bool lifted = false;
      for (std::u32string_view w : kAtMyHome) lifted = lifted || (home && Contains(after, w));
      for (std::u32string_view w : kAtThatPlace) lifted = lifted || Contains(before_next, w);
      const bool cue = (home || work) && !lifted;
      caller_place[i] = cue;
    }
    for (std::size_t i = 0; i < matches.size(); ++i) {
      double w = weight / matches[i].sharers;
      if (matches[i].near_miss) w *= kNearMissFactor;
      if (matches[i].alternative) w *= kAlternativeFactor;
      if (caller_place[i]) w *= kCallerPlaceFactor;
      votes.push_back({std::move(matches[i]), w});
    }
  };
  const bool callers_address = address.find(kCallerAddressMark) != std::string_view::npos;
  collect(address, callers_address ? 1.0 : kAddressWeight, callers_address);
  collect(text, 1.0, false);

  // Every vote counts for its township; a shared name's share goes to the township it would be in,
  // so another word naming that township settles it.
  std::map<std::string, double> township_votes;
  for (const Vote& v : votes) {
    if (const Unit* t = units_.TownshipOf(v.match.unit->code)) township_votes[t->code] += v.weight;
  }
  if (township_votes.empty()) return std::nullopt;
  std::string best_township;
  double best = 0, second = 0;
  for (const auto& [code, w] : township_votes) {
    if (w > best) {
      second = best;
      best = w;
      best_township = code;
    } else if (w > second) {
      second = w;
    }
  }
  // The community of that township with the most votes, if any was named.
  std::map<std::string, double> community_votes;
  for (const Vote& v : votes) {
    const Unit* u = v.match.unit;
    if (u->level != UnitLevel::kCommunity && u->level != UnitLevel::kGrid) continue;
    const Unit* t = units_.TownshipOf(u->code);
    if (t != nullptr && t->code == best_township) community_votes[u->code] += v.weight;
  }
  std::string chosen = best_township;
  double quality = kTownshipOnlyConfidence;
  if (!community_votes.empty()) {
    chosen = std::max_element(community_votes.begin(), community_votes.end(),
                              [](const auto& a, const auto& b) { return a.second < b.second; })
                 ->first;
    quality = 1.0;
  }
  const Vote* strongest = nullptr;  // the chosen unit's strongest mention
  for (const Vote& v : votes) {
    if (v.match.unit->code == chosen && (strongest == nullptr || v.weight > strongest->weight)) {
      strongest = &v;
    }
  }
  PlaceMatch out;
  if (strongest != nullptr) {
    out = strongest->match;
    if (out.near_miss) quality *= kNearMissFactor;
  } else {
    out.unit = units_.Find(chosen);  // a township voted for only through its communities
    out.matched = out.unit->name;
  }
  out.confidence = quality * best / (best + second);
  return out;
}

Gazetteer::Located Gazetteer::Locate(std::string_view address, std::string_view text) const {
  Located out{units_.Root().code, "", ""};
  const auto place = Best(address, text);
  if (!place) return out;
  out.matched = place->matched;
  if (const Unit* t = units_.TownshipOf(place->unit->code)) out.township = t->code;
  if (place->unit->level == UnitLevel::kCommunity) out.community = place->unit->code;
  return out;
}

}  // namespace jiesu::dispatch
