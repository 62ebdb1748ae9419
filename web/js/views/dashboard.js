// 领导看板: the month's 综合考核 ranking (GET /api/v1/assessments), with the change from the
// month before, district totals, a bar chart of scores, the timeliness beside the score, and
// the zero-request units listed apart. Every unit links to its cases.

import { h, s, mount, clear, fmtPct, fmtScore, thisMonth, shiftMonth, badge } from '../dom.js';
import { api } from '../api.js';

const LEVEL_TABS = [
  ['township', '街道/乡镇'],
  ['community', '社区/村'],
  ['department', '委办局'],
];

const CHART_MAX_ROWS = 30;

function monthWindow(month) {
  return { from: `${month}-01T00:00:00+08:00`, to: `${shiftMonth(month, 1)}-01T00:00:00+08:00` };
}

function casesLink(month, extra) {
  const q = new URLSearchParams({ ...monthWindow(month), ...extra });
  return `#/cases?${q}`;
}

// District totals over the ranked units, from their counts and the published weights.
function totals(units, weights) {
  const t = { valid: 0, contacted: 0, resolved: 0, satisfied: 0, basic: 0, overdue: 0, reopened: 0, dispatched: 0 };
  for (const u of units) {
    t.valid += u.valid_callbacks || 0;
    const c = u.counts || {};
    t.contacted += c.contacted || 0;
    t.resolved += c.resolved || 0;
    t.satisfied += c.satisfied || 0;
    t.basic += c.basically_satisfied || 0;
    const tl = u.timeliness || {};
    t.overdue += tl.overdue || 0;
    t.reopened += tl.reopened || 0;
    t.dispatched += tl.dispatched || 0;
  }
  if (t.valid > 0) {
    t.response = t.contacted / t.valid;
    t.resolution = t.resolved / t.valid;
    t.satisfaction = (t.satisfied + weights.basically_satisfied * t.basic) / t.valid;
    t.score = 100 * (weights.response * t.response + weights.resolution * t.resolution +
      weights.satisfaction * t.satisfaction);
  }
  return t;
}

function scoreClass(score) {
  if (score >= 95) return 'good';
  if (score >= 85) return 'fair';
  return 'poor';
}

function rankChange(u, prevRanks) {
  if (!prevRanks) return h('span', { class: 'muted' }, '—');
  const prev = prevRanks.get(u.code);
  if (prev === undefined) return h('span', { class: 'change change-new', title: '上月未参与排名' }, '新');
  const d = prev - u.rank;
  if (d > 0) return h('span', { class: 'change change-up', title: `上月第${prev}名` }, `↑${d}`);
  if (d < 0) return h('span', { class: 'change change-down', title: `上月第${prev}名` }, `↓${-d}`);
  return h('span', { class: 'change change-same', title: `上月第${prev}名` }, '—');
}

// Horizontal bar chart of scores, drawn at the container's pixel width.
function barChart(container, units, month) {
  clear(container);
  const rows = units.slice(0, CHART_MAX_ROWS);
  if (!rows.length) {
    container.append(h('p', { class: 'muted' }, '本月没有参与排名的单位。'));
    return;
  }
  const width = Math.max(300, Math.floor(container.clientWidth || 640));
  const narrow = width < 520;
  const labelW = narrow ? 92 : 140;
  const valueW = 48;
  const rowH = narrow ? 20 : 22;
  const top = 22;
  const plotW = width - labelW - valueW - 8;
  const height = top + rows.length * rowH + 6;
  const x = (v) => labelW + (plotW * Math.max(0, Math.min(100, v))) / 100;

  const svg = s('svg', {
    width, height, viewBox: `0 0 ${width} ${height}`, class: 'bar-chart', role: 'img',
    'aria-label': '综合成绩条形图',
  });
  svg.append(s('defs', {},
    s('pattern', { id: 'hatch', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
      s('rect', { width: 6, height: 6, class: 'hatch-bg' }),
      s('line', { x1: 0, y1: 0, x2: 0, y2: 6, class: 'hatch-line' }))));
  for (let v = 0; v <= 100; v += 20) {
    svg.append(s('line', { x1: x(v), x2: x(v), y1: top - 4, y2: height - 4, class: 'grid' }));
    svg.append(s('text', { x: x(v), y: 12, class: 'axis', 'text-anchor': 'middle' }, String(v)));
  }
  rows.forEach((u, i) => {
    const y = top + i * rowH;
    const link = s('a', { href: casesLink(month, { unit: u.code }) });
    link.append(s('title', {}, `${u.name}：综合成绩 ${fmtScore(u.score)}，第${u.rank}名，有效回访 ${u.valid_callbacks} 件${u.low_sample ? '（样本不足）' : ''}`));
    const name = narrow && u.name.length > 6 ? `${u.name.slice(0, 6)}…` : u.name;
    link.append(s('text', { x: labelW - 8, y: y + rowH / 2 + 4, class: 'label', 'text-anchor': 'end' }, name));
    link.append(s('rect', {
      x: labelW, y: y + 3, width: Math.max(1, x(u.score) - labelW), height: rowH - 6, rx: 2,
      class: `bar bar-${scoreClass(u.score)}${u.low_sample ? ' bar-low' : ''}`,
    }));
    link.append(s('text', { x: x(u.score) + 4, y: y + rowH / 2 + 4, class: 'value' }, fmtScore(u.score)));
    svg.append(link);
  });
  container.append(svg);
  if (units.length > rows.length) {
    container.append(h('p', { class: 'muted small' }, `仅显示前 ${rows.length} 名，共 ${units.length} 个单位，完整排名见下表。`));
  }
}

const COLUMNS = [
  { key: 'rank', label: '名次', num: true, get: (u) => u.rank },
  { key: 'change', label: '较上月', get: null },
  { key: 'name', label: '单位', get: (u) => u.name },
  { key: 'score', label: '综合成绩', num: true, get: (u) => u.score },
  { key: 'response_rate', label: '响应率', num: true, get: (u) => u.response_rate },
  { key: 'resolution_rate', label: '解决率', num: true, get: (u) => u.resolution_rate },
  { key: 'satisfaction_rate', label: '满意率', num: true, get: (u) => u.satisfaction_rate },
  { key: 'valid', label: '有效回访', num: true, get: (u) => u.valid_callbacks },
  { key: 'ack', label: '按时签收率', num: true, get: (u) => u.timeliness?.on_time_acceptance_rate },
  { key: 'done', label: '按期办结率', num: true, get: (u) => u.timeliness?.on_time_completion_rate },
  { key: 'overdue', label: '超期', num: true, get: (u) => u.timeliness?.overdue },
  { key: 'reopened', label: '重办', num: true, get: (u) => u.timeliness?.reopened },
  { key: 'flag', label: '备注', get: null },
];

function rankingTable(units, prevRanks, month, minSamples, sort) {
  const table = h('table', { class: 'data ranking' });
  const headRow = h('tr');
  for (const col of COLUMNS) {
    const th = h('th', { class: col.num ? 'num' : '', scope: 'col' }, col.label);
    if (col.get) {
      th.classList.add('sortable');
      th.tabIndex = 0;
      if (sort.key === col.key) th.setAttribute('aria-sort', sort.dir > 0 ? 'ascending' : 'descending');
      const act = () => sort.set(col.key);
      th.addEventListener('click', act);
      th.addEventListener('keydown', (e) => { if (e.key === 'Enter') act(); });
    }
    headRow.append(th);
  }
  table.append(h('thead', headRow));
  const body = h('tbody');
  for (const u of units) {
    const tl = u.timeliness || {};
    body.append(h('tr', { class: u.low_sample ? 'low-sample' : '' },
      h('td', { class: 'num', 'data-label': '名次' }, h('span', { class: `rank rank-${u.rank <= 3 ? 'top' : 'n'}` }, String(u.rank))),
      h('td', { 'data-label': '较上月' }, rankChange(u, prevRanks)),
      h('td', { 'data-label': '单位', class: 'unit-name' }, h('a', { href: casesLink(month, { unit: u.code }) }, u.name)),
      h('td', { class: `num score score-${scoreClass(u.score)}`, 'data-label': '综合成绩' }, fmtScore(u.score)),
      h('td', { class: 'num', 'data-label': '响应率' }, fmtPct(u.response_rate)),
      h('td', { class: 'num', 'data-label': '解决率' }, fmtPct(u.resolution_rate)),
      h('td', { class: 'num', 'data-label': '满意率' }, fmtPct(u.satisfaction_rate)),
      h('td', { class: 'num', 'data-label': '有效回访' }, String(u.valid_callbacks)),
      h('td', { class: 'num', 'data-label': '按时签收率' }, tl.dispatched ? fmtPct(tl.on_time_acceptance_rate) : '—'),
      h('td', { class: 'num', 'data-label': '按期办结率' }, tl.dispatched ? fmtPct(tl.on_time_completion_rate) : '—'),
      h('td', { class: 'num', 'data-label': '超期' }, tl.overdue
        ? h('a', { href: `#/cases?${new URLSearchParams({ unit: u.code, overdue: 'true' })}`, class: 'overdue-count', title: '查看该单位当前超期工单' }, String(tl.overdue))
        : '0'),
      h('td', { class: 'num', 'data-label': '重办' }, String(tl.reopened ?? 0)),
      h('td', { 'data-label': '备注' }, u.low_sample
        ? badge('样本不足', 'warn', `有效回访少于 ${minSamples} 件，排名仅供参考`) : ''),
    ));
  }
  if (!units.length) {
    body.append(h('tr', h('td', { colspan: COLUMNS.length, class: 'muted center' }, '没有符合条件的单位。')));
  }
  table.append(body);
  return h('div', { class: 'table-wrap' }, table);
}

const ZERO_SHOWN = 30;

function zeroList(zero, month) {
  if (!zero.length) return h('p', { class: 'muted' }, '本月所有单位均有有效回访。');
  const chip = (z) => h('li', h('a', { href: casesLink(month, { unit: z.code }), title: z.code }, z.name));
  const first = h('ul', { class: 'chips' }, zero.slice(0, ZERO_SHOWN).map(chip));
  if (zero.length <= ZERO_SHOWN) return first;
  return h('div', first, h('details', { class: 'more-chips' },
    h('summary', `其余 ${zero.length - ZERO_SHOWN} 个`),
    h('ul', { class: 'chips' }, zero.slice(ZERO_SHOWN).map(chip))));
}

function statCard(label, value, sub, extra) {
  return h('div', { class: ['stat', extra] }, h('div', { class: 'stat-label' }, label),
    h('div', { class: 'stat-value' }, value), sub ? h('div', { class: 'stat-sub' }, sub) : null);
}

export async function renderDashboard(root, ctx) {
  const current = thisMonth();
  const month = /^\d{4}-\d{2}$/.test(ctx.params.get('month') || '') ? ctx.params.get('month') : shiftMonth(current, -1);
  const level = LEVEL_TABS.some(([k]) => k === ctx.params.get('level')) ? ctx.params.get('level') : 'township';
  const levelLabel = LEVEL_TABS.find(([k]) => k === level)[1];
  document.title = `领导看板 ${month} · 通州区接诉即办`;

  const go = (m, l) => ctx.navigate(`/dashboard?${new URLSearchParams({ month: m, level: l })}`);
  const monthInput = h('input', { type: 'month', value: month, max: current, 'aria-label': '考核月份' });
  monthInput.addEventListener('change', () => { if (monthInput.value) go(monthInput.value, level); });
  const tabs = h('div', { class: 'segmented', role: 'tablist' },
    LEVEL_TABS.map(([k, label]) => h('button', {
      type: 'button', role: 'tab', 'aria-selected': String(k === level), class: k === level ? 'on' : '',
      onclick: () => go(month, k),
    }, label)));

  const head = h('div', { class: 'toolbar' },
    h('h1', `${Number(month.slice(0, 4))}年${Number(month.slice(5))}月 接诉即办综合考核`),
    h('div', { class: 'toolbar-controls no-print' },
      h('button', { type: 'button', class: 'btn btn-small', onclick: () => go(shiftMonth(month, -1), level), title: '上一月' }, '‹'),
      monthInput,
      h('button', { type: 'button', class: 'btn btn-small', disabled: month >= current, onclick: () => go(shiftMonth(month, 1), level), title: '下一月' }, '›'),
      tabs,
      h('button', { type: 'button', class: 'btn btn-small no-print', onclick: () => window.print() }, '打印')));
  const body = h('div', h('p', { class: 'loading' }, '正在加载考核数据…'));
  mount(root, head, body);

  const query = (m) => api('/api/v1/assessments', { query: { month: m, level } });
  const [data, prev] = await Promise.all([
    query(month),
    query(shiftMonth(month, -1)).catch(() => null),
  ]);

  const weights = data.weights || { response: 0.1, resolution: 0.5, satisfaction: 0.4, basically_satisfied: 0.9, min_samples: 5 };
  const units = (data.units || []).slice();
  const zero = data.zero_request_units || [];
  const prevRanks = prev ? new Map((prev.units || []).map((u) => [u.code, u.rank])) : null;
  const t = totals(units, weights);
  const lowCount = units.filter((u) => u.low_sample).length;

  const summary = h('section', { class: 'stats' },
    statCard(`参评${levelLabel}`, String(units.length), !units.length ? '本月无有效回访' : lowCount ? `其中 ${lowCount} 个样本不足` : '样本均充足'),
    statCard('有效回访', String(t.valid), `派单 ${t.dispatched} 件`),
    statCard('合计综合成绩', t.valid ? fmtScore(t.score) : '—', '按有效回访加权', t.valid ? `score-${scoreClass(t.score)}` : ''),
    statCard('响应率', t.valid ? fmtPct(t.response) : '—', `已联系 ${t.contacted} 件`),
    statCard('解决率', t.valid ? fmtPct(t.resolution) : '—', `已解决 ${t.resolved} 件`),
    statCard('满意率', t.valid ? fmtPct(t.satisfaction) : '—', `满意 ${t.satisfied}，基本满意 ${t.basic}`),
    statCard('超期工单', h('a', { href: '#/cases?overdue=true', title: '查看当前超期工单' }, String(t.overdue)), `重办 ${t.reopened} 件`, t.overdue ? 'stat-alert' : ''),
    statCard('零诉求单位', String(zero.length), '不排名、不计 0 分'));

  const chartBox = h('div', { class: 'chart-box' });
  const chartCard = h('section', { class: 'card chart-card' },
    h('h2', `综合成绩排名（${levelLabel}）`),
    chartBox,
    h('p', { class: 'legend small' },
      h('span', { class: 'swatch swatch-good' }), '≥95 ',
      h('span', { class: 'swatch swatch-fair' }), '85–95 ',
      h('span', { class: 'swatch swatch-poor' }), '<85 ',
      h('span', { class: 'swatch swatch-low' }), '样本不足'));

  const zeroCard = h('section', { class: 'card zero-card' },
    h('h2', `零诉求单位（${zero.length}）`),
    zeroList(zero, month),
    h('h2', '计分规则'),
    h('p', { class: 'small' },
      `综合成绩 = 100 ×（${weights.response} × 响应率 + ${weights.resolution} × 解决率 + ${weights.satisfaction} × 满意率）；`,
      `满意率 =（满意 + ${weights.basically_satisfied} × 基本满意）÷ 有效回访；`,
      `有效回访少于 ${weights.min_samples} 件的单位标注“样本不足”。`,
      '按当月记录的有效回访计算，街道/乡镇含所辖社区/村。'));

  // Sorting and filtering of the table.
  const sort = { key: 'rank', dir: 1, set: null };
  const filter = h('input', { type: 'search', placeholder: '筛选单位名称', class: 'filter-input', 'aria-label': '筛选单位' });
  const tableBox = h('div');
  const drawTable = () => {
    const col = COLUMNS.find((c) => c.key === sort.key);
    const needle = filter.value.trim();
    const rows = units.filter((u) => !needle || u.name.includes(needle));
    rows.sort((a, b) => {
      const va = col.get(a); const vb = col.get(b);
      const cmp = typeof va === 'string' ? va.localeCompare(vb, 'zh-CN') : (va ?? -1) - (vb ?? -1);
      return cmp * sort.dir || a.rank - b.rank || a.name.localeCompare(b.name, 'zh-CN');
    });
    mount(tableBox, rankingTable(rows, prevRanks, month, weights.min_samples, sort));
  };
  sort.set = (key) => {
    if (sort.key === key) sort.dir = -sort.dir;
    else { sort.key = key; sort.dir = ['rank', 'name', 'overdue', 'reopened'].includes(key) ? 1 : -1; }
    drawTable();
  };
  filter.addEventListener('input', drawTable);

  const tableCard = h('section', { class: 'card' },
    h('div', { class: 'card-head' },
      h('h2', `排名明细（${units.length} 个${levelLabel}）`),
      h('div', { class: 'card-tools no-print' }, filter)),
    tableBox,
    prev ? null : h('p', { class: 'muted small' }, '无上月数据，不显示名次变化。'));

  mount(body, summary, h('div', { class: 'grid-2-1' }, chartCard, zeroCard), tableCard);
  units.sort((a, b) => a.rank - b.rank || b.score - a.score);
  drawTable();
  barChart(chartBox, units, month);

  // Redraw the chart at its new width when the window is resized, while it is on screen.
  let timer = 0;
  const onResize = () => {
    if (!chartBox.isConnected) { window.removeEventListener('resize', onResize); return; }
    clearTimeout(timer);
    timer = setTimeout(() => barChart(chartBox, units, month), 150);
  };
  window.addEventListener('resize', onResize);
}

