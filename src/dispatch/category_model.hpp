// CategoryModel: the category classifier trained on labelled citizen messages (`jiesu model train`). It predicts
// the first-level labels of its training data (for the shipped data the 7 names 城乡建设,
// 环境保护, 交通运输, 教育文体, 劳动和社会保障, 商贸旅游, 卫生计生), returned in
// Prediction::code as the label *name*; the caller maps names to catalogue codes (the catalogue's
// 大类 rows carry the same names).
//
// By default the model is LinearModel, logistic regression over TF-IDF token n-grams
// (linear_model.hpp), the IDF estimated on the unlabelled messages too. It can be ensembled with
// a fastText supervised model (Debian's libfasttext, in process; its input vectors initialised
// from skipgram vectors pretrained on the unlabelled messages), probabilities averaged with
// `linear_weight`; measured, the ensemble is no more accurate than the linear model alone and
// four to eight times slower, so the default weight is 1 (docs/dispatch.md has the measurements
// behind every default).
//
// Model file: one file written by Save() and read by Load() — magic "JIESUCLF", a format number,
// a JSON header (labels, tokenizer, options, training time), the fastText .bin bytes, the linear
// model bytes and an FNV-1a checksum over everything before it. Version() names the file's
// content ("clf1-" + 12 hex digits of the checksum), so two files with the same version hold the
// same model.
//
// Immutable after Train()/Load(); Predict(), Labels() and Version() are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "dispatch/classifier.hpp"
#include "dispatch/linear_model.hpp"
#include "dispatch/text_features.hpp"
#include "dispatch/training_data.hpp"

namespace fasttext {
class FastText;
}

namespace jiesu::dispatch {

// Training options. The defaults are the measured best (docs/dispatch.md).
struct ClassifierOptions {
  TokenizerKind tokenizer = TokenizerKind::kChars;
  // The title's tokens are added this many extra times (the title is the message's first line).
  int title_repeat = 2;
  // Every label weighs the same in training (example weights for the linear model, repeated
  // examples for fastText), since macro-F1 counts every label the same.
  bool balanced = true;

  // fastText supervised (softmax loss).
  int epochs = 50;
  double lr = 0.5;
  int dim = 50;
  int word_ngrams = 2;
  int bucket = 50000;  // hash buckets for word n-grams; × dim floats in the model file
  int min_count = 1;

  // Skipgram pretraining on the unlabelled messages (only when some are given).
  int pretrain_epochs = 3;
  int pretrain_min_count = 2;
  int pretrain_window = 3;
  // Words seen only in the unlabelled messages enter the supervised dictionary with their
  // pretrained vectors (otherwise they would be unknown at prediction time).
  bool pretrained_vocabulary = true;

  // The ensemble: P = (1 - linear_weight) × P_fastText + linear_weight × P_linear. 1 trains
  // the linear model alone (no fastText, no pretraining), 0 fastText alone.
  double linear_weight = 1.0;
  LinearModel::Options linear;  // its `balanced` is set from `balanced` above

  int threads = 2;  // for pretraining; supervised training uses one thread so it is reproducible
  std::uint64_t seed = 1;
  bool verbose = false;  // fastText's progress on stderr
};

// Unlabelled messages prepared for training: their tokens (the linear model's IDF) and skipgram
// vectors pretrained on them (fastText's initial input vectors). Pretraining is the slow part of
// training, and it does not depend on the labelled data, so one corpus serves any number of
// Train() calls with the same tokenizer and dimension (cross-validation folds). Owns a temporary
// directory with the vectors, removed on destruction. Immutable; thread-safe to share.
class UnlabelledCorpus {
 public:
  // Tokenizes `texts` (DocumentText of unlabelled messages) and, unless options.linear_weight is
  // 1 (no fastText member), pretrains vectors with options.dim, pretrain_* and threads.
  // Fails like CategoryModel::Train.
  static Result<std::unique_ptr<UnlabelledCorpus>> Build(const std::vector<std::string>& texts,
                                                         const ClassifierOptions& options);
  ~UnlabelledCorpus();
  UnlabelledCorpus(const UnlabelledCorpus&) = delete;
  UnlabelledCorpus& operator=(const UnlabelledCorpus&) = delete;

  TokenizerKind tokenizer() const { return tokenizer_; }
  int dim() const { return dim_; }
  std::size_t size() const { return docs_.size(); }

 private:
  friend class CategoryModel;
  UnlabelledCorpus() = default;

  TokenizerKind tokenizer_ = TokenizerKind::kChars;
  int dim_ = 0;
  std::vector<std::vector<std::string>> docs_;
  std::string dir_;           // temporary directory holding vectors_path_
  std::string vectors_path_;  // fastText .vec text file; empty when not pretrained
  std::vector<std::string> vocabulary_;  // words with a pretrained vector
};

class CategoryModel final : public TextClassifier {
 public:
  ~CategoryModel() override;

  // Trains on `examples` (every one labelled; at least two distinct labels). `unlabelled` may be
  // null; when given it must have been built with the same tokenizer and dim. Uses temporary
  // files under the system temp directory and removes them. Fails with InvalidArgument on bad
  // data or options, Unavailable when the tokenizer cannot start, Internal on I/O failure or when
  // fastText rejects the input.
  static Result<std::unique_ptr<CategoryModel>> Train(
      const std::vector<LabelledText>& examples, const UnlabelledCorpus* unlabelled,
      const ClassifierOptions& options);

  // Reads a file written by Save(). NotFound when it cannot be read; InvalidArgument when it is
  // not a model file, is truncated or corrupt (checksum), or of an unsupported format;
  // Unavailable when its tokenizer cannot start on this machine.
  static Result<std::unique_ptr<CategoryModel>> Load(const std::string& path);

  // Writes the model file (atomically: a temporary file renamed over `path`). Internal on I/O
  // failure.
  Status Save(const std::string& path) const;

  // The k most likely labels (names, in Prediction::code), best first, probabilities summing to 1
  // over all labels. Empty when `text` has no token at all. `text` is the title, a newline and
  // the body, as DocumentText() and the router build it.
  std::vector<Prediction> Predict(std::string_view text, int k) const override;

  // The labels the model can predict, sorted.
  const std::vector<std::string>& Labels() const { return labels_; }
  // "clf1-" followed by 12 hex digits naming the content; stable across Save/Load.
  const std::string& Version() const { return version_; }
  // Training time (ISO 8601, UTC) and options, as recorded in the file.
  const std::string& TrainedAt() const { return trained_at_; }
  const ClassifierOptions& options() const { return options_; }

 private:
  CategoryModel();
  std::vector<std::string> Tokens(std::string_view text) const;
  Result<std::string> Serialize() const;

  ClassifierOptions options_;
  std::vector<std::string> labels_;
  std::string version_;
  std::string trained_at_;
  std::unique_ptr<Tokenizer> tokenizer_;
  std::unique_ptr<fasttext::FastText> fasttext_;
  std::vector<int> fasttext_label_index_;  // fastText's label id → index in labels_
  LinearModel linear_;
};

}  // namespace jiesu::dispatch
