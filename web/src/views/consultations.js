// 征求意见 (every role, the public key and residents included): the drafts open for opinions
// (GET /api/v1/consultations) with their state, period and opinion count. A supervisor or
// admin publishes one (POST /api/v1/consultations): title, summary, the drafting office, the
// closing date and its sections, added one by one.

import { h, mount, badge, messageLine } from '../dom.js';
import { consultations, createConsultation, loadReference } from '../api.js';
import { fmtDate, fmtTime, addDays } from '../format.js';
import { CONSULTATION_STATE } from '../labels.js';
import { unitPicker } from '../pickers.js';

const MAY_CREATE = ['supervisor', 'admin'];
const STATE_KIND = { open: 'good', upcoming: 'info', closed: 'muted' };

export function stateBadge(c) {
  return badge(CONSULTATION_STATE[c.state] || c.state, STATE_KIND[c.state] || 'info');
}

export function period(c) {
  return `${fmtDate(c.opens)} 至 ${fmtDate(c.closes)}`;
}

function listTable(list) {
  const head = ['征求意见', '状态', '征求期', '起草单位', '意见'];
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data queue', id: 'consultations-table' },
    h('thead', h('tr', head.map((x, i) => h('th', { scope: 'col', class: i === 4 ? 'num' : '' }, x)))),
    h('tbody', list.length ? list.map((c) => h('tr', { dataset: { id: String(c.id), state: c.state } },
      h('td', { class: 'title-cell', 'data-label': '征求意见' }, h('a', { href: `#/consultation/${c.id}` }, c.title),
        c.summary ? h('div', { class: 'muted small clamp' }, c.summary) : null),
      h('td', { 'data-label': '状态', class: 'state-cell' }, stateBadge(c)),
      h('td', { class: 'nowrap', 'data-label': '征求期', title: `${fmtTime(c.opens)} 至 ${fmtTime(c.closes)}` }, period(c)),
      h('td', { 'data-label': '起草单位' }, c.office ? c.office.name : '—'),
      h('td', { class: 'num', 'data-label': '意见' }, String(c.opinions ?? 0))))
      : h('tr', h('td', { colspan: head.length, class: 'muted center' }, '暂无征求意见。')))));
}

// One section of the draft in the form: title and text, removable.
function sectionFields(n, onRemove) {
  const title = h('input', { type: 'text', name: 'section_title', required: true, maxlength: 200, placeholder: '如：第一章 总则' });
  const text = h('textarea', { name: 'section_text', rows: 4, required: true, maxlength: 20000, placeholder: '本节条文' });
  const legend = h('legend', `第 ${n} 节`);
  const remove = h('button', { type: 'button', class: 'btn btn-small btn-ghost section-remove', onclick: () => onRemove(el) }, '删除此节');
  const el = h('fieldset', { class: 'section-fields' }, legend,
    h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '标题 *'), title),
    h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '内容 *'), text),
    remove);
  return { el, title, text, legend, remove };
}

function createForm(ref, ctx) {
  const message = messageLine();
  const title = h('input', { type: 'text', name: 'title', required: true, maxlength: 200, placeholder: '如：《北京市建筑绿色发展条例（草案）》公开征求意见' });
  const summary = h('textarea', { name: 'summary', rows: 3, maxlength: 5000, placeholder: '起草背景、主要内容、意见反馈方式' });
  const office = unitPicker(ref, { name: 'office', required: true, levels: ['department', 'township', 'district'], label: '起草单位' });
  const closes = h('input', { type: 'date', name: 'closes', required: true, value: addDays(null, 30).slice(0, 10) });
  const sections = [];
  const box = h('div', { class: 'sections-box' });
  const renumber = () => sections.forEach((s, i) => {
    s.legend.textContent = `第 ${i + 1} 节`;
    s.remove.hidden = sections.length === 1;
  });
  const add = () => {
    const s = sectionFields(sections.length + 1, (el) => {
      const i = sections.findIndex((x) => x.el === el);
      if (i >= 0) sections.splice(i, 1);
      el.remove();
      renumber();
    });
    sections.push(s);
    box.append(s.el);
    renumber();
    return s;
  };
  add();
  const form = h('form', { class: 'card', id: 'new-consultation' },
    h('h2', '发布征求意见'),
    h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '标题 *'), title),
    h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '说明'), summary),
    h('div', { class: 'form-row' }, h('span', { class: 'form-label' }, '起草单位 *'), office.el),
    h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '截止日期 *（当天 24 时截止；发布即开始征求）'), closes),
    box,
    h('button', {
      type: 'button', class: 'btn', id: 'add-section',
      onclick: () => add().title.focus(),
    }, '添加一节'),
    message.el,
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, '发布')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    message.clear();
    const code = office.value();
    if (!code) { message.error('请从列表中选择起草单位。'); office.input.focus(); return; }
    if (!closes.value) { message.error('请选择截止日期。'); return; }
    const body = {
      title: title.value.trim(), summary: summary.value.trim(), office: code,
      closes: `${closes.value}T23:59:59+08:00`,
      sections: sections.map((s) => ({ title: s.title.value.trim(), text: s.text.value.trim() })),
    };
    if (!body.title) { message.error('请填写标题。'); return; }
    if (body.sections.some((s) => !s.title || !s.text)) { message.error('每一节都要有标题和内容。'); return; }
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const c = await createConsultation(body);
      ctx.navigate(`/consultation/${c.id}`);
    } catch (e) {
      message.error(e);
      button.disabled = false;
    }
  });
  return form;
}

export async function render(root, ctx) {
  document.title = '征求意见 · 通州区接诉即办';
  const mayCreate = MAY_CREATE.includes(ctx.me.role);
  const [list, ref] = await Promise.all([consultations(), mayCreate ? loadReference() : null]);
  if (!ctx.current()) return;
  const rows = list.consultations || [];
  const open = rows.filter((c) => c.state === 'open').length;
  mount(root,
    h('div', { class: 'toolbar' }, h('div', h('h1', '征求意见'),
      h('p', { class: 'muted small' }, `正在征求意见 ${open} 项。在征求期内，您可以对草案的每一节提出意见；起草单位汇总研究后吸收采纳。`))),
    h('div', { class: mayCreate ? 'grid-2-1' : '' },
      h('section', { class: 'card' }, h('h2', `全部（${rows.length}）`), listTable(rows)),
      mayCreate ? createForm(ref, ctx) : null));
}
