// LinearModel: multinomial logistic regression over TF-IDF-weighted token n-grams — the second
// member of the category classifier's ensemble (category_model.hpp). Token n-grams (1..max)
// seen in the labelled messages are the features; their IDF is estimated on the labelled and the
// unlabelled messages together, which is how the unlabelled messages help this model. Trained by
// L-BFGS on the L2-regularised cross-entropy, a convex problem: the result does not depend on the
// order of the data. Immutable after training; Probabilities() is thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"

namespace jiesu::dispatch {

class LinearModel {
 public:
  struct Options {
    int max_ngram = 2;     // token n-grams 1..max_ngram
    int epochs = 200;      // L-BFGS iterations at most (it stops earlier when converged)
    double l2 = 1e-5;      // L2 penalty on the weights (the biases are not penalised)
    bool balanced = false; // weigh examples so that every label weighs the same
  };

  LinearModel() = default;

  // `docs[i]` (tokens) has label `labels[i]` in [0, num_labels). `background` (tokens of
  // unlabelled messages) only informs the IDF. Requires docs.size() == labels.size().
  static LinearModel Train(const std::vector<std::vector<std::string>>& docs,
                           const std::vector<int>& labels, int num_labels,
                           const std::vector<std::vector<std::string>>& background,
                           const Options& options);

  int num_labels() const { return num_labels_; }
  std::size_t num_features() const { return idf_.size(); }

  // P(label | tokens) for every label; the label prior when no feature is known.
  std::vector<double> Probabilities(const std::vector<std::string>& tokens) const;

  std::string Serialize() const;
  // InvalidArgument when `bytes` is not a serialized LinearModel.
  static Result<LinearModel> Deserialize(std::string_view bytes);

 private:
  using SparseVector = std::vector<std::pair<int, float>>;
  // Features are identified by a 64-bit hash of the n-gram (NgramHashes); a collision between
  // two of the ~10^5 n-grams of a model has a probability of about 10^-9.
  static std::vector<std::uint64_t> NgramHashes(const std::vector<std::string>& tokens,
                                                int max_ngram);
  // Index of the feature with this hash, or -1. An open-addressing table: the lookup is the
  // inner loop of prediction.
  int Find(std::uint64_t key) const;
  void BuildIndex(const std::vector<std::uint64_t>& keys);
  // L2-normalised sublinear-TF × IDF vector of the known n-grams of `tokens`, by feature index.
  SparseVector Features(const std::vector<std::string>& tokens) const;

  int num_labels_ = 0;
  int max_ngram_ = 1;
  std::vector<std::uint64_t> keys_;   // feature index → n-gram hash
  std::vector<std::uint64_t> slots_;  // hash table of keys_ (0 = empty), size a power of two
  std::vector<int> slot_index_;
  std::vector<float> idf_;
  std::vector<float> weights_;  // feature-major: weights_[f * num_labels_ + label]
  std::vector<float> bias_;
};

}  // namespace jiesu::dispatch
