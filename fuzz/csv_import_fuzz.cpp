// CSV files given to `jiesu import`: a case export coming back (service::ParseCaseImport: each
// row's id and event log, folded as untrusted input) and the replied messages of the replay
// import (service::ReplayCases: times, texts and replies through the router and the workflow).
// Both read the file with the RFC 4180 reader (ParseCsv), whose writer must give back what it
// read. Every case either import accepts must fold again from its events.
#include "domain/workflow.hpp"
#include "fuzz_support.hpp"
#include "service/case_export.hpp"
#include "service/replay_import.hpp"

using namespace jiesu;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)fuzz::TheWorld();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fuzz::World& w = fuzz::TheWorld();
  const std::string_view csv = fuzz::AsText(data, size);
  auto rows = ParseCsv(csv);
  if (!rows.ok()) {
    JIESU_FUZZ_CHECK(rows.status().code() == StatusCode::kInvalidArgument);
    return 0;
  }
  // The writer gives back what the reader read, row by row (a row of one empty field is a blank
  // line, which the reader skips).
  for (const CsvRow& row : *rows) {
    JIESU_FUZZ_CHECK(!row.empty());
    if (row.size() == 1 && row[0].empty()) continue;
    auto again = ParseCsv(CsvLine(row));
    JIESU_FUZZ_CHECK(again.ok() && again->size() == 1 && again->front() == row);
  }
  if (rows->empty()) return 0;

  if (service::IsCaseExport(rows->front())) {
    service::CaseImportStats stats;
    auto batch = service::ParseCaseImport(csv, &stats);
    if (!batch.ok()) {
      JIESU_FUZZ_CHECK(batch.status().code() == StatusCode::kInvalidArgument);
    } else {
      JIESU_FUZZ_CHECK(static_cast<int>(batch->size()) == stats.cases);
      for (const storage::NewCase& nc : *batch) {
        JIESU_FUZZ_CHECK(nc.id && *nc.id > 0);
        auto folded = domain::FoldUntrusted(nc.events);
        JIESU_FUZZ_CHECK(folded.ok() && folded->id == *nc.id);
      }
    }
  }

  auto replay = service::ReplayCases(w.ref, *w.router, *rows);
  if (!replay.ok()) {
    JIESU_FUZZ_CHECK(replay.status().code() == StatusCode::kInvalidArgument);
    return 0;
  }
  int skipped = 0;
  for (const auto& [reason, n] : replay->stats.skipped) skipped += n;
  JIESU_FUZZ_CHECK(replay->stats.cases + skipped == static_cast<int>(rows->size()) - 1);
  JIESU_FUZZ_CHECK(static_cast<int>(replay->cases.size()) == replay->stats.cases);
  for (const storage::NewCase& nc : replay->cases) {
    auto folded = domain::FoldUntrusted(nc.events);
    if (!folded.ok()) std::fprintf(stderr, "%s\n", folded.status().ToString().c_str());
    JIESU_FUZZ_CHECK(folded.ok());
    JIESU_FUZZ_CHECK(folded->status == domain::CaseStatus::kReplied);
  }
  return 0;
}
