#include "dispatch/classifier.hpp"

#include <algorithm>
#include <map>

#include "common/utf8.hpp"

namespace jiesu::dispatch {

KeywordClassifier::KeywordClassifier(const domain::Catalogue& catalogue) {
  for (const auto& c : catalogue.All()) {
    if (c.parent.empty()) continue;  // keywords of 小类 only: they are the specific ones
    for (const auto& w : c.keywords) {
      if (!w.empty()) keywords_.push_back({DecodeUtf8(w), c.code});
    }
    if (Utf8Length(c.name) >= 2) keywords_.push_back({DecodeUtf8(c.name), c.code});
  }
  for (std::size_t i = 0; i < keywords_.size(); ++i) by_first_[keywords_[i].word[0]].push_back(i);
}

std::vector<Prediction> KeywordClassifier::Predict(std::string_view text, int k) const {
  // Each keyword found adds its length in characters (longer keywords are more specific).
  const std::u32string chars = DecodeUtf8(text);
  std::vector<bool> found(keywords_.size(), false);
  for (std::size_t pos = 0; pos < chars.size(); ++pos) {
    const auto it = by_first_.find(chars[pos]);
    if (it == by_first_.end()) continue;
    for (std::size_t i : it->second) {
      if (!found[i] && chars.compare(pos, keywords_[i].word.size(), keywords_[i].word) == 0) {
        found[i] = true;
      }
    }
  }
  std::map<std::string, double> score;
  double total = 0;
  for (std::size_t i = 0; i < keywords_.size(); ++i) {
    if (!found[i]) continue;
    const double w = static_cast<double>(keywords_[i].word.size());
    score[keywords_[i].code] += w;
    total += w;
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
