#include "dispatch/router.hpp"

namespace jiesu::dispatch {

using domain::Category;
using domain::Handling;
using domain::UnitLevel;

Router::Router(const domain::UnitTree& units, const domain::Catalogue& catalogue,
               const TextClassifier& classifier, const Gazetteer& gazetteer)
    : units_(units), catalogue_(catalogue), classifier_(classifier), gazetteer_(gazetteer) {}

Suggestion Router::Route(const Category& category, double category_confidence,
                         const std::optional<PlaceMatch>& place) const {
  Suggestion s;
  s.category = {category.code, category.name, category_confidence};
  if (category.handling == Handling::kDepartment) {
    const domain::Unit* dept = units_.Find(category.department);
    if (dept != nullptr) {
      s.unit = {dept->code, dept->name, 1.0};
      s.confidence = category_confidence;
      return s;
    }
  }
  const domain::Unit* township = place ? units_.TownshipOf(place->unit->code) : nullptr;
  if (township != nullptr) {
    s.unit = {township->code, township->name, place->confidence};
  } else {
    // Only the district is identifiable: it coordinates (条例 Art. 12).
    s.unit = {units_.Root().code, units_.Root().name, 0.3};
  }
  s.confidence = category_confidence * s.unit.confidence;
  return s;
}

Proposal Router::Propose(std::string_view title, std::string_view text, std::string_view address,
                         const std::string& category_hint) const {
  std::string all(title);
  all += "\n";
  all += text;
  const auto place = gazetteer_.Best(address, all);
  Proposal p;
  if (place) p.place = place->unit->code;

  std::vector<std::pair<const Category*, double>> candidates;
  if (const Category* hinted = catalogue_.Find(category_hint)) {
    candidates.emplace_back(hinted, 1.0);
  } else {
    for (const auto& pred : classifier_.Predict(all, 3)) {
      if (const Category* c = catalogue_.Find(pred.code)) candidates.emplace_back(c, pred.probability);
    }
  }
  for (const auto& [cat, conf] : candidates) p.suggestions.push_back(Route(*cat, conf, place));
  if (p.suggestions.empty()) {
    // No category known: the place alone still says where.
    if (place) {
      const auto* t = units_.TownshipOf(place->unit->code);
      if (t) p.unit = Choice{t->code, t->name, place->confidence};
    }
    p.reason = place ? "地点: " + place->matched + "; 未识别类别" : "未识别地点和类别";
    return p;
  }
  const Suggestion& best = p.suggestions.front();
  p.category = best.category;
  p.unit = best.unit;
  p.confidence = best.confidence;
  const Category* top = catalogue_.Find(best.category.code);
  if (top->handling == Handling::kDepartment) {
    p.reason = "类别「" + top->name + "」由" + best.unit.name + "承办";
  } else if (place) {
    p.reason = "类别「" + top->name + "」属地办理; 地点「" + place->matched + "」属" + best.unit.name;
  } else {
    p.reason = "类别「" + top->name + "」属地办理; 未识别地点, 由区级统筹";
  }
  return p;
}

}  // namespace jiesu::dispatch
