// CatalogueClassifier: the category the router proposes, as a catalogue code. A trained model
// (CategoryModel, `jiesu model train`) names the 大类 — its labels are the catalogue's
// first-level names — and the catalogue's keywords choose the 小类 within that 大类. Without a
// model, and for the 大类 the model was not trained on, the keywords alone decide.
//
// The model can be replaced while requests are being served (SetModel): a prediction uses the
// model that was current when it started. Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "dispatch/classifier.hpp"
#include "dispatch/category_model.hpp"
#include "domain/category.hpp"

namespace jiesu::dispatch {

class CatalogueClassifier final : public TextClassifier {
 public:
  // A keyword-only guess for a 大类 the model does not know must reach this score to compete
  // with the model's labels (KeywordClassifier's scores are in [0, 1)).
  static constexpr double kKeywordOnlyMinimum = 0.5;

  explicit CatalogueClassifier(const domain::Catalogue& catalogue);

  // `model` may be null (keywords only).
  void SetModel(std::shared_ptr<const CategoryModel> model);
  std::shared_ptr<const CategoryModel> model() const;

  std::vector<Prediction> Predict(std::string_view text, int k) const override;

 private:
  const domain::Catalogue& catalogue_;
  KeywordClassifier keywords_;
  std::map<std::string, std::string, std::less<>> top_code_by_name_;  // 大类 name → code
  mutable std::mutex mu_;
  std::shared_ptr<const CategoryModel> model_;
};

}  // namespace jiesu::dispatch
