#include "dispatch/classifier.hpp"

#include <algorithm>
#include <map>

#include "common/utf8.hpp"

namespace jiesu::dispatch {

KeywordClassifier::KeywordClassifier(const domain::Catalogue& catalogue) {
  for (const auto& c : catalogue.All()) {
    if (c.parent.empty()) continue;  // keywords of 小类 only: they are the specific ones
    for (const auto& w : c.keywords) {
      if (!w.empty()) keywords_.push_back({w, c.code});
    }
    if (Utf8Length(c.name) >= 2) keywords_.push_back({c.name, c.code});
  }
}

std::vector<Prediction> KeywordClassifier::Predict(std::string_view text, int k) const {
  // Each keyword found adds its length in characters (longer keywords are more specific).
  std::map<std::string, double> score;
  double total = 0;
  for (const auto& kw : keywords_) {
    if (text.find(kw.word) != std::string_view::npos) {
      const double w = static_cast<double>(Utf8Length(kw.word));
      score[kw.code] += w;
      total += w;
    }
  }
  std::vector<Prediction> out;
  for (const auto& [code, s] : score) out.push_back({code, s / (total + 2.0)});
  std::sort(out.begin(), out.end(), [](const Prediction& a, const Prediction& b) {
    return a.probability != b.probability ? a.probability > b.probability : a.code < b.code;
  });
  if (static_cast<int>(out.size()) > k) out.resize(k);
  return out;
}

}  // namespace jiesu::dispatch
