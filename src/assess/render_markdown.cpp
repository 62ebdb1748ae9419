#include "assess/render_markdown.hpp"

#include <cstdio>

namespace jiesu::assess {

namespace {

std::string Score1(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", x);
  return buf;
}

std::string VerdictLine(const Verdict& v) {
  std::string line = EscapeMarkdown(v.category_name) +
                     (v.level == AreaLevel::kCategory ? "（大类）" : "") + " " +
                     MetricLabel(v.metric) + " " + Percent(v.unit_value) + "，全区 " +
                     Percent(v.district_value) + "（n=" + std::to_string(v.n);
  if (v.metric == Metric::kOverdueRate) line += "，超期" + std::to_string(v.count) + "件";
  if (v.metric == Metric::kReopenRate) line += "，重办" + std::to_string(v.count) + "件";
  char z[32];
  std::snprintf(z, sizeof z, "，z=%.2f）", v.z);
  return line + z;
}

}  // namespace

std::string EscapeMarkdown(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  // A leading list or heading marker only matters at the start of the text, where the renderer puts
  // it at the start of a line (a paragraph or a cell never starts mid-line otherwise).
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n' || c == '\r' || c == '\t') {
      out += ' ';
      continue;
    }
    switch (c) {
      case '\\':
      case '`':
      case '*':
      case '_':
      case '[':
      case ']':
      case '<':
      case '>':
      case '|':
      case '~':
      case '#':
      case '!':
      case '&':
        out += '\\';
        break;
      case '-':
      case '+':
      case '=':
        if (i == 0) out += '\\';
        break;
      case '.':
      case ')':
        if (i == digits && digits > 0) out += '\\';
        break;
      default:
        break;
    }
    out += c;
  }
  return out;
}

std::string RenderMarkdown(const ReviewReport& r) {
  std::string md = "# " + EscapeMarkdown(ReviewTitle(r)) + "\n\n";
  md += EscapeMarkdown(DistrictText(r)) + "\n\n";

  md += "## 综合排名\n\n";
  if (r.units.empty()) {
    md += "本月没有参与排名的单位。\n\n";
  } else {
    md +=
        "| 排名 | 单位 | 综合成绩 | 较上月 | 响应率 | 解决率 | 满意率 | "
        "有效回访 | 派单 | 超期 |\n";
    md +=
        "| ---: | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: "
        "|\n";
    bool any_low_sample = false;
    for (const UnitReview& u : r.units) {
      any_low_sample = any_low_sample || u.low_sample;
      md += "| " + std::to_string(u.rank) + (u.low_sample ? "\\*" : "") + " | " +
            EscapeMarkdown(u.name) + " | " + Score1(u.score) + " | " +
            RankChangeText(u.rank_change) + " | " + Percent(u.response_rate) + " | " +
            Percent(u.resolution_rate) + " | " + Percent(u.satisfaction_rate) + " | " +
            std::to_string(u.valid_callbacks) + " | " + std::to_string(u.volume) + " | " +
            std::to_string(u.overdue) + " |\n";
    }
    md += "\n";
    if (any_low_sample) {
      md += "\\* 有效回访少于" + std::to_string(r.weights.min_samples) +
            "件，样本不足，排在样本充足的单位之后。\n\n";
    }
  }

  if (!r.units.empty()) {
    md += "## 逐单位点评\n\n";
    for (const UnitReview& u : r.units) {
      md += "### " + std::to_string(u.rank) + "\\. " + EscapeMarkdown(u.name) + "\n\n";
      md += EscapeMarkdown(u.text) + "\n\n";
      if (!u.strengths.empty() || !u.shortfalls.empty()) {
        for (const Verdict& v : u.strengths) md += "- 长处：" + VerdictLine(v) + "\n";
        for (const Verdict& v : u.shortfalls) md += "- 不足：" + VerdictLine(v) + "\n";
        md += "\n";
      }
    }
  }

  if (!r.zero_request_units.empty()) {
    md += "## 零诉求单位\n\n";
    for (const ZeroRequestUnit& z : r.zero_request_units) {
      md += "- " + EscapeMarkdown(z.name) + "：" + ZeroRequestText(z) + "\n";
    }
    md += "\n";
  }
  if (!r.hot_topics.empty()) {
    md += "## 每月一题：本月热点诉求\n\n";
    for (const HotTopic& t : r.hot_topics) md += "- " + EscapeMarkdown(HotTopicText(t)) + "\n";
    md += "\n";
  }
  if (!r.inspections.empty()) {
    md += "## 巡察整改\n\n" + EscapeMarkdown(InspectionText(r)) + "\n\n";
    md += "| 巡察 | 类型 | 被巡察单位 | 发现问题 | 已整改 | 整改完成率 | 超期未整改 |\n"
          "|---|---|--:|--:|--:|--:|--:|\n";
    for (const RoundFigures& f : r.inspections) {
      md += "| " + EscapeMarkdown(f.round.name) + " | " + (f.round.IsRevisit() ? "回头看" : "巡察") +
            " | " + std::to_string(f.round.units.size()) + " | " + std::to_string(f.total.found) +
            " | " + std::to_string(f.total.rectified) + " | " +
            (f.total.found ? RectificationRateText(f.total) : "—") + " | " +
            std::to_string(f.total.overdue) + " |\n";
    }
    md += "\n";
    std::string open;
    for (const auto& [f, o] : OutstandingOrganisations(r)) {
      open += "- " + EscapeMarkdown(OutstandingText(*f, *o)) + "\n";
    }
    if (!open.empty()) md += "整改尚未完成的单位：\n\n" + open + "\n";
  }

  const CommunityFigures& c = r.community;
  if (c.proactive_total > 0) {
    md += "## 主动治理\n\n" + EscapeMarkdown(ProactiveText(c)) + "\n\n";
  }
  if (c.enterprise_requests > 0 || c.enterprise_tally.valid > 0) {
    md += "## 企业服务包\n\n" + EscapeMarkdown(EnterpriseText(c)) + "\n\n";
    md += "| 街乡 | 企业诉求 | 有效回访 | 响应率 | 解决率 | 满意率 |\n|---|--:|--:|--:|--:|--:|\n";
    for (const EnterpriseTownship& t : c.enterprise) {
      md += "| " + EscapeMarkdown(t.name) + " | " + std::to_string(t.requests) + " | " +
            std::to_string(t.tally.valid) + " | " +
            (t.rates ? Percent(t.rates->response) + " | " + Percent(t.rates->resolution) + " | " +
                           Percent(t.rates->satisfaction)
                     : std::string("— | — | —")) +
            " |\n";
    }
    md += "\n";
  }

  md += "---\n\n" + EscapeMarkdown(RulesText(r.rules)) + "\n";
  return md;
}

}  // namespace jiesu::assess
