// The workflow actions of a case (POST /api/v1/cases/{id}/actions): a label, and a small form
// that collects the fields the action needs and returns the request body.

import { h, messageLine } from './dom.js';
import { act } from './api.js';
import { toLocalInput, fromLocalInput, fmtTime } from './format.js';
import { SATISFACTION } from './labels.js';
import { unitPicker, categoryPicker } from './pickers.js';

let radioSeq = 0;

function radios(name, options, value) {
  const group = `${name}-${++radioSeq}`;
  const inputs = options.map(([v, label]) => {
    const input = h('input', { type: 'radio', name: group, value: v, checked: v === value });
    return { input, el: h('label', { class: 'check' }, input, label) };
  });
  return {
    el: h('div', { class: 'radios', role: 'radiogroup' }, inputs.map((x) => x.el)),
    value: () => (inputs.find((x) => x.input.checked) || {}).input?.value,
    onChange: (fn) => inputs.forEach((x) => x.input.addEventListener('change', fn)),
  };
}

function textArea(name, { required = true, placeholder = '', rows = 3, maxlength = 5000 } = {}) {
  return h('textarea', { name, required, placeholder, rows, maxlength });
}

function row(label, control, note) {
  return h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, label), control, note ? h('small', { class: 'hint' }, note) : null);
}

function invalid(message) {
  const e = new Error(message);
  e.validation = true;
  return e;
}

// Each builder returns {fields: [elements], body: () => request body (throws on invalid input)}.
export const ACTIONS = {
  dispatch: {
    label: '派单', style: 'primary',
    build(c, ref) {
      const unit = unitPicker(ref, { value: c.unit?.code || '', required: true });
      const cat = categoryPicker(ref, { value: c.category?.code || '' });
      return {
        fields: [row('承办单位', unit.el), row('类别', cat.el, '不指定则沿用当前类别')],
        body: () => {
          const u = unit.value();
          if (!u) throw invalid('请选择承办单位');
          return { unit: u, category: cat.value() || undefined };
        },
      };
    },
  },
  answer: {
    label: '直接答复', style: 'primary',
    build() {
      const text = textArea('text', { placeholder: '向市民答复的内容（咨询类可当场答复并办结）' });
      return { fields: [row('答复内容', text)], body: () => ({ text: text.value }) };
    },
  },
  accept: {
    label: '签收', style: 'primary',
    build() {
      return { fields: [h('p', '确认本单位签收此工单，开始办理。')], body: () => ({}) };
    },
  },
  reply: {
    label: '办结反馈', style: 'primary',
    build() {
      const text = textArea('text', { placeholder: '办理过程和结果', rows: 4 });
      const resolved = radios('resolved', [['true', '已解决'], ['false', '未解决（说明原因）']], 'true');
      return {
        fields: [row('办理结果', text), row('是否解决', resolved.el)],
        body: () => ({ text: text.value, resolved: resolved.value() === 'true' }),
      };
    },
  },
  object: {
    label: '派单异议', style: 'warn',
    build() {
      const reason = textArea('reason', { placeholder: '不属于本单位职责的理由，建议的承办单位', maxlength: 1000 });
      return { fields: [row('异议理由', reason)], body: () => ({ reason: reason.value }) };
    },
  },
  review_objection: {
    label: '审核异议', style: 'primary',
    build(c, ref) {
      const uphold = radios('uphold', [['true', '异议成立，改派'], ['false', '异议不成立，仍由原单位办理']], 'true');
      const unit = unitPicker(ref, {});
      const cat = categoryPicker(ref, { value: c.category?.code || '' });
      const unitRow = row('改派至', unit.el);
      const catRow = row('类别', cat.el);
      uphold.onChange(() => {
        const on = uphold.value() === 'true';
        unitRow.hidden = !on;
        catRow.hidden = !on;
      });
      return {
        fields: [c.objection_reason ? h('p', { class: 'quote' }, `异议理由：${c.objection_reason}`) : null,
          row('审核结论', uphold.el), unitRow, catRow],
        body: () => {
          if (uphold.value() !== 'true') return { uphold: false };
          const u = unit.value();
          if (!u) throw invalid('异议成立时须选择新的承办单位');
          return { uphold: true, unit: u, category: cat.value() || undefined };
        },
      };
    },
  },
  extend: {
    label: '延期', style: 'warn',
    build(c) {
      const base = c.due ? new Date(c.due) : new Date();
      const until = h('input', { type: 'datetime-local', required: true, value: toLocalInput(new Date(base.getTime() + 7 * 86400000).toISOString()) });
      const reason = textArea('reason', { placeholder: '延期原因', maxlength: 1000 });
      return {
        fields: [row('延期至（北京时间）', until, c.due ? `当前办结时限 ${fmtTime(c.due)}` : ''), row('延期原因', reason)],
        body: () => ({ until: fromLocalInput(until.value), reason: reason.value }),
      };
    },
  },
  supervise: {
    label: '督办', style: 'warn',
    build() {
      const note = textArea('note', { required: false, placeholder: '督办意见（可选）', maxlength: 1000 });
      return { fields: [row('督办意见', note)], body: () => ({ note: note.value }) };
    },
  },
  callback: {
    label: '回访', style: 'primary',
    build() {
      const reachable = radios('reachable', [['true', '联系上市民'], ['false', '未联系上']], 'true');
      const contacted = radios('contacted', [['true', '是'], ['false', '否']], 'true');
      const resolved = radios('resolved', [['true', '已解决'], ['false', '未解决']], 'true');
      const satisfaction = h('select', { name: 'satisfaction' },
        SATISFACTION.map((v) => h('option', { value: v }, v)));
      const details = [row('承办单位是否联系过市民（响应）', contacted.el), row('问题是否解决', resolved.el), row('满意度', satisfaction)];
      reachable.onChange(() => { for (const d of details) d.hidden = reachable.value() !== 'true'; });
      return {
        fields: [row('回访结果', reachable.el), ...details,
          h('p', { class: 'muted small' }, '未联系上不计为有效回访；联系上后按市民的回答如实记录。')],
        body: () => (reachable.value() !== 'true' ? { reachable: false } : {
          reachable: true, contacted: contacted.value() === 'true', resolved: resolved.value() === 'true',
          satisfaction: satisfaction.value,
        }),
      };
    },
  },
  close: {
    label: '办结', style: 'primary',
    build() {
      return { fields: [h('p', '确认办结此工单。')], body: () => ({}) };
    },
  },
  reopen: {
    label: '重办', style: 'warn',
    build() {
      const reason = textArea('reason', { placeholder: '重办原因（如回访未解决）', maxlength: 1000 });
      return { fields: [row('重办原因', reason)], body: () => ({ reason: reason.value }) };
    },
  },
  merge: {
    label: '合并', style: 'plain',
    build() {
      const into = h('input', { type: 'number', min: 1, step: 1, required: true, placeholder: '工单编号' });
      return {
        fields: [row('并入工单', into, '本工单作为重复件办结，并指向该工单')],
        body: () => {
          const n = Number(into.value);
          if (!Number.isInteger(n) || n < 1) throw invalid('请输入要并入的工单编号');
          return { into: n };
        },
      };
    },
  },
  transfer: {
    label: '移交', style: 'danger',
    build() {
      const id = `transfer-${++radioSeq}`;
      const to = h('input', { type: 'text', list: id, required: true, maxlength: 100, placeholder: '如 110、119、120、122 或外辖区' });
      const list = h('datalist', { id }, ['110', '119', '120', '122'].map((v) => h('option', { value: v })));
      return {
        fields: [row('移交至', h('span', to, list), '紧急事件移交 110/119/120/122，不再派单')],
        body: () => ({ to: to.value.trim() }),
      };
    },
  },
  verify: {
    label: '整改验收', style: 'primary',
    build() {
      const rectified = radios('rectified', [['true', '已整改，销号'], ['false', '未整改到位，退回']], 'true');
      const note = textArea('note', { required: false, placeholder: '验收意见；退回时写明还缺什么', maxlength: 1000 });
      return {
        fields: [row('验收结论', rectified.el), row('验收意见', note)],
        body: () => {
          const ok = rectified.value() === 'true';
          if (!ok && !note.value.trim()) throw invalid('退回整改时请写明还缺什么');
          return { rectified: ok, note: note.value.trim() || undefined };
        },
      };
    },
  },
};

export function actionLabel(name) {
  return ACTIONS[name]?.label || name;
}

const DONE = {
  dispatch: '已派单', answer: '已答复并办结', accept: '已签收', reply: '已提交办结反馈',
  object: '已提出派单异议，等待审核', review_objection: '已审核异议', extend: '已延期', supervise: '已督办',
  callback: '已记录回访', close: '已办结', reopen: '已重办并重新派单', merge: '已合并', transfer: '已移交',
  verify: '已记录整改验收',
};

// What to tell the user after an action went through.
export function actionDone(name) {
  return `${DONE[name] || `已${actionLabel(name)}`}。`;
}

// A form for one action; calls onDone(updatedCase) after a successful POST.
export function actionForm(name, c, ref, { onDone, onCancel }) {
  const def = ACTIONS[name];
  const built = def.build(c, ref);
  const message = messageLine();
  const submit = h('button', { type: 'submit', class: `btn btn-${def.style === 'plain' ? 'default' : def.style}` }, `提交${def.label}`);
  const form = h('form', { class: 'action-form card', dataset: { action: name } },
    h('h3', def.label),
    built.fields,
    message.el,
    h('div', { class: 'form-actions' }, submit,
      h('button', { type: 'button', class: 'btn', onclick: onCancel }, '取消')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    message.clear();
    let body;
    try {
      body = { action: name, ...built.body() };
    } catch (e) {
      message.error(e.message);
      return;
    }
    submit.disabled = true;
    try {
      onDone(await act(c.id, body));
    } catch (e) {
      message.error(e);
      submit.disabled = false;
    }
  });
  return form;
}
