#include "assess/render_xlsx.hpp"

#include "common/xlsx.hpp"

namespace jiesu::assess {

namespace {

using Sheet = XlsxSheet;

std::string Join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

}  // namespace

Status RenderXlsx(const ReviewReport& r, const std::string& path) {
  lxw_workbook* wb = workbook_new(path.c_str());
  if (wb == nullptr) return Status::Internal("cannot create " + path);
  lxw_format* header = workbook_add_format(wb);
  format_set_bold(header);
  format_set_bg_color(header, 0xE8EEF7);
  lxw_format* pct = workbook_add_format(wb);
  format_set_num_format(pct, "0.0%");
  lxw_format* score = workbook_add_format(wb);
  format_set_num_format(score, "0.0");
  lxw_format* z = workbook_add_format(wb);
  format_set_num_format(z, "0.00");

  Sheet rank(wb, "综合排名",
             {{"排名", 6}, {"单位", 16}, {"综合成绩", 10}, {"名次变化", 12}, {"响应率", 9},
              {"解决率", 9}, {"满意率", 9}, {"有效回访", 10}, {"派单量", 9}, {"超期", 7},
              {"样本不足", 9}},
             header);
  for (const UnitReview& u : r.units) {
    rank.Number(u.rank).Text(u.name).Number(u.score, score).Text(RankChangeText(u.rank_change))
        .Number(u.response_rate, pct).Number(u.resolution_rate, pct)
        .Number(u.satisfaction_rate, pct).Number(u.valid_callbacks).Number(u.volume)
        .Number(u.overdue).Text(u.low_sample ? "是" : "");
    rank.Next();
  }

  Sheet text(wb, "逐单位点评", {{"排名", 6}, {"单位", 16}, {"点评", 120}}, header);
  for (const UnitReview& u : r.units) {
    text.Number(u.rank).Text(u.name).Text(u.text);
    text.Next();
  }

  Sheet verdicts(wb, "长处与不足",
                 {{"单位", 16}, {"类别", 8}, {"工作领域", 18}, {"层级", 8}, {"指标", 10},
                  {"本单位", 9}, {"全区", 9}, {"样本数", 8}, {"件数", 8}, {"z值", 8}},
                 header);
  for (const UnitReview& u : r.units) {
    for (const auto* list : {&u.strengths, &u.shortfalls}) {
      for (const Verdict& v : *list) {
        verdicts.Text(u.name).Text(list == &u.strengths ? "长处" : "不足").Text(v.category_name)
            .Text(AreaLevelLabel(v.level)).Text(MetricLabel(v.metric)).Number(v.unit_value, pct)
            .Number(v.district_value, pct).Number(v.n).Number(v.count).Number(v.z, z);
        verdicts.Next();
      }
    }
  }

  Sheet zero(wb, "零诉求单位", {{"代码", 14}, {"单位", 24}, {"说明", 30}}, header);
  for (const ZeroRequestUnit& u : r.zero_request_units) {
    zero.Text(u.code).Text(u.name).Text(ZeroRequestText(u));
    zero.Next();
  }

  Sheet topics(wb, "每月一题",
               {{"话题", 40}, {"工作领域", 12}, {"本月件数", 9}, {"较前3月增长", 12},
                {"涉及单位", 40}, {"示例", 80}},
               header);
  for (const HotTopic& t : r.hot_topics) {
    std::vector<std::string> units;
    for (const TopicUnit& u : t.units) units.push_back(u.name + std::to_string(u.count) + "件");
    topics.Text(t.title).Text(t.category_name).Number(t.count);
    if (t.growth) {
      topics.Number(*t.growth, pct);
    } else {
      topics.Text("新出现");
    }
    topics.Text(Join(units, "、")).Text(Join(t.examples, "；"));
    topics.Next();
  }

  Sheet rounds(wb, "巡察整改",
               {{"巡察", 44}, {"类型", 8}, {"被巡察单位", 11}, {"发现问题", 9}, {"已整改", 9},
                {"整改完成率", 11}, {"超期未整改", 11}},
               header);
  Sheet orgs(wb, "巡察整改（单位）",
             {{"巡察", 44}, {"单位", 20}, {"发现问题", 9}, {"已整改", 9}, {"整改完成率", 11},
              {"超期未整改", 11}},
             header);
  for (const RoundFigures& f : r.inspections) {
    rounds.Text(f.round.name).Text(f.round.IsRevisit() ? "回头看" : "巡察")
        .Number(static_cast<double>(f.round.units.size())).Number(f.total.found)
        .Number(f.total.rectified);
    if (f.total.found > 0) {
      rounds.Number(f.total.Rate(), pct);
    } else {
      rounds.Blank();
    }
    rounds.Number(f.total.overdue);
    rounds.Next();
    for (const OrganisationRectification& o : f.organisations) {
      orgs.Text(f.round.name).Text(o.name).Number(o.figures.found).Number(o.figures.rectified);
      if (o.figures.found > 0) {
        orgs.Number(o.figures.Rate(), pct);
      } else {
        orgs.Blank();
      }
      orgs.Number(o.figures.overdue);
      orgs.Next();
    }
  }

  Sheet proactive(wb, "主动治理", {{"街乡", 20}, {"主动治理工单", 14}}, header);
  for (const ProactiveTownship& t : r.community.proactive) {
    proactive.Text(t.name).Number(t.cases);
    proactive.Next();
  }
  Sheet enterprise(wb, "企业服务包",
                   {{"街乡", 20}, {"企业诉求", 10}, {"有效回访", 10}, {"响应率", 9},
                    {"解决率", 9}, {"满意率", 9}},
                   header);
  for (const EnterpriseTownship& t : r.community.enterprise) {
    enterprise.Text(t.name).Number(t.requests).Number(t.tally.valid);
    if (t.rates) {
      enterprise.Number(t.rates->response, pct).Number(t.rates->resolution, pct)
          .Number(t.rates->satisfaction, pct);
    } else {
      enterprise.Blank().Blank().Blank();
    }
    enterprise.Next();
  }

  const lxw_error err = workbook_close(wb);
  if (err != LXW_NO_ERROR) {
    return Status::Internal("cannot write " + path + ": " + lxw_strerror(err));
  }
  return Status::Ok();
}

Result<std::string> RenderXlsxBytes(const ReviewReport& r) {
  return XlsxBytes([&r](const std::string& path) { return RenderXlsx(r, path); });
}

}  // namespace jiesu::assess
