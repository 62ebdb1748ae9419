// Category classifiers: text → catalogue codes with probabilities. KeywordClassifier scores the
// catalogue's own keywords (the baseline that works with no training data). Implementations are
// immutable after construction and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "domain/category.hpp"

namespace jiesu::dispatch {

struct Prediction {
  std::string code;
  double probability = 0;
};

class TextClassifier {
 public:
  virtual ~TextClassifier() = default;
  // The k most likely categories, best first; empty when the text says nothing it knows.
  virtual std::vector<Prediction> Predict(std::string_view text, int k) const = 0;
};

class KeywordClassifier final : public TextClassifier {
 public:
  explicit KeywordClassifier(const domain::Catalogue& catalogue);
  std::vector<Prediction> Predict(std::string_view text, int k) const override;

 private:
  struct Keyword {
    std::u32string word;
    std::string code;
  };
  std::vector<Keyword> keywords_;
  // Indexes into keywords_ by the keyword's first character: one pass over the text finds them.
  std::unordered_map<char32_t, std::vector<std::size_t>> by_first_;
};

}  // namespace jiesu::dispatch
