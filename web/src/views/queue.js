// 待办 (handler): the unit's open cases — 待签收, 办理中, 异议待审 — sorted by the deadline that
// matters now (签收时限 before acceptance, then 办结时限), overdue first, with one-click 签收.

import { h, mount, messageLine } from '../dom.js';
import { listAllCases, act } from '../api.js';
import { caseRow, CASE_COLUMNS, currentDeadline } from '../casebits.js';
import { dueIn } from '../format.js';

const TABS = [
  ['all', '全部待办', () => true],
  ['dispatched', '待签收', (c) => c.status === 'dispatched'],
  ['accepted', '办理中', (c) => c.status === 'accepted'],
  ['objected', '异议待审', (c) => c.status === 'objected'],
  ['overdue', '已超期', (c) => c.overdue || dueIn(currentDeadline(c).at).level === 'overdue'],
  ['soon', '24小时内到期', (c) => !c.overdue && dueIn(currentDeadline(c).at).level === 'soon'],
  ['supervised', '督办', (c) => c.supervised],
];

const deadlineMs = (c) => {
  const at = currentDeadline(c).at;
  return at ? new Date(at).getTime() : Infinity;
};

export async function render(root, ctx) {
  const unitName = ctx.me.unit ? ctx.me.unit.short_name || ctx.me.unit.name : '本单位';
  document.title = `待办 · ${unitName} · 通州区接诉即办`;
  const tab = TABS.find(([k]) => k === ctx.params.get('tab')) || TABS[0];
  const message = messageLine();

  const results = await Promise.all(['dispatched', 'accepted', 'objected'].map((status) => listAllCases({ status }, { max: 1500 })));
  if (!ctx.current()) return;
  const cases = results.flatMap((r) => r.cases).sort((a, b) => deadlineMs(a) - deadlineMs(b) || a.id - b.id);
  const complete = results.every((r) => r.complete);

  const tabs = h('div', { class: 'chips presets', role: 'tablist' }, TABS.map(([key, label, test]) => {
    const n = cases.filter(test).length;
    const on = key === tab[0];
    return h('a', {
      href: `#/queue?tab=${key}`, role: 'tab', 'aria-selected': String(on),
      class: ['chip', on ? 'on' : '', (key === 'overdue' && n) ? 'chip-danger' : ''],
    }, `${label} `, h('span', { class: 'chip-count' }, String(n)));
  }));

  const tbody = h('tbody');
  const rows = cases.filter(tab[2]);
  // One row with its buttons; 签收 replaces the row with the accepted case.
  function makeRow(c) {
    const buttons = h('div', { class: 'row-buttons' });
    const row = caseRow(c, { extra: buttons });
    const actions = c.actions || [];
    if (actions.includes('accept')) {
      buttons.append(h('button', {
        type: 'button', class: 'btn btn-small btn-primary', dataset: { action: 'accept' },
        onclick: async (ev) => {
          const button = ev.currentTarget;
          button.disabled = true;
          try {
            row.replaceWith(makeRow(await act(c.id, { action: 'accept' })));
            message.ok(`#${c.id} 已签收，请在办结时限内办理并反馈。`);
          } catch (e) {
            message.error(e);
            button.disabled = false;
          }
        },
      }, '签收'));
    }
    if (actions.includes('reply')) buttons.append(h('a', { class: 'btn btn-small', href: `#/case/${c.id}?do=reply` }, '办结反馈'));
    if (!buttons.firstChild) buttons.append(h('a', { class: 'btn btn-small', href: `#/case/${c.id}` }, '查看'));
    return row;
  }
  for (const c of rows) tbody.append(makeRow(c));
  if (!rows.length) {
    tbody.append(h('tr', h('td', { colspan: CASE_COLUMNS.length + 1, class: 'muted center' },
      tab[0] === 'all' ? '没有待办工单。' : '此类没有待办工单。')));
  }

  mount(root,
    h('div', { class: 'toolbar' },
      h('div', h('h1', `待办工单 · ${unitName}`),
        h('p', { class: 'muted small' }, '按当前时限排序：未签收的按签收时限，已签收的按办结时限；超期的排在最前。')),
      h('div', { class: 'toolbar-controls' },
        h('button', { type: 'button', class: 'btn', onclick: () => render(root, ctx) }, '刷新'),
        h('a', { class: 'btn', href: '#/cases' }, '全部工单'))),
    tabs,
    message.el,
    h('section', { class: 'card' },
      h('div', { class: 'table-wrap' }, h('table', { class: 'data queue', id: 'queue-table' },
        h('thead', h('tr', [...CASE_COLUMNS, '操作'].map((l) => h('th', { scope: 'col' }, l)))), tbody)),
      complete ? null : h('p', { class: 'muted small' }, '待办过多，只显示了前 1500 件；请用“全部工单”按条件查询。')));
}
