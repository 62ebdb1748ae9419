// Latency of the whole dispatch step of intake (issue 3): normalise and tokenise, classify,
// match the address, route, and score 300 recent open cases of the unit for duplicates — for one
// message at a time on one core. Reports p50 and p99 per message beside the
// same step with the catalogue's keywords in place of the model (the baseline measured in the
// same run). The SQLite read of the recent cases is not included.
//
//   JIESU_BENCH_MODEL=build/category.model build-bench/jiesu_dispatch_benchmark
//
// Two sets of messages: the real web messages of ../shared/data/requests/unlabelled.csv (median
// 217 characters, 1% over 2,200; skipped when absent) and the hotline-style texts of
// tests/data/address-matcher.csv (one or two sentences, as an agent types them).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "common/csv.hpp"
#include "dispatch/catalogue_classifier.hpp"
#include "common/bigrams.hpp"
#include "dispatch/gazetteer.hpp"
#include "dispatch/router.hpp"
#include "service/reference.hpp"

namespace {

using namespace jiesu;

struct Fixture {
  domain::UnitTree units;
  domain::Catalogue catalogue;
  std::vector<std::pair<std::string, std::string>> web;      // title, text
  std::vector<std::pair<std::string, std::string>> hotline;  // title (empty), text
  // Bigrams of 300 "recent open cases" (CaseService caches them per case, so intake computes
  // only the new message's).
  std::vector<BigramSet> open_cases;
};

Fixture& Data() {
  static Fixture f = [] {
    Fixture x;
    const std::string root = JIESU_SOURCE_DIR;
    x.units = domain::UnitTree::Build(service::LoadShippedUnits(root + "/data").value()).value();
    x.catalogue =
        domain::Catalogue::Build(service::LoadShippedCategories(root + "/data").value()).value();
    auto load = [](const std::string& path, std::size_t max) {
      std::vector<std::pair<std::string, std::string>> out;
      if (!std::filesystem::exists(path)) return out;
      const auto rows = ParseCsv(ReadFile(path).value()).value();
      const int title = CsvColumn(rows[0], "title"), text = CsvColumn(rows[0], "text");
      for (std::size_t r = 1; r < rows.size() && out.size() < max; ++r) {
        out.emplace_back(title >= 0 ? rows[r][title] : "", rows[r][text]);
      }
      return out;
    };
    x.web = load(root + "/../shared/data/requests/unlabelled.csv", 2000);
    x.hotline = load(root + "/tests/data/address-matcher.csv", 2000);
    const auto& pool = x.web.empty() ? x.hotline : x.web;
    for (std::size_t i = 0; i < 300; ++i) {
      const auto& m = pool[(i * 7) % pool.size()];
      x.open_cases.push_back(Bigrams(m.first + m.second));
    }
    return x;
  }();
  return f;
}

void Dispatch(benchmark::State& state, bool with_model) {
  Fixture& f = Data();
  const auto& messages = state.range(0) == 0 ? f.web : f.hotline;
  if (messages.empty()) {
    state.SkipWithError("../shared/data/requests/unlabelled.csv is absent");
    return;
  }
  dispatch::CatalogueClassifier classifier(f.catalogue);
  if (with_model) {
    const char* path = std::getenv("JIESU_BENCH_MODEL");
    if (path == nullptr) {
      state.SkipWithError("set JIESU_BENCH_MODEL to a model file (make model)");
      return;
    }
    auto model = dispatch::CategoryModel::Load(path);
    if (!model.ok()) {
      state.SkipWithError(model.status().message().c_str());
      return;
    }
    classifier.SetModel(std::move(model).value());
  }
  const dispatch::Gazetteer gazetteer(f.units);
  const dispatch::Router router(f.units, f.catalogue, classifier, gazetteer);
  std::vector<double> micros;
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& [title, text] = messages[i++ % messages.size()];
    const auto start = std::chrono::steady_clock::now();
    const auto proposal = router.Propose(title, text, "", "");
    const auto mine = Bigrams(title + text);
    int similar = 0;
    for (const auto& other : f.open_cases) {
      similar += SimilarityIfAtLeast(mine, other, 0.35) >= 0.35;
    }
    benchmark::DoNotOptimize(proposal);
    benchmark::DoNotOptimize(similar);
    micros.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(micros.begin(), micros.end());
  if (!micros.empty()) {
    state.counters["p50_us"] = micros[micros.size() / 2];
    state.counters["p99_us"] = micros[std::min(micros.size() - 1, micros.size() * 99 / 100)];
  }
}

void BM_DispatchWithModel(benchmark::State& state) { Dispatch(state, true); }
void BM_DispatchKeywordsOnly(benchmark::State& state) { Dispatch(state, false); }

// Argument 0: web messages, 1: hotline texts.
BENCHMARK(BM_DispatchWithModel)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond)->MinTime(3);
BENCHMARK(BM_DispatchKeywordsOnly)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond)->MinTime(3);

}  // namespace

BENCHMARK_MAIN();
