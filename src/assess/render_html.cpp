#include "assess/render_html.hpp"

#include <algorithm>
#include <cstdio>

namespace jiesu::assess {

namespace {

std::string Num(const char* format, double x) {
  char buf[48];
  std::snprintf(buf, sizeof buf, format, x);
  return buf;
}

constexpr char kStyle[] = R"css(
:root { --ink:#1f2328; --muted:#59636e; --line:#d0d7de; --good:#1a7f37; --bad:#cf222e;
        --bar:#2f6fb3; --bar-top:#1a7f37; --bar-low:#8c959f; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 960px; padding: 24px 32px; color: var(--ink);
       font: 15px/1.7 "Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",
             "WenQuanYi Micro Hei",sans-serif; }
h1 { font-size: 24px; text-align: center; margin: 8px 0 4px; letter-spacing: 1px; }
h2 { font-size: 18px; border-bottom: 2px solid var(--ink); padding-bottom: 2px; margin: 28px 0 12px; }
h3 { font-size: 16px; margin: 0 0 4px; }
.summary { text-indent: 2em; }
.meta { text-align: center; color: var(--muted); font-size: 13px; margin: 0 0 16px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 3px 6px; }
th { background: #f6f8fa; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.up { color: var(--good); } .down { color: var(--bad); }
article { border-left: 3px solid var(--line); padding: 4px 0 4px 12px; margin: 0 0 14px;
          break-inside: avoid; page-break-inside: avoid; }
article p { margin: 0; text-indent: 2em; }
.score { font-weight: normal; color: var(--muted); font-size: 13px; margin-left: 8px; }
ul.basis { margin: 4px 0 0; padding-left: 20px; font-size: 12px; color: var(--muted); }
.tag { display: inline-block; font-size: 11px; padding: 0 5px; border-radius: 3px; color: #fff;
       margin-right: 4px; }
.tag.good { background: var(--good); } .tag.bad { background: var(--bad); }
.note, footer { font-size: 12px; color: var(--muted); }
footer { border-top: 1px solid var(--line); margin-top: 24px; padding-top: 8px; }
svg text { font-size: 12px; fill: var(--ink); }
svg .axis { stroke: var(--line); } svg .avg { stroke: var(--bad); stroke-dasharray: 4 3; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 12pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  thead { display: table-header-group; }
  tr, figure { break-inside: avoid; page-break-inside: avoid; }
}
)css";

// A horizontal bar per ranked unit, in ranking order, with the district score as a dashed line.
std::string ScoreChart(const ReviewReport& r) {
  if (r.units.empty()) return "";
  constexpr int kLabel = 150, kPlot = 600, kRow = 22, kTop = 24, kRight = 60;
  const int height = kTop + static_cast<int>(r.units.size()) * kRow + 8;
  const int width = kLabel + kPlot + kRight;
  const auto x_of = [&](double score) {
    return kLabel + static_cast<int>(std::clamp(score, 0.0, 100.0) / 100.0 * kPlot + 0.5);
  };
  const int top_third = static_cast<int>((r.units.size() + 2) / 3);
  std::string svg =
      "<figure style=\"margin:0\"><svg xmlns=\"http://www.w3.org/2000/svg\" "
      "role=\"img\" aria-label=\"综合成绩\" viewBox=\"0 0 " +
      std::to_string(width) + " " + std::to_string(height) + "\" width=\"100%\">";
  for (int tick = 0; tick <= 100; tick += 20) {
    const std::string x = std::to_string(x_of(tick));
    svg += "<line class=\"axis\" x1=\"" + x + "\" y1=\"" + std::to_string(kTop - 6) + "\" x2=\"" +
           x + "\" y2=\"" + std::to_string(height - 4) + "\"/><text x=\"" + x + "\" y=\"" +
           std::to_string(kTop - 10) + "\" text-anchor=\"middle\">" + std::to_string(tick) +
           "</text>";
  }
  for (std::size_t i = 0; i < r.units.size(); ++i) {
    const UnitReview& u = r.units[i];
    const int y = kTop + static_cast<int>(i) * kRow;
    const char* color = u.low_sample                      ? "var(--bar-low)"
                        : static_cast<int>(i) < top_third ? "var(--bar-top)"
                                                          : "var(--bar)";
    svg += "<text x=\"" + std::to_string(kLabel - 8) + "\" y=\"" + std::to_string(y + 15) +
           "\" text-anchor=\"end\">" + EscapeHtml(u.name) + "</text>";
    svg += "<rect x=\"" + std::to_string(kLabel) + "\" y=\"" + std::to_string(y + 3) +
           "\" width=\"" + std::to_string(x_of(u.score) - kLabel) + "\" height=\"" +
           std::to_string(kRow - 6) + "\" style=\"fill:" + color + "\"><title>" +
           EscapeHtml(u.name) + " " + Num("%.1f", u.score) + "</title></rect>";
    svg += "<text x=\"" + std::to_string(x_of(u.score) + 4) + "\" y=\"" + std::to_string(y + 15) +
           "\">" + Num("%.1f", u.score) + (u.low_sample ? "*" : "") + "</text>";
  }
  if (r.district.valid_callbacks > 0) {
    const std::string x = std::to_string(x_of(r.district.rates.score));
    svg += "<line class=\"avg\" x1=\"" + x + "\" y1=\"" + std::to_string(kTop) + "\" x2=\"" + x +
           "\" y2=\"" + std::to_string(height - 4) + "\"/>";
  }
  svg +=
      "</svg><figcaption "
      "class=\"note\">条形为各单位综合成绩（满分100），虚线为全区" +
      Num("%.1f", r.district.rates.score) +
      "分；绿色为前三分之一，灰色为样本不足。</figcaption></figure>";
  return svg;
}

std::string RankChangeCell(const std::optional<int>& change) {
  const std::string text = EscapeHtml(RankChangeText(change));
  if (change && *change > 0) return "<td class=\"up\">↑ " + text + "</td>";
  if (change && *change < 0) return "<td class=\"down\">↓ " + text + "</td>";
  return "<td>" + text + "</td>";
}

std::string BasisItem(const Verdict& v, bool strength) {
  std::string li =
      std::string("<li><span class=\"tag ") + (strength ? "good\">长处" : "bad\">不足") +
      "</span>" + EscapeHtml(v.category_name) +
      (v.level == AreaLevel::kCategory ? "（大类）" : "") + " " + MetricLabel(v.metric) + " " +
      Percent(v.unit_value) + "，全区 " + Percent(v.district_value) + "（n=" + std::to_string(v.n);
  if (v.metric == Metric::kOverdueRate) li += "，超期" + std::to_string(v.count) + "件";
  if (v.metric == Metric::kReopenRate) li += "，重办" + std::to_string(v.count) + "件";
  return li + "，z=" + Num("%.2f", v.z) + "）</li>";
}

}  // namespace

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string RenderHtml(const ReviewReport& r) {
  const std::string title = EscapeHtml(ReviewTitle(r));
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta "
      "charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, "
      "initial-scale=1\">\n<title>" +
      title + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
  h += "<h1>" + title + "</h1>\n<p class=\"meta\">" + EscapeHtml(FormatMonth(r.month)) +
       " · 综合成绩 = " + Num("%.0f", r.weights.response * 100) + "%×响应率 + " +
       Num("%.0f", r.weights.resolution * 100) + "%×解决率 + " +
       Num("%.0f", r.weights.satisfaction * 100) + "%×满意率</p>\n";
  h += "<p class=\"summary\">" + EscapeHtml(DistrictText(r)) + "</p>\n";

  if (!r.units.empty()) {
    h += "<h2>综合成绩</h2>\n" + ScoreChart(r) + "\n";
    h += "<h2>综合排名</h2>\n<table>\n<thead><tr><th>排名</th><th>单位</"
         "th><th>综合成绩</th>"
         "<th>较上月</th><th>响应率</th><th>解决率</th><th>满意率</"
         "th><th>有效回访</th>"
         "<th>派单</th><th>超期</th></tr></thead>\n<tbody>\n";
    bool any_low_sample = false;
    for (const UnitReview& u : r.units) {
      any_low_sample = any_low_sample || u.low_sample;
      h += "<tr><td class=\"num\">" + std::to_string(u.rank) + (u.low_sample ? "*" : "") +
           "</td><td>" + EscapeHtml(u.name) + "</td><td class=\"num\">" + Num("%.1f", u.score) +
           "</td>" + RankChangeCell(u.rank_change) + "<td class=\"num\">" +
           Percent(u.response_rate) + "</td><td class=\"num\">" + Percent(u.resolution_rate) +
           "</td><td class=\"num\">" + Percent(u.satisfaction_rate) + "</td><td class=\"num\">" +
           std::to_string(u.valid_callbacks) + "</td><td class=\"num\">" +
           std::to_string(u.volume) + "</td><td class=\"num\">" + std::to_string(u.overdue) +
           "</td></tr>\n";
    }
    h += "</tbody>\n</table>\n";
    if (any_low_sample) {
      h += "<p class=\"note\">* 有效回访少于" + std::to_string(r.weights.min_samples) +
           "件，样本不足，排在样本充足的单位之后。</p>\n";
    }

    h += "<h2>逐单位点评</h2>\n";
    for (const UnitReview& u : r.units) {
      h += "<article>\n<h3>" + std::to_string(u.rank) + ". " + EscapeHtml(u.name) +
           "<span class=\"score\">" + Num("%.1f", u.score) + "分</span></h3>\n<p>" +
           EscapeHtml(u.text) + "</p>\n";
      if (!u.strengths.empty() || !u.shortfalls.empty()) {
        h += "<ul class=\"basis\">";
        for (const Verdict& v : u.strengths) h += BasisItem(v, true);
        for (const Verdict& v : u.shortfalls) h += BasisItem(v, false);
        h += "</ul>\n";
      }
      h += "</article>\n";
    }
  } else {
    h += "<p>本月没有参与排名的单位。</p>\n";
  }

  if (!r.zero_request_units.empty()) {
    h += "<h2>零诉求单位</h2>\n<ul>\n";
    for (const ZeroRequestUnit& z : r.zero_request_units) {
      h += "<li>" + EscapeHtml(z.name) + "：" + EscapeHtml(ZeroRequestText(z)) + "</li>\n";
    }
    h += "</ul>\n";
  }
  if (!r.hot_topics.empty()) {
    h += "<h2>每月一题：本月热点诉求</h2>\n<ol>\n";
    for (const HotTopic& t : r.hot_topics) h += "<li>" + EscapeHtml(HotTopicText(t)) + "</li>\n";
    h += "</ol>\n";
  }
  if (!r.inspections.empty()) {
    h += "<h2>巡察整改</h2>\n<p>" + EscapeHtml(InspectionText(r)) + "</p>\n<table>\n<thead><tr>"
         "<th>巡察</th><th>类型</th><th>被巡察单位</th><th>发现问题</th><th>已整改</th>"
         "<th>整改完成率</th><th>超期未整改</th></tr></thead>\n<tbody>\n";
    for (const RoundFigures& f : r.inspections) {
      h += "<tr><td>" + EscapeHtml(f.round.name) + "</td><td>" +
           (f.round.IsRevisit() ? "回头看" : "巡察") + "</td><td class=\"num\">" +
           std::to_string(f.round.units.size()) + "</td><td class=\"num\">" +
           std::to_string(f.total.found) + "</td><td class=\"num\">" +
           std::to_string(f.total.rectified) + "</td><td class=\"num\">" +
           (f.total.found ? RectificationRateText(f.total) : "—") + "</td><td class=\"num\">" +
           std::to_string(f.total.overdue) + "</td></tr>\n";
    }
    h += "</tbody>\n</table>\n";
    std::string open;
    for (const auto& [f, o] : OutstandingOrganisations(r)) {
      open += "<li>" + EscapeHtml(OutstandingText(*f, *o)) + "</li>\n";
    }
    if (!open.empty()) h += "<p>整改尚未完成的单位：</p>\n<ul>\n" + open + "</ul>\n";
  }

  const CommunityFigures& c = r.community;
  if (c.proactive_total > 0) {
    h += "<h2>主动治理</h2>\n<p>" + EscapeHtml(ProactiveText(c)) + "</p>\n";
  }
  if (c.enterprise_requests > 0 || c.enterprise_tally.valid > 0) {
    h += "<h2>企业服务包</h2>\n<p>" + EscapeHtml(EnterpriseText(c)) + "</p>\n<table>\n<thead><tr>"
         "<th>街乡</th><th>企业诉求</th><th>有效回访</th><th>响应率</th><th>解决率</th>"
         "<th>满意率</th></tr></thead>\n<tbody>\n";
    for (const EnterpriseTownship& t : c.enterprise) {
      const auto cell = [](const std::string& s) { return "<td class=\"num\">" + s + "</td>"; };
      h += "<tr><td>" + EscapeHtml(t.name) + "</td>" + cell(std::to_string(t.requests)) +
           cell(std::to_string(t.tally.valid)) +
           cell(t.rates ? Percent(t.rates->response) : "—") +
           cell(t.rates ? Percent(t.rates->resolution) : "—") +
           cell(t.rates ? Percent(t.rates->satisfaction) : "—") + "</tr>\n";
    }
    h += "</tbody>\n</table>\n";
  }

  h += "<footer>" + EscapeHtml(RulesText(r.rules)) + "</footer>\n</body>\n</html>\n";
  return h;
}

}  // namespace jiesu::assess
