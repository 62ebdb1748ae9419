#include "assess/review_report.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <string_view>

namespace jiesu::assess {

namespace {

using domain::Catalogue;
using domain::Category;

constexpr std::array<Metric, 4> kMetrics = {Metric::kResolutionRate, Metric::kSatisfactionRate,
                                            Metric::kOverdueRate, Metric::kReopenRate};

// Sums over the observations of one cell (one unit or the district, one category, one metric).
struct Cell {
  int n = 0;
  double sum = 0;
  double sum_sq = 0;

  void Add(double x) {
    ++n;
    sum += x;
    sum_sq += x * x;
  }
};

void Merge(Cell& into, const Cell& from) {
  into.n += from.n;
  into.sum += from.sum;
  into.sum_sq += from.sum_sq;
}

// metric index → category code → cell.
using CellMap = std::array<std::map<std::string, Cell, std::less<>>, kMetrics.size()>;

std::size_t MetricIndex(Metric m) { return static_cast<std::size_t>(m); }

void AddFact(CellMap& cells, const CaseFact& f) {
  if (f.valid_callback) {
    cells[MetricIndex(Metric::kResolutionRate)][f.category].Add(f.resolved ? 1 : 0);
    cells[MetricIndex(Metric::kSatisfactionRate)][f.category].Add(
        std::clamp(f.satisfaction_points, 0.0, 1.0));
    cells[MetricIndex(Metric::kReopenRate)][f.category].Add(f.reopened ? 1 : 0);
  }
  if (f.dispatched) cells[MetricIndex(Metric::kOverdueRate)][f.category].Add(f.overdue ? 1 : 0);
}

// The unit against the rest of the district over a set of category cells, standardised to the
// unit's mix of cells: each cell's rest-of-district mean is weighted by the unit's count there, so
// a unit is compared like with like (a unit that gets more hard kinds of case is not blamed for the
// mix). For a single cell this is the classical pooled two-proportion z-test.
struct Comparison {
  int n = 0;                // the unit's observations in cells the rest of the district also has
  double observed = 0;      // the unit's sum
  double expected = 0;      // Σ n_k × rest-of-district mean_k
  double variance = 0;      // Σ V_k × (n_k + n_k² / m_k), V_k the pooled variance of cell k
  double district_sum = 0;  // Σ n_k × whole-district mean_k (for display)
};

Comparison Compare(const std::map<std::string, Cell, std::less<>>& unit_cells,
                   const std::map<std::string, Cell, std::less<>>& district_cells,
                   const std::vector<std::string>& codes) {
  Comparison c;
  for (const std::string& code : codes) {
    const auto u = unit_cells.find(code);
    const auto d = district_cells.find(code);
    if (u == unit_cells.end() || d == district_cells.end() || u->second.n == 0) continue;
    const Cell& mine = u->second;
    const Cell& all = d->second;
    const int rest_n = all.n - mine.n;
    // With nobody else to compare against, a cell says nothing about this unit.
    if (rest_n <= 0) continue;
    const double rest_mean = (all.sum - mine.sum) / rest_n;
    const double all_mean = all.sum / all.n;
    const double pooled_var = std::max(0.0, all.sum_sq / all.n - all_mean * all_mean);
    const double n = mine.n;
    c.n += mine.n;
    c.observed += mine.sum;
    c.expected += n * rest_mean;
    c.variance += pooled_var * (n + n * n / rest_n);
    c.district_sum += n * all_mean;
  }
  return c;
}

// The verdict a comparison supports under the rules, if any.
std::optional<Verdict> Judge(const Comparison& c, Metric metric, AreaLevel level,
                             const std::string& code, const std::string& name,
                             const ReviewRules& rules) {
  if (c.n < rules.min_n || c.n == 0 || c.variance <= 0) return std::nullopt;
  const double sd = std::sqrt(c.variance);
  const double excess = c.observed - c.expected;
  // "One case never makes a verdict": the difference must stay significant with one of the unit's
  // cases moved to the other outcome (each observation lies in [0, 1]).
  if (std::abs(excess) - 1.0 < rules.z * sd) return std::nullopt;
  Verdict v;
  v.category_code = code;
  v.category_name = name;
  v.level = level;
  v.metric = metric;
  v.n = c.n;
  v.unit_value = c.observed / c.n;
  v.district_value = c.district_sum / c.n;
  if (std::abs(v.unit_value - v.district_value) < rules.min_difference) return std::nullopt;
  // The whole district lies between the unit and the rest of it, so both differences agree in sign;
  // guard anyway so a verdict never contradicts its own numbers.
  if ((excess > 0) != (v.unit_value > v.district_value)) return std::nullopt;
  v.z = excess / sd;
  if (metric == Metric::kOverdueRate || metric == Metric::kReopenRate) {
    v.count = static_cast<int>(std::lround(c.observed));
  }
  return v;
}

bool IsStrength(const Verdict& v) { return (v.z > 0) == HigherIsBetter(v.metric); }

// Every verdict a unit's cells support, from the narrowest area up: each 小类 on its own; each 大类
// pooled over its 小类 unless one of them already has a verdict on the same metric; and all areas
// pooled unless some 小类 or 大类 has one. A wider area speaks only when no narrower one did: it
// would mostly repeat it, and the narrower one tells the unit where to look.
std::vector<Verdict> UnitVerdicts(const CellMap& unit_cells, const CellMap& district_cells,
                                  const Catalogue& catalogue, const ReviewRules& rules) {
  std::vector<Verdict> out;
  for (Metric metric : kMetrics) {
    const auto& mine = unit_cells[MetricIndex(metric)];
    const auto& all = district_cells[MetricIndex(metric)];
    std::map<std::string, std::vector<std::string>> by_top;  // 大类 code → cell codes
    std::set<std::string> tops_with_verdict;
    bool any_verdict = false;
    for (const auto& [code, cell] : mine) {
      const Category* top = catalogue.TopLevel(code);
      if (top == nullptr) continue;  // uncategorised: only in the area-wide pool
      by_top[top->code].push_back(code);
      const Category* cat = catalogue.Find(code);
      if (cat->parent.empty()) continue;
      if (auto v = Judge(Compare(mine, all, {code}), metric, AreaLevel::kSubcategory, cat->code,
                         cat->name, rules)) {
        out.push_back(*v);
        tops_with_verdict.insert(top->code);
        any_verdict = true;
      }
    }
    for (const auto& [top_code, codes] : by_top) {
      if (tops_with_verdict.count(top_code)) continue;
      const Category* top = catalogue.Find(top_code);
      if (auto v = Judge(Compare(mine, all, codes), metric, AreaLevel::kCategory, top->code,
                         top->name, rules)) {
        out.push_back(*v);
        any_verdict = true;
      }
    }
    if (any_verdict) continue;
    // Area-wide, the unit as a whole against the rest of the district as a whole, without the mix
    // standardisation: its numbers are then the unit's and the district's own headline figures (a
    // cell nobody else has would otherwise drop out of them).
    std::map<std::string, Cell, std::less<>> mine_total, all_total;
    for (const auto& [code, cell] : mine) Merge(mine_total[""], cell);
    for (const auto& [code, cell] : all) Merge(all_total[""], cell);
    if (auto v = Judge(Compare(mine_total, all_total, {""}), metric, AreaLevel::kAll, "",
                       "全部领域", rules)) {
      out.push_back(*v);
    }
  }
  return out;
}

// Verdicts on the same area are named together; every area-wide metric is an area of its own (it
// has its own name in text).
std::string AreaKey(const Verdict& v) {
  if (v.level == AreaLevel::kAll) return std::string("*") + MetricName(v.metric);
  return v.category_code;
}

// The area as the text names it: the category, or for all areas pooled, what the metric is about.
std::string AreaName(const Verdict& v) {
  if (v.level != AreaLevel::kAll) return v.category_name;
  switch (v.metric) {
    case Metric::kResolutionRate:
      return "诉求解决";
    case Metric::kSatisfactionRate:
      return "群众满意";
    case Metric::kOverdueRate:
      return "按期办结";
    case Metric::kReopenRate:
      return "一次办结";
  }
  return v.category_name;
}

// The verdicts of one side, limited to the `max_areas` areas with the strongest evidence; the
// verdicts of a chosen area stay together, in metric order, areas strongest first.
std::vector<Verdict> Select(std::vector<Verdict> side, int max_areas) {
  std::sort(side.begin(), side.end(), [](const Verdict& a, const Verdict& b) {
    if (std::abs(a.z) != std::abs(b.z)) return std::abs(a.z) > std::abs(b.z);
    if (AreaKey(a) != AreaKey(b)) return AreaKey(a) < AreaKey(b);
    return a.metric < b.metric;
  });
  std::vector<std::string> areas;
  for (const Verdict& v : side) {
    if (std::find(areas.begin(), areas.end(), AreaKey(v)) != areas.end()) continue;
    if (static_cast<int>(areas.size()) >= max_areas) break;
    areas.push_back(AreaKey(v));
  }
  std::vector<Verdict> out;
  for (const std::string& area : areas) {
    std::vector<Verdict> of_area;
    for (const Verdict& v : side) {
      if (AreaKey(v) == area) of_area.push_back(v);
    }
    std::sort(of_area.begin(), of_area.end(),
              [](const Verdict& a, const Verdict& b) { return a.metric < b.metric; });
    out.insert(out.end(), of_area.begin(), of_area.end());
  }
  return out;
}

std::string Fixed1(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", x);
  return buf;
}

// The areas of a side in order, each once.
std::vector<std::vector<const Verdict*>> GroupByArea(const std::vector<Verdict>& side) {
  std::vector<std::vector<const Verdict*>> groups;
  for (const Verdict& v : side) {
    if (groups.empty() || AreaKey(*groups.back().front()) != AreaKey(v)) {
      groups.emplace_back();
    }
    groups.back().push_back(&v);
  }
  return groups;
}

// "解决率98%" or, where a count reads better, "超期4件、超期率20%".
std::string Head(const Verdict& v) {
  switch (v.metric) {
    case Metric::kOverdueRate:
      return "超期" + std::to_string(v.count) + "件、超期率" + Percent(v.unit_value);
    case Metric::kReopenRate:
      return "重办" + std::to_string(v.count) + "件、重办率" + Percent(v.unit_value);
    default:
      return MetricLabel(v.metric) + Percent(v.unit_value);
  }
}

const char* Comparative(const Verdict& v) {
  return v.unit_value > v.district_value ? "高于" : "低于";
}

// "物业管理解决率98%，高于全区85%"; the two plain rates of an area, compared the same way, are said
// together: "物业管理解决率98%、满意率96%，分别高于全区85%、88%". An area-wide verdict names no
// area here: the sentence around it already did.
std::string AreaDetail(const std::vector<const Verdict*>& group) {
  std::string out = group.front()->level == AreaLevel::kAll ? "" : group.front()->category_name;
  std::vector<const Verdict*> plain, counted;
  for (const Verdict* v : group) {
    const bool is_plain =
        v->metric == Metric::kResolutionRate || v->metric == Metric::kSatisfactionRate;
    (is_plain ? plain : counted).push_back(v);
  }
  bool first = true;
  const auto clause = [&](const Verdict& v) {
    out +=
        (first ? "" : "，") + Head(v) + "，" + Comparative(v) + "全区" + Percent(v.district_value);
    first = false;
  };
  if (plain.size() == 2 && std::string_view(Comparative(*plain[0])) == Comparative(*plain[1])) {
    out += Head(*plain[0]) + "、" + Head(*plain[1]) + "，分别" + Comparative(*plain[0]) + "全区" +
           Percent(plain[0]->district_value) + "、" + Percent(plain[1]->district_value);
    first = false;
  } else {
    for (const Verdict* v : plain) clause(*v);
  }
  for (const Verdict* v : counted) clause(*v);
  return out;
}

// "在物业管理、供暖方面表现突出（…）" / "在违法建设、大气污染防治等方面仍存在不足（…）".
std::string SideSentence(const std::vector<Verdict>& side, bool strengths) {
  const auto groups = GroupByArea(side);
  std::string names, details;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    if (i > 0) {
      names += "、";
      details += "；";
    }
    names += AreaName(*groups[i].front());
    details += AreaDetail(groups[i]);
  }
  if (strengths) return "在" + names + "方面表现突出（" + details + "）";
  return "在" + names + (groups.size() > 1 ? "等" : "") + "方面仍存在不足（" + details + "）";
}

std::string UnitText(const UnitReview& u) {
  std::string out = u.name;
  const std::string change =
      u.rank_change ? "较上月" + RankChangeText(u.rank_change) : RankChangeText(u.rank_change);
  if (u.low_sample) {
    out += "本月有效回访仅" + std::to_string(u.valid_callbacks) + "件，样本不足，综合成绩" +
           Fixed1(u.score) + "分，列第" + std::to_string(u.rank) + "位（" + change + "）";
  } else {
    out +=
        "综合成绩" + Fixed1(u.score) + "分，排名第" + std::to_string(u.rank) + "（" + change + "）";
  }
  out += "，响应率" + Percent(u.response_rate) + "、解决率" + Percent(u.resolution_rate) +
         "、满意率" + Percent(u.satisfaction_rate) + "；本月派单" + std::to_string(u.volume) +
         "件，" +
         (u.overdue > 0 ? "超期" + std::to_string(u.overdue) + "件" : std::string("无超期")) + "。";
  if (u.strengths.empty() && u.shortfalls.empty()) {
    return out + "各工作领域与全区水平基本相当，无突出长处或明显不足。";
  }
  if (!u.strengths.empty()) out += SideSentence(u.strengths, true);
  if (!u.shortfalls.empty()) {
    out += u.strengths.empty() ? "" : "；但";
    out += SideSentence(u.shortfalls, false);
  }
  return out + "。";
}

double RoundTo(double x, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(x * scale) / scale;
}

nlohmann::json VerdictToJson(const Verdict& v) {
  nlohmann::json j = {
      {"category", {{"code", v.category_code}, {"name", v.category_name}}},
      {"level", AreaLevelLabel(v.level)},
      {"metric", MetricName(v.metric)},
      {"unit_value", RoundTo(v.unit_value, 4)},
      {"district_value", RoundTo(v.district_value, 4)},
      {"n", v.n},
      {"z", RoundTo(v.z, 2)},
  };
  if (v.metric == Metric::kOverdueRate || v.metric == Metric::kReopenRate) j["count"] = v.count;
  return j;
}

}  // namespace

const char* MetricName(Metric m) {
  switch (m) {
    case Metric::kResolutionRate:
      return "resolution_rate";
    case Metric::kSatisfactionRate:
      return "satisfaction_rate";
    case Metric::kOverdueRate:
      return "overdue_rate";
    case Metric::kReopenRate:
      return "reopen_rate";
  }
  return "?";
}

const char* MetricLabel(Metric m) {
  switch (m) {
    case Metric::kResolutionRate:
      return "解决率";
    case Metric::kSatisfactionRate:
      return "满意率";
    case Metric::kOverdueRate:
      return "超期率";
    case Metric::kReopenRate:
      return "重办率";
  }
  return "?";
}

const char* AreaLevelLabel(AreaLevel level) {
  switch (level) {
    case AreaLevel::kSubcategory:
      return "小类";
    case AreaLevel::kCategory:
      return "大类";
    case AreaLevel::kAll:
      return "全部";
  }
  return "?";
}

bool HigherIsBetter(Metric m) {
  return m == Metric::kResolutionRate || m == Metric::kSatisfactionRate;
}

std::string ChineseMonth(Date month) {
  return std::to_string(month.year) + "年" + std::to_string(month.month) + "月";
}

std::string ReviewTitle(const ReviewReport& r) {
  return r.district.name + "接诉即办月度点评（" + ChineseMonth(r.month) + "）";
}

std::string Percent(double rate) { return std::to_string(std::lround(rate * 100)) + "%"; }

std::string RankChangeText(const std::optional<int>& change) {
  if (!change) return "上月未排名";
  if (*change > 0) return "上升" + std::to_string(*change) + "位";
  if (*change < 0) return "下降" + std::to_string(-*change) + "位";
  return "持平";
}

std::string HotTopicText(const HotTopic& t) {
  std::string s = t.title + "（";
  if (!t.category_name.empty()) s += t.category_name + "，";
  s += std::to_string(t.count) + "件";
  if (t.growth) {
    s += "，较前" + std::to_string(t.previous.size()) + "月月均" + (*t.growth >= 0 ? "增长" : "下降") +
         Percent(std::abs(*t.growth));
  } else {
    s += "，新出现";
  }
  for (std::size_t i = 0; i < t.units.size() && i < 3; ++i) {
    s += (i == 0 ? "；涉及" : "、") + t.units[i].name + std::to_string(t.units[i].count) + "件";
  }
  return s + "）";
}

std::string ZeroRequestText(const ZeroRequestUnit& z) {
  if (z.volume == 0) return "本月零诉求";
  return "本月派单" + std::to_string(z.volume) + "件，尚无有效回访";
}

std::string DistrictText(const ReviewReport& r) {
  const DistrictSummary& d = r.district;
  const int townships = d.units_ranked + static_cast<int>(r.zero_request_units.size());
  std::string out = ChineseMonth(r.month) + "，" + d.name + "向" + std::to_string(townships) +
                    "个街道乡镇派单" + std::to_string(d.volume) + "件，超期" +
                    std::to_string(d.overdue) + "件；有效回访" + std::to_string(d.valid_callbacks) +
                    "件";
  if (d.valid_callbacks > 0) {
    out += "，响应率" + Percent(d.rates.response) + "、解决率" + Percent(d.rates.resolution) +
           "、满意率" + Percent(d.rates.satisfaction) + "，综合成绩" + Fixed1(d.rates.score) + "分";
  }
  out += "。" + std::to_string(d.units_ranked) + "个街道乡镇参与排名";
  if (!r.zero_request_units.empty()) {
    out += "，" + std::to_string(r.zero_request_units.size()) + "个无有效回访（零诉求），单独列出";
  }
  return out + "。";
}

std::string RulesText(const ReviewRules& rules) {
  char z[16];
  std::snprintf(z, sizeof z, "%.2f", rules.z);
  return "长处与不足按工作领域（派单目录小类；小类无结论时合并为大类，再无结论"
         "时看全部领域）与全区比较："
         "本单位该领域有效回访（超期率按派单）不少于" +
         std::to_string(rules.min_n) + "件，按同样的小类构成与全区其余单位相比差异显著（|z|≥" + z +
         "，且少计一件仍显著），差距不小于" +
         std::to_string(std::lround(rules.min_difference * 100)) +
         "个百分点；每方面至多列出证据最强的" + std::to_string(rules.max_areas) + "个领域。";
}

ReviewReport BuildReview(const Assessment& current, const Assessment* previous,
                         const std::vector<CaseFact>& facts, const domain::UnitTree& units,
                         const domain::Catalogue& catalogue, const ReviewRules& rules) {
  ReviewReport r;
  r.month = current.month;
  r.weights = current.weights;
  r.rules = rules;
  const domain::Unit& root = units.Root();
  r.district.name = root.short_name.empty() ? root.name : root.short_name;

  CellMap district_cells;
  std::map<std::string, CellMap, std::less<>> unit_cells;
  for (const CaseFact& f : facts) {
    const domain::Unit* town = units.TownshipOf(f.unit);
    if (town == nullptr) continue;
    // A case with no known category belongs to no work area but still to the unit as a whole, so
    // the area-wide figures add up to the unit's own (cell "").
    if (catalogue.Find(f.category) == nullptr && !f.category.empty()) {
      CaseFact uncategorised = f;
      uncategorised.category.clear();
      AddFact(district_cells, uncategorised);
      AddFact(unit_cells[town->code], uncategorised);
      continue;
    }
    AddFact(district_cells, f);
    AddFact(unit_cells[town->code], f);
  }

  std::map<std::string, int, std::less<>> previous_rank;
  if (previous != nullptr) {
    for (const UnitAssessment& u : previous->units) previous_rank[u.code] = u.rank;
  }

  domain::CallbackTally district_tally;
  const CellMap empty_cells;
  for (const UnitAssessment& a : current.units) {
    UnitReview u;
    u.code = a.code;
    u.name = a.name;
    u.score = a.rates.score;
    u.rank = a.rank;
    if (const auto it = previous_rank.find(a.code); it != previous_rank.end()) {
      u.rank_change = it->second - a.rank;
    }
    u.low_sample = a.low_sample;
    u.valid_callbacks = a.tally.valid;
    u.response_rate = a.rates.response;
    u.resolution_rate = a.rates.resolution;
    u.satisfaction_rate = a.rates.satisfaction;
    u.volume = a.dispatched;
    u.overdue = a.overdue;
    const auto cells = unit_cells.find(a.code);
    std::vector<Verdict> strengths, shortfalls;
    for (Verdict& v : UnitVerdicts(cells == unit_cells.end() ? empty_cells : cells->second,
                                   district_cells, catalogue, rules)) {
      (IsStrength(v) ? strengths : shortfalls).push_back(std::move(v));
    }
    u.strengths = Select(std::move(strengths), rules.max_areas);
    u.shortfalls = Select(std::move(shortfalls), rules.max_areas);
    u.text = UnitText(u);
    district_tally += a.tally;
    r.district.volume += a.dispatched;
    r.district.overdue += a.overdue;
    r.units.push_back(std::move(u));
  }
  for (const UnitAssessment& a : current.zero_request_units) {
    r.zero_request_units.push_back({a.code, a.name, a.dispatched});
    r.district.volume += a.dispatched;
    r.district.overdue += a.overdue;
  }
  r.district.units_ranked = static_cast<int>(r.units.size());
  r.district.valid_callbacks = district_tally.valid;
  if (district_tally.valid > 0) r.district.rates = domain::Score(district_tally, current.weights);
  return r;
}

nlohmann::json InspectionsToJson(const ReviewReport& r) {
  nlohmann::json j = RectificationToJson(r.inspections_total);
  j["as_of"] = r.inspections_as_of ? nlohmann::json(FormatTime(r.inspections_as_of))
                                   : nlohmann::json(nullptr);
  j["text"] = InspectionText(r);
  nlohmann::json rounds = nlohmann::json::array();
  for (const auto& f : r.inspections) rounds.push_back(RoundFiguresToJson(f));
  j["rounds"] = std::move(rounds);
  return j;
}

std::string RectificationRateText(const Rectification& r) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", r.Rate() * 100);
  return buf;
}

std::string InspectionText(const ReviewReport& r) {
  if (r.inspections.empty()) return "本月无在办巡察。";
  int revisits = 0;
  for (const auto& f : r.inspections) revisits += f.round.IsRevisit() ? 1 : 0;
  const Rectification& t = r.inspections_total;
  std::string s = "本月在办巡察" + std::to_string(r.inspections.size()) + "轮";
  if (revisits > 0) s += "（其中回头看" + std::to_string(revisits) + "轮）";
  s += "，累计发现问题" + std::to_string(t.found) + "个，已整改" + std::to_string(t.rectified) + "个";
  if (t.found > 0) s += "，整改完成率" + RectificationRateText(t);
  s += t.overdue > 0 ? "，超期未整改" + std::to_string(t.overdue) + "个。" : "，无超期未整改问题。";
  return s;
}

std::vector<std::pair<const RoundFigures*, const OrganisationRectification*>> OutstandingOrganisations(
    const ReviewReport& r) {
  std::set<std::int64_t> revisited;
  for (const RoundFigures& f : r.inspections) {
    revisited.insert(f.round.revisit_of.begin(), f.round.revisit_of.end());
  }
  std::vector<std::pair<const RoundFigures*, const OrganisationRectification*>> out;
  for (const RoundFigures& f : r.inspections) {
    if (revisited.count(f.round.id)) continue;
    for (const OrganisationRectification& o : f.organisations) {
      if (o.figures.rectified < o.figures.found) out.emplace_back(&f, &o);
    }
  }
  return out;
}

std::string OutstandingText(const RoundFigures& f, const OrganisationRectification& o) {
  const Rectification& x = o.figures;
  return f.round.name + " · " + o.name + "：发现" + std::to_string(x.found) + "个，已整改" +
         std::to_string(x.rectified) + "个（" + RectificationRateText(x) + "），超期" +
         std::to_string(x.overdue) + "个";
}

nlohmann::json HotTopicsToJson(const std::vector<HotTopic>& topics) {
  nlohmann::json out = nlohmann::json::array();
  for (const HotTopic& t : topics) {
    nlohmann::json units = nlohmann::json::array();
    for (const TopicUnit& u : t.units) {
      units.push_back({{"code", u.code}, {"name", u.name}, {"count", u.count}});
    }
    out.push_back({{"title", t.title},
                   {"text", HotTopicText(t)},
                   {"category", {{"code", t.category_code}, {"name", t.category_name}}},
                   {"count", t.count},
                   {"previous", t.previous},
                   {"growth", t.growth ? nlohmann::json(RoundTo(*t.growth, 4)) : nlohmann::json(nullptr)},
                   {"units", units},
                   {"examples", t.examples},
                   {"case_ids", t.case_ids}});
  }
  return out;
}

nlohmann::json ReviewToJson(const ReviewReport& r) {
  const auto rate = [](double x) { return RoundTo(x, 4); };
  nlohmann::json units = nlohmann::json::array();
  for (const UnitReview& u : r.units) {
    nlohmann::json strengths = nlohmann::json::array(), shortfalls = nlohmann::json::array();
    for (const Verdict& v : u.strengths) strengths.push_back(VerdictToJson(v));
    for (const Verdict& v : u.shortfalls) shortfalls.push_back(VerdictToJson(v));
    units.push_back({
        {"code", u.code},
        {"name", u.name},
        {"score", RoundTo(u.score, 2)},
        {"rank", u.rank},
        {"rank_change", u.rank_change ? nlohmann::json(*u.rank_change) : nlohmann::json(nullptr)},
        {"low_sample", u.low_sample},
        {"valid_callbacks", u.valid_callbacks},
        {"response_rate", rate(u.response_rate)},
        {"resolution_rate", rate(u.resolution_rate)},
        {"satisfaction_rate", rate(u.satisfaction_rate)},
        {"volume", u.volume},
        {"overdue", u.overdue},
        {"strengths", std::move(strengths)},
        {"shortfalls", std::move(shortfalls)},
        {"text", u.text},
    });
  }
  nlohmann::json zero = nlohmann::json::array();
  for (const ZeroRequestUnit& z : r.zero_request_units) {
    zero.push_back(
        {{"code", z.code}, {"name", z.name}, {"volume", z.volume}, {"text", ZeroRequestText(z)}});
  }
  const DistrictSummary& d = r.district;
  nlohmann::json community = CommunityToJson(r.community);
  return {
      {"month", FormatMonth(r.month)},
      {"title", ReviewTitle(r)},
      {"weights",
       {{"response", r.weights.response},
        {"resolution", r.weights.resolution},
        {"satisfaction", r.weights.satisfaction},
        {"basically_satisfied", r.weights.basically_satisfied},
        {"min_samples", r.weights.min_samples}}},
      {"rules",
       {{"min_n", r.rules.min_n},
        {"z", r.rules.z},
        {"min_difference", r.rules.min_difference},
        {"max_areas", r.rules.max_areas}}},
      {"district",
       {{"name", d.name},
        {"units_ranked", d.units_ranked},
        {"valid_callbacks", d.valid_callbacks},
        {"response_rate", rate(d.rates.response)},
        {"resolution_rate", rate(d.rates.resolution)},
        {"satisfaction_rate", rate(d.rates.satisfaction)},
        {"score", RoundTo(d.rates.score, 2)},
        {"volume", d.volume},
        {"overdue", d.overdue},
        {"text", DistrictText(r)}}},
      {"units", std::move(units)},
      {"zero_request_units", std::move(zero)},
      {"inspections", InspectionsToJson(r)},
      {"proactive", community["proactive"]},
      {"enterprise", community["enterprise"]},
      {"hot_topics", HotTopicsToJson(r.hot_topics)},
  };
}

std::string ProactiveText(const CommunityFigures& f) {
  if (f.proactive_total == 0) return "本月无主动治理工单。";
  std::string out = "本月主动治理工单" + std::to_string(f.proactive_total) + "件：";
  for (std::size_t i = 0; i < f.proactive.size(); ++i) {
    out += (i ? "、" : "") + f.proactive[i].name + std::to_string(f.proactive[i].cases) + "件";
  }
  return out + "。";
}

namespace {

std::string RatesText(const domain::Rates& r) {
  return "响应率" + Percent(r.response) + "、解决率" + Percent(r.resolution) + "、满意率" +
         Percent(r.satisfaction);
}

// One of the rates, or null when there are none.
nlohmann::json RateJson(const std::optional<domain::Rates>& r, double domain::Rates::*rate) {
  return r ? nlohmann::json(RoundTo((*r).*rate, 4)) : nlohmann::json(nullptr);
}

}  // namespace

std::string EnterpriseText(const CommunityFigures& f) {
  if (f.enterprise_requests == 0 && f.enterprise_tally.valid == 0) return "本月无企业诉求。";
  std::string out = "本月企业诉求" + std::to_string(f.enterprise_requests) + "件，有效回访" +
                    std::to_string(f.enterprise_tally.valid) + "件";
  if (f.enterprise_rates) out += "，" + RatesText(*f.enterprise_rates);
  return out + "。";
}

nlohmann::json CommunityToJson(const CommunityFigures& f) {
  nlohmann::json proactive = nlohmann::json::array();
  for (const ProactiveTownship& t : f.proactive) {
    proactive.push_back({{"code", t.code}, {"name", t.name}, {"cases", t.cases}});
  }
  nlohmann::json enterprise = nlohmann::json::array();
  for (const EnterpriseTownship& t : f.enterprise) {
    enterprise.push_back({{"code", t.code},
                          {"name", t.name},
                          {"requests", t.requests},
                          {"valid_callbacks", t.tally.valid},
                          {"response_rate", RateJson(t.rates, &domain::Rates::response)},
                          {"resolution_rate", RateJson(t.rates, &domain::Rates::resolution)},
                          {"satisfaction_rate", RateJson(t.rates, &domain::Rates::satisfaction)}});
  }
  return {{"proactive",
           {{"total", f.proactive_total}, {"text", ProactiveText(f)}, {"townships", proactive}}},
          {"enterprise",
           {{"requests", f.enterprise_requests},
            {"valid_callbacks", f.enterprise_tally.valid},
            {"response_rate", RateJson(f.enterprise_rates, &domain::Rates::response)},
            {"resolution_rate", RateJson(f.enterprise_rates, &domain::Rates::resolution)},
            {"satisfaction_rate", RateJson(f.enterprise_rates, &domain::Rates::satisfaction)},
            {"text", EnterpriseText(f)},
            {"townships", enterprise}}}};
}

}  // namespace jiesu::assess
