#include "dispatch/category_model.hpp"

#include <fasttext/fasttext.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "common/clock.hpp"
#include "common/csv.hpp"
#include "dispatch/binary_io.hpp"

namespace jiesu::dispatch {

namespace {

constexpr char kMagic[] = "JIESUCLF";
constexpr std::size_t kMagicSize = 8;
constexpr std::uint32_t kFormat = 1;
constexpr char kLabelPrefix[] = "__label__";
// FastText::checkModel is protected; it reads fastText's signature and sets the version that
// loadModel(std::istream&) consults, so the model can be read from memory.
class LoadableFastText final : public fasttext::FastText {
 public:
  bool ReadSignature(std::istream& in) { return checkModel(in); }
};

// A private temporary directory, removed with everything in it when this goes out of scope.
class TempDir {
 public:
  static Result<TempDir> Create() {
    std::error_code ec;
    std::string pattern = (std::filesystem::temp_directory_path(ec) / "jiesu-model-XXXXXX").string();
    if (ec) return Status::Internal("no temporary directory: " + ec.message());
    if (mkdtemp(pattern.data()) == nullptr) {
      return Status::Internal("cannot create a temporary directory under " + pattern);
    }
    return TempDir(pattern);
  }
  TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  TempDir& operator=(TempDir&&) = delete;
  ~TempDir() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return path_ + "/" + name; }
  // Hands the directory over to the caller, who must remove it.
  std::string Release() { return std::exchange(path_, std::string()); }

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

std::uint64_t SplitMix64(std::uint64_t* state) {
  std::uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::string Join(const std::vector<std::string>& tokens) {
  std::string out;
  for (const auto& t : tokens) {
    if (!out.empty()) out += ' ';
    out += t;
  }
  return out;
}

Status WriteFile(const std::string& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) return Status::Internal("cannot write " + path);
  return Status::Ok();
}

std::string Hex(std::uint64_t v, int digits) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(digits, '0');
  for (int i = digits - 1; i >= 0; --i) {
    out[i] = kDigits[v & 0xF];
    v >>= 4;
  }
  return out;
}

nlohmann::json OptionsToJson(const ClassifierOptions& o) {
  return {{"tokenizer", std::string(TokenizerName(o.tokenizer))},
          {"title_repeat", o.title_repeat},
          {"balanced", o.balanced},
          {"epochs", o.epochs},
          {"lr", o.lr},
          {"dim", o.dim},
          {"word_ngrams", o.word_ngrams},
          {"bucket", o.bucket},
          {"min_count", o.min_count},
          {"pretrain_epochs", o.pretrain_epochs},
          {"pretrain_min_count", o.pretrain_min_count},
          {"pretrain_window", o.pretrain_window},
          {"pretrained_vocabulary", o.pretrained_vocabulary},
          {"linear_weight", o.linear_weight},
          {"linear_max_ngram", o.linear.max_ngram},
          {"linear_epochs", o.linear.epochs},

          {"linear_l2", o.linear.l2},
          {"seed", o.seed}};
}

// Reads back what OptionsToJson wrote; keys missing from older files keep their defaults.
Result<ClassifierOptions> OptionsFromJson(const nlohmann::json& j) {
  ClassifierOptions o;
  try {
    JIESU_ASSIGN_OR_RETURN(o.tokenizer, ParseTokenizerKind(j.at("tokenizer").get<std::string>()));
    o.title_repeat = j.value("title_repeat", o.title_repeat);
    o.epochs = j.value("epochs", o.epochs);
    o.lr = j.value("lr", o.lr);
    o.dim = j.value("dim", o.dim);
    o.word_ngrams = j.value("word_ngrams", o.word_ngrams);
    o.bucket = j.value("bucket", o.bucket);
    o.min_count = j.value("min_count", o.min_count);
    o.pretrain_epochs = j.value("pretrain_epochs", o.pretrain_epochs);
    o.pretrain_min_count = j.value("pretrain_min_count", o.pretrain_min_count);
    o.pretrain_window = j.value("pretrain_window", o.pretrain_window);
    o.pretrained_vocabulary = j.value("pretrained_vocabulary", o.pretrained_vocabulary);
    o.linear_weight = j.value("linear_weight", o.linear_weight);
    o.linear.max_ngram = j.value("linear_max_ngram", o.linear.max_ngram);
    o.linear.epochs = j.value("linear_epochs", o.linear.epochs);
    o.balanced = j.value("balanced", o.balanced);
    o.linear.l2 = j.value("linear_l2", o.linear.l2);
    o.seed = j.value("seed", o.seed);
  } catch (const nlohmann::json::exception& e) {
    return Status::Invalid(std::string("model header: ") + e.what());
  }
  return o;
}

Status ValidateOptions(const ClassifierOptions& o) {
  if (o.epochs < 1 || o.epochs > 10000) return Status::Invalid("epochs must be in 1..10000");
  if (!(o.lr > 0 && o.lr <= 10)) return Status::Invalid("lr must be in (0, 10]");
  if (o.dim < 1 || o.dim > 1000) return Status::Invalid("dim must be in 1..1000");
  if (o.word_ngrams < 1 || o.word_ngrams > 5) return Status::Invalid("word n-grams must be 1..5");
  if (o.bucket < 0 || o.bucket > 10000000) return Status::Invalid("bucket must be 0..10^7");
  if (o.pretrain_epochs < 1 || o.pretrain_epochs > 1000) {
    return Status::Invalid("pretrain epochs must be in 1..1000");
  }
  if (!(o.linear_weight >= 0 && o.linear_weight <= 1)) {
    return Status::Invalid("linear weight must be in [0, 1]");
  }
  if (o.linear.epochs < 1 || o.linear.epochs > 10000) {
    return Status::Invalid("linear iterations must be in 1..10000");
  }
  if (!(o.linear.l2 >= 0 && o.linear.l2 < 100)) {
    return Status::Invalid("linear L2 must be in [0, 100)");
  }
  if (o.linear.max_ngram < 1 || o.linear.max_ngram > 5) {
    return Status::Invalid("linear n-grams must be 1..5");
  }
  if (o.title_repeat < 0 || o.title_repeat > 10) return Status::Invalid("title repeat: 0..10");
  if (o.threads < 1 || o.threads > 256) return Status::Invalid("threads must be in 1..256");
  return Status::Ok();
}

fasttext::Args BaseArgs(const ClassifierOptions& o) {
  fasttext::Args a;
  a.dim = o.dim;
  a.minn = 0;  // tokens are characters or whole words: no subword n-grams
  a.maxn = 0;
  a.seed = static_cast<int>(o.seed & 0x7FFFFFFF);
  a.verbose = o.verbose ? 2 : 0;
  return a;
}

}  // namespace

CategoryModel::CategoryModel() = default;
CategoryModel::~CategoryModel() = default;

std::vector<std::string> CategoryModel::Tokens(std::string_view text) const {
  std::vector<std::string> tokens = tokenizer_->Tokenize(text);
  if (options_.title_repeat > 0) {
    const std::size_t nl = text.find('\n');
    if (nl != std::string_view::npos && nl > 0) {
      const std::vector<std::string> title = tokenizer_->Tokenize(text.substr(0, nl));
      for (int r = 0; r < options_.title_repeat; ++r) {
        tokens.insert(tokens.end(), title.begin(), title.end());
      }
    }
  }
  return tokens;
}

Result<std::unique_ptr<UnlabelledCorpus>> UnlabelledCorpus::Build(
    const std::vector<std::string>& texts, const ClassifierOptions& options) {
  JIESU_RETURN_IF_ERROR(ValidateOptions(options));
  std::unique_ptr<UnlabelledCorpus> corpus(new UnlabelledCorpus());
  corpus->tokenizer_ = options.tokenizer;
  corpus->dim_ = options.dim;
  JIESU_ASSIGN_OR_RETURN(auto tokenizer, Tokenizer::Create(options.tokenizer));
  corpus->docs_.reserve(texts.size());
  for (const auto& text : texts) {
    auto tokens = tokenizer->Tokenize(text);
    if (!tokens.empty()) corpus->docs_.push_back(std::move(tokens));
  }
  if (options.linear_weight >= 1 || corpus->docs_.empty()) return corpus;

  JIESU_ASSIGN_OR_RETURN(TempDir dir, TempDir::Create());
  std::string text;
  for (const auto& d : corpus->docs_) text += Join(d) + "\n";
  JIESU_RETURN_IF_ERROR(WriteFile(dir.File("pretrain.txt"), text));
  text.clear();
  text.shrink_to_fit();
  try {
    fasttext::Args a = BaseArgs(options);
    a.input = dir.File("pretrain.txt");
    a.model = fasttext::model_name::sg;
    a.loss = fasttext::loss_name::ns;
    a.epoch = options.pretrain_epochs;
    a.minCount = options.pretrain_min_count;
    a.ws = options.pretrain_window;
    a.thread = options.threads;
    a.bucket = 0;
    fasttext::FastText sg;
    sg.train(a);
    sg.saveVectors(dir.File("pretrain.vec"));
    const auto dict = sg.getDictionary();
    for (int32_t i = 0; i < dict->nwords(); ++i) {
      const std::string w = dict->getWord(i);
      if (w != fasttext::Dictionary::EOS) corpus->vocabulary_.push_back(w);
    }
  } catch (const std::exception& e) {
    return Status::Internal(std::string("fastText pretraining failed: ") + e.what());
  }
  std::error_code ec;
  std::filesystem::remove(dir.File("pretrain.txt"), ec);
  corpus->vectors_path_ = dir.File("pretrain.vec");
  corpus->dir_ = dir.Release();
  return corpus;
}

UnlabelledCorpus::~UnlabelledCorpus() {
  if (dir_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

Result<std::unique_ptr<CategoryModel>> CategoryModel::Train(
    const std::vector<LabelledText>& examples, const UnlabelledCorpus* unlabelled,
    const ClassifierOptions& options) {
  JIESU_RETURN_IF_ERROR(ValidateOptions(options));
  if (examples.empty()) return Status::Invalid("no training examples");
  for (const auto& e : examples) {
    if (e.label.empty()) return Status::Invalid("training example '" + e.id + "' has no label");
  }
  if (unlabelled && (unlabelled->tokenizer() != options.tokenizer ||
                     (options.linear_weight < 1 && !unlabelled->vectors_path_.empty() &&
                      unlabelled->dim() != options.dim))) {
    return Status::Invalid("the unlabelled corpus was prepared with another tokenizer or dim");
  }
  std::unique_ptr<CategoryModel> c(new CategoryModel());
  c->options_ = options;
  c->labels_ = DistinctLabels(examples);
  if (c->labels_.size() < 2) return Status::Invalid("training needs at least two labels");
  JIESU_ASSIGN_OR_RETURN(c->tokenizer_, Tokenizer::Create(options.tokenizer));
  std::map<std::string, int> label_index;
  for (std::size_t i = 0; i < c->labels_.size(); ++i) {
    label_index[c->labels_[i]] = static_cast<int>(i);
  }

  std::vector<std::vector<std::string>> docs;
  std::vector<int> labels;
  docs.reserve(examples.size());
  for (const auto& e : examples) {
    docs.push_back(c->Tokens(DocumentText(e)));
    labels.push_back(label_index[e.label]);
  }
  static const std::vector<std::vector<std::string>> kNoDocs;
  const auto& background = unlabelled ? unlabelled->docs_ : kNoDocs;

  if (options.linear_weight > 0) {
    LinearModel::Options lo = options.linear;
    lo.balanced = options.balanced;
    c->linear_ = LinearModel::Train(docs, labels, static_cast<int>(c->labels_.size()), background,
                                    lo);
  }

  if (options.linear_weight < 1) {
    JIESU_ASSIGN_OR_RETURN(TempDir dir, TempDir::Create());
    const bool pretrained = unlabelled && !unlabelled->vectors_path_.empty();
    try {
      // Supervised lines in a seeded random order: fastText reads the file in order every epoch.
      std::vector<std::size_t> order;
      if (options.balanced) {
        // fastText has no example weights: every label is brought to the count of the most
        // frequent one by repeating its examples in turn.
        std::vector<std::vector<std::size_t>> by_label(c->labels_.size());
        for (std::size_t i = 0; i < docs.size(); ++i) {
          if (!docs[i].empty()) by_label[static_cast<std::size_t>(labels[i])].push_back(i);
        }
        std::size_t most = 0;
        for (const auto& rows : by_label) most = std::max(most, rows.size());
        for (const auto& rows : by_label) {
          for (std::size_t k = 0; k < most && !rows.empty(); ++k) {
            order.push_back(rows[k % rows.size()]);
          }
        }
      } else {
        for (std::size_t i = 0; i < docs.size(); ++i) {
          if (!docs[i].empty()) order.push_back(i);
        }
      }
      std::uint64_t state = options.seed;
      for (std::size_t i = order.size(); i > 1; --i) {
        std::swap(order[i - 1], order[SplitMix64(&state) % i]);
      }
      std::string train;
      for (std::size_t i : order) {
        train += kLabelPrefix + std::to_string(labels[i]) + " " + Join(docs[i]) + "\n";
      }
      if (pretrained && options.pretrained_vocabulary) {
        // An unlabelled line is skipped by supervised training but its words enter the
        // dictionary, so words seen only in the unlabelled messages keep their pretrained
        // vectors instead of being unknown at prediction time.
        train += Join(unlabelled->vocabulary_) + "\n";
      }
      JIESU_RETURN_IF_ERROR(WriteFile(dir.File("train.txt"), train));
      fasttext::Args a = BaseArgs(options);
      a.input = dir.File("train.txt");
      a.model = fasttext::model_name::sup;
      a.loss = fasttext::loss_name::softmax;
      a.epoch = options.epochs;
      a.lr = options.lr;
      a.wordNgrams = options.word_ngrams;
      a.bucket = options.word_ngrams > 1 ? options.bucket : 0;
      a.minCount = options.min_count;
      a.thread = 1;
      if (pretrained) a.pretrainedVectors = unlabelled->vectors_path_;
      auto ft = std::make_unique<fasttext::FastText>();
      ft->train(a);
      c->fasttext_ = std::move(ft);
    } catch (const std::exception& e) {
      return Status::Internal(std::string("fastText training failed: ") + e.what());
    }
  }
  c->trained_at_ = FormatTime(static_cast<Timestamp>(std::time(nullptr)));
  c->fasttext_label_index_.clear();
  if (c->fasttext_) {
    const auto dict = c->fasttext_->getDictionary();
    for (int32_t i = 0; i < dict->nlabels(); ++i) {
      c->fasttext_label_index_.push_back(
          std::stoi(dict->getLabel(i).substr(sizeof(kLabelPrefix) - 1)));
    }
  }
  // The version names the content, so it is computed from the bytes Save() will write, as Load()
  // computes it: everything before the checksum.
  JIESU_ASSIGN_OR_RETURN(std::string bytes, c->Serialize());
  c->version_ = "clf1-" + Hex(Fnv1a64(std::string_view(bytes).substr(0, bytes.size() - 8)), 12);
  return c;
}

Result<std::string> CategoryModel::Serialize() const {
  std::string fasttext_bytes;
  if (fasttext_) {
    JIESU_ASSIGN_OR_RETURN(TempDir dir, TempDir::Create());
    try {
      fasttext_->saveModel(dir.File("model.bin"));
    } catch (const std::exception& e) {
      return Status::Internal(std::string("fastText could not save its model: ") + e.what());
    }
    JIESU_ASSIGN_OR_RETURN(fasttext_bytes, ReadFile(dir.File("model.bin")));
  }
  nlohmann::json meta = {{"format", kFormat},
                         {"labels", labels_},
                         {"trained_at", trained_at_},
                         {"options", OptionsToJson(options_)},
                         {"members", {{"fasttext", fasttext_ != nullptr},
                                      {"linear", linear_.num_labels() > 0}}}};
  std::string out(kMagic, kMagicSize);
  BinaryWriter w(&out);
  w.U32(kFormat);
  w.Bytes(meta.dump());
  w.Bytes(fasttext_bytes);
  w.Bytes(linear_.num_labels() > 0 ? linear_.Serialize() : std::string());
  w.U64(Fnv1a64(out));
  return out;
}

Status CategoryModel::Save(const std::string& path) const {
  JIESU_ASSIGN_OR_RETURN(std::string bytes, Serialize());
  const std::string tmp = path + ".tmp";
  JIESU_RETURN_IF_ERROR(WriteFile(tmp, bytes));
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return Status::Internal("cannot write " + path + ": " + ec.message());
  }
  return Status::Ok();
}

Result<std::unique_ptr<CategoryModel>> CategoryModel::Load(const std::string& path) {
  JIESU_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  const auto invalid = [&](const std::string& why) {
    return Status::Invalid(path + ": " + why);
  };
  if (bytes.size() < kMagicSize + 4 + 8 || bytes.compare(0, kMagicSize, kMagic) != 0) {
    return invalid("not a jiesu classifier model file");
  }
  const std::string_view body(bytes.data(), bytes.size() - 8);
  BinaryReader tail(std::string_view(bytes).substr(bytes.size() - 8));
  std::uint64_t checksum = 0;
  if (!tail.U64(&checksum) || checksum != Fnv1a64(body)) {
    return invalid("checksum mismatch (truncated or corrupt model file)");
  }
  BinaryReader r(body.substr(kMagicSize));
  std::uint32_t format = 0;
  std::string_view meta_bytes, fasttext_bytes, linear_bytes;
  if (!r.U32(&format)) return invalid("truncated");
  if (format != kFormat) {
    return invalid("model format " + std::to_string(format) + " is not supported (expected " +
                   std::to_string(kFormat) + "); retrain with this jiesu");
  }
  if (!r.Bytes(&meta_bytes) || !r.Bytes(&fasttext_bytes) || !r.Bytes(&linear_bytes) ||
      r.remaining() != 0) {
    return invalid("truncated or corrupt");
  }
  std::unique_ptr<CategoryModel> c(new CategoryModel());
  const nlohmann::json meta = nlohmann::json::parse(meta_bytes, nullptr, false);
  if (meta.is_discarded() || !meta.is_object()) return invalid("corrupt header");
  try {
    c->labels_ = meta.at("labels").get<std::vector<std::string>>();
    c->trained_at_ = meta.value("trained_at", "");
  } catch (const nlohmann::json::exception& e) {
    return invalid(std::string("corrupt header: ") + e.what());
  }
  if (c->labels_.size() < 2) return invalid("fewer than two labels");
  auto options = OptionsFromJson(meta.value("options", nlohmann::json::object()));
  if (!options.ok()) return invalid(options.status().message());
  c->options_ = *options;
  JIESU_ASSIGN_OR_RETURN(c->tokenizer_, Tokenizer::Create(c->options_.tokenizer));

  if (!linear_bytes.empty()) {
    auto linear = LinearModel::Deserialize(linear_bytes);
    if (!linear.ok()) return invalid(linear.status().message());
    if (linear->num_labels() != static_cast<int>(c->labels_.size())) {
      return invalid("linear model labels do not match the header");
    }
    c->linear_ = std::move(linear).value();
  }
  if (!fasttext_bytes.empty()) {
    auto ft = std::make_unique<LoadableFastText>();
    try {
      std::istringstream in(std::string(fasttext_bytes), std::ios::binary);
      if (!ft->ReadSignature(in)) return invalid("not a fastText model inside");
      ft->loadModel(in);
    } catch (const std::exception& e) {
      return invalid(std::string("fastText model: ") + e.what());
    }
    const auto dict = ft->getDictionary();
    for (int32_t i = 0; i < dict->nlabels(); ++i) {
      const std::string label = dict->getLabel(i);
      char* end = nullptr;
      const long index = std::strtol(label.c_str() + sizeof(kLabelPrefix) - 1, &end, 10);
      if (label.rfind(kLabelPrefix, 0) != 0 || *end != '\0' || index < 0 ||
          index >= static_cast<long>(c->labels_.size())) {
        return invalid("fastText label '" + label + "' does not match the header");
      }
      c->fasttext_label_index_.push_back(static_cast<int>(index));
    }
    c->fasttext_ = std::move(ft);
  }
  if (!c->fasttext_ && c->linear_.num_labels() == 0) return invalid("no model inside");
  c->version_ = "clf1-" + Hex(Fnv1a64(bytes.substr(0, bytes.size() - 8)), 12);
  return c;
}

std::vector<Prediction> CategoryModel::Predict(std::string_view text, int k) const {
  std::vector<Prediction> out;
  const std::vector<std::string> tokens = Tokens(text);
  if (tokens.empty() || k <= 0) return out;
  const std::size_t n = labels_.size();
  std::vector<double> p(n, 0.0);
  double linear_weight = options_.linear_weight;
  if (!fasttext_) linear_weight = 1;
  if (linear_.num_labels() == 0) linear_weight = 0;
  if (fasttext_ && linear_weight < 1) {
    std::istringstream in(Join(tokens) + "\n");
    std::vector<int32_t> words, line_labels;
    fasttext_->getDictionary()->getLine(in, words, line_labels);
    fasttext::Predictions predictions;
    fasttext_->predict(static_cast<int32_t>(fasttext_label_index_.size()), words, predictions);
    for (const auto& [log_p, id] : predictions) {
      p[fasttext_label_index_[id]] += (1 - linear_weight) * std::exp(log_p);
    }
    if (predictions.empty()) {
      for (double& x : p) x += (1 - linear_weight) / static_cast<double>(n);
    }
  }
  if (linear_weight > 0) {
    const std::vector<double> q = linear_.Probabilities(tokens);
    for (std::size_t i = 0; i < n; ++i) p[i] += linear_weight * q[i];
  }
  // fastText's probabilities are single precision: renormalise so that they sum to 1 exactly.
  double sum = 0;
  for (double x : p) sum += x;
  for (std::size_t i = 0; i < n; ++i) out.push_back({labels_[i], sum > 0 ? p[i] / sum : 0});
  std::sort(out.begin(), out.end(), [](const Prediction& a, const Prediction& b) {
    return a.probability != b.probability ? a.probability > b.probability : a.code < b.code;
  });
  if (out.size() > static_cast<std::size_t>(k)) out.resize(k);
  return out;
}

}  // namespace jiesu::dispatch
