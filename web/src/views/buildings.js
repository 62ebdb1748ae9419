// 楼门院 (handler, supervisor, admin): the buildings (楼门院) under a community
// (GET /api/v1/buildings?community=, kept in the address as #/buildings?community=CODE) with
// their 楼门长, residents and open proposals; a handler sees those of its own unit. A handler
// or admin adds a building (POST /api/v1/buildings {community, name, covenant}).

import { h, mount, messageLine } from '../dom.js';
import { buildings, createBuilding, loadReference } from '../api.js';
import { fmtDate } from '../format.js';
import { unitPicker } from '../pickers.js';

const MAY_CREATE = ['handler', 'admin'];

function buildingsTable(list) {
  const head = ['楼门院', '社区/村', '街道/乡镇', '楼门长', '居民', '议事中', '建立日期'];
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data queue', id: 'buildings-table' },
    h('thead', h('tr', head.map((x, i) => h('th', { scope: 'col', class: i === 4 || i === 5 ? 'num' : '' }, x)))),
    h('tbody', list.length ? list.map((b) => h('tr', { dataset: { id: String(b.id) } },
      h('td', { class: 'title-cell', 'data-label': '楼门院' }, h('a', { href: `#/building/${b.id}` }, b.name)),
      h('td', { 'data-label': '社区/村' }, b.community ? b.community.name : '—'),
      h('td', { 'data-label': '街道/乡镇' }, b.township ? b.township.name : '—'),
      h('td', { 'data-label': '楼门长' }, b.leader ? `${b.leader.name}（${b.leader.room}）` : h('span', { class: 'muted' }, '未选定')),
      h('td', { class: 'num', 'data-label': '居民' }, typeof b.resident_count === 'number' ? String(b.resident_count) : '—'),
      h('td', { class: 'num', 'data-label': '议事中' }, b.open_proposals ? h('strong', String(b.open_proposals)) : '0'),
      h('td', { class: 'muted', 'data-label': '建立日期' }, fmtDate(b.created_at))))
      : h('tr', h('td', { colspan: head.length, class: 'muted center' }, '还没有楼门院。')))));
}

function createForm(ref, ctx, within, community) {
  const message = messageLine();
  const unit = unitPicker(ref, { name: 'community', levels: ['community'], within, required: true, value: community, placeholder: '输入社区/村名称或编码搜索', label: '所属社区' });
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: 200, placeholder: '如：群芳园小区3号楼2单元' });
  const covenant = h('textarea', { name: 'covenant', rows: 6, maxlength: 5000, placeholder: '一、爱护楼道环境，不堆放杂物；\n二、……' });
  const form = h('form', { class: 'card', id: 'new-building' },
    h('h2', '新建楼门院'),
    h('div', { class: 'form-row' }, h('span', { class: 'form-label' }, '所属社区/村 *'), unit.el),
    h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '名称 *'), name),
    h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '楼门公约'), covenant),
    message.el,
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, '创建')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    message.clear();
    const code = unit.value();
    if (!code) { message.error('请从列表中选择所属社区或村。'); unit.input.focus(); return; }
    if (!name.value.trim()) { message.error('请填写楼门院名称。'); name.focus(); return; }
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const b = await createBuilding({ community: code, name: name.value.trim(), covenant: covenant.value.trim() });
      ctx.navigate(`/building/${b.id}`);
    } catch (e) {
      message.error(e);
      button.disabled = false;
    }
  });
  return form;
}

export async function render(root, ctx) {
  document.title = '楼门院 · 通州区接诉即办';
  const community = ctx.params.get('community') || '';
  const within = ctx.me.role === 'handler' && ctx.me.unit ? ctx.me.unit.code : '';
  const [list, ref] = await Promise.all([buildings(community || undefined), loadReference()]);
  if (!ctx.current()) return;
  const rows = list.buildings || [];

  const picker = unitPicker(ref, { name: 'community', levels: ['community'], within, value: community, placeholder: '全部社区（输入名称筛选）', label: '社区/村' });
  const filter = h('form', { class: 'filters card no-print', id: 'buildings-filter' },
    h('label', { class: 'grow' }, '社区/村', picker.el),
    h('div', { class: 'form-actions' },
      h('button', { type: 'submit', class: 'btn btn-primary' }, '查询'),
      h('button', { type: 'button', class: 'btn', onclick: () => ctx.navigate('/buildings') }, '全部')));
  filter.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const code = picker.value();
    if (code === null) { picker.input.reportValidity(); return; }
    ctx.navigate(code ? `/buildings?community=${encodeURIComponent(code)}` : '/buildings');
  });

  const open = rows.reduce((n, b) => n + (b.open_proposals || 0), 0);
  const mayCreate = MAY_CREATE.includes(ctx.me.role);
  mount(root,
    h('div', { class: 'toolbar' }, h('div', h('h1', '楼门院治理'),
      h('p', { class: 'muted small' }, `${community ? ref.unitName(community) : within ? ref.unitName(within) : '全区'}：楼门院 ${rows.length} 个，议事中 ${open} 项。居民在本楼门院提出议题、讨论和表决，楼门长记录协商结果；需要职能部门或街乡办理的转为工单。`))),
    filter,
    h('div', { class: mayCreate ? 'grid-2-1' : '' },
      h('section', { class: 'card' }, h('h2', `楼门院（${rows.length}）`), buildingsTable(rows)),
      mayCreate ? createForm(ref, ctx, within, community) : null));
}
