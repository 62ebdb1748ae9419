#include "service/consultation_service.hpp"

#include <xlsxwriter.h>

#include <nlohmann/json.hpp>

#include "assess/hot_topics.hpp"
#include "common/utf8.hpp"
#include "common/xlsx.hpp"

namespace jiesu::service {

using domain::Actor;
using domain::Consultation;
using domain::Opinion;
using domain::Role;
using nlohmann::json;

namespace {

constexpr const char* kConsultation = "consultation";
constexpr const char* kOpinion = "opinion";
constexpr std::size_t kMaxSections = 200;

Result<Consultation> ConsultationFrom(const storage::Record& r) {
  const json j = json::parse(r.doc, nullptr, false);
  const Status corrupt = Status::Internal("corrupt consultation record " + std::to_string(r.id));
  Consultation c;
  c.id = r.id;
  c.created_at = r.created_at;
  try {
    c.title = j.at("title").get<std::string>();
    c.summary = j.at("summary").get<std::string>();
    c.office = j.at("office").get<std::string>();
    c.opens = j.at("opens").get<Timestamp>();
    c.closes = j.at("closes").get<Timestamp>();
    for (const auto& s : j.at("sections")) {
      c.sections.push_back({s.at("no").get<int>(), s.at("title").get<std::string>(),
                            s.at("text").get<std::string>()});
    }
  } catch (const json::exception&) {
    return corrupt;
  }
  return c;
}

Result<Opinion> OpinionFrom(const storage::Record& r) {
  const json j = json::parse(r.doc, nullptr, false);
  Opinion o;
  o.id = r.id;
  o.consultation_id = r.parent;
  o.at = r.created_at;
  try {
    o.section = j.at("section").get<int>();
    o.text = j.at("text").get<std::string>();
    o.name = j.at("name").get<std::string>();
  } catch (const json::exception&) {
    return Status::Internal("corrupt opinion record " + std::to_string(r.id));
  }
  return o;
}

bool MayReadOpinions(const Actor& actor, const Consultation& c, const Reference& ref) {
  return actor.role == Role::kSupervisor || actor.role == Role::kAdmin ||
         (actor.role == Role::kHandler && ref.units.IsWithin(c.office, actor.unit));
}

}  // namespace

Result<Consultation> ConsultationService::Load(std::int64_t id) {
  JIESU_ASSIGN_OR_RETURN(storage::Record r, db_.GetRecord(kConsultation, id));
  return ConsultationFrom(r);
}

Result<std::vector<Opinion>> ConsultationService::OpinionsOf(std::int64_t id) {
  JIESU_ASSIGN_OR_RETURN(auto records, db_.ListRecords(kOpinion, id));
  std::vector<Opinion> out;
  for (const auto& r : records) {
    JIESU_ASSIGN_OR_RETURN(Opinion o, OpinionFrom(r));
    out.push_back(std::move(o));
  }
  return out;
}

ConsultationView ConsultationService::ViewOf(Consultation c, const std::vector<Opinion>& opinions) {
  ConsultationView v;
  v.opinions.assign(c.sections.size(), 0);
  for (const Opinion& o : opinions) {
    if (o.section >= 1 && o.section <= static_cast<int>(v.opinions.size())) ++v.opinions[o.section - 1];
  }
  v.state = domain::StateAt(c, clock_.Now());
  v.consultation = std::move(c);
  return v;
}

Result<ConsultationView> ConsultationService::Create(const Actor& actor,
                                                     const ConsultationInput& in) {
  if (actor.role != Role::kSupervisor && actor.role != Role::kAdmin) {
    return Status::Forbidden("only a supervisor or an administrator opens a consultation");
  }
  Consultation c;
  c.title = std::string(TrimSpace(in.title));
  if (c.title.empty()) return Status::Invalid("title is required");
  JIESU_RETURN_IF_ERROR(CheckText(c.title, "title", 200));
  c.summary = std::string(TrimSpace(in.summary));
  JIESU_RETURN_IF_ERROR(CheckText(c.summary, "summary", 5000));
  if (ref_->units.Find(in.office) == nullptr) {
    return Status::Invalid("office: unknown unit '" + in.office + "'");
  }
  c.office = in.office;
  c.opens = in.opens.value_or(clock_.Now());
  if (!in.closes) return Status::Invalid("closes is required");
  if (*in.closes <= c.opens) return Status::Invalid("closes must come after opens");
  c.closes = *in.closes;
  if (in.sections.empty()) return Status::Invalid("sections: give at least one section");
  if (in.sections.size() > kMaxSections) return Status::Invalid("at most 200 sections");
  for (const auto& [title, text] : in.sections) {
    const int no = static_cast<int>(c.sections.size()) + 1;
    const std::string t(TrimSpace(title));
    if (t.empty()) return Status::Invalid("section " + std::to_string(no) + " needs a title");
    JIESU_RETURN_IF_ERROR(CheckText(t, "sections.title", 200));
    JIESU_RETURN_IF_ERROR(CheckText(text, "sections.text", 20000));
    c.sections.push_back({no, t, std::string(TrimSpace(text))});
  }
  json sections = json::array();
  for (const auto& s : c.sections) {
    sections.push_back({{"no", s.no}, {"title", s.title}, {"text", s.text}});
  }
  JIESU_ASSIGN_OR_RETURN(
      storage::Record r,
      db_.InsertRecord(storage::NewRecord(kConsultation, 0,
                                          json{{"title", c.title}, {"summary", c.summary},
                                               {"office", c.office}, {"opens", c.opens},
                                               {"closes", c.closes}, {"sections", sections}}.dump(),
                                          clock_.Now())));
  JIESU_ASSIGN_OR_RETURN(c, ConsultationFrom(r));
  return ViewOf(std::move(c), {});
}

Result<std::vector<ConsultationView>> ConsultationService::List(const Actor&) {
  JIESU_ASSIGN_OR_RETURN(auto records, db_.ListRecords(kConsultation, std::nullopt));
  std::vector<ConsultationView> out;
  for (auto it = records.rbegin(); it != records.rend(); ++it) {
    JIESU_ASSIGN_OR_RETURN(Consultation c, ConsultationFrom(*it));
    JIESU_ASSIGN_OR_RETURN(auto opinions, OpinionsOf(c.id));
    out.push_back(ViewOf(std::move(c), opinions));
  }
  return out;
}

Result<ConsultationView> ConsultationService::Get(const Actor&, std::int64_t id) {
  JIESU_ASSIGN_OR_RETURN(Consultation c, Load(id));
  JIESU_ASSIGN_OR_RETURN(auto opinions, OpinionsOf(id));
  return ViewOf(std::move(c), opinions);
}

Result<Opinion> ConsultationService::Opine(const Actor& actor, std::int64_t id, int section,
                                           const std::string& text, const std::string& name) {
  JIESU_ASSIGN_OR_RETURN(Consultation c, Load(id));
  JIESU_RETURN_IF_ERROR(domain::CheckOpinion(c, section, text, clock_.Now()));
  const std::string signature(TrimSpace(name));
  JIESU_RETURN_IF_ERROR(CheckText(signature, "name", 50));
  json doc = {{"section", section}, {"text", std::string(TrimSpace(text))}, {"name", signature},
              {"role", RoleName(actor.role)}};
  JIESU_ASSIGN_OR_RETURN(storage::Record r,
                         db_.InsertRecord(storage::NewRecord(kOpinion, id, doc.dump(),
                                                             clock_.Now())));
  return OpinionFrom(r);
}

Result<OpinionDigest> ConsultationService::Opinions(const Actor& actor, std::int64_t id) {
  JIESU_ASSIGN_OR_RETURN(Consultation c, Load(id));
  if (!MayReadOpinions(actor, c, *ref_)) {
    return Status::Forbidden("only the drafting office, supervisors and administrators read "
                             "the opinions");
  }
  OpinionDigest d;
  JIESU_ASSIGN_OR_RETURN(d.opinions, OpinionsOf(id));
  // Each section's opinions clustered as the month's cases are for 每月一题; every cluster is a
  // group, the most central opinion represents it.
  assess::HotTopicRules rules;
  rules.min_count = 1;
  rules.max_topics = static_cast<int>(d.opinions.size()) + 1;
  rules.max_examples = 1;
  for (const auto& s : c.sections) {
    std::vector<assess::TopicCase> texts;
    for (const Opinion& o : d.opinions) {
      // The text as the title: the group's representative is its most central member's title.
      if (o.section == s.no) texts.push_back({o.id, o.text, "", "", ""});
    }
    SectionOpinions so;
    so.no = s.no;
    for (auto& topic : assess::FindHotTopics(texts, {}, ref_->catalogue, ref_->units, rules)) {
      so.groups.push_back({std::move(topic.title), std::move(topic.case_ids)});
    }
    d.sections.push_back(std::move(so));
  }
  d.view = ViewOf(std::move(c), d.opinions);
  return d;
}

Result<std::string> ConsultationService::Export(const Actor& actor, std::int64_t id) {
  JIESU_ASSIGN_OR_RETURN(OpinionDigest d, Opinions(actor, id));
  const Consultation& c = d.view.consultation;
  return XlsxBytes([&](const std::string& path) -> Status {
    lxw_workbook* wb = workbook_new(path.c_str());
    if (wb == nullptr) return Status::Internal("cannot create " + path);
    lxw_format* header = workbook_add_format(wb);
    format_set_bold(header);
    format_set_bg_color(header, 0xE8EEF7);
    XlsxSheet summary(wb, "意见汇总",
                      {{"章节", 8}, {"章节标题", 24}, {"意见数", 8}, {"类别", 6},
                       {"同类意见数", 10}, {"代表性意见", 90}},
                      header);
    for (std::size_t i = 0; i < c.sections.size(); ++i) {
      const auto& s = c.sections[i];
      summary.Number(s.no).Text(s.title).Number(d.view.opinions[i]);
      if (d.sections[i].groups.empty()) summary.Blank().Blank().Blank();
      for (std::size_t g = 0; g < d.sections[i].groups.size(); ++g) {
        const OpinionGroup& group = d.sections[i].groups[g];
        if (g > 0) summary.Blank().Blank().Blank();
        summary.Number(static_cast<double>(g + 1))
            .Number(static_cast<double>(group.opinion_ids.size()))
            .Text(group.representative);
        summary.Next();
      }
      if (d.sections[i].groups.empty()) summary.Next();
    }
    XlsxSheet all(wb, "意见明细",
                  {{"编号", 8}, {"章节", 8}, {"时间", 22}, {"署名", 12}, {"意见", 100}}, header);
    for (const Opinion& o : d.opinions) {
      all.Number(static_cast<double>(o.id)).Number(o.section).Text(FormatTime(o.at)).Text(o.name)
          .Text(o.text);
      all.Next();
    }
    if (workbook_close(wb) != LXW_NO_ERROR) return Status::Internal("cannot write " + path);
    return Status::Ok();
  });
}

}  // namespace jiesu::service
