// `jiesu model train|eval|cv|tokenize|places` — the dispatch models' command line (DESIGN §6.2).
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/commands.hpp"
#include "common/csv.hpp"
#include "dispatch/category_model.hpp"
#include "dispatch/gazetteer.hpp"
#include "service/reference.hpp"
#include "dispatch/training_data.hpp"

namespace jiesu::cli {

namespace {

using dispatch::ClassifierOptions;
using dispatch::CategoryModel;
using dispatch::LabelledText;

struct TrainFlags {
  std::string data;
  std::vector<std::string> pretrain;
  std::string taxonomy;
  std::string tokenizer = "chars";
  ClassifierOptions options;
};

struct ModelFlags {
  TrainFlags train;
  std::string out;
  std::string model;
  std::string eval_data;
  int folds = 5;
  std::uint64_t fold_seed = 12345;
  bool with_labels = false;
};

void AddTrainFlags(CLI::App* cmd, TrainFlags* f) {
  ClassifierOptions& o = f->options;
  cmd->add_option("--data", f->data, "Labelled CSV: id,title,text,label")->required();
  cmd->add_option("--pretrain", f->pretrain,
                  "Unlabelled CSV(s) (id,title,text) to pretrain word vectors on")
      ->expected(1, -1);
  cmd->add_option("--taxonomy", f->taxonomy,
                  "Label tree CSV (level1,level2,level3): its names become extra examples");
  cmd->add_option("--tokenizer", f->tokenizer, "chars | friso | icu")
      ->check(CLI::IsMember({"chars", "friso", "icu"}))
      ->capture_default_str();
  cmd->add_option("--title-repeat", o.title_repeat, "Extra copies of the title's tokens")
      ->capture_default_str();
  cmd->add_option("--balanced", o.balanced, "Weigh every label the same (true/false)")
      ->capture_default_str();
  cmd->add_option("--epochs", o.epochs, "fastText epochs")->capture_default_str();
  cmd->add_option("--lr", o.lr, "fastText learning rate")->capture_default_str();
  cmd->add_option("--dim", o.dim, "Vector dimension")->capture_default_str();
  cmd->add_option("--word-ngrams", o.word_ngrams, "fastText word n-grams")->capture_default_str();
  cmd->add_option("--bucket", o.bucket, "fastText n-gram hash buckets")->capture_default_str();
  cmd->add_option("--pretrain-epochs", o.pretrain_epochs, "Skipgram epochs")
      ->capture_default_str();
  cmd->add_option("--pretrain-min-count", o.pretrain_min_count, "Skipgram minimum count")
      ->capture_default_str();
  cmd->add_option("--pretrained-vocabulary", o.pretrained_vocabulary,
                  "Keep pretrained vectors of words unseen in the labelled data (true/false)")
      ->capture_default_str();
  cmd->add_option("--linear-weight", o.linear_weight,
                  "Weight of the linear model in the ensemble (0 = fastText only, 1 = linear only)")
      ->capture_default_str();
  cmd->add_option("--linear-ngrams", o.linear.max_ngram, "Linear model: token n-grams 1..N")
      ->capture_default_str();
  cmd->add_option("--linear-iterations", o.linear.epochs, "Linear model: L-BFGS iterations at most")
      ->capture_default_str();

  cmd->add_option("--linear-l2", o.linear.l2, "Linear model L2 penalty")->capture_default_str();
  cmd->add_option("--threads", o.threads, "Threads for pretraining")->capture_default_str();
  cmd->add_option("--seed", o.seed, "Random seed")->capture_default_str();
  cmd->add_flag("--verbose", o.verbose, "Show fastText's progress");
}

struct TrainingSet {
  std::vector<LabelledText> labelled;  // --data rows
  std::vector<LabelledText> extra;     // taxonomy examples, always in the training side
  std::vector<std::string> unlabelled;
};

Result<TrainingSet> LoadTrainingSet(TrainFlags* f) {
  TrainingSet set;
  JIESU_ASSIGN_OR_RETURN(f->options.tokenizer, dispatch::ParseTokenizerKind(f->tokenizer));
  JIESU_ASSIGN_OR_RETURN(set.labelled,
                         dispatch::LoadTextsCsv(f->data, dispatch::LabelColumn::kRequired));
  if (!f->taxonomy.empty()) {
    JIESU_ASSIGN_OR_RETURN(set.extra, dispatch::LoadTaxonomyExamples(
                                          f->taxonomy, dispatch::DistinctLabels(set.labelled)));
  }
  // Unlabelled copies of labelled messages are dropped: in cross-validation they would show the
  // held-out texts to pretraining.
  std::set<std::string> labelled_texts;
  for (const auto& r : set.labelled) labelled_texts.insert(r.text);
  for (const auto& path : f->pretrain) {
    JIESU_ASSIGN_OR_RETURN(auto rows, dispatch::LoadTextsCsv(path, dispatch::LabelColumn::kIgnored));
    for (const auto& r : rows) {
      if (!labelled_texts.count(r.text)) set.unlabelled.push_back(dispatch::DocumentText(r));
    }
  }
  return set;
}

struct Evaluation {
  std::size_t n = 0;
  double accuracy = 0;
  double macro_f1 = 0;
  double docs_per_s = 0;
  struct PerLabel {
    double precision = 0, recall = 0, f1 = 0;
    std::size_t support = 0;
  };
  std::map<std::string, PerLabel> per_label;
  // Per message: the top label's probability and whether it was right (for the auto-dispatch
  // curve of `model cv`).
  std::vector<std::pair<double, bool>> confidence;
};

Evaluation Evaluate(const CategoryModel& model, const std::vector<LabelledText>& data) {
  std::vector<std::string> predicted(data.size());
  std::vector<double> probability(data.size(), 0);
  std::vector<std::string> texts;
  texts.reserve(data.size());
  for (const auto& row : data) texts.push_back(dispatch::DocumentText(row));
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < data.size(); ++i) {
    const auto p = model.Predict(texts[i], 1);
    if (!p.empty()) {
      predicted[i] = p.front().code;
      probability[i] = p.front().probability;
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Evaluation e;
  e.n = data.size();
  e.docs_per_s = seconds > 0 ? static_cast<double>(data.size()) / seconds : 0;
  std::map<std::string, std::size_t> tp, fp, fn;
  std::set<std::string> labels;
  std::size_t correct = 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    const std::string& truth = data[i].label;
    labels.insert(truth);
    if (!predicted[i].empty()) labels.insert(predicted[i]);
    e.confidence.emplace_back(probability[i], predicted[i] == truth);
    if (predicted[i] == truth) {
      ++correct;
      ++tp[truth];
    } else {
      ++fn[truth];
      if (!predicted[i].empty()) ++fp[predicted[i]];
    }
  }
  e.accuracy = e.n ? static_cast<double>(correct) / static_cast<double>(e.n) : 0;
  double f1_sum = 0;
  for (const auto& label : labels) {
    Evaluation::PerLabel& pl = e.per_label[label];
    const double t = static_cast<double>(tp[label]);
    pl.support = tp[label] + fn[label];
    pl.precision = tp[label] + fp[label] ? t / static_cast<double>(tp[label] + fp[label]) : 0;
    pl.recall = pl.support ? t / static_cast<double>(pl.support) : 0;
    pl.f1 = pl.precision + pl.recall > 0
                ? 2 * pl.precision * pl.recall / (pl.precision + pl.recall)
                : 0;
    f1_sum += pl.f1;
  }
  e.macro_f1 = labels.empty() ? 0 : f1_sum / static_cast<double>(labels.size());
  return e;
}

double Round(double x, int digits) {
  const double scale = std::pow(10.0, digits);
  return std::round(x * scale) / scale;
}

nlohmann::json EvaluationToJson(const Evaluation& e) {
  nlohmann::json per_label = nlohmann::json::object();
  for (const auto& [label, pl] : e.per_label) {
    per_label[label] = {{"precision", Round(pl.precision, 4)},
                        {"recall", Round(pl.recall, 4)},
                        {"f1", Round(pl.f1, 4)},
                        {"support", pl.support}};
  }
  return {{"n", e.n},
          {"accuracy", Round(e.accuracy, 4)},
          {"macro_f1", Round(e.macro_f1, 4)},
          {"docs_per_s", Round(e.docs_per_s, 1)},
          {"per_label", per_label}};
}

int Fail(const Status& s) {
  std::cerr << "jiesu: " << s.message() << "\n";
  return 1;
}

int RunTrain(ModelFlags* f) {
  auto set = LoadTrainingSet(&f->train);
  if (!set.ok()) return Fail(set.status());
  std::vector<LabelledText> examples = set->labelled;
  examples.insert(examples.end(), set->extra.begin(), set->extra.end());
  const auto start = std::chrono::steady_clock::now();
  std::unique_ptr<dispatch::UnlabelledCorpus> corpus;
  if (!set->unlabelled.empty()) {
    auto built = dispatch::UnlabelledCorpus::Build(set->unlabelled, f->train.options);
    if (!built.ok()) return Fail(built.status());
    corpus = std::move(built).value();
  }
  auto model = CategoryModel::Train(examples, corpus.get(), f->train.options);
  if (!model.ok()) return Fail(model.status());
  const Status saved = (*model)->Save(f->out);
  if (!saved.ok()) return Fail(saved);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cerr << "trained on " << set->labelled.size() << " messages";
  if (!set->extra.empty()) std::cerr << " + " << set->extra.size() << " taxonomy examples";
  if (!set->unlabelled.empty()) std::cerr << ", with " << set->unlabelled.size() << " unlabelled";
  std::cerr << " in " << Round(seconds, 1) << " s; " << (*model)->Labels().size()
            << " labels; wrote " << f->out << " (" << (*model)->Version() << ")\n";
  return 0;
}

int RunEval(ModelFlags* f) {
  auto model = CategoryModel::Load(f->model);
  if (!model.ok()) return Fail(model.status());
  auto data = dispatch::LoadTextsCsv(f->eval_data, dispatch::LabelColumn::kRequired);
  if (!data.ok()) return Fail(data.status());
  std::cout << EvaluationToJson(Evaluate(**model, *data)).dump() << "\n";
  return 0;
}

// Stratified k-fold cross-validation, everything in process: a development tool for choosing
// options (bench/classifier_baseline.py is the reference measurement).
int RunCv(ModelFlags* f) {
  auto set = LoadTrainingSet(&f->train);
  if (!set.ok()) return Fail(set.status());
  if (f->folds < 2) {
    std::cerr << "jiesu: --folds must be at least 2\n";
    return 2;
  }
  const std::vector<int> fold = dispatch::StratifiedFolds(set->labelled, f->folds, f->fold_seed);
  std::unique_ptr<dispatch::UnlabelledCorpus> corpus;
  if (!set->unlabelled.empty()) {
    const auto start = std::chrono::steady_clock::now();
    auto built = dispatch::UnlabelledCorpus::Build(set->unlabelled, f->train.options);
    if (!built.ok()) return Fail(built.status());
    corpus = std::move(built).value();
    std::cerr << "pretrained on " << corpus->size() << " unlabelled messages in "
              << Round(std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
                           .count(),
                       1)
              << " s\n";
  }
  nlohmann::json folds = nlohmann::json::array();
  std::vector<double> f1s, accs;
  std::map<std::string, std::vector<double>> label_f1;
  std::vector<std::pair<double, bool>> confidence;  // pooled over the folds
  for (int k = 0; k < f->folds; ++k) {
    std::vector<LabelledText> train = set->extra, test;
    for (std::size_t i = 0; i < set->labelled.size(); ++i) {
      (fold[i] == k ? test : train).push_back(set->labelled[i]);
    }
    const auto start = std::chrono::steady_clock::now();
    auto model = CategoryModel::Train(train, corpus.get(), f->train.options);
    if (!model.ok()) return Fail(model.status());
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const Evaluation e = Evaluate(**model, test);
    nlohmann::json j = EvaluationToJson(e);
    j["train_seconds"] = Round(seconds, 2);
    folds.push_back(j);
    f1s.push_back(e.macro_f1);
    accs.push_back(e.accuracy);
    for (const auto& [label, pl] : e.per_label) label_f1[label].push_back(pl.f1);
    confidence.insert(confidence.end(), e.confidence.begin(), e.confidence.end());
    std::cerr << "fold " << k + 1 << "/" << f->folds << ": macro-F1 " << Round(e.macro_f1, 4)
              << " (" << Round(seconds, 1) << " s)\n";
  }
  const auto mean_std = [](const std::vector<double>& v) {
    double mean = 0, var = 0;
    for (double x : v) mean += x;
    mean /= static_cast<double>(v.size());
    for (double x : v) var += (x - mean) * (x - mean);
    // Sample standard deviation over the folds.
    const double sd = v.size() > 1 ? std::sqrt(var / static_cast<double>(v.size() - 1)) : 0;
    return nlohmann::json{{"mean", Round(mean, 4)}, {"std", Round(sd, 4)}};
  };
  nlohmann::json per_label = nlohmann::json::object();
  for (const auto& [label, v] : label_f1) per_label[label] = mean_std(v)["mean"];
  // What an auto-dispatch threshold on the category's probability would do on held-out
  // messages: the share above it (coverage) and how many of those are right (precision).
  nlohmann::json curve = nlohmann::json::array();
  for (double threshold : {0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9}) {
    std::size_t above = 0, right = 0;
    for (const auto& [p, ok] : confidence) {
      if (p < threshold) continue;
      ++above;
      right += ok ? 1 : 0;
    }
    curve.push_back(
        {{"threshold", threshold},
         {"coverage", Round(static_cast<double>(above) / static_cast<double>(confidence.size()), 4)},
         {"precision", above ? nlohmann::json(Round(static_cast<double>(right) /
                                                        static_cast<double>(above), 4))
                             : nlohmann::json(nullptr)}});
  }
  nlohmann::json out = {{"folds", f->folds},
                        {"n", set->labelled.size()},
                        {"macro_f1", mean_std(f1s)},
                        {"accuracy", mean_std(accs)},
                        {"per_label_f1", per_label},
                        {"auto_dispatch", curve},
                        {"per_fold", folds}};
  std::cout << out.dump() << "\n";
  return 0;
}

// The tokens the classifier sees, one message a line, in fastText's input format (with
// `__label__LABEL` first when the CSV has labels): lets fastText's own tools run on exactly the
// same tokens (bench/classifier_baseline.py).
int RunTokenize(ModelFlags* f) {
  auto kind = dispatch::ParseTokenizerKind(f->train.tokenizer);
  if (!kind.ok()) return Fail(kind.status());
  auto tokenizer = dispatch::Tokenizer::Create(*kind);
  if (!tokenizer.ok()) return Fail(tokenizer.status());
  auto data = dispatch::LoadTextsCsv(f->train.data, f->with_labels
                                                        ? dispatch::LabelColumn::kRequired
                                                        : dispatch::LabelColumn::kIgnored);
  if (!data.ok()) return Fail(data.status());
  std::string out;
  for (const auto& row : *data) {
    std::string line;
    if (f->with_labels) line = "__label__" + row.label;
    for (const auto& t : (*tokenizer)->Tokenize(dispatch::DocumentText(row))) {
      if (!line.empty()) line += ' ';
      line += t;
    }
    out += line + "\n";
  }
  std::cout << out;
  return 0;
}

// The address matcher on a labelled CSV (id,text,address,township,community,kind; see
// tests/data/README.md): accuracy at township and community level, overall and per kind, and the
// rows it got wrong.
int RunPlaces(const std::string& data_path, const std::string& data_dir, bool show_misses) {
  auto text = ReadFile(data_path);
  if (!text.ok()) return Fail(text.status());
  auto rows = ParseCsv(*text);
  if (!rows.ok()) return Fail(Status::Invalid(data_path + ": " + rows.status().message()));
  auto shipped = service::LoadShippedUnits(data_dir.empty() ? service::DefaultDataDir() : data_dir);
  if (!shipped.ok()) return Fail(shipped.status());
  auto units = domain::UnitTree::Build(std::move(shipped).value());
  if (!units.ok()) return Fail(units.status());
  const dispatch::Gazetteer gazetteer(*units);
  struct Tally {
    int n = 0, township = 0, community = 0;
  };
  std::map<std::string, Tally> by_kind;
  Tally all;
  nlohmann::json misses = nlohmann::json::array();
  const auto& header = rows->front();
  const int c_id = CsvColumn(header, "id"), c_text = CsvColumn(header, "text"),
            c_address = CsvColumn(header, "address"), c_township = CsvColumn(header, "township"),
            c_community = CsvColumn(header, "community"), c_kind = CsvColumn(header, "kind");
  if (c_text < 0 || c_address < 0 || c_township < 0 || c_community < 0) {
    return Fail(Status::Invalid(data_path + ": needs the columns text,address,township,community"));
  }
  const auto started = std::chrono::steady_clock::now();
  for (std::size_t r = 1; r < rows->size(); ++r) {
    const auto& row = (*rows)[r];
    if (row.size() != header.size()) continue;
    const auto got = gazetteer.Locate(row[c_address], row[c_text]);
    const bool t_ok = got.township == row[c_township];
    const bool c_ok = t_ok && got.community == row[c_community];
    for (Tally* tally : {&all, &by_kind[c_kind < 0 ? "" : row[c_kind]]}) {
      ++tally->n;
      tally->township += t_ok ? 1 : 0;
      tally->community += c_ok ? 1 : 0;
    }
    if (show_misses && !c_ok) {
      misses.push_back({{"id", c_id < 0 ? "" : row[c_id]},
                        {"expected", row[c_community].empty() ? row[c_township] : row[c_community]},
                        {"got", got.community.empty() ? got.township : got.community},
                        {"matched", got.matched}});
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  auto tally_json = [](const Tally& t) {
    return nlohmann::json{
        {"n", t.n},
        {"township_accuracy", t.n ? Round(static_cast<double>(t.township) / t.n, 4) : 0.0},
        {"community_accuracy", t.n ? Round(static_cast<double>(t.community) / t.n, 4) : 0.0}};
  };
  nlohmann::json out = tally_json(all);
  out["texts_per_s"] = seconds > 0 ? Round(all.n / seconds, 0) : 0.0;
  for (const auto& [kind, t] : by_kind) out["per_kind"][kind] = tally_json(t);
  if (show_misses) out["misses"] = misses;
  std::cout << out.dump() << "\n";
  return 0;
}

}  // namespace

void AddModel(CLI::App& cli, int* exit_code) {
  CLI::App* model = cli.add_subcommand("model", "Train and evaluate the category classifier");
  model->require_subcommand(1);
  auto f = std::make_shared<ModelFlags>();

  CLI::App* train = model->add_subcommand("train", "Train a classifier and write its model file");
  AddTrainFlags(train, &f->train);
  train->add_option("--out", f->out, "Model file to write")->required();
  train->callback([f, exit_code] { *exit_code = RunTrain(f.get()); });

  CLI::App* eval = model->add_subcommand(
      "eval", "Evaluate a model file on labelled CSV; prints one JSON object");
  eval->add_option("--model", f->model, "Model file written by 'model train'")->required();
  eval->add_option("--data", f->eval_data, "Labelled CSV: id,title,text,label")->required();
  eval->callback([f, exit_code] { *exit_code = RunEval(f.get()); });

  CLI::App* cv = model->add_subcommand(
      "cv", "Stratified k-fold cross-validation of the training options; prints one JSON object");
  AddTrainFlags(cv, &f->train);
  cv->add_option("--folds", f->folds, "Number of folds")->capture_default_str();
  cv->add_option("--fold-seed", f->fold_seed, "Seed of the fold assignment")
      ->capture_default_str();
  cv->callback([f, exit_code] { *exit_code = RunCv(f.get()); });

  CLI::App* tokenize = model->add_subcommand(
      "tokenize", "Print the classifier's tokens of each message, one line each (fastText format)");
  tokenize->add_option("--data", f->train.data, "CSV with a text column")->required();
  tokenize->add_option("--tokenizer", f->train.tokenizer, "chars | friso | icu")
      ->check(CLI::IsMember({"chars", "friso", "icu"}))
      ->capture_default_str();
  tokenize->add_flag("--labels", f->with_labels, "Start each line with __label__LABEL");
  tokenize->callback([f, exit_code] { *exit_code = RunTokenize(f.get()); });

  auto places = std::make_shared<std::tuple<std::string, std::string, bool>>();
  CLI::App* places_cmd = model->add_subcommand(
      "places", "Evaluate the address matcher on labelled CSV; prints one JSON object");
  places_cmd
      ->add_option("--data", std::get<0>(*places),
                   "CSV: id,text,address,township,community,kind (tests/data/address-matcher.csv)")
      ->required();
  places_cmd->add_option("--data-dir", std::get<1>(*places), "Shipped data (units)");
  places_cmd->add_flag("--misses", std::get<2>(*places), "List the rows it got wrong");
  places_cmd->callback([places, exit_code] {
    *exit_code = RunPlaces(std::get<0>(*places), std::get<1>(*places), std::get<2>(*places));
  });
}

}  // namespace jiesu::cli
