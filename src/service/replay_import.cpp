#include "service/replay_import.hpp"

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "common/csv.hpp"
#include "common/utf8.hpp"
#include "domain/workflow.hpp"

namespace jiesu::service {

using namespace jiesu::domain;

namespace {

constexpr std::size_t kMaxTextChars = 5000;  // the case intake's limit; longer texts are cut

std::string Digest(std::string_view bytes) {
  unsigned char out[32];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size(), nullptr, 0);
  char hex[2 * sizeof out + 1];
  return sodium_bin2hex(hex, sizeof hex, out, sizeof out);
}

bool ReadInt(std::string_view s, int& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

CaseType GuessType(const std::string& title) {
  if (title.find("建议") != std::string::npos) return CaseType::kSuggestion;
  for (const char* q : {"咨询", "请问", "何时", "能否", "是否"}) {
    if (title.find(q) != std::string::npos) return CaseType::kConsult;
  }
  return CaseType::kComplaint;
}

}  // namespace

Result<Timestamp> ParseSlashTime(std::string_view text) {
  const std::string_view t = TrimSpace(text);
  const auto space = t.find(' ');
  const std::string_view date = t.substr(0, space);
  const std::string_view clock = space == std::string_view::npos ? "" : t.substr(space + 1);
  int parts[3] = {0, 0, 0};
  std::size_t start = 0;
  for (int i = 0; i < 3; ++i) {
    const auto slash = date.find('/', start);
    if ((i < 2) == (slash == std::string_view::npos)) return Status::Invalid("not Y/M/D");
    if (!ReadInt(date.substr(start, i < 2 ? slash - start : std::string_view::npos), parts[i])) {
      return Status::Invalid("not Y/M/D");
    }
    start = slash + 1;
  }
  int hms[3] = {0, 0, 0};
  if (!clock.empty()) {
    start = 0;
    int i = 0;
    for (; i < 3 && start <= clock.size(); ++i) {
      const auto colon = clock.find(':', start);
      if (!ReadInt(clock.substr(start, colon == std::string_view::npos ? colon : colon - start),
                   hms[i])) {
        return Status::Invalid("not H:MM[:SS]");
      }
      if (colon == std::string_view::npos) break;
      start = colon + 1;
    }
    if (i == 0 || i > 2) return Status::Invalid("not H:MM[:SS]");
  }
  char iso[40];
  std::snprintf(iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", parts[0], parts[1],
                parts[2], hms[0], hms[1], hms[2]);
  if (parts[0] < 1000) return Status::Invalid("year out of range");
  return ParseTime(iso);
}

Result<ImportStats> ImportReplied(storage::Database& db, const Reference& ref,
                                  const dispatch::Router& router, std::string_view csv) {
  JIESU_ASSIGN_OR_RETURN(auto rows, ParseCsv(csv));
  if (rows.empty()) return Status::Invalid("the file is empty");
  JIESU_ASSIGN_OR_RETURN(ReplayBatch batch, ReplayCases(ref, router, rows));
  const std::string meta_key = "import.replied." + Digest(csv);
  JIESU_ASSIGN_OR_RETURN(auto done, db.GetMeta(meta_key));
  if (done) return Status::Conflict("this file was imported already (" + *done + ")");
  if (!batch.cases.empty()) JIESU_RETURN_IF_ERROR(db.CreateCases(std::move(batch.cases)).status());
  JIESU_RETURN_IF_ERROR(db.SetMeta(meta_key, std::to_string(batch.stats.cases) + " cases"));
  return batch.stats;
}

Result<ReplayBatch> ReplayCases(const Reference& ref, const dispatch::Router& router,
                                const std::vector<CsvRow>& rows) {
  if (rows.empty()) return Status::Invalid("the file is empty");
  const CsvRow& header = rows.front();
  const int c_id = CsvColumn(header, "id"), c_title = CsvColumn(header, "title"),
            c_text = CsvColumn(header, "text"), c_time = CsvColumn(header, "time"),
            c_reply = CsvColumn(header, "reply"), c_reply_time = CsvColumn(header, "reply_time");
  if (std::min({c_id, c_title, c_text, c_time, c_reply, c_reply_time}) < 0) {
    return Status::Invalid(
        "not a replied-messages file: the header needs id,title,text,time,reply,reply_time");
  }
  DecideContext ctx;
  ctx.catalogue = &ref.catalogue;
  ctx.calendar = &ref.calendar;
  ctx.units = &ref.units;
  const Actor system{Role::kSystem, "", "replay import", 0};
  const std::string district = ref.units.Root().code;

  ReplayBatch out;
  ImportStats& stats = out.stats;
  Timestamp first = 0, last = 0;
  std::vector<storage::NewCase>& batch = out.cases;  // written in one transaction: all or none
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const CsvRow& row = rows[r];
    const auto field = [&](int c) -> std::string {
      return c < static_cast<int>(row.size()) ? std::string(TrimSpace(row[c])) : std::string();
    };
    auto at = ParseSlashTime(field(c_time));
    auto replied_at = ParseSlashTime(field(c_reply_time));
    const std::string text(Utf8Prefix(field(c_text), kMaxTextChars));
    const std::string title(Utf8Prefix(field(c_title), 200));
    const std::string reply(Utf8Prefix(field(c_reply), kMaxTextChars));
    if (!at.ok() || !replied_at.ok()) {
      ++stats.skipped["unreadable time"];
      continue;
    }
    if (text.empty() || reply.empty()) {
      ++stats.skipped["empty text or reply"];
      continue;
    }
    if (*replied_at < *at + 120) {
      ++stats.skipped["reply before the message"];
      continue;
    }
    const dispatch::Proposal p = router.Propose(title, text, "", "");

    std::vector<CaseEvent> events;
    CaseEvent created;
    created.seq = 1;
    created.at = *at;
    created.kind = EventKind::kCreated;
    created.actor_role = Role::kPublic;
    created.actor_name = "网友";
    created.payload = {{"type", CaseTypeName(GuessType(title))},
                       {"source", "web"},
                       {"urgency", "normal"},
                       {"title", title.empty() ? std::string(Utf8Prefix(text, 30)) : title},
                       {"text", text},
                       {"address", ""},
                       {"category", p.category ? p.category->code : ""},
                       {"anonymous", true},
                       {"has_contact", false},
                       {"external_id", "replied.csv#" + field(c_id)}};
    Case c;
    Apply(c, created);
    events.push_back(created);
    const auto act = [&](Command cmd, const Actor& actor, Timestamp when) -> Status {
      ctx.now = when;
      JIESU_ASSIGN_OR_RETURN(auto more, Decide(c, cmd, actor, ctx));
      for (CaseEvent& e : more) {
        Apply(c, e);
        events.push_back(std::move(e));
      }
      return Status::Ok();
    };
    Command dispatch;
    dispatch.action = Action::kDispatch;
    dispatch.unit = p.unit ? p.unit->code : district;
    dispatch.automatic = p.unit.has_value();
    dispatch.confidence = p.confidence;
    JIESU_RETURN_IF_ERROR(act(dispatch, system, *at + 60));
    const Actor handler{Role::kHandler, dispatch.unit, "承办单位", 0};
    Command accept;
    accept.action = Action::kAccept;
    JIESU_RETURN_IF_ERROR(act(accept, handler, *replied_at - 60));
    Command answer;
    answer.action = Action::kReply;
    answer.text = reply;
    answer.resolved = true;
    JIESU_RETURN_IF_ERROR(act(answer, handler, *replied_at));

    ++stats.cases;
    stats.events += static_cast<int>(events.size());
    first = first == 0 ? *at : std::min(first, *at);
    last = std::max(last, *at);
    batch.push_back({std::move(events), std::nullopt, std::nullopt});
  }
  if (stats.cases > 0) {
    const auto month = [](Timestamp t) {
      Date d = BeijingDate(t);
      d.day = 1;
      return FormatMonth(d);
    };
    stats.first_month = month(first);
    stats.last_month = month(last);
  }
  return out;
}


}  // namespace jiesu::service
