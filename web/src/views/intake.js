// 受理 (operator): the form for a call. While the text and address are typed, the router's
// proposal is shown beside it (category, unit, confidence, possible duplicates); after
// submitting (POST /api/v1/cases) the case's own proposal comes back with what was done:
// dispatched automatically, or the suggestions to dispatch with one click. A 咨询 can be
// answered and closed at once.

import { h, mount, messageLine, errorText } from '../dom.js';
import { createCase, act, previewDispatch, previewAvailable, loadReference } from '../api.js';
import { URGENCY } from '../labels.js';
import { unitPicker, categoryPicker } from '../pickers.js';
import { statusTag } from '../casebits.js';

const TYPE_CHOICES = ['投诉', '求助', '咨询', '举报', '建议'];
const PREVIEW_DELAY_MS = 400;
const PREVIEW_MIN_CHARS = 6;

function confidence(x) {
  if (typeof x !== 'number') return null;
  const pct = Math.round(x * 100);
  const fill = h('span', { class: `meter-fill ${pct >= 80 ? 'good' : pct >= 50 ? 'fair' : 'poor'}` });
  fill.style.width = `${Math.max(2, Math.min(100, pct))}%`;
  return h('span', { class: 'conf', title: `置信度 ${pct}%` }, h('span', { class: 'meter' }, fill), ` ${pct}%`);
}

let segSeq = 0;
function segmented(name, choices, value) {
  const group = `${name}-${++segSeq}`;
  const inputs = [];
  const el = h('div', { class: 'segmented', role: 'radiogroup' }, choices.map(([v, label]) => {
    const input = h('input', { type: 'radio', name: group, value: v, checked: v === value });
    inputs.push(input);
    return h('label', input, h('span', label));
  }));
  return {
    el,
    value: () => (inputs.find((i) => i.checked) || {}).value,
    set: (v) => { for (const i of inputs) i.checked = i.value === v; },
    onChange: (fn) => inputs.forEach((i) => i.addEventListener('change', fn)),
  };
}

// The proposal itself: category, unit, place, reason, duplicates.
function proposalFacts(d) {
  return h('dl', { class: 'facts proposal-facts' },
    h('div', { class: 'field' }, h('dt', '建议类别'), h('dd', { class: 'prop-category' },
      d.category ? [d.category.name, ' ', confidence(d.category.confidence)] : h('span', { class: 'muted' }, '未识别'))),
    h('div', { class: 'field' }, h('dt', '建议单位'), h('dd', { class: 'prop-unit' },
      d.unit ? [d.unit.name, ' ', confidence(d.unit.confidence)] : h('span', { class: 'muted' }, '未识别'))),
    h('div', { class: 'field' }, h('dt', '综合置信度'), h('dd', confidence(d.confidence) || '—')),
    d.place ? h('div', { class: 'field' }, h('dt', '识别地点'), h('dd', d.place.name)) : null,
    d.reason ? h('div', { class: 'field' }, h('dt', '依据'), h('dd', d.reason)) : null);
}

function duplicatesList(d, onMerge) {
  const dups = d.duplicates || [];
  if (!dups.length) return [h('h3', '疑似重复'), h('p', { class: 'muted' }, '未发现近期相似工单。')];
  return [h('h3', { class: 'warn-text' }, `疑似重复（${dups.length}）`), h('ul', { class: 'dups' }, dups.map((x) => h('li',
    h('a', { href: `#/case/${x.id}`, target: '_blank', rel: 'noopener' }, `#${x.id} ${x.title || ''}`),
    typeof x.score === 'number' ? h('span', { class: 'muted' }, ` 相似度 ${Math.round(x.score * 100)}%`) : null,
    onMerge ? [' ', h('button', { type: 'button', class: 'btn btn-small', dataset: { once: '1' }, onclick: () => onMerge(x) }, '并入此件')] : null)))];
}

function verdictFor(c) {
  const d = c.dispatch;
  const unit = c.unit ? c.unit.name : '';
  if (c.status === 'dispatched' && d && d.auto) return h('p', { class: 'verdict ok' }, `已自动派单至 ${unit}`);
  if (c.status === 'dispatched') return h('p', { class: 'verdict ok' }, `已派单至 ${unit}`);
  if (c.status === 'closed') return h('p', { class: 'verdict ok' }, '已答复并办结');
  if (c.status === 'transferred') return h('p', { class: 'verdict ok' }, `已移交 ${c.transferred_to || ''}`);
  if (c.status === 'received' && c.urgency === 'emergency') return h('p', { class: 'verdict alarm' }, '特急事件：请立即移交 110/119/120/122。');
  if (c.status === 'received' && c.type === 'consult') return h('p', { class: 'verdict wait' }, '咨询：可直接答复办结，或派单。');
  if (c.status === 'received') return h('p', { class: 'verdict wait' }, '置信度不足，未自动派单：请核对后点选派单建议或手动派单。');
  return h('p', { class: 'verdict' }, c.status_label || c.status);
}

// What came back from POST /api/v1/cases, with the follow-up actions.
function resultCard(c, ref) {
  const card = h('section', { class: 'card proposal', id: 'intake-result', 'aria-live': 'polite' });
  const message = messageLine();
  const draw = (x, note) => {
    const d = x.dispatch || c.dispatch;
    const actions = x.actions || [];
    const run = async (body, done) => {
      message.clear();
      for (const b of card.querySelectorAll('button, input, select, textarea')) b.disabled = true;
      try {
        const updated = await act(x.id, body);
        draw({ ...updated, dispatch: body.action === 'dispatch' ? { ...d, auto: false } : d }, done(updated));
      } catch (e) {
        draw(x);
        message.error(e);
      }
    };
    const verdict = verdictFor(x);
    const parts = [
      h('h2', '受理结果 ', h('a', { href: `#/case/${x.id}`, class: 'case-link' }, `#${x.id}`), ' ', statusTag(x)),
      verdict,
      note && note.replace(/。$/, '') !== verdict.textContent ? h('p', { class: 'flash', role: 'status' }, note) : null,
    ];
    if (actions.includes('transfer') && x.urgency === 'emergency') {
      parts.push(h('div', { class: 'inline-form emergency' }, h('h3', '特急事件：移交后不再派单'),
        [['110', '公安'], ['119', '消防'], ['120', '急救'], ['122', '交警']].map(([to, who]) => h('button', {
          type: 'button', class: 'btn btn-danger', onclick: () => run({ action: 'transfer', to }, () => `已移交 ${to}（${who}）。`),
        }, `移交 ${to} ${who}`))));
    }
    if (d) {
      parts.push(proposalFacts(d));
      // Dispatching: open while the case waits for it; folded as 改派 once it is dispatched.
      const dispatchParts = [];
      if (actions.includes('dispatch') && (d.suggestions || []).length) {
        dispatchParts.push(h('h3', '派单建议（点击即派单）'), h('ol', { class: 'suggestions' }, d.suggestions.map((sg) => h('li',
          h('button', {
            type: 'button', class: 'btn suggestion',
            onclick: () => run({ action: 'dispatch', unit: sg.unit.code, category: sg.category.code }, (u) => `已派单至 ${u.unit ? u.unit.name : sg.unit.name}。`),
          }, h('span', { class: 'sg-unit' }, sg.unit.name), h('span', { class: 'sg-cat' }, sg.category.name), confidence(sg.confidence))))));
      }
      if (actions.includes('dispatch') && ref) {
        const unit = unitPicker(ref, { value: d.unit ? d.unit.code : '', label: '派单至' });
        const cat = categoryPicker(ref, { value: d.category ? d.category.code : '', label: '类别' });
        const form = h('form', { class: 'inline-form', id: 'manual-dispatch' }, h('h3', '手动派单'),
          h('label', '承办单位', unit.el), h('label', '类别', cat.el),
          h('button', { type: 'submit', class: 'btn btn-primary' }, '派单'));
        form.addEventListener('submit', (ev) => {
          ev.preventDefault();
          const u = unit.value();
          if (!u) { message.error('请选择承办单位。'); return; }
          run({ action: 'dispatch', unit: u, category: cat.value() || undefined }, (y) => `已派单至 ${y.unit ? y.unit.name : u}。`);
        });
        dispatchParts.push(form);
      }
      if (dispatchParts.length && x.status === 'received') parts.push(...dispatchParts);
      else if (dispatchParts.length) parts.push(h('details', { class: 'redispatch' }, h('summary', '改派'), dispatchParts));
      parts.push(...duplicatesList(d, actions.includes('merge')
        ? (dup) => run({ action: 'merge', into: dup.id }, () => `已作为重复件并入 #${dup.id}。`) : null));
    }
    if (actions.includes('answer')) {
      const text = h('textarea', { rows: 3, required: true, maxlength: 5000, placeholder: '向市民答复的内容' });
      const form = h('form', { class: 'inline-form' }, h('h3', '直接答复并办结'), text,
        h('button', { type: 'submit', class: 'btn btn-primary' }, '答复并办结'));
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        run({ action: 'answer', text: text.value.trim() }, () => '已答复并办结。');
      });
      parts.push(form);
    }
    parts.push(message.el);
    mount(card, parts);
  };
  draw(c);
  return card;
}

// The live proposal while typing.
function previewCard() {
  const body = h('div', h('p', { class: 'muted' }, '输入诉求内容和地址后，这里实时显示系统建议的类别、承办单位、置信度和疑似重复件。'));
  const card = h('section', { class: 'card muted-card', id: 'intake-preview', 'aria-live': 'polite' }, h('h2', '派单建议'), body);
  return {
    el: card,
    waiting() { card.classList.add('busy'); },
    show(d) {
      card.classList.remove('busy');
      if (!d) {
        mount(body, h('p', { class: 'muted' }, '提交后显示派单建议、置信度和疑似重复件；置信度足够时自动派单。'));
        return;
      }
      const suggestions = (d.suggestions || []).length > 1 ? [h('h3', '其他可能'), h('ol', { class: 'suggestions plain' },
        d.suggestions.slice(1).map((sg) => h('li', h('span', { class: 'sg-unit' }, sg.unit.name), ' ',
          h('span', { class: 'sg-cat' }, sg.category.name), ' ', confidence(sg.confidence))))] : [];
      mount(body, proposalFacts(d),
        h('p', { class: d.auto ? 'verdict ok' : 'verdict wait' }, d.auto ? '置信度足够，提交后自动派单。' : '置信度不足，提交后请点选派单建议或手动派单。'),
        ...suggestions,
        ...duplicatesList(d, null));
    },
    reset() { card.classList.remove('busy'); mount(body, h('p', { class: 'muted' }, '输入下一件的内容后，这里显示派单建议。')); },
    error(e) { card.classList.remove('busy'); mount(body, h('p', { class: 'error' }, errorText(e))); },
  };
}

export async function render(root, ctx) {
  document.title = '受理 · 通州区接诉即办';
  const ref = await loadReference();
  if (!ctx.current()) return;

  const type = segmented('type', TYPE_CHOICES.map((t) => [t, t]), '投诉');
  const urgency = segmented('urgency', URGENCY, 'normal');
  const title = h('input', { type: 'text', name: 'title', maxlength: 200, placeholder: '一句话概括（可不填，系统取内容开头）' });
  const text = h('textarea', { name: 'text', rows: 5, required: true, maxlength: 5000, placeholder: '市民反映的问题、时间、地点和诉求' });
  const address = h('input', { type: 'text', name: 'address', maxlength: 300, placeholder: '如：梨园镇群芳园社区3号楼' });
  const callerName = h('input', { type: 'text', name: 'caller_name', maxlength: 100, autocomplete: 'off' });
  const callerPhone = h('input', { type: 'tel', name: 'caller_phone', maxlength: 30, autocomplete: 'off', pattern: '[0-9+\\- ]{3,30}', placeholder: '138…' });
  const anonymous = h('input', { type: 'checkbox', name: 'anonymous' });
  const answer = h('textarea', { name: 'answer', rows: 3, maxlength: 5000, placeholder: '能当场答复的咨询，写下答复内容，提交即办结；留空则按普通工单处理' });
  const answerRow = h('label', { class: 'form-row', hidden: true }, h('span', { class: 'form-label' }, '当场答复（咨询）'), answer);
  const category = categoryPicker(ref, {});
  const unit = unitPicker(ref, {});
  const message = messageLine();
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, '提交受理');
  const preview = previewCard();
  const result = h('div', { class: 'intake-result' });

  type.onChange(() => {
    const consult = type.value() === '咨询';
    answerRow.hidden = !consult;
    submit.textContent = consult && answer.value.trim() ? '受理并答复办结' : '提交受理';
  });
  answer.addEventListener('input', () => { submit.textContent = answer.value.trim() ? '受理并答复办结' : '提交受理'; });

  const form = h('form', { class: 'card intake', id: 'intake-form' },
    h('div', { class: 'row-2' },
      h('div', { class: 'form-row' }, h('span', { class: 'form-label' }, '诉求类型'), type.el),
      h('div', { class: 'form-row' }, h('span', { class: 'form-label' }, '紧急程度'), urgency.el)),
    h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '诉求内容 *'), text),
    h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '事发地址'), address),
    answerRow,
    h('div', { class: 'row-2' },
      h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '来电人姓名'), callerName),
      h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '来电号码'), callerPhone)),
    h('label', { class: 'check' }, anonymous, '匿名（不向承办单位透露身份）'),
    h('details', h('summary', '更多：标题、指定类别和承办单位（指定单位即直接派单）'),
      h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '标题'), title),
      h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '类别'), category.el),
      h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '承办单位'), unit.el)),
    message.el,
    h('div', { class: 'form-actions' }, submit,
      h('button', { type: 'reset', class: 'btn' }, '清空'),
      h('span', { class: 'muted small' }, 'Ctrl+Enter 提交 · 联系方式加密保存，承办单位只看到脱敏号码')));

  // Live proposal: after a pause in typing, for the latest text only.
  let timer = 0;
  let asked = 0;
  const askPreview = () => {
    clearTimeout(timer);
    if (!previewAvailable()) return;
    const body = { type: type.value(), text: text.value.trim(), address: address.value.trim() || undefined };
    if (body.text.length < PREVIEW_MIN_CHARS) return;
    timer = setTimeout(async () => {
      const seq = ++asked;
      preview.waiting();
      try {
        const d = await previewDispatch(body);
        if (seq === asked && preview.el.isConnected) preview.show(d);
      } catch (e) {
        if (seq === asked && preview.el.isConnected) preview.error(e);
      }
    }, PREVIEW_DELAY_MS);
  };
  text.addEventListener('input', askPreview);
  address.addEventListener('input', askPreview);
  form.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); form.requestSubmit(); }
  });
  form.addEventListener('reset', () => {
    message.clear();
    setTimeout(() => { answerRow.hidden = type.value() !== '咨询'; submit.textContent = '提交受理'; });
  });

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    message.clear();
    const u = unit.value();
    if (u === null) { message.error('承办单位没有唯一匹配，请从列表中选择或留空。'); return; }
    const body = { type: type.value(), text: text.value.trim(), urgency: urgency.value(), source: 'hotline', anonymous: anonymous.checked };
    if (!body.text) { message.error('请填写诉求内容。'); text.focus(); return; }
    if (title.value.trim()) body.title = title.value.trim();
    if (address.value.trim()) body.address = address.value.trim();
    if (category.value()) body.category = category.value();
    if (u) body.unit = u;
    if (callerName.value.trim() || callerPhone.value.trim()) {
      body.caller = {};
      if (callerName.value.trim()) body.caller.name = callerName.value.trim();
      if (callerPhone.value.trim()) body.caller.phone = callerPhone.value.trim();
    }
    const answerText = body.type === '咨询' ? answer.value.trim() : '';
    submit.disabled = true;
    clearTimeout(timer);
    asked++;
    try {
      let c = await createCase(body);
      let note = '';
      if (answerText && (c.actions || []).includes('answer')) {
        try {
          c = { ...(await act(c.id, { action: 'answer', text: answerText })), dispatch: c.dispatch };
        } catch (e) {
          note = `工单已受理，但答复未能保存：${errorText(e)}`;
        }
      }
      form.reset();
      preview.reset();
      mount(result, resultCard(c, ref));
      if (note) message.error(note);
      else message.ok(`已受理 #${c.id}。`);
      text.focus();
    } catch (e) {
      message.error(e);
    } finally {
      submit.disabled = false;
    }
  });

  mount(root,
    h('div', { class: 'toolbar' }, h('div', h('h1', '受理'), h('p', { class: 'muted small' }, '12345 来电登记：边记录边看派单建议。')),
      h('a', { class: 'btn', href: '#/callbacks' }, '待回访')),
    h('div', { class: 'grid-1-1 intake-grid' }, form, h('div', preview.el, result)));
  text.focus();
}
