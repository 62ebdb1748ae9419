#include "service/case_export.hpp"

#include <algorithm>
#include <charconv>
#include <functional>

#include "common/clock.hpp"
#include "common/utf8.hpp"
#include "common/xlsx.hpp"
#include "domain/case_event.hpp"

namespace jiesu::service {

using namespace jiesu::domain;
using nlohmann::json;

namespace {

struct Row {
  const Case& c;
  const Reference& ref;
  Timestamp now;
  bool english;
};

std::string Time(const std::optional<Timestamp>& t) { return t ? FormatTime(*t) : ""; }

struct Column {
  const char* en;
  const char* zh;
  double width;  // in the XLSX sheet
  std::function<std::string(const Row&)> value;
};

const std::vector<Column>& Columns() {
  static const std::vector<Column> kColumns = {
      {"id", "工单编号", 9, [](const Row& r) { return std::to_string(r.c.id); }},
      {"type", "类型", 6,
       [](const Row& r) { return r.english ? CaseTypeName(r.c.type) : CaseTypeLabel(r.c.type); }},
      {"source", "来源", 9, [](const Row& r) { return std::string(CaseSourceName(r.c.source)); }},
      {"urgency", "紧急程度", 8, [](const Row& r) { return std::string(UrgencyName(r.c.urgency)); }},
      {"title", "标题", 30, [](const Row& r) { return r.c.title; }},
      {"text", "内容", 60, [](const Row& r) { return r.c.text; }},
      {"address", "地址", 30, [](const Row& r) { return r.c.address; }},
      {"category", "分类编码", 9, [](const Row& r) { return r.c.category; }},
      {"category_name", "分类", 14,
       [](const Row& r) {
         const auto* c = r.ref.catalogue.Find(r.c.category);
         return c ? c->name : std::string();
       }},
      {"unit", "承办单位编码", 13, [](const Row& r) { return r.c.unit; }},
      {"unit_name", "承办单位", 16,
       [](const Row& r) {
         const auto* u = r.ref.units.Find(r.c.unit);
         return u ? u->name : std::string();
       }},
      {"status", "状态", 8,
       [](const Row& r) {
         return r.english ? CaseStatusName(r.c.status) : CaseStatusLabel(r.c.status);
       }},
      {"created_at", "受理时间", 22, [](const Row& r) { return FormatTime(r.c.created_at); }},
      {"dispatched_at", "派单时间", 22, [](const Row& r) { return Time(r.c.dispatched_at); }},
      {"accepted_at", "签收时间", 22, [](const Row& r) { return Time(r.c.accepted_at); }},
      {"replied_at", "答复时间", 22, [](const Row& r) { return Time(r.c.replied_at); }},
      {"due", "办理期限", 22, [](const Row& r) { return Time(r.c.due); }},
      {"overdue", "超期", 6,
       [](const Row& r) {
         const bool o = IsOverdue(r.c, r.now);
         return std::string(r.english ? (o ? "true" : "false") : (o ? "是" : "否"));
       }},
      {"reply", "答复内容", 40, [](const Row& r) { return r.c.reply_text; }},
      {"satisfaction", "满意度", 9,
       [](const Row& r) {
         return r.c.callback ? std::string(SatisfactionLabel(r.c.callback->satisfaction)) : "";
       }},
      {"reopen_count", "重办次数", 8, [](const Row& r) { return std::to_string(r.c.reopen_count); }},
  };
  return kColumns;
}

constexpr const char* kEventsEn = "events";
constexpr const char* kEventsZh = "事件记录";

json EventsToJson(const std::vector<CaseEvent>& events) {
  json out = json::array();
  for (const CaseEvent& e : events) {
    out.push_back({{"seq", e.seq},
                   {"at", FormatTime(e.at)},
                   {"kind", EventKindName(e.kind)},
                   {"actor_role", RoleName(e.actor_role)},
                   {"actor_unit", e.actor_unit},
                   {"actor_name", e.actor_name},
                   {"payload", e.payload}});
  }
  return out;
}

Result<std::vector<CaseEvent>> EventsFromJson(const std::string& text, std::int64_t case_id) {
  if (!IsValidUtf8(text)) return Status::Invalid("the event log is not UTF-8");
  const json j = json::parse(text, nullptr, false);
  if (!j.is_array()) return Status::Invalid("the event log must be a JSON array");
  std::vector<CaseEvent> out;
  for (const json& ej : j) {
    if (!ej.is_object()) return Status::Invalid("each event must be a JSON object");
    const auto str = [&](const char* key) -> Result<std::string> {
      if (!ej.contains(key) || !ej.at(key).is_string()) {
        return Status::Invalid(std::string("an event lacks its ") + key);
      }
      return ej.at(key).get<std::string>();
    };
    CaseEvent e;
    e.case_id = case_id;
    if (!ej.contains("seq") || !ej.at("seq").is_number_integer()) {
      return Status::Invalid("an event lacks its seq");
    }
    e.seq = ej.at("seq").get<int>();
    JIESU_ASSIGN_OR_RETURN(auto at, str("at"));
    JIESU_ASSIGN_OR_RETURN(e.at, ParseTime(at));
    JIESU_ASSIGN_OR_RETURN(auto kind, str("kind"));
    JIESU_ASSIGN_OR_RETURN(e.kind, ParseEventKind(kind));
    JIESU_ASSIGN_OR_RETURN(auto role, str("actor_role"));
    if (role == RoleName(Role::kSystem)) {  // jiesu itself (router, 督办); no key has this role
      e.actor_role = Role::kSystem;
    } else {
      JIESU_ASSIGN_OR_RETURN(e.actor_role, ParseRole(role));
    }
    JIESU_ASSIGN_OR_RETURN(e.actor_unit, str("actor_unit"));
    JIESU_ASSIGN_OR_RETURN(e.actor_name, str("actor_name"));
    e.payload = ej.value("payload", json());
    out.push_back(std::move(e));
  }
  return out;
}

struct MonthCases {
  std::vector<Case> cases;  // by id
  std::vector<std::vector<CaseEvent>> events;
};

Result<MonthCases> LoadMonth(storage::Database& db, const std::string& month) {
  JIESU_ASSIGN_OR_RETURN(Date first, ParseMonth(month));
  Date next = first;
  next.month = first.month == 12 ? 1 : first.month + 1;
  if (first.month == 12) ++next.year;
  storage::CaseFilter f;
  f.created_from = BeijingMidnight(first);
  f.created_to = BeijingMidnight(next);
  f.limit = 5000;
  MonthCases out;
  for (;;) {
    JIESU_ASSIGN_OR_RETURN(auto page, db.ListCases(f));
    if (page.empty()) break;
    f.before_id = page.back().id;
    for (Case& c : page) out.cases.push_back(std::move(c));
  }
  std::reverse(out.cases.begin(), out.cases.end());
  for (const Case& c : out.cases) {
    JIESU_ASSIGN_OR_RETURN(auto events, db.GetEvents(c.id));
    out.events.push_back(std::move(events));
  }
  return out;
}

Status WriteXlsx(const MonthCases& m, const Reference& ref, Timestamp now, bool english,
                 const std::string& path) {
  lxw_workbook* wb = workbook_new(path.c_str());
  if (wb == nullptr) return Status::Internal("cannot create " + path);
  lxw_format* header = workbook_add_format(wb);
  format_set_bold(header);
  format_set_bg_color(header, 0xE8EEF7);
  std::vector<std::pair<std::string, double>> titles;
  for (const auto& col : Columns()) titles.emplace_back(english ? col.en : col.zh, col.width);
  XlsxSheet cases(wb, english ? "cases" : "工单", titles, header);
  for (const Case& c : m.cases) {
    const Row row{c, ref, now, english};
    for (const auto& col : Columns()) cases.Text(col.value(row));
    cases.Next();
  }
  XlsxSheet events(wb, english ? "events" : "事件",
                   {{english ? "case" : "工单编号", 9}, {english ? "seq" : "序号", 6},
                    {english ? "at" : "时间", 22}, {english ? "kind" : "事件", 16},
                    {english ? "role" : "角色", 10}, {english ? "unit" : "单位", 13},
                    {english ? "by" : "经办人", 14}, {english ? "payload" : "内容", 80}},
                   header);
  for (const auto& log : m.events) {
    for (const CaseEvent& e : log) {
      events.Number(static_cast<double>(e.case_id)).Number(e.seq).Text(FormatTime(e.at))
          .Text(EventKindName(e.kind)).Text(RoleName(e.actor_role)).Text(e.actor_unit)
          .Text(e.actor_name).Text(e.payload.dump(-1, ' ', false, json::error_handler_t::replace));
      events.Next();
    }
  }
  if (workbook_close(wb) != LXW_NO_ERROR) return Status::Internal("cannot write " + path);
  return Status::Ok();
}

}  // namespace

Result<std::string> ExportCases(storage::Database& db, const Reference& ref,
                                const ExportOptions& o, Timestamp now) {
  if (o.format != "csv" && o.format != "xlsx") return Status::Invalid("format must be csv or xlsx");
  JIESU_ASSIGN_OR_RETURN(MonthCases m, LoadMonth(db, o.month));
  if (o.format == "xlsx") {
    return XlsxBytes([&](const std::string& path) {
      return WriteXlsx(m, ref, now, o.english, path);
    });
  }
  std::string out = o.bom ? "\xEF\xBB\xBF" : "";
  CsvRow header;
  for (const auto& col : Columns()) header.push_back(o.english ? col.en : col.zh);
  header.push_back(o.english ? kEventsEn : kEventsZh);
  out += CsvLine(header);
  for (std::size_t i = 0; i < m.cases.size(); ++i) {
    const Row row{m.cases[i], ref, now, o.english};
    CsvRow fields;
    for (const auto& col : Columns()) fields.push_back(col.value(row));
    fields.push_back(EventsToJson(m.events[i]).dump(-1, ' ', false, json::error_handler_t::replace));
    out += CsvLine(fields);
  }
  return out;
}

bool IsCaseExport(const CsvRow& header) {
  const auto has = [&](const char* a, const char* b) {
    return CsvColumn(header, a) >= 0 || CsvColumn(header, b) >= 0;
  };
  return has(Columns().front().en, Columns().front().zh) && has(kEventsEn, kEventsZh);
}

Result<CaseImportStats> ImportCases(storage::Database& db, std::string_view csv) {
  CaseImportStats stats;
  JIESU_ASSIGN_OR_RETURN(auto batch, ParseCaseImport(csv, &stats));
  JIESU_RETURN_IF_ERROR(db.CreateCases(std::move(batch)).status());
  return stats;
}

Result<std::vector<storage::NewCase>> ParseCaseImport(std::string_view csv,
                                                      CaseImportStats* stats) {
  JIESU_ASSIGN_OR_RETURN(auto rows, ParseCsv(csv));
  if (rows.empty() || !IsCaseExport(rows.front())) {
    return Status::Invalid("not a jiesu case export: the header needs an id (工单编号) and an "
                           "events (事件记录) column");
  }
  const CsvRow& header = rows.front();
  const int id_col = std::max(CsvColumn(header, "id"), CsvColumn(header, "工单编号"));
  const int events_col = std::max(CsvColumn(header, kEventsEn), CsvColumn(header, kEventsZh));
  std::vector<storage::NewCase> batch;
  for (std::size_t line = 1; line < rows.size(); ++line) {
    const CsvRow& row = rows[line];
    const auto fail = [&](const Status& s) {
      return Status::Invalid("line " + std::to_string(line + 1) + ": " + s.message());
    };
    if (row.size() == 1 && row[0].empty()) continue;  // a blank line
    if (row.size() <= static_cast<std::size_t>(std::max(id_col, events_col))) {
      return fail(Status::Invalid("too few columns"));
    }
    std::int64_t id = 0;
    const std::string& id_text = row[id_col];
    auto [p, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
    if (ec != std::errc() || p != id_text.data() + id_text.size() || id <= 0) {
      return fail(Status::Invalid("the id must be a positive integer"));
    }
    auto events = EventsFromJson(row[events_col], id);
    if (!events.ok()) return fail(events.status());
    auto folded = FoldUntrusted(*events);
    if (!folded.ok()) return fail(folded.status());
    stats->events += static_cast<int>(events->size());
    ++stats->cases;
    storage::NewCase nc;
    nc.id = id;
    nc.events = std::move(*events);
    batch.push_back(std::move(nc));
  }
  return batch;
}

}  // namespace jiesu::service
