// Replay of real data (`jiesu import`): the shared competition messages with their official
// replies (requests/replied.csv: id,title,text,time,reply,reply_time) become cases with their
// real times, so that the monthly review can run over that real period.
//
// Each row becomes: created (source web, at `time`), dispatched a minute later to the unit the
// router proposes (category by the model or the keywords; a 属地 category without a recognisable
// Tongzhou place goes to the district, as the router does; no category: the district), accepted
// and replied at `reply_time` with the official reply (the unit's own claim: resolved). The data
// hold no callbacks, so no unit gets a 满意率 from them: the review shows volume, timeliness and
// hot topics. Events go through domain::Decide, so imported cases obey the workflow.
//
// Rows with an unreadable time, an empty text, or a reply before the message are skipped and
// counted. A file is imported once: its BLAKE2b digest is recorded in meta and a second import of
// the same bytes is refused with Conflict. Thread-safe as long as nobody imports concurrently.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/csv.hpp"
#include "common/result.hpp"
#include "dispatch/router.hpp"
#include "service/reference.hpp"
#include "storage/database.hpp"

namespace jiesu::service {

struct ImportStats {
  int cases = 0;
  int events = 0;
  std::map<std::string, int> skipped;  // reason → rows
  std::string first_month, last_month;  // of the imported messages, "YYYY-MM"
};

// `csv` is the file's text. InvalidArgument when the header is not the replied.csv layout or the
// CSV does not parse; Conflict when these bytes were imported before.
Result<ImportStats> ImportReplied(storage::Database& db, const Reference& ref,
                                  const dispatch::Router& router, std::string_view csv);

// What ImportReplied stores for a replied.csv already parsed (rows[0] its header), without storing
// it: a case with its events for every usable row, the skipped rows counted in `stats`.
// InvalidArgument when the header is not the replied.csv layout; a workflow refusal
// (domain::Decide) should a row's events not go through. Pure (fuzz/csv_import_fuzz.cpp).
struct ReplayBatch {
  std::vector<storage::NewCase> cases;
  ImportStats stats;
};
Result<ReplayBatch> ReplayCases(const Reference& ref, const dispatch::Router& router,
                                const std::vector<CsvRow>& rows);

// "2019/4/25 9:32:09" (Beijing) → timestamp; also "YYYY/M/D H:MM" and "YYYY/M/D".
Result<Timestamp> ParseSlashTime(std::string_view text);

}  // namespace jiesu::service
