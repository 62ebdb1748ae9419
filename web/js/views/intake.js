// 受理: the operator's form for a call (POST /api/v1/cases) and the router's proposal that comes
// back: category and unit with confidence, the reason, the top suggestions (one click
// dispatches), possible duplicates, and whether it was dispatched automatically.

import { h, mount } from '../dom.js';
import { api, loadReference, URGENCY } from '../api.js';
import { unitPicker, categoryPicker } from '../pickers.js';
import { statusTag } from './cases.js';

const TYPE_CHOICES = ['咨询', '求助', '投诉', '举报', '建议'];

function confidence(x) {
  if (typeof x !== 'number') return null;
  const pct = Math.round(x * 100);
  const meter = h('span', { class: 'meter', title: `置信度 ${pct}%` }, h('span', { class: `meter-fill ${pct >= 80 ? 'good' : pct >= 50 ? 'fair' : 'poor'}` }));
  meter.firstChild.style.width = `${Math.max(2, Math.min(100, pct))}%`;
  return h('span', { class: 'conf' }, meter, ` ${pct}%`);
}

function segmented(name, choices, value) {
  const inputs = [];
  const el = h('div', { class: 'segmented', role: 'radiogroup' }, choices.map(([v, label]) => {
    const input = h('input', { type: 'radio', name, value: v, checked: v === value });
    inputs.push(input);
    return h('label', input, h('span', label));
  }));
  return { el, value: () => (inputs.find((i) => i.checked) || {}).value };
}

function verdictFor(c) {
  const d = c.dispatch;
  let verdict;
  if (c.status === 'dispatched' && d && d.auto) {
    verdict = h('p', { class: 'verdict ok' }, `已自动派单至 ${c.unit ? c.unit.name : ''}`, d.confidence != null ? `（综合置信度 ${Math.round(d.confidence * 100)}%）` : '');
  } else if (c.status === 'dispatched') {
    verdict = h('p', { class: 'verdict ok' }, `已派单至 ${c.unit ? c.unit.name : ''}`);
  } else if (c.status === 'closed') {
    verdict = h('p', { class: 'verdict ok' }, '已办结');
  } else if (c.status === 'received' && c.urgency === 'emergency') {
    verdict = h('p', { class: 'verdict alarm' }, '特急事件：请立即移交 110/119/120/122。');
  } else if (c.status === 'transferred') {
    verdict = h('p', { class: 'verdict ok' }, `已移交 ${c.transferred_to || ''}`);
  } else if (c.status === 'received') {
    verdict = h('p', { class: 'verdict wait' }, '置信度不足，未自动派单：请核对后选择派单建议或手动派单。');
  } else {
    verdict = h('p', { class: 'verdict' }, c.status_label || c.status);
  }
  return verdict;
}

function proposal(c, ref, onChanged) {
  const d = c.dispatch;
  const out = h('section', { class: 'card proposal', 'aria-live': 'polite' });
  const msg = h('p', { class: 'flash', role: 'status', hidden: true });
  const error = h('p', { class: 'error', role: 'alert' });

  const act = async (body, done) => {
    error.textContent = '';
    try {
      const updated = await api(`/api/v1/cases/${c.id}/actions`, { method: 'POST', body });
      msg.hidden = false;
      msg.textContent = done(updated);
      for (const b of out.querySelectorAll('button[data-once]')) b.disabled = true;
      const fresh = statusTag(updated);
      tag.replaceWith(fresh);
      tag = fresh;
      const v = verdictFor(updated);
      verdict.replaceWith(v);
      verdict = v;
      onChanged(updated);
    } catch (e) {
      error.textContent = e.describe ? e.describe() : String(e);
    }
  };

  let tag = statusTag(c);
  let verdict = verdictFor(c);
  out.append(
    h('h2', '受理结果 ', h('a', { href: `#/case/${c.id}` }, `#${c.id}`), ' ', tag),
    verdict);
  if ((c.actions || []).includes('transfer') && c.urgency === 'emergency') {
    out.append(h('div', { class: 'inline-form emergency' },
      h('h3', '特急事件：移交 110/119/120/122，不再派单'),
      [['110', '公安'], ['119', '消防'], ['120', '急救'], ['122', '交警']].map(([to, who]) => h('button', {
        type: 'button', class: 'btn btn-danger', dataset: { once: '1' },
        onclick: () => act({ action: 'transfer', to }, () => `已移交 ${to}（${who}）。`),
      }, `移交 ${to} ${who}`))));
  }

  if (d) {
    out.append(h('dl', { class: 'facts' },
      h('div', { class: 'field' }, h('dt', '建议类别'), h('dd', d.category ? [d.category.name, ' ', confidence(d.category.confidence)] : h('span', { class: 'muted' }, '未识别'))),
      h('div', { class: 'field' }, h('dt', '建议单位'), h('dd', d.unit ? [d.unit.name, ' ', confidence(d.unit.confidence)] : h('span', { class: 'muted' }, '未识别'))),
      d.place ? h('div', { class: 'field' }, h('dt', '识别地点'), h('dd', d.place.name)) : null,
      d.reason ? h('div', { class: 'field wide' }, h('dt', '依据'), h('dd', d.reason)) : null));

    const canDispatch = (c.actions || []).includes('dispatch');
    if ((d.suggestions || []).length) {
      out.append(h('h3', canDispatch && c.status === 'received' ? '派单建议（点击即派单）' : '派单建议'),
        h('ol', { class: 'suggestions' }, d.suggestions.slice(0, 3).map((sg) => h('li',
          h('button', {
            type: 'button', class: 'btn suggestion', disabled: !canDispatch, dataset: { once: '1' },
            onclick: () => act({ action: 'dispatch', unit: sg.unit.code, category: sg.category.code },
              (u) => `已派单至 ${u.unit ? u.unit.name : sg.unit.name}。`),
          },
          h('span', { class: 'sg-unit' }, sg.unit.name),
          h('span', { class: 'sg-cat' }, sg.category.name),
          confidence(sg.confidence))))));
    }
    const dups = d.duplicates || [];
    out.append(h('h3', `疑似重复（${dups.length}）`));
    if (dups.length) {
      const canMerge = (c.actions || []).includes('merge');
      out.append(h('ul', { class: 'dups' }, dups.map((x) => h('li',
        h('a', { href: `#/case/${x.id}`, target: '_blank', rel: 'noopener' }, `#${x.id} ${x.title || ''}`),
        typeof x.score === 'number' ? h('span', { class: 'muted' }, ` 相似度 ${Math.round(x.score * 100)}%`) : null,
        canMerge ? h('button', {
          type: 'button', class: 'btn btn-small', dataset: { once: '1' },
          onclick: () => act({ action: 'merge', into: x.id }, () => `已作为重复件并入 #${x.id}。`),
        }, '并入此件') : null))));
    } else {
      out.append(h('p', { class: 'muted' }, '未发现近期相似工单。'));
    }
    if (canDispatch && ref) {
      const unit = unitPicker(ref, { value: d.unit ? d.unit.code : '' });
      const cat = categoryPicker(ref, { value: d.category ? d.category.code : '' });
      const form = h('form', { class: 'inline-form' },
        h('h3', '手动派单'), h('label', '承办单位', unit.el), h('label', '类别', cat.el),
        h('button', { type: 'submit', class: 'btn btn-primary', dataset: { once: '1' } }, '派单'));
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        const u = unit.value();
        if (!u) { error.textContent = '请选择承办单位。'; return; }
        act({ action: 'dispatch', unit: u, category: cat.value() || undefined }, (x) => `已派单至 ${x.unit ? x.unit.name : u}。`);
      });
      out.append(form);
    }
  }

  if ((c.actions || []).includes('answer')) {
    const text = h('textarea', { rows: 3, required: true, placeholder: '咨询可当场答复并办结' });
    const form = h('form', { class: 'inline-form' }, h('h3', '直接答复（咨询）'), text,
      h('button', { type: 'submit', class: 'btn btn-primary', dataset: { once: '1' } }, '答复并办结'));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      act({ action: 'answer', text: text.value }, () => '已答复并办结。');
    });
    out.append(form);
  }
  out.append(msg, error);
  return out;
}

export async function renderIntake(root, ctx) {
  document.title = '受理 · 通州区接诉即办';
  const ref = await loadReference();

  const type = segmented('type', TYPE_CHOICES.map((t) => [t, t]), '投诉');
  const urgency = segmented('urgency', URGENCY, 'normal');
  const title = h('input', { type: 'text', name: 'title', maxlength: 200, placeholder: '一句话概括（可选）' });
  const text = h('textarea', { name: 'text', rows: 6, required: true, maxlength: 5000, placeholder: '记录市民反映的问题、时间、地点和诉求' });
  const address = h('input', { type: 'text', name: 'address', maxlength: 300, placeholder: '如：梨园镇群芳园社区3号楼' });
  const callerName = h('input', { type: 'text', name: 'name', maxlength: 100, autocomplete: 'off' });
  const callerPhone = h('input', { type: 'tel', name: 'phone', maxlength: 30, autocomplete: 'off', pattern: '[0-9+\\- ]{3,30}' });
  const anonymous = h('input', { type: 'checkbox', name: 'anonymous' });
  const category = categoryPicker(ref, {});
  const unit = unitPicker(ref, {});
  const error = h('p', { class: 'error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, '提交受理');
  const result = h('div', h('section', { class: 'card muted-card' }, h('h2', '派单建议'),
    h('p', { class: 'muted' }, '提交后，系统根据诉求内容和地址给出类别、承办单位、置信度和疑似重复件；置信度足够时自动派单。')));

  const form = h('form', { class: 'card intake' },
    h('div', { class: 'form-row' }, h('span', { class: 'form-label' }, '诉求类型'), type.el),
    h('div', { class: 'form-row' }, h('span', { class: 'form-label' }, '紧急程度'), urgency.el),
    h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '标题'), title),
    h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '诉求内容 *'), text),
    h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '事发地址'), address),
    h('fieldset', h('legend', '来电人'),
      h('div', { class: 'row-2' },
        h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '姓名'), callerName),
        h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '电话'), callerPhone)),
      h('label', { class: 'check' }, anonymous, '匿名（不向承办单位透露身份）'),
      h('p', { class: 'muted small' }, '联系方式加密保存，承办单位只能看到脱敏号码。')),
    h('details', h('summary', '指定类别和承办单位（可选，指定单位即直接派单）'),
      h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '类别'), category.el),
      h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '承办单位'), unit.el)),
    error,
    h('div', { class: 'form-actions' }, submit,
      h('button', { type: 'reset', class: 'btn' }, '清空')));

  form.addEventListener('reset', () => { error.textContent = ''; });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    const u = unit.value();
    if (u === null) { error.textContent = '承办单位未找到唯一匹配，请从列表中选择或留空。'; return; }
    const body = {
      type: type.value(), text: text.value.trim(), urgency: urgency.value(),
      anonymous: anonymous.checked,
    };
    if (!body.text) { error.textContent = '请填写诉求内容。'; text.focus(); return; }
    if (title.value.trim()) body.title = title.value.trim();
    if (address.value.trim()) body.address = address.value.trim();
    if (category.value()) body.category = category.value();
    if (u) body.unit = u;
    if (callerName.value.trim() || callerPhone.value.trim()) {
      body.caller = {};
      if (callerName.value.trim()) body.caller.name = callerName.value.trim();
      if (callerPhone.value.trim()) body.caller.phone = callerPhone.value.trim();
    }
    submit.disabled = true;
    try {
      const c = await api('/api/v1/cases', { method: 'POST', body });
      mount(result, proposal(c, ref, () => {}),
        h('p', { class: 'next' }, h('button', {
          type: 'button', class: 'btn', onclick: () => { form.reset(); mount(result); text.focus(); },
        }, '受理下一件')));
    } catch (e) {
      error.textContent = e.describe ? e.describe() : String(e);
    } finally {
      submit.disabled = false;
    }
  });

  mount(root,
    h('div', { class: 'toolbar' }, h('h1', '受理'), h('p', { class: 'muted' }, '12345 来电或网络诉求登记')),
    h('div', { class: 'grid-1-1' }, form, result));
  text.focus();
}

