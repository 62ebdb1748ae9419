// 我要反映 (public key): a citizen's request through the web (POST /api/v1/cases, source web)
// and the progress of a request by its number.

import { h, mount, messageLine } from '../dom.js';
import { createCase } from '../api.js';
import { TYPES } from '../labels.js';
import { statusTag } from '../casebits.js';

export async function render(root, ctx) {
  document.title = '我要反映 · 通州区接诉即办';
  const message = messageLine();
  const type = h('select', { name: 'type' }, TYPES.map(([v, l]) => h('option', { value: v }, l)));
  type.value = 'complaint';
  const text = h('textarea', { name: 'text', rows: 5, required: true, maxlength: 5000, placeholder: '请写明问题、时间、地点和您的诉求' });
  const address = h('input', { type: 'text', name: 'address', maxlength: 300, placeholder: '如：梨园镇群芳园社区3号楼' });
  const name = h('input', { type: 'text', name: 'name', maxlength: 100, autocomplete: 'name' });
  const phone = h('input', { type: 'tel', name: 'phone', maxlength: 30, autocomplete: 'tel', pattern: '[0-9+\\- ]{3,30}' });
  const result = h('div');
  const form = h('form', { class: 'card', id: 'report-form' },
    h('h2', '反映问题'),
    h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '类型'), type),
    h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '内容 *'), text),
    h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '地点'), address),
    h('div', { class: 'row-2' },
      h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '称呼（可不填）'), name),
      h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '电话（便于回访，可不填）'), phone)),
    h('p', { class: 'muted small' }, '您的联系方式加密保存，只用于办理和回访，不会公开。'),
    message.el,
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, '提交')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    message.clear();
    const body = { type: type.value, text: text.value.trim(), source: 'web' };
    if (!body.text) { message.error('请填写内容。'); return; }
    if (address.value.trim()) body.address = address.value.trim();
    if (name.value.trim() || phone.value.trim()) {
      body.caller = {};
      if (name.value.trim()) body.caller.name = name.value.trim();
      if (phone.value.trim()) body.caller.phone = phone.value.trim();
    }
    try {
      const c = await createCase(body);
      form.reset();
      mount(result, h('section', { class: 'card', id: 'report-result' },
        h('h2', '已收到您的诉求'),
        h('p', '编号 ', h('strong', { class: 'case-number' }, `#${c.id}`), ' ', statusTag(c)),
        h('p', { class: 'muted' }, '请记下编号，可随时查询办理进度。'),
        h('a', { class: 'btn', href: `#/case/${c.id}` }, '查看进度')));
    } catch (e) {
      message.error(e);
    }
  });

  const number = h('input', { type: 'number', min: 1, step: 1, required: true, placeholder: '诉求编号', 'aria-label': '诉求编号' });
  const lookup = h('form', { class: 'card inline-form' }, h('h2', '查询办理进度'), number,
    h('button', { type: 'submit', class: 'btn' }, '查询'));
  lookup.addEventListener('submit', (ev) => { ev.preventDefault(); if (Number(number.value) > 0) ctx.navigate(`/case/${Number(number.value)}`); });

  mount(root,
    h('div', { class: 'toolbar' }, h('div', h('h1', '我要反映'), h('p', { class: 'muted small' }, '通州区 12345 市民服务热线网上渠道'))),
    h('div', { class: 'grid-2-1' }, h('div', form, result), lookup));
}
