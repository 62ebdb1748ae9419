// Router: proposes the category and the responsible unit for a new case, with a confidence and the
// reason, from the classifier (what) and the gazetteer (where) and the catalogue's rules (属地
// categories go to the township of the place, department categories to their department). The
// caller dispatches automatically when the confidence reaches its threshold. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dispatch/classifier.hpp"
#include "dispatch/gazetteer.hpp"
#include "domain/category.hpp"
#include "domain/unit.hpp"

namespace jiesu::dispatch {

struct Choice {
  std::string code;
  std::string name;
  double confidence = 0;
};

struct Suggestion {
  Choice category;
  Choice unit;
  double confidence = 0;
};

struct Proposal {
  std::optional<Choice> category;
  std::optional<Choice> unit;
  std::string place;   // the most specific unit named (community/village), may be empty
  std::string reason;  // why this unit, in words
  double confidence = 0;  // of the pair: category × unit
  std::vector<Suggestion> suggestions;  // up to three, best first
};

class Router {
 public:
  Router(const domain::UnitTree& units, const domain::Catalogue& catalogue,
         const TextClassifier& classifier, const Gazetteer& gazetteer);
  // `category_hint` (a catalogue code the operator chose) replaces the classifier's guess.
  Proposal Propose(std::string_view title, std::string_view text, std::string_view address,
                   const std::string& category_hint) const;

 private:
  Suggestion Route(const domain::Category& category, double category_confidence,
                   const std::optional<PlaceMatch>& place) const;

  const domain::UnitTree& units_;
  const domain::Catalogue& catalogue_;
  const TextClassifier& classifier_;
  const Gazetteer& gazetteer_;
};

}  // namespace jiesu::dispatch
