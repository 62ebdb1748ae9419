#include "dispatch/linear_model.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "dispatch/binary_io.hpp"

namespace jiesu::dispatch {

namespace {

constexpr std::uint32_t kLinearFormat = 2;

std::uint64_t Mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

void Softmax(std::vector<double>* scores) {
  const double max = *std::max_element(scores->begin(), scores->end());
  double sum = 0;
  for (double& s : *scores) {
    s = std::exp(s - max);
    sum += s;
  }
  for (double& s : *scores) s /= sum;
}

}  // namespace

std::vector<std::uint64_t> LinearModel::NgramHashes(const std::vector<std::string>& tokens,
                                                    int max_ngram) {
  std::vector<std::uint64_t> token_hash(tokens.size());
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    std::uint64_t h = 0xCBF29CE484222325ULL;
    for (unsigned char c : tokens[i]) {
      h ^= c;
      h *= 0x100000001B3ULL;
    }
    token_hash[i] = h;
  }
  std::vector<std::uint64_t> out;
  out.reserve(tokens.size() * static_cast<std::size_t>(max_ngram));
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    std::uint64_t h = 0;
    for (int n = 0; n < max_ngram && i + n < tokens.size(); ++n) {
      // Order-dependent chaining; the n-gram length is folded in so that a unigram and a bigram
      // never share a chain value by construction.
      h = Mix(h * 0x9E3779B97F4A7C15ULL + token_hash[i + n] + static_cast<std::uint64_t>(n));
      out.push_back(h == 0 ? 1 : h);  // 0 marks an empty slot
    }
  }
  return out;
}

void LinearModel::BuildIndex(const std::vector<std::uint64_t>& keys) {
  std::size_t size = 16;
  while (size < keys.size() * 2) size <<= 1;
  slots_.assign(size, 0);
  slot_index_.assign(size, -1);
  for (std::size_t f = 0; f < keys.size(); ++f) {
    std::size_t s = keys[f] & (size - 1);
    while (slots_[s] != 0) s = (s + 1) & (size - 1);
    slots_[s] = keys[f];
    slot_index_[s] = static_cast<int>(f);
  }
}

int LinearModel::Find(std::uint64_t key) const {
  if (slots_.empty()) return -1;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t s = key & mask;; s = (s + 1) & mask) {
    if (slots_[s] == key) return slot_index_[s];
    if (slots_[s] == 0) return -1;
  }
}

LinearModel LinearModel::Train(const std::vector<std::vector<std::string>>& docs,
                               const std::vector<int>& labels, int num_labels,
                               const std::vector<std::vector<std::string>>& background,
                               const Options& options) {
  LinearModel m;
  m.num_labels_ = num_labels;
  m.max_ngram_ = std::max(1, options.max_ngram);
  {
    std::unordered_map<std::uint64_t, int> seen;
    for (const auto& doc : docs) {
      for (std::uint64_t h : NgramHashes(doc, m.max_ngram_)) {
        if (seen.emplace(h, static_cast<int>(m.keys_.size())).second) m.keys_.push_back(h);
      }
    }
  }
  m.BuildIndex(m.keys_);
  const std::size_t num_features = m.keys_.size();
  std::vector<int> df(num_features, 0);
  std::vector<int> last_doc(num_features, -1);
  int doc_id = 0;
  auto count_df = [&](const std::vector<std::string>& doc) {
    for (std::uint64_t h : NgramHashes(doc, m.max_ngram_)) {
      const int f = m.Find(h);
      if (f >= 0 && last_doc[f] != doc_id) {
        last_doc[f] = doc_id;
        ++df[f];
      }
    }
    ++doc_id;
  };
  for (const auto& doc : docs) count_df(doc);
  for (const auto& doc : background) count_df(doc);
  const double n_docs = static_cast<double>(docs.size() + background.size());
  m.idf_.resize(num_features);
  for (std::size_t f = 0; f < num_features; ++f) {
    m.idf_[f] = static_cast<float>(std::log((1.0 + n_docs) / (1.0 + df[f])) + 1.0);
  }

  std::vector<SparseVector> x;
  x.reserve(docs.size());
  for (const auto& doc : docs) x.push_back(m.Features(doc));

  const std::size_t L = static_cast<std::size_t>(num_labels);
  // Example weights: 1, or inversely proportional to the label's frequency so that every label
  // weighs the same in the loss (macro-F1 counts every label the same).
  std::vector<double> example_weight(docs.size(), 1.0);
  if (options.balanced) {
    std::vector<double> count(L, 0.0);
    for (int y : labels) count[static_cast<std::size_t>(y)] += 1;
    for (std::size_t i = 0; i < docs.size(); ++i) {
      example_weight[i] = static_cast<double>(docs.size()) /
                          (static_cast<double>(L) * count[static_cast<std::size_t>(labels[i])]);
    }
  }
  const std::size_t n_weights = num_features * L;
  const std::size_t n = n_weights + L;  // the weights, then the biases (not regularised)
  const double lambda = options.l2;
  const double inv_n = 1.0 / static_cast<double>(std::max<std::size_t>(1, docs.size()));

  // f(w) = mean weighted cross-entropy + lambda/2 |W|^2, and its gradient.
  std::vector<double> scores(L);
  auto objective = [&](const std::vector<double>& w, std::vector<double>* grad) {
    grad->assign(n, 0.0);
    double f = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      for (std::size_t l = 0; l < L; ++l) scores[l] = w[n_weights + l];
      for (const auto& [feat, v] : x[i]) {
        const double* wf = &w[static_cast<std::size_t>(feat) * L];
        for (std::size_t l = 0; l < L; ++l) scores[l] += v * wf[l];
      }
      const double max = *std::max_element(scores.begin(), scores.end());
      double sum = 0;
      for (double s : scores) sum += std::exp(s - max);
      const double log_z = max + std::log(sum);
      const std::size_t y = static_cast<std::size_t>(labels[i]);
      const double wi = example_weight[i] * inv_n;
      f += wi * (log_z - scores[y]);
      for (std::size_t l = 0; l < L; ++l) {
        const double g = wi * (std::exp(scores[l] - log_z) - (l == y ? 1.0 : 0.0));
        (*grad)[n_weights + l] += g;
        for (const auto& [feat, v] : x[i]) (*grad)[static_cast<std::size_t>(feat) * L + l] += g * v;
      }
    }
    for (std::size_t k = 0; k < n_weights; ++k) {
      f += 0.5 * lambda * w[k] * w[k];
      (*grad)[k] += lambda * w[k];
    }
    return f;
  };

  // L-BFGS (Nocedal & Wright, algorithm 7.4) with a backtracking Armijo line search: the
  // objective is convex, so the result is the unique optimum whatever the order of the data.
  constexpr int kHistory = 10;
  std::vector<double> w(n, 0.0), g, w_new(n), g_new, d(n);
  std::vector<std::vector<double>> s_hist, y_hist;
  std::vector<double> rho_hist;
  double f = objective(w, &g);
  for (int iter = 0; iter < options.epochs; ++iter) {
    // d = -H g by the two-loop recursion.
    d = g;
    std::vector<double> alpha(s_hist.size());
    for (int k = static_cast<int>(s_hist.size()) - 1; k >= 0; --k) {
      double dot = 0;
      for (std::size_t j = 0; j < n; ++j) dot += s_hist[k][j] * d[j];
      alpha[k] = rho_hist[k] * dot;
      for (std::size_t j = 0; j < n; ++j) d[j] -= alpha[k] * y_hist[k][j];
    }
    if (!s_hist.empty()) {
      double yy = 0, sy = 0;
      for (std::size_t j = 0; j < n; ++j) {
        yy += y_hist.back()[j] * y_hist.back()[j];
        sy += s_hist.back()[j] * y_hist.back()[j];
      }
      const double gamma = sy / yy;
      for (double& v : d) v *= gamma;
    }
    for (std::size_t k = 0; k < s_hist.size(); ++k) {
      double dot = 0;
      for (std::size_t j = 0; j < n; ++j) dot += y_hist[k][j] * d[j];
      const double beta = rho_hist[k] * dot;
      for (std::size_t j = 0; j < n; ++j) d[j] += s_hist[k][j] * (alpha[k] - beta);
    }
    double slope = 0;
    for (std::size_t j = 0; j < n; ++j) slope -= g[j] * d[j];  // direction is -d
    if (slope >= 0) {  // not a descent direction: restart from the gradient
      d = g;
      s_hist.clear();
      y_hist.clear();
      rho_hist.clear();
      slope = 0;
      for (double v : g) slope -= v * v;
    }
    double step = s_hist.empty() ? 1.0 / std::max(1.0, std::sqrt(-slope)) : 1.0;
    double f_new = f;
    bool moved = false;
    for (int tries = 0; tries < 30; ++tries, step *= 0.5) {
      for (std::size_t j = 0; j < n; ++j) w_new[j] = w[j] - step * d[j];
      f_new = objective(w_new, &g_new);
      if (f_new <= f + 1e-4 * step * slope) {
        moved = true;
        break;
      }
    }
    if (!moved) break;
    std::vector<double> s_vec(n), y_vec(n);
    double sy = 0;
    for (std::size_t j = 0; j < n; ++j) {
      s_vec[j] = w_new[j] - w[j];
      y_vec[j] = g_new[j] - g[j];
      sy += s_vec[j] * y_vec[j];
    }
    const bool converged = f - f_new <= 1e-9 * std::max(1.0, std::abs(f));
    w.swap(w_new);
    g.swap(g_new);
    f = f_new;
    if (converged) break;
    if (sy > 1e-12) {
      if (s_hist.size() == kHistory) {
        s_hist.erase(s_hist.begin());
        y_hist.erase(y_hist.begin());
        rho_hist.erase(rho_hist.begin());
      }
      s_hist.push_back(std::move(s_vec));
      y_hist.push_back(std::move(y_vec));
      rho_hist.push_back(1.0 / sy);
    }
  }
  m.weights_.resize(n_weights);
  for (std::size_t k = 0; k < n_weights; ++k) m.weights_[k] = static_cast<float>(w[k]);
  m.bias_.resize(L);
  for (std::size_t l = 0; l < L; ++l) m.bias_[l] = static_cast<float>(w[n_weights + l]);
  return m;
}

LinearModel::SparseVector LinearModel::Features(const std::vector<std::string>& tokens) const {
  std::vector<int> found;
  for (std::uint64_t h : NgramHashes(tokens, max_ngram_)) {
    const int f = Find(h);
    if (f >= 0) found.push_back(f);
  }
  // Sorted by feature: counts are runs, and the sums come out the same in every run.
  std::sort(found.begin(), found.end());
  SparseVector v;
  double norm = 0;
  for (std::size_t i = 0; i < found.size();) {
    std::size_t j = i;
    while (j < found.size() && found[j] == found[i]) ++j;
    const float w = (1.0f + std::log(static_cast<float>(j - i))) * idf_[found[i]];
    v.emplace_back(found[i], w);
    norm += static_cast<double>(w) * w;
    i = j;
  }
  if (norm > 0) {
    const float inv = static_cast<float>(1.0 / std::sqrt(norm));
    for (auto& e : v) e.second *= inv;
  }
  return v;
}

std::vector<double> LinearModel::Probabilities(const std::vector<std::string>& tokens) const {
  const std::size_t L = static_cast<std::size_t>(num_labels_);
  std::vector<double> scores(bias_.begin(), bias_.end());
  if (L == 0) return scores;
  for (const auto& [f, v] : Features(tokens)) {
    const float* w = &weights_[f * L];
    for (std::size_t l = 0; l < L; ++l) scores[l] += v * w[l];
  }
  Softmax(&scores);
  return scores;
}

std::string LinearModel::Serialize() const {
  std::string out;
  BinaryWriter w(&out);
  w.U32(kLinearFormat);
  w.U32(static_cast<std::uint32_t>(num_labels_));
  w.U32(static_cast<std::uint32_t>(max_ngram_));
  w.U64(keys_.size());
  for (std::size_t f = 0; f < keys_.size(); ++f) {
    w.U64(keys_[f]);
    w.F32(idf_[f]);
  }
  for (float b : bias_) w.F32(b);
  for (float x : weights_) w.F32(x);
  return out;
}

Result<LinearModel> LinearModel::Deserialize(std::string_view bytes) {
  BinaryReader r(bytes);
  const auto corrupt = [] { return Status::Invalid("linear model: truncated or corrupt"); };
  std::uint32_t format = 0, labels = 0, max_ngram = 0;
  std::uint64_t features = 0;
  if (!r.U32(&format) || !r.U32(&labels) || !r.U32(&max_ngram) || !r.U64(&features)) {
    return corrupt();
  }
  if (format != kLinearFormat) {
    return Status::Invalid("linear model: format " + std::to_string(format) + " is not supported");
  }
  // Each feature takes 12 bytes plus 4 per label: bound the sizes before allocating.
  if (labels == 0 || labels > 10000 || max_ngram == 0 || max_ngram > 8 ||
      r.remaining() < 4ULL * labels ||
      features * (12 + 4ULL * labels) != r.remaining() - 4ULL * labels) {
    return corrupt();
  }
  LinearModel m;
  m.num_labels_ = static_cast<int>(labels);
  m.max_ngram_ = static_cast<int>(max_ngram);
  m.keys_.resize(features);
  m.idf_.resize(features);
  for (std::uint64_t f = 0; f < features; ++f) {
    if (!r.U64(&m.keys_[f]) || !r.F32(&m.idf_[f]) || m.keys_[f] == 0) return corrupt();
  }
  m.bias_.resize(labels);
  for (float& b : m.bias_) {
    if (!r.F32(&b)) return corrupt();
  }
  m.weights_.resize(features * labels);
  for (float& x : m.weights_) {
    if (!r.F32(&x)) return corrupt();
  }
  if (r.remaining() != 0) return corrupt();
  m.BuildIndex(m.keys_);
  return m;
}

}  // namespace jiesu::dispatch
