// One inspection round (GET /api/v1/inspections/{id}): its figures per organisation, its
// findings with their rectification, and for the inspector the two things done here:
// recording a finding (POST …/findings) and verifying a replied one (verify{rectified, note}).

import { h, mount, badge, progress, messageLine } from '../dom.js';
import { inspection, addFinding, getCase, act, loadReference } from '../api.js';
import { fmtDate, fmtPct, fromLocalInput, addDays, fmtTime } from '../format.js';
import { unitPicker, categoryPicker } from '../pickers.js';
import { statusTag, dueCell } from '../casebits.js';

const MAY_EDIT = ['inspector', 'admin'];
const TABS = [
  ['all', '全部', () => true],
  ['verify', '待验收', (f) => f.status === 'replied'],
  ['open', '整改中', (f) => ['dispatched', 'accepted', 'objected'].includes(f.status)],
  ['done', '已销号', (f) => Boolean(f.rectified_at)],
  ['overdue', '超期未整改', (f) => f.overdue && !f.rectified_at],
];

function figures(r) {
  return h('div', { class: 'stats stats-4' },
    h('div', { class: 'stat' }, h('div', { class: 'stat-label' }, '发现问题'), h('div', { class: 'stat-value' }, String(r.found))),
    h('div', { class: 'stat' }, h('div', { class: 'stat-label' }, '已整改'), h('div', { class: 'stat-value' }, String(r.rectified))),
    h('div', { class: 'stat' }, h('div', { class: 'stat-label' }, '整改完成率'), h('div', { class: 'stat-value', id: 'round-rate' }, fmtPct(r.rectification_rate)),
      progress(r.rectification_rate, 'good')),
    h('div', { class: ['stat', r.overdue ? 'stat-alert' : ''] }, h('div', { class: 'stat-label' }, '超期未整改'), h('div', { class: 'stat-value' }, String(r.overdue))));
}

function organisationsTable(r) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data' },
    h('thead', h('tr', ['被巡察单位', '发现问题', '已整改', '整改完成率', '超期未整改'].map((x, i) => h('th', { class: i ? 'num' : '' }, x)))),
    h('tbody', (r.organisations || []).map((o) => h('tr',
      h('td', o.name),
      h('td', { class: 'num' }, String(o.found)),
      h('td', { class: 'num' }, String(o.rectified)),
      h('td', { class: 'num progress-cell' }, progress(o.rectification_rate, 'good'), ' ', fmtPct(o.rectification_rate)),
      h('td', { class: 'num' }, o.overdue ? h('span', { class: 'overdue-text' }, String(o.overdue)) : '0'))))));
}

// The verification form, under the finding's row: the unit's reply, then 销号 or 退回.
function verifyPanel(f, onDone) {
  const box = h('div', { class: 'verify-panel' }, h('p', { class: 'loading' }, '正在读取整改情况…'));
  getCase(f.id).then((c) => {
    const message = messageLine();
    const note = h('textarea', { rows: 2, maxlength: 1000, placeholder: '验收意见；退回时写明还缺什么' });
    const run = async (rectified) => {
      message.clear();
      if (!rectified && !note.value.trim()) { message.error('退回整改时请写明还缺什么。'); note.focus(); return; }
      try {
        await act(f.id, { action: 'verify', rectified, note: note.value.trim() || undefined });
        onDone(rectified ? `#${f.id} 验收通过，已销号。` : `#${f.id} 已退回整改。`);
      } catch (e) { message.error(e); }
    };
    mount(box,
      h('h3', '整改情况'),
      h('p', { class: 'reply-text' }, c.reply ? c.reply.text : '（单位尚未反馈）'),
      h('p', { class: 'muted small' }, `反馈时间 ${fmtTime(c.replied_at)} · ${c.unit ? c.unit.name : ''}`),
      h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '验收意见'), note),
      message.el,
      h('div', { class: 'form-actions' },
        h('button', { type: 'button', class: 'btn btn-primary', dataset: { verify: 'yes' }, onclick: () => run(true) }, '验收通过，销号'),
        h('button', { type: 'button', class: 'btn btn-warn', dataset: { verify: 'no' }, onclick: () => run(false) }, '未整改到位，退回')));
  }, (e) => mount(box, h('p', { class: 'error' }, e.describe ? e.describe() : String(e))));
  return box;
}

function findingsTable(findings, { mayVerify, onDone }) {
  const head = ['编号', '问题', '整改单位', '状态', '整改时限', '销号时间', ''];
  const tbody = h('tbody');
  for (const f of findings) {
    const panelRow = h('tr', { class: 'panel-row', hidden: true }, h('td', { colspan: head.length }));
    const verify = mayVerify && f.status === 'replied' ? h('button', {
      type: 'button', class: 'btn btn-small btn-primary', dataset: { action: 'verify' },
      onclick: () => {
        panelRow.hidden = !panelRow.hidden;
        if (!panelRow.hidden) mount(panelRow.firstChild, verifyPanel(f, onDone));
      },
    }, '验收') : null;
    tbody.append(h('tr', { class: f.overdue && !f.rectified_at ? 'row-overdue' : '', dataset: { id: String(f.id) } },
      h('td', { class: 'num' }, h('a', { href: `#/case/${f.id}` }, `#${f.id}`)),
      h('td', { class: 'title-cell' }, h('a', { href: `#/case/${f.id}` }, f.title)),
      h('td', f.unit ? f.unit.name : '—'),
      h('td', statusTag(f), f.overdue && !f.rectified_at ? [' ', badge('超期', 'danger')] : null),
      h('td', { class: 'due' }, dueCell({ ...f, source: 'inspection' }, { at: f.due, label: '整改时限' })),
      h('td', { class: 'muted' }, f.rectified_at ? fmtDate(f.rectified_at) : '—'),
      h('td', verify)), panelRow);
  }
  if (!findings.length) tbody.append(h('tr', h('td', { colspan: head.length, class: 'muted center' }, '没有此类问题。')));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'findings-table' },
    h('thead', h('tr', head.map((x) => h('th', { scope: 'col' }, x)))), tbody));
}

function findingForm(r, ref, onDone) {
  const message = messageLine();
  const codes = (r.units || []).map((u) => u.code);
  const unit = unitPicker(ref, { within: codes, required: true, levels: ['township', 'community', 'department', 'grid'], value: codes.length === 1 ? codes[0] : '' });
  const title = h('input', { type: 'text', maxlength: 200, placeholder: '一句话概括（可选）' });
  const text = h('textarea', { rows: 3, required: true, maxlength: 5000, placeholder: '发现的问题' });
  const category = categoryPicker(ref, {});
  const due = h('input', { type: 'date', required: true, value: addDays(null, 60).slice(0, 10) });
  const form = h('form', { class: 'card', id: 'new-finding' },
    h('h2', '记录发现的问题'),
    h('div', { class: 'form-row' }, h('span', { class: 'form-label' }, '整改单位 *'), unit.el),
    h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '问题 *'), text),
    h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '标题'), title),
    h('div', { class: 'row-2' },
      h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '类别'), category.el),
      h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '整改时限 *'), due)),
    message.el,
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, '记录并交办')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    message.clear();
    const u = unit.value();
    if (!u) { message.error('请选择被巡察单位或其下属单位。'); return; }
    const body = { unit: u, text: text.value.trim(), due: fromLocalInput(due.value).replace('T00:00:00', 'T18:00:00') };
    if (title.value.trim()) body.title = title.value.trim();
    if (category.value()) body.category = category.value();
    try {
      const f = await addFinding(r.id, body);
      onDone(`已记录问题 #${f.id}，交 ${f.unit ? f.unit.name : ref.unitName(u)} 整改。`);
    } catch (e) { message.error(e); }
  });
  return form;
}

export async function render(root, ctx, flash) {
  const id = Number(ctx.parts[1]);
  if (!Number.isInteger(id) || id < 1) { mount(root, h('p', { class: 'error' }, '巡察编号无效。')); return; }
  const [r, ref] = await Promise.all([inspection(id), loadReference()]);
  if (!ctx.current()) return;
  document.title = `${r.name} · 巡察整改`;
  const tab = TABS.find(([k]) => k === ctx.params.get('tab')) || TABS[0];
  const findings = (r.findings || []).slice().sort((a, b) => String(a.due).localeCompare(String(b.due)) || a.id - b.id);
  const mayEdit = MAY_EDIT.includes(ctx.me.role);
  const again = (text) => render(root, ctx, text);

  mount(root,
    h('div', { class: 'toolbar' }, h('div',
      h('p', { class: 'crumbs' }, h('a', { href: '#/inspections' }, '巡察整改'), ' / ', `第 ${r.id} 轮`),
      h('h1', r.name, r.revisit ? [' ', badge('回头看', 'info')] : null),
      h('p', { class: 'muted small' }, `${fmtDate(r.starts)} 至 ${r.ends ? fmtDate(r.ends) : '—'} · ${r.created_by || ''} · 被巡察单位：${(r.units || []).map((u) => u.name).join('、')}`))),
    flash ? h('p', { class: 'flash', role: 'status' }, flash) : null,
    figures(r),
    h('div', { class: mayEdit ? 'grid-2-1' : '' },
      h('section', { class: 'card' },
        h('div', { class: 'card-head' }, h('h2', `问题清单（${findings.length}）`),
          h('div', { class: 'chips' }, TABS.map(([k, label, test]) => h('a', {
            href: `#/inspection/${r.id}?tab=${k}`, class: ['chip', k === tab[0] ? 'on' : ''],
          }, `${label} ${findings.filter(test).length}`)))),
        findingsTable(findings.filter(tab[2]), { mayVerify: mayEdit, onDone: again })),
      h('div',
        mayEdit ? findingForm(r, ref, again) : null,
        h('section', { class: 'card' }, h('h2', '各单位整改情况'), organisationsTable(r)))));
}
