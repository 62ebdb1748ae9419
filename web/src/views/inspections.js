// 巡察整改: the inspection rounds (GET /api/v1/inspections) with found / rectified / 整改完成率 /
// overdue, and, for an inspector or admin, the form that opens a round or a 回头看 over earlier
// rounds (POST /api/v1/inspections).

import { h, mount, badge, progress, messageLine } from '../dom.js';
import { inspections, createInspection, loadReference } from '../api.js';
import { fmtDate, fmtPct, fromLocalInput } from '../format.js';
import { unitsPicker } from '../pickers.js';

const MAY_CREATE = ['inspector', 'admin'];

function roundsTable(rounds) {
  const head = ['巡察', '类型', '被巡察单位', '起止', '发现问题', '已整改', '整改完成率', '超期未整改'];
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'rounds-table' },
    h('thead', h('tr', head.map((x, i) => h('th', { scope: 'col', class: i >= 4 ? 'num' : '' }, x)))),
    h('tbody', rounds.length ? rounds.map((r) => h('tr', { dataset: { id: String(r.id) } },
      h('td', { class: 'title-cell' }, h('a', { href: `#/inspection/${r.id}` }, r.name)),
      h('td', r.revisit ? badge('回头看', 'info') : '巡察'),
      h('td', (r.units || []).map((u) => u.name).join('、')),
      h('td', { class: 'nowrap' }, `${fmtDate(r.starts)} 至 ${r.ends ? fmtDate(r.ends) : '—'}`),
      h('td', { class: 'num' }, String(r.found)),
      h('td', { class: 'num' }, String(r.rectified)),
      h('td', { class: 'num progress-cell' }, progress(r.rectification_rate, 'good'), ' ', fmtPct(r.rectification_rate)),
      h('td', { class: 'num' }, r.overdue ? h('span', { class: 'overdue-text' }, String(r.overdue)) : '0')))
      : h('tr', h('td', { colspan: head.length, class: 'muted center' }, '还没有巡察。')))));
}

function createForm(ref, rounds, ctx) {
  const message = messageLine();
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: 200, placeholder: '如：区委第三巡察组对梨园镇党工委的巡察' });
  const units = unitsPicker(ref, { levels: ['township', 'community', 'department'] });
  const starts = h('input', { type: 'date', name: 'starts' });
  const ends = h('input', { type: 'date', name: 'ends' });
  const revisits = rounds.filter((r) => !r.revisit).map((r) => ({ r, box: h('input', { type: 'checkbox', value: String(r.id) }) }));
  const form = h('form', { class: 'card', id: 'new-round' },
    h('h2', '新建巡察'),
    h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '名称 *'), name),
    h('div', { class: 'form-row' }, h('span', { class: 'form-label' }, '被巡察单位（回头看可不填，默认为原巡察的单位）'), units.el),
    h('div', { class: 'row-2' },
      h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '开始日期（默认今天）'), starts),
      h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '结束日期'), ends)),
    revisits.length ? h('fieldset', h('legend', '回头看：对以下巡察开展“回头看”'),
      revisits.map(({ r, box }) => h('label', { class: 'check' }, box, r.name))) : null,
    message.el,
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, '创建')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    message.clear();
    const body = { name: name.value.trim() };
    const codes = units.value();
    const revisitOf = revisits.filter((x) => x.box.checked).map((x) => x.r.id);
    if (codes.length) body.units = codes;
    if (revisitOf.length) body.revisit_of = revisitOf;
    if (starts.value) body.starts = fromLocalInput(starts.value);
    if (ends.value) body.ends = fromLocalInput(ends.value);
    if (!codes.length && !revisitOf.length) { message.error('请添加被巡察单位，或选择要“回头看”的巡察。'); return; }
    try {
      const r = await createInspection(body);
      ctx.navigate(`/inspection/${r.id}`);
    } catch (e) {
      message.error(e);
    }
  });
  return form;
}

export async function render(root, ctx) {
  document.title = '巡察整改 · 通州区接诉即办';
  const [list, ref] = await Promise.all([inspections(), loadReference()]);
  if (!ctx.current()) return;
  const rounds = list.inspections || [];
  const found = rounds.filter((r) => !r.revisit).reduce((n, r) => n + r.found, 0);
  const rectified = rounds.filter((r) => !r.revisit).reduce((n, r) => n + r.rectified, 0);
  const overdue = rounds.filter((r) => !r.revisit).reduce((n, r) => n + r.overdue, 0);
  mount(root,
    h('div', { class: 'toolbar' }, h('div', h('h1', '巡察整改'),
      h('p', { class: 'muted small' }, `共 ${rounds.length} 轮；首轮巡察发现问题 ${found} 个，已整改 ${rectified} 个（${fmtPct(found ? rectified / found : null)}），超期未整改 ${overdue} 个。`))),
    h('div', { class: MAY_CREATE.includes(ctx.me.role) ? 'grid-2-1' : '' },
      h('section', { class: 'card' }, h('h2', '巡察轮次'), roundsTable(rounds)),
      MAY_CREATE.includes(ctx.me.role) ? createForm(ref, rounds, ctx) : null));
}
