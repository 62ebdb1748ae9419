// 服务包: the enterprises with their service manager (服务管家) and requests
// (GET /api/v1/enterprises?township=&q=, kept in the address); a handler sees those it manages
// or that lie in its unit. A supervisor or admin registers an enterprise (POST
// /api/v1/enterprises): a 统一社会信用代码 with a wrong check character is refused with the
// server's message beside the form.

import { h, mount, messageLine } from '../dom.js';
import { enterprises, createEnterprise, loadReference } from '../api.js';
import { unitPicker } from '../pickers.js';

const MAY_CREATE = ['supervisor', 'admin'];
const CREDIT_CODE = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

function enterprisesTable(list) {
  const head = ['企业', '统一社会信用代码', '所在街乡', '服务管家', '诉求', '未办结'];
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data queue', id: 'enterprises-table' },
    h('thead', h('tr', head.map((x, i) => h('th', { scope: 'col', class: i >= 4 ? 'num' : '' }, x)))),
    h('tbody', list.length ? list.map((e) => h('tr', { dataset: { id: String(e.id) } },
      h('td', { class: 'title-cell', 'data-label': '企业' }, h('a', { href: `#/enterprise/${e.id}` }, e.name),
        e.address ? h('div', { class: 'muted small' }, e.address) : null),
      h('td', { class: 'mono', 'data-label': '信用代码' }, e.credit_code),
      h('td', { 'data-label': '所在街乡' }, e.township ? e.township.name : '—'),
      h('td', { 'data-label': '服务管家' }, e.manager ? [e.manager.name, h('div', { class: 'muted small' }, e.manager.unit ? e.manager.unit.name : '')] : '—'),
      h('td', { class: 'num', 'data-label': '诉求' }, e.requests ? String(e.requests.total) : '—'),
      h('td', { class: 'num', 'data-label': '未办结' }, !e.requests ? '—' : e.requests.open ? h('strong', String(e.requests.open)) : '0')))
      : h('tr', h('td', { colspan: head.length, class: 'muted center' }, '没有符合条件的企业。')))));
}

function townshipSelect(ref, { name = 'township', value = '', emptyLabel, required = false, label }) {
  const select = h('select', { name, required, 'aria-label': label },
    h('option', { value: '' }, emptyLabel),
    ref.townships.map((u) => h('option', { value: u.code }, u.short_name || u.name)));
  select.value = value;
  return select;
}

function createForm(ref, ctx) {
  const message = messageLine();
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: 200, placeholder: '如：北京云帆科技有限公司' });
  const code = h('input', {
    type: 'text', name: 'credit_code', required: true, maxlength: 18, minlength: 18, autocomplete: 'off', spellcheck: 'false',
    class: 'mono', placeholder: '18 位，如 91110112MA01ABCD17',
  });
  const township = townshipSelect(ref, { emptyLabel: '（请选择）', required: true, label: '所在街乡' });
  const address = h('input', { type: 'text', name: 'address', maxlength: 300, placeholder: '如：梨园镇云景东路1号' });
  const managerName = h('input', { type: 'text', name: 'manager_name', required: true, maxlength: 100, placeholder: '姓名' });
  const managerUnit = unitPicker(ref, { name: 'manager_unit', required: true, levels: ['township', 'community', 'department'], label: '服务管家所在单位' });
  // The manager's unit follows the township until chosen by hand.
  township.addEventListener('change', () => { if (!managerUnit.input.value.trim() && township.value) managerUnit.setValue(township.value); });
  code.addEventListener('input', () => { code.value = code.value.toUpperCase().replace(/\s+/g, ''); });
  const form = h('form', { class: 'card', id: 'new-enterprise' },
    h('h2', '登记服务包企业'),
    h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '企业名称 *'), name),
    h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '统一社会信用代码 *'), code),
    h('div', { class: 'row-2' },
      h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '所在街乡 *'), township),
      h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '地址'), address)),
    h('div', { class: 'row-2' },
      h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '服务管家 *'), managerName),
      h('div', { class: 'form-row' }, h('span', { class: 'form-label' }, '服务管家所在单位 *'), managerUnit.el)),
    h('p', { class: 'muted small' }, '企业诉求直接派至服务管家所在单位（类别“企业诉求”：1 小时内响应，5 个工作日内办结）。'),
    message.el,
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, '登记')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    message.clear();
    const unit = managerUnit.value();
    const body = {
      name: name.value.trim(), credit_code: code.value.trim().toUpperCase(), township: township.value,
      address: address.value.trim(), manager_name: managerName.value.trim(), manager_unit: unit,
    };
    if (!body.name || !body.manager_name) { message.error('请填写企业名称和服务管家。'); return; }
    if (!CREDIT_CODE.test(body.credit_code)) { message.error('统一社会信用代码应为 18 位数字或大写字母（不含 I、O、Z、S、V）。'); code.focus(); return; }
    if (!body.township) { message.error('请选择企业所在街乡。'); township.focus(); return; }
    if (!unit) { message.error('请从列表中选择服务管家所在单位。'); managerUnit.input.focus(); return; }
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const e = await createEnterprise(body);
      ctx.navigate(`/enterprise/${e.id}`);
    } catch (e) {
      message.error(e);
      button.disabled = false;
    }
  });
  return form;
}

export async function render(root, ctx) {
  document.title = '服务包 · 通州区接诉即办';
  const township = ctx.params.get('township') || '';
  const q = ctx.params.get('q') || '';
  const [list, ref] = await Promise.all([enterprises({ township, q }), loadReference()]);
  if (!ctx.current()) return;
  const rows = list.enterprises || [];

  const townshipFilter = townshipSelect(ref, { value: township, emptyLabel: '全部街乡', label: '所在街乡' });
  const qInput = h('input', { type: 'search', name: 'q', value: q, maxlength: 100, placeholder: '企业名称、信用代码或地址' });
  const filter = h('form', { class: 'filters card no-print', id: 'enterprises-filter' },
    h('label', { class: 'grow' }, '关键词', qInput),
    h('label', '所在街乡', townshipFilter),
    h('div', { class: 'form-actions' },
      h('button', { type: 'submit', class: 'btn btn-primary' }, '查询'),
      h('button', { type: 'button', class: 'btn', onclick: () => ctx.navigate('/enterprises') }, '清空')));
  const go = () => {
    const p = new URLSearchParams();
    if (qInput.value.trim()) p.set('q', qInput.value.trim());
    if (townshipFilter.value) p.set('township', townshipFilter.value);
    const qs = p.toString();
    ctx.navigate(`/enterprises${qs ? `?${qs}` : ''}`);
  };
  filter.addEventListener('submit', (ev) => { ev.preventDefault(); go(); });
  townshipFilter.addEventListener('change', go);

  // The counts, when the list carries them (GET /enterprises/{id} always does).
  const counted = rows.length > 0 && rows.every((e) => e.requests);
  const total = rows.reduce((n, e) => n + (e.requests ? e.requests.total : 0), 0);
  const open = rows.reduce((n, e) => n + (e.requests ? e.requests.open : 0), 0);
  const mayCreate = MAY_CREATE.includes(ctx.me.role);
  mount(root,
    h('div', { class: 'toolbar' }, h('div', h('h1', '企业服务包'),
      h('p', { class: 'muted small' }, `${rows.length} 家企业${counted ? `，企业诉求 ${total} 件，未办结 ${open} 件` : ''}。每家企业有一位服务管家，企业诉求直接派至其所在单位。`))),
    filter,
    h('div', { class: mayCreate ? 'grid-2-1' : '' },
      h('section', { class: 'card' }, h('h2', `企业（${rows.length}）`), enterprisesTable(rows)),
      mayCreate ? createForm(ref, ctx) : null));
}
