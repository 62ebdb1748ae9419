// 工单查询: GET /api/v1/cases with its filters kept in the address (#/cases?unit=…&from=…), so
// every chart and table of the dashboard can link here; 50 a page, "加载更多" follows
// next_cursor. `#/cases?ids=1,2,3&title=…` lists given cases (a hot topic's), fetched one by one.

import { h, mount, messageLine } from '../dom.js';
import { listCases, getCase, loadReference } from '../api.js';
import { fmtTime } from '../format.js';
import { STATUS, TYPES } from '../labels.js';
import { unitPicker, categoryPicker } from '../pickers.js';
import { caseRow, CASE_COLUMNS } from '../casebits.js';

const FILTER_KEYS = ['q', 'status', 'type', 'unit', 'category', 'overdue', 'supervised', 'from', 'to'];
const MAX_IDS = 60;

function presetsFor(role) {
  const byRole = {
    operator: [['待派单', { status: 'received' }], ['待回访', { status: 'replied' }], ['超期', { overdue: 'true' }]],
    handler: [['待签收', { status: 'dispatched' }], ['办理中', { status: 'accepted' }], ['超期', { overdue: 'true' }], ['督办', { supervised: 'true' }]],
    supervisor: [['异议待审', { status: 'objected' }], ['超期', { overdue: 'true' }], ['督办', { supervised: 'true' }], ['已反馈', { status: 'replied' }]],
    admin: [['待派单', { status: 'received' }], ['异议待审', { status: 'objected' }], ['待回访', { status: 'replied' }], ['超期', { overdue: 'true' }], ['督办', { supervised: 'true' }]],
    inspector: [['超期', { overdue: 'true' }], ['督办', { supervised: 'true' }]],
  };
  return [['全部', {}], ...(byRole[role] || [])];
}

function table(tbody) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data queue' },
    h('thead', h('tr', CASE_COLUMNS.map((l) => h('th', { scope: 'col' }, l)))), tbody));
}

// A description of the filters in words, for the heading.
function describe(current, ref) {
  const out = [];
  if (current.unit) out.push(ref ? ref.unitName(current.unit) : current.unit);
  if (current.category) out.push(ref ? ref.categoryName(current.category) : current.category);
  if (current.status) out.push((STATUS.find(([k]) => k === current.status) || [])[1] || current.status);
  if (current.type) out.push((TYPES.find(([k]) => k === current.type) || [])[1] || current.type);
  if (current.overdue === 'true') out.push('超期');
  if (current.supervised === 'true') out.push('督办');
  if (current.q) out.push(`含“${current.q}”`);
  return out.join(' · ');
}

async function renderIds(root, ctx, ids) {
  const title = ctx.params.get('title') || '指定工单';
  document.title = `${title} · 通州区接诉即办`;
  const tbody = h('tbody');
  const message = messageLine();
  mount(root,
    h('div', { class: 'toolbar' }, h('div',
      h('p', { class: 'crumbs' }, h('a', { href: '#/cases' }, '工单查询'), ' / 指定工单'),
      h('h1', title))),
    h('section', { class: 'card' }, table(tbody), message.el,
      ids.length > MAX_IDS ? h('p', { class: 'muted small' }, `共 ${ids.length} 件，显示前 ${MAX_IDS} 件。`) : null));
  const shown = ids.slice(0, MAX_IDS);
  const results = new Array(shown.length);
  let next = 0;
  const worker = async () => {
    while (next < shown.length) {
      const i = next++;
      results[i] = await getCase(shown[i]).catch((e) => ({ error: e, id: shown[i] }));
    }
  };
  await Promise.all([1, 2, 3, 4].map(worker));
  if (!ctx.current()) return;
  for (const c of results) {
    if (c.error) tbody.append(h('tr', h('td', { colspan: CASE_COLUMNS.length, class: 'muted' }, `#${c.id}：无法读取`)));
    else tbody.append(caseRow(c));
  }
  message.ok(`共 ${results.length} 件。`);
}

export async function render(root, ctx) {
  const ids = (ctx.params.get('ids') || '').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
  if (ids.length) { await renderIds(root, ctx, ids); return; }

  document.title = '工单查询 · 通州区接诉即办';
  const current = {};
  for (const k of FILTER_KEYS) if (ctx.params.get(k)) current[k] = ctx.params.get(k);
  const ref = await loadReference().catch(() => null);
  const role = ctx.me.role;
  const within = role === 'handler' && ctx.me.unit ? ctx.me.unit.code : '';

  const go = (filters) => {
    const q = new URLSearchParams();
    for (const k of FILTER_KEYS) if (filters[k]) q.set(k, filters[k]);
    const qs = q.toString();
    ctx.navigate(`/cases${qs ? `?${qs}` : ''}`);
  };

  const qInput = h('input', { type: 'search', name: 'q', value: current.q || '', placeholder: '标题、内容或地址中的词', maxlength: 100 });
  const statusSel = h('select', { name: 'status' }, h('option', { value: '' }, '全部状态'),
    STATUS.map(([v, l]) => h('option', { value: v }, l)));
  statusSel.value = current.status || '';
  const typeSel = h('select', { name: 'type' }, h('option', { value: '' }, '全部类型'),
    TYPES.map(([v, l]) => h('option', { value: v }, l)));
  typeSel.value = current.type || '';
  const unit = ref ? unitPicker(ref, { value: current.unit || '', placeholder: '承办单位（含下级）', within }) : null;
  const category = ref ? categoryPicker(ref, { value: current.category || '', emptyLabel: '全部类别' }) : null;
  const overdue = h('input', { type: 'checkbox', name: 'overdue', checked: current.overdue === 'true' });
  const supervised = h('input', { type: 'checkbox', name: 'supervised', checked: current.supervised === 'true' });

  const form = h('form', { class: 'filters card no-print' },
    h('label', { class: 'grow' }, '关键词', qInput),
    h('label', '状态', statusSel),
    h('label', '类型', typeSel),
    unit ? h('label', { class: 'grow' }, '承办单位', unit.el) : null,
    category ? h('label', '类别', category.el) : null,
    h('div', { class: 'checks' },
      h('label', { class: 'check' }, overdue, '仅超期'),
      h('label', { class: 'check' }, supervised, '仅督办')),
    h('div', { class: 'form-actions' },
      h('button', { type: 'submit', class: 'btn btn-primary' }, '查询'),
      h('button', { type: 'button', class: 'btn', onclick: () => go({}) }, '清空')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const u = unit ? unit.value() : '';
    if (u === null) { unit.input.reportValidity(); return; }
    go({
      q: qInput.value.trim(), status: statusSel.value, type: typeSel.value, unit: u,
      category: category ? category.value() : '', overdue: overdue.checked ? 'true' : '',
      supervised: supervised.checked ? 'true' : '', from: current.from, to: current.to,
    });
  });

  const presets = h('div', { class: 'chips presets no-print' }, presetsFor(role).map(([label, f]) => {
    const on = FILTER_KEYS.every((k) => (f[k] || '') === (current[k] || ''));
    return h('button', { type: 'button', class: on ? 'chip on' : 'chip', 'aria-pressed': String(on), onclick: () => go(f) }, label);
  }));

  const period = current.from || current.to
    ? h('p', { class: 'period' }, `受理时间：${current.from ? fmtTime(current.from) : '不限'} 至 ${current.to ? fmtTime(current.to) : '不限'}（不含） `,
      h('button', { type: 'button', class: 'btn btn-small btn-ghost', onclick: () => go({ ...current, from: '', to: '' }) }, '取消时间条件'))
    : null;

  const tbody = h('tbody');
  const status = h('p', { class: 'muted small', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', class: 'btn no-print', hidden: true }, '加载更多');
  const message = messageLine();
  const words = describe(current, ref);

  mount(root,
    h('div', { class: 'toolbar' },
      h('div', h('h1', '工单查询'), words ? h('p', { class: 'muted', id: 'filter-words' }, words) : null),
      presets,
      ['operator', 'admin'].includes(role) ? h('a', { class: 'btn btn-primary no-print', href: '#/intake' }, '受理新诉求') : null),
    form, period,
    h('section', { class: 'card' }, table(tbody), message.el, h('div', { class: 'more-row' }, status, more)));

  let cursor;
  let shown = 0;
  async function load() {
    more.disabled = true;
    message.clear();
    status.textContent = '正在加载…';
    try {
      const page = await listCases(current, { limit: 50, cursor });
      if (!ctx.current()) return;
      for (const c of page.cases || []) tbody.append(caseRow(c));
      shown += (page.cases || []).length;
      cursor = page.next_cursor;
      more.hidden = !cursor;
      status.textContent = shown ? `已显示 ${shown} 件${cursor ? '，还有更多' : '，已全部显示'}` : '';
      if (!shown) tbody.append(h('tr', h('td', { colspan: CASE_COLUMNS.length, class: 'muted center' }, '没有符合条件的工单。')));
    } catch (e) {
      status.textContent = '';
      message.error(e);
    } finally {
      more.disabled = false;
    }
  }
  more.addEventListener('click', () => { if (cursor) load(); });
  await load();
}
