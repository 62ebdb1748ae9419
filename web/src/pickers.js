// Unit and category pickers over the reference data (GET /api/v1/units, /api/v1/categories).

import { h } from './dom.js';
import { LEVELS } from './labels.js';

let pickerSeq = 0;
const LEVEL_ORDER = { township: 0, department: 1, community: 2, grid: 3, district: 4 };

function unitLabel(u, ref) {
  const parent = u.parent ? ref.unitByCode.get(u.parent) : null;
  const where = (u.level === 'community' || u.level === 'grid') && parent ? ` · ${parent.short_name}` : '';
  return `${u.short_name}${where} · ${u.code}`;
}

// A searchable unit field: type part of a name (or an alias) and pick from the list.
// levels: which levels to offer; within: only that unit (or those units) and the units below.
export function unitPicker(ref, {
  name = 'unit', value = '', required = false, levels = ['township', 'community', 'department'],
  placeholder = '输入单位名称搜索', within = '', label = '',
} = {}) {
  const id = `units-${++pickerSeq}`;
  const list = h('datalist', { id });
  const byLabel = new Map();
  const roots = [within].flat().filter(Boolean);
  const units = ref.units
    .filter((u) => (levels.includes(u.level) || roots.includes(u.code)) && (!roots.length || roots.some((r) => ref.isWithin(u.code, r))))
    .sort((a, b) => (LEVEL_ORDER[a.level] ?? 9) - (LEVEL_ORDER[b.level] ?? 9) || a.code.localeCompare(b.code));
  for (const u of units) {
    const text = unitLabel(u, ref);
    byLabel.set(text, u.code);
    list.append(h('option', { value: text }, LEVELS[u.level] || u.level));
  }
  const input = h('input', {
    type: 'text', name, list: id, autocomplete: 'off', placeholder, required, class: 'unit-input',
    'aria-label': label || undefined,
  });
  const hint = h('small', { class: 'hint' });

  // The unit code; '' when empty; null when the text matches no single unit.
  function resolve() {
    const text = input.value.trim();
    if (!text) return '';
    if (byLabel.has(text)) return byLabel.get(text);
    const m = text.match(/(\d{6,})\s*$/);
    if (m && units.some((u) => u.code === m[1])) return m[1];
    const hits = units.filter((u) => u.name === text || u.short_name === text || (u.aliases || []).includes(text));
    return hits.length === 1 ? hits[0].code : null;
  }

  function showHint() {
    const code = resolve();
    if (code === null) {
      hint.textContent = '没有唯一匹配的单位，请从下拉列表中选择';
      hint.className = 'hint hint-error';
      input.setCustomValidity('请选择一个单位');
    } else {
      const u = code ? ref.unitByCode.get(code) : null;
      hint.textContent = u ? `${u.name}（${LEVELS[u.level] || u.level}）` : '';
      hint.className = 'hint';
      input.setCustomValidity('');
    }
  }
  input.addEventListener('change', showHint);
  input.addEventListener('input', () => input.setCustomValidity(''));

  function setValue(code) {
    const u = code ? ref.unitByCode.get(code) : null;
    input.value = u ? unitLabel(u, ref) : code || '';
    showHint();
  }
  if (value) setValue(value);

  return {
    el: h('span', { class: 'picker' }, input, list, hint),
    input,
    value: () => { showHint(); return resolve(); },
    setValue,
  };
}

// Several units as removable chips (inspected organisations of a round).
export function unitsPicker(ref, { levels = ['township', 'community', 'department'], placeholder } = {}) {
  const chosen = new Map();
  const chips = h('ul', { class: 'chips chosen' });
  const picker = unitPicker(ref, { levels, placeholder: placeholder || '输入单位名称，回车或点“添加”' });
  const draw = () => {
    chips.replaceChildren(...[...chosen.keys()].map((code) => h('li',
      h('span', { class: 'chip' }, ref.unitName(code), ' ',
        h('button', {
          type: 'button', class: 'chip-x', 'aria-label': `移除 ${ref.unitName(code)}`,
          onclick: () => { chosen.delete(code); draw(); },
        }, '×')))));
  };
  const add = () => {
    const code = picker.value();
    if (!code) return;
    chosen.set(code, true);
    picker.setValue('');
    picker.input.focus();
    draw();
  };
  picker.input.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); add(); } });
  picker.input.addEventListener('change', () => { if (picker.value()) add(); });
  return {
    el: h('div', { class: 'units-picker' }, h('div', { class: 'picker-row' }, picker.el,
      h('button', { type: 'button', class: 'btn', onclick: add }, '添加')), chips),
    value: () => [...chosen.keys()],
  };
}

// A category <select> grouped by 大类; the empty option means "not given".
export function categoryPicker(ref, { name = 'category', value = '', emptyLabel = '（不指定）', label = '' } = {}) {
  const select = h('select', { name, 'aria-label': label || undefined });
  select.append(h('option', { value: '' }, emptyLabel));
  for (const top of ref.categories.filter((c) => !c.parent)) {
    const group = h('optgroup', { label: top.name });
    group.append(h('option', { value: top.code }, `${top.name}（大类）`));
    for (const c of ref.categories.filter((x) => x.parent === top.code)) {
      group.append(h('option', { value: c.code }, c.name));
    }
    select.append(group);
  }
  select.value = value || '';
  return { el: select, input: select, value: () => select.value, setValue: (v) => { select.value = v || ''; } };
}
