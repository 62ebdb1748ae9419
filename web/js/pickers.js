// Unit and category pickers over GET /api/v1/units and /api/v1/categories.

import { h } from './dom.js';
import { LEVELS } from './api.js';

let pickerSeq = 0;

function unitLabel(u, ref) {
  const parent = u.parent ? ref.unitByCode.get(u.parent) : null;
  const where = u.level === 'community' && parent ? ` · ${parent.short_name}` : '';
  return `${u.short_name}${where} · ${u.code}`;
}

export function unitName(ref, code) {
  if (!code) return '';
  const u = ref && ref.unitByCode.get(code);
  return u ? u.short_name : code;
}

// A searchable unit field: type part of a name (or an alias), pick from the list.
// opts.levels: which levels to offer (default all but district and grid).
export function unitPicker(ref, { name = 'unit', value = '', required = false,
  levels = ['township', 'community', 'department'], placeholder = '输入单位名称搜索', within = '' } = {}) {
  const id = `units-${++pickerSeq}`;
  const list = h('datalist', { id });
  const byLabel = new Map();
  const order = { township: 0, department: 1, community: 2 };
  const inside = (u) => {
    for (let x = u; x; x = x.parent ? ref.unitByCode.get(x.parent) : null) if (x.code === within) return true;
    return false;
  };
  const units = ref.units.filter((u) => (levels.includes(u.level) || u.code === within) && (!within || inside(u)))
    .sort((a, b) => (order[a.level] ?? 9) - (order[b.level] ?? 9) || a.code.localeCompare(b.code));
  for (const u of units) {
    const label = unitLabel(u, ref);
    byLabel.set(label, u.code);
    list.append(h('option', { value: label }, LEVELS[u.level] || u.level));
  }
  const input = h('input', {
    type: 'text', name, list: id, autocomplete: 'off', placeholder, required,
    class: 'unit-input',
  });
  const hint = h('small', { class: 'hint' });

  function resolve() {
    const text = input.value.trim();
    if (!text) return '';
    if (byLabel.has(text)) return byLabel.get(text);
    const m = text.match(/([0-9A-Z]{6,})\s*$/);
    if (m && ref.unitByCode.has(m[1])) return m[1];
    const hits = units.filter((u) => u.name === text || u.short_name === text ||
      (u.aliases || []).includes(text));
    return hits.length === 1 ? hits[0].code : null;
  }

  function showHint() {
    const code = resolve();
    if (code === null) {
      hint.textContent = '未找到唯一匹配的单位，请从列表中选择';
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
  input.addEventListener('input', () => { input.setCustomValidity(''); });

  function setValue(code) {
    const u = code ? ref.unitByCode.get(code) : null;
    input.value = u ? unitLabel(u, ref) : (code || '');
    showHint();
  }
  if (value) setValue(value);

  return {
    el: h('span', { class: 'picker' }, input, list, hint),
    input,
    // The unit code, '' when empty, null when the text matches no single unit.
    value: () => { showHint(); return resolve(); },
    setValue,
  };
}

// A category <select> grouped by 大类; the empty option means "not given".
export function categoryPicker(ref, { name = 'category', value = '', emptyLabel = '（不指定）' } = {}) {
  const select = h('select', { name });
  select.append(h('option', { value: '' }, emptyLabel));
  const top = ref.categories.filter((c) => !c.parent);
  for (const t of top) {
    const group = h('optgroup', { label: t.name });
    group.append(h('option', { value: t.code }, `${t.name}（大类）`));
    for (const c of ref.categories.filter((x) => x.parent === t.code)) {
      group.append(h('option', { value: c.code }, c.name));
    }
    select.append(group);
  }
  const orphans = ref.categories.filter((c) => c.parent && !ref.categoryByCode.has(c.parent));
  for (const c of orphans) select.append(h('option', { value: c.code }, c.name));
  select.value = value || '';
  return { el: select, input: select, value: () => select.value, setValue: (v) => { select.value = v || ''; } };
}
