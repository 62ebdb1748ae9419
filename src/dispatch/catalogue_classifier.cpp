#include "dispatch/catalogue_classifier.hpp"

#include <algorithm>
#include <set>

namespace jiesu::dispatch {

CatalogueClassifier::CatalogueClassifier(const domain::Catalogue& catalogue)
    : catalogue_(catalogue), keywords_(catalogue) {
  for (const auto& c : catalogue.All()) {
    if (c.parent.empty()) top_code_by_name_.emplace(c.name, c.code);
  }
}

void CatalogueClassifier::SetModel(std::shared_ptr<const CategoryModel> model) {
  std::lock_guard lock(mu_);
  model_ = std::move(model);
}

std::shared_ptr<const CategoryModel> CatalogueClassifier::model() const {
  std::lock_guard lock(mu_);
  return model_;
}

std::vector<Prediction> CatalogueClassifier::Predict(std::string_view text, int k) const {
  const auto model = this->model();
  std::vector<Prediction> keyword = keywords_.Predict(text, 1 << 16);
  if (model == nullptr) {
    if (static_cast<int>(keyword.size()) > k) keyword.resize(k);
    return keyword;
  }
  auto top_of = [&](const std::string& code) {
    const domain::Category* top = catalogue_.TopLevel(code);
    return top ? top->code : std::string();
  };
  std::vector<Prediction> out;
  std::set<std::string> model_tops;
  const auto& labels = model->Labels();
  for (const Prediction& p : model->Predict(text, static_cast<int>(labels.size()))) {
    auto it = top_code_by_name_.find(p.code);
    if (it == top_code_by_name_.end()) continue;  // a label the catalogue does not have
    model_tops.insert(it->second);
    // The 小类 is the best keyword match within the 大类, else the 大类 itself.
    std::string code = it->second;
    for (const Prediction& kw : keyword) {
      if (top_of(kw.code) == it->second) {
        code = kw.code;
        break;
      }
    }
    out.push_back({code, p.probability});
  }
  for (const Prediction& kw : keyword) {
    if (kw.probability < kKeywordOnlyMinimum) break;  // sorted best first
    if (model_tops.insert(top_of(kw.code)).second) out.push_back(kw);
  }
  std::stable_sort(out.begin(), out.end(), [](const Prediction& a, const Prediction& b) {
    return a.probability > b.probability;
  });
  if (static_cast<int>(out.size()) > k) out.resize(k);
  return out;
}

}  // namespace jiesu::dispatch
