// 回访 (operator): the cases the units have replied to (已反馈), oldest reply first. Picking one
// shows the reply and the caller's number; the form records the callback (响应? 解决? 满意度)
// and, in the same click, closes the case (解决) or sends it back to the unit (重办).
// A second tab lists cases called back but not yet closed.

import { h, mount, messageLine, badge } from '../dom.js';
import { listAllCases, getCase, act } from '../api.js';
import { fmtShort, fmtTime } from '../format.js';
import { SATISFACTION } from '../labels.js';
import { caseTitle, statusTag } from '../casebits.js';

let radioSeq = 0;
function choice(name, options, value) {
  const group = `${name}-${++radioSeq}`;
  const inputs = options.map(([v, label]) => h('input', { type: 'radio', name: group, value: v, checked: v === value }));
  return {
    el: h('div', { class: 'segmented', role: 'radiogroup', 'aria-label': name },
      inputs.map((input, i) => h('label', input, h('span', options[i][1])))),
    value: () => (inputs.find((i) => i.checked) || {}).value,
    onChange: (fn) => inputs.forEach((i) => i.addEventListener('change', fn)),
  };
}

function callbackForm(c, { onDone }) {
  const message = messageLine();
  const reachable = choice('联系结果', [['true', '联系上市民'], ['false', '未接通']], 'true');
  const contacted = choice('响应', [['true', '是'], ['false', '否']], 'true');
  const resolved = choice('解决', [['true', '已解决'], ['false', '未解决']], 'true');
  const satisfaction = choice('满意度', SATISFACTION.map((x) => [x, x]), '满意');
  const note = h('textarea', { rows: 1, maxlength: 1000, placeholder: '市民的原话或未解决的原因（重办时作为重办原因）' });
  const primary = h('button', { type: 'submit', class: 'btn btn-primary', dataset: { role: 'primary' } });
  const onlyRecord = h('button', { type: 'button', class: 'btn' }, '仅记录回访');
  const details = [
    h('div', { class: 'form-row' }, h('span', { class: 'form-label' }, '单位联系过您吗（响应）'), contacted.el),
    h('div', { class: 'form-row' }, h('span', { class: 'form-label' }, '问题解决了吗（解决）'), resolved.el),
    h('div', { class: 'form-row' }, h('span', { class: 'form-label' }, '满意吗（满意度）'), satisfaction.el),
  ];
  const sync = () => {
    const reached = reachable.value() === 'true';
    for (const d of details) d.hidden = !reached;
    onlyRecord.hidden = !reached;
    if (!reached) primary.textContent = '记录未接通';
    else if (resolved.value() === 'true') primary.textContent = '记录回访并办结';
    else primary.textContent = '记录回访并重办';
  };
  reachable.onChange(sync);
  resolved.onChange(sync);
  sync();

  const body = () => (reachable.value() !== 'true' ? { action: 'callback', reachable: false } : {
    action: 'callback', reachable: true, contacted: contacted.value() === 'true',
    resolved: resolved.value() === 'true', satisfaction: satisfaction.value(),
  });

  const form = h('form', { class: 'callback-form', id: 'callback-form' },
    h('h3', '回访记录'),
    h('div', { class: 'callback-grid' },
      h('div', { class: 'form-row' }, h('span', { class: 'form-label' }, '联系结果'), reachable.el),
      details),
    h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '备注'), note),
    message.el,
    h('div', { class: 'form-actions' }, primary, onlyRecord),
    h('p', { class: 'muted small' }, '未接通不计为有效回访；联系上后按市民的回答如实记录，计入承办单位的响应率、解决率、满意率。'));

  async function submit(followUp) {
    message.clear();
    for (const b of form.querySelectorAll('button')) b.disabled = true;
    try {
      const b = body();
      let updated = await act(c.id, b);
      let done = b.reachable ? '已记录回访' : '已记录未接通，可稍后再次回访';
      if (followUp && b.reachable && b.resolved) {
        updated = await act(c.id, { action: 'close' });
        done = '已记录回访并办结';
      } else if (followUp && b.reachable && !b.resolved) {
        const reason = note.value.trim() || '回访市民反映问题未解决';
        updated = await act(c.id, { action: 'reopen', reason: `回访未解决：${reason}`.slice(0, 1000) });
        done = `已记录回访，工单重办并再次派至 ${updated.unit ? updated.unit.name : '承办单位'}`;
      }
      onDone(updated, `#${c.id} ${done}。`);
    } catch (e) {
      message.error(e);
      for (const x of form.querySelectorAll('button')) x.disabled = false;
    }
  }
  form.addEventListener('submit', (ev) => { ev.preventDefault(); submit(true); });
  onlyRecord.addEventListener('click', () => submit(false));
  return form;
}

// Close or reopen a case called back earlier.
function followUpForm(c, { onDone }) {
  const message = messageLine();
  const reason = h('textarea', { rows: 2, maxlength: 1000, placeholder: '重办原因' });
  const run = async (body, done) => {
    message.clear();
    try { onDone(await act(c.id, body), `#${c.id} ${done}。`); } catch (e) { message.error(e); }
  };
  return h('div', { class: 'callback-form' },
    h('h3', '回访后处理'),
    (c.actions || []).includes('close') ? h('button', { type: 'button', class: 'btn btn-primary', onclick: () => run({ action: 'close' }, '已办结') }, '办结') : null,
    (c.actions || []).includes('reopen') ? h('div', { class: 'inline-form' }, h('label', '重办原因', reason),
      h('button', { type: 'button', class: 'btn btn-warn', onclick: () => run({ action: 'reopen', reason: reason.value.trim() || '回访未解决' }, '已重办') }, '重办')) : null,
    message.el);
}

function detailPane(c) {
  const reply = c.reply || {};
  return [
    h('h2', h('a', { href: `#/case/${c.id}` }, `#${c.id}`), ' ', caseTitle(c), ' ', statusTag(c)),
    h('dl', { class: 'facts' },
      h('div', { class: 'field' }, h('dt', '来电人'), h('dd', c.caller ? c.caller.name || '（未留姓名）' : (c.anonymous ? '匿名' : '—'))),
      h('div', { class: 'field' }, h('dt', '回访电话'), h('dd', { class: 'phone' }, c.caller && c.caller.phone ? c.caller.phone : h('span', { class: 'muted' }, '未留电话'))),
      h('div', { class: 'field' }, h('dt', '承办单位'), h('dd', c.unit ? c.unit.name : '—')),
      h('div', { class: 'field' }, h('dt', '反馈时间'), h('dd', fmtTime(c.replied_at))),
      c.callback_attempts ? h('div', { class: 'field' }, h('dt', '已回访'), h('dd', `${c.callback_attempts} 次`)) : null),
    h('h3', '市民诉求'), h('p', { class: 'case-text' }, c.text || ''),
    h('h3', `办结反馈${reply.resolved === true ? '（单位称已解决）' : reply.resolved === false ? '（单位称未解决）' : ''}`),
    h('p', { class: 'reply-text' }, reply.text || '—'),
  ];
}

export async function render(root, ctx) {
  document.title = '回访 · 通州区接诉即办';
  const tab = ctx.params.get('tab') === 'called_back' ? 'called_back' : 'replied';
  const message = messageLine();
  const { cases: all } = await listAllCases({ status: tab }, { max: 2000 });
  if (!ctx.current()) return;
  const cases = all.filter((c) => c.source !== 'inspection')
    .sort((a, b) => String(a.replied_at || a.updated_at).localeCompare(String(b.replied_at || b.updated_at)));

  const list = h('ul', { class: 'pick-list', id: 'callback-list' });
  const pane = h('section', { class: 'card callback-pane' }, h('p', { class: 'muted' }, cases.length ? '从左侧选择一件工单开始回访。' : ''));
  let selected = null;

  async function select(c, item) {
    if (selected) selected.classList.remove('on');
    selected = item;
    item.classList.add('on');
    mount(pane, h('p', { class: 'loading' }, '正在读取…'));
    try {
      const full = await getCase(c.id);
      const onDone = (updated, text) => {
        message.ok(text);
        const next = item.nextElementSibling || item.previousElementSibling;
        if (updated.status !== tab) item.remove();
        if (next && next.isConnected && updated.status !== tab) next.click();
        else mount(pane, h('p', { class: 'muted' }, list.children.length ? '从左侧选择下一件。' : '全部处理完毕。'));
        counter.textContent = String(list.children.length);
      };
      mount(pane, detailPane(full), tab === 'replied' ? callbackForm(full, { onDone }) : followUpForm(full, { onDone }));
    } catch (e) {
      mount(pane, h('p', { class: 'error' }, e.describe ? e.describe() : String(e)));
    }
  }

  for (const c of cases) {
    const item = h('li', { tabindex: 0, role: 'button', dataset: { id: String(c.id) } },
      h('div', { class: 'pick-title' }, `#${c.id} ${caseTitle(c)}`),
      h('div', { class: 'muted small' }, [c.unit ? c.unit.name : '', `反馈 ${fmtShort(c.replied_at)}`].join(' · '),
        c.callback_attempts ? [' ', badge(`已回访${c.callback_attempts}次`, 'warn')] : null,
        c.callback && c.callback.resolved === false ? [' ', badge('未解决', 'danger')] : null));
    item.addEventListener('click', () => select(c, item));
    item.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); select(c, item); } });
    list.append(item);
  }
  const counter = h('span', { class: 'chip-count' }, String(cases.length));

  mount(root,
    h('div', { class: 'toolbar' },
      h('div', h('h1', '回访'), h('p', { class: 'muted small' }, '承办单位反馈后，回访市民：是否联系过、是否解决、是否满意。')),
      h('div', { class: 'chips presets' },
        h('a', { href: '#/callbacks', class: ['chip', tab === 'replied' ? 'on' : ''] }, '待回访 ', tab === 'replied' ? counter : null),
        h('a', { href: '#/callbacks?tab=called_back', class: ['chip', tab === 'called_back' ? 'on' : ''] }, '已回访待办结 ', tab === 'called_back' ? counter : null))),
    message.el,
    h('div', { class: 'grid-1-2' },
      h('section', { class: 'card pick-card' }, cases.length ? list : h('p', { class: 'muted' }, '没有待处理的工单。')),
      pane));
}
