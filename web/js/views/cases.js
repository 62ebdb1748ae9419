// 工单 queue: GET /api/v1/cases with filters kept in the address (#/cases?status=…), 50 a
// page, "加载更多" following next_cursor.

import { h, mount, fmtTime, badge } from '../dom.js';
import { api, loadReference, STATUS, TYPES } from '../api.js';
import { unitPicker, categoryPicker } from '../pickers.js';

const FILTER_KEYS = ['q', 'status', 'type', 'unit', 'category', 'overdue', 'supervised', 'from', 'to'];
const OPEN_FOR_UNIT = new Set(['dispatched', 'accepted', 'objected']);

function presetsFor(role) {
  const all = [['全部', {}]];
  const byRole = {
    operator: [['待派单', { status: 'received' }], ['异议待审', { status: 'objected' }], ['待回访', { status: 'replied' }], ['超期', { overdue: 'true' }]],
    handler: [['待签收', { status: 'dispatched' }], ['办理中', { status: 'accepted' }], ['超期', { overdue: 'true' }], ['督办', { supervised: 'true' }]],
    supervisor: [['异议待审', { status: 'objected' }], ['超期', { overdue: 'true' }], ['督办', { supervised: 'true' }], ['已反馈', { status: 'replied' }]],
    admin: [['待派单', { status: 'received' }], ['异议待审', { status: 'objected' }], ['待回访', { status: 'replied' }], ['超期', { overdue: 'true' }], ['督办', { supervised: 'true' }]],
    inspector: [['超期', { overdue: 'true' }], ['督办', { supervised: 'true' }]],
    public: [],
  };
  return all.concat(byRole[role] || []);
}

export function caseFlags(c) {
  const out = [];
  if (c.overdue) out.push(badge('超期', 'danger', '已超过办结时限'));
  if (c.supervised) out.push(badge('督办', 'warn', '已被督办'));
  if (c.urgency === 'emergency') out.push(badge('特急', 'danger'));
  else if (c.urgency === 'urgent') out.push(badge('紧急', 'warn'));
  if (!c.overdue && OPEN_FOR_UNIT.has(c.status) && c.due) {
    const left = new Date(c.due).getTime() - Date.now();
    if (left > 0 && left < 24 * 3600 * 1000) out.push(badge('将到期', 'soon', '24 小时内到期'));
  }
  if (c.reopen_count > 0) out.push(badge(`重办${c.reopen_count > 1 ? `×${c.reopen_count}` : ''}`, 'info'));
  return out;
}

export function statusTag(c) {
  return h('span', { class: `status status-${c.status}` }, c.status_label || c.status);
}

function caseRow(c) {
  const href = `#/case/${c.id}`;
  const flags = caseFlags(c);
  return h('tr', { class: c.overdue ? 'row-overdue' : '' },
    h('td', { class: 'num', 'data-label': '编号' }, h('a', { href }, `#${c.id}`)),
    h('td', { 'data-label': '类型' }, c.type_label || c.type),
    h('td', { 'data-label': '标题', class: 'title-cell' }, h('div', h('a', { href }, c.title || (c.text || '').slice(0, 30) || '（无标题）'),
      c.category ? h('div', { class: 'muted small' }, c.category.name) : null)),
    h('td', { 'data-label': '承办单位' }, c.unit ? c.unit.name : h('span', { class: 'muted' }, '未派单')),
    h('td', { 'data-label': '状态' }, statusTag(c)),
    h('td', { 'data-label': '办结时限', class: c.overdue ? 'due overdue-text' : 'due' }, fmtTime(c.due)),
    h('td', { 'data-label': '受理时间', class: 'muted' }, fmtTime(c.created_at)),
    h('td', { 'data-label': '标记', class: 'flags' }, flags.length ? h('div', flags) : null),
  );
}

export async function renderCases(root, ctx) {
  document.title = '工单 · 通州区接诉即办';
  const params = ctx.params;
  const current = {};
  for (const k of FILTER_KEYS) if (params.get(k)) current[k] = params.get(k);

  const ref = await loadReference().catch(() => null);

  const go = (filters) => {
    const q = new URLSearchParams();
    for (const k of FILTER_KEYS) if (filters[k]) q.set(k, filters[k]);
    const qs = q.toString();
    ctx.navigate(`/cases${qs ? `?${qs}` : ''}`);
  };

  // ---- filter form ----
  const qInput = h('input', { type: 'search', name: 'q', value: current.q || '', placeholder: '标题、内容或地址关键词', maxlength: 100 });
  const statusSel = h('select', { name: 'status' }, h('option', { value: '' }, '全部状态'),
    STATUS.map(([v, l]) => h('option', { value: v }, l)));
  statusSel.value = current.status || '';
  const typeSel = h('select', { name: 'type' }, h('option', { value: '' }, '全部类型'),
    TYPES.map(([v, l]) => h('option', { value: v }, l)));
  typeSel.value = current.type || '';
  const unit = ref ? unitPicker(ref, {
    value: current.unit || '', placeholder: '承办单位（含下级）',
    within: ctx.me.role === 'handler' && ctx.me.unit ? ctx.me.unit.code : '',
  }) : null;
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

  const presets = h('div', { class: 'chips presets no-print' }, presetsFor(ctx.me.role).map(([label, f]) => {
    const on = FILTER_KEYS.every((k) => (f[k] || '') === (current[k] || ''));
    return h('button', { type: 'button', class: on ? 'chip on' : 'chip', onclick: () => go(f) }, label);
  }));

  const period = current.from || current.to
    ? h('p', { class: 'period' }, `受理时间：${current.from ? fmtTime(current.from) : '不限'} 至 ${current.to ? fmtTime(current.to) : '不限'} `,
      h('button', { type: 'button', class: 'btn btn-small btn-ghost', onclick: () => go({ ...current, from: '', to: '' }) }, '取消时间条件'))
    : null;

  const tbody = h('tbody');
  const table = h('table', { class: 'data queue' },
    h('thead', h('tr', ['编号', '类型', '标题', '承办单位', '状态', '办结时限', '受理时间', '标记']
      .map((l) => h('th', { scope: 'col' }, l)))),
    tbody);
  const status = h('p', { class: 'muted small', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', class: 'btn no-print', hidden: true }, '加载更多');
  const error = h('p', { class: 'error', role: 'alert' });

  mount(root,
    h('div', { class: 'toolbar' },
      h('h1', ctx.me.role === 'handler' && ctx.me.unit ? `工单 · ${ctx.me.unit.short_name}` : '工单'),
      presets,
      ['operator', 'admin'].includes(ctx.me.role) ? h('a', { class: 'btn btn-primary no-print', href: '#/intake' }, '受理新诉求') : null),
    form, period,
    h('section', { class: 'card' }, h('div', { class: 'table-wrap' }, table), error, h('div', { class: 'more-row' }, status, more)));

  let cursor = null;
  let shown = 0;
  async function load() {
    more.disabled = true;
    error.textContent = '';
    status.textContent = '正在加载…';
    try {
      const page = await api('/api/v1/cases', { query: { ...current, limit: 50, cursor } });
      for (const c of page.cases || []) tbody.append(caseRow(c));
      shown += (page.cases || []).length;
      cursor = page.next_cursor;
      more.hidden = !cursor;
      status.textContent = shown ? `已显示 ${shown} 件${cursor ? '，还有更多' : '，已全部显示'}` : '';
      if (!shown) tbody.append(h('tr', h('td', { colspan: 8, class: 'muted center' }, '没有符合条件的工单。')));
    } catch (e) {
      status.textContent = '';
      error.textContent = e.describe ? e.describe() : String(e);
    } finally {
      more.disabled = false;
    }
  }
  more.addEventListener('click', () => { if (cursor) load(); });
  await load();
}
