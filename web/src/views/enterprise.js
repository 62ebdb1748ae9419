// One enterprise of the 服务包 (GET /api/v1/enterprises/{id}): its details, its service manager
// (服务管家), its requests and the list of its 企业诉求 (each opening #/case/ID). An operator or
// admin records a 企业诉求 here (POST /api/v1/cases with enterprise_id: category 企业诉求, sent
// straight to the manager's unit) and gets the created case's link.

import { h, mount, field, messageLine } from '../dom.js';
import { enterprise, createCase } from '../api.js';
import { fmtDate } from '../format.js';
import { TYPES } from '../labels.js';
import { caseRow, CASE_COLUMNS, statusTag } from '../casebits.js';

const MAY_RECORD = ['operator', 'admin'];

function casesTable(cases) {
  const tbody = h('tbody', cases.length ? cases.map((c) => caseRow(c))
    : h('tr', h('td', { colspan: CASE_COLUMNS.length, class: 'muted center' }, '还没有企业诉求。')));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data queue', id: 'enterprise-cases' },
    h('thead', h('tr', CASE_COLUMNS.map((l) => h('th', { scope: 'col' }, l)))), tbody));
}

function requestForm(e, { onDone }) {
  const message = messageLine();
  const type = h('select', { name: 'type', 'aria-label': '诉求类型' }, TYPES.map(([v, l]) => h('option', { value: v }, l)));
  type.value = 'help';
  const title = h('input', { type: 'text', name: 'title', maxlength: 200, placeholder: '一句话概括（可不填，系统取内容开头）' });
  const text = h('textarea', { name: 'text', rows: 4, required: true, maxlength: 5000, placeholder: '企业反映的问题和诉求' });
  const result = h('div', { class: 'enterprise-result', id: 'enterprise-result', 'aria-live': 'polite' });
  const form = h('form', { class: 'card', id: 'enterprise-request' },
    h('h2', '登记企业诉求'),
    h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '诉求类型'), type),
    h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '标题'), title),
    h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '诉求内容 *'), text),
    h('p', { class: 'muted small' }, `直接派至服务管家所在单位${e.manager && e.manager.unit ? `（${e.manager.unit.name}）` : ''}，按“企业诉求”时限办理。`),
    message.el,
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, '登记并派单')),
    result);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    message.clear();
    const body = { type: type.value, text: text.value.trim(), enterprise_id: e.id };
    if (!body.text) { message.error('请填写诉求内容。'); text.focus(); return; }
    if (title.value.trim()) body.title = title.value.trim();
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const c = await createCase(body);
      title.value = '';
      text.value = '';
      onDone(c);
      mount(result, h('p', { class: 'flash', role: 'status' }, '已登记企业诉求 ',
        h('a', { href: `#/case/${c.id}`, class: 'case-link' }, `#${c.id}`), ' ', statusTag(c),
        c.unit ? `，派至 ${c.unit.name}` : '', '。'));
    } catch (err) {
      message.error(err);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

export async function render(root, ctx) {
  const id = Number(ctx.parts[1]);
  if (!Number.isInteger(id) || id < 1) { mount(root, h('p', { class: 'error' }, '企业编号无效。')); return; }
  const e = await enterprise(id);
  if (!ctx.current()) return;
  document.title = `${e.name} · 服务包`;

  const casesBox = h('div', casesTable(e.cases || []));
  const casesHead = h('h2', `企业诉求（${(e.cases || []).length}）`);
  // A new request: read the enterprise again for its list and counts.
  const reload = async () => {
    try {
      const fresh = await enterprise(id);
      if (!casesBox.isConnected) return;
      mount(casesBox, casesTable(fresh.cases || []));
      casesHead.textContent = `企业诉求（${(fresh.cases || []).length}）`;
      counts.textContent = requestsText(fresh);
    } catch (err) {
      mount(casesBox, h('p', { class: 'error' }, err.describe ? err.describe() : String(err)));
    }
  };
  const requestsText = (x) => `共 ${x.requests ? x.requests.total : 0} 件，未办结 ${x.requests ? x.requests.open : 0} 件`;
  const counts = h('span', { id: 'enterprise-requests' }, requestsText(e));

  const facts = h('dl', { class: 'facts' },
    field('信用代码', h('span', { class: 'mono' }, e.credit_code)),
    field('所在街乡', e.township ? e.township.name : '—'),
    field('地址', e.address || '—'),
    field('服务管家', e.manager ? e.manager.name : '—'),
    field('管家单位', e.manager && e.manager.unit ? e.manager.unit.name : '—'),
    field('企业诉求', counts),
    field('登记日期', fmtDate(e.created_at)));

  const mayRecord = MAY_RECORD.includes(ctx.me.role);
  mount(root,
    h('div', { class: 'toolbar' }, h('div',
      h('p', { class: 'crumbs' }, h('a', { href: '#/enterprises' }, '服务包'), ' / ', e.name),
      h('h1', { id: 'enterprise-name' }, e.name),
      h('p', { class: 'muted small' }, [e.township && e.township.name, e.manager && `服务管家 ${e.manager.name}`].filter(Boolean).join(' · ')))),
    h('div', { class: 'grid-2-1' },
      h('section', { class: 'card' }, casesHead, casesBox),
      h('div',
        h('section', { class: 'card' }, h('h2', '企业信息'), facts),
        mayRecord ? requestForm(e, { onDone: reload }) : null)));
}
