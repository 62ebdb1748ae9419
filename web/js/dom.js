// DOM helpers. Every piece of data reaches the page as a text node or an attribute value set
// through the DOM API: nothing here parses HTML, so nothing a citizen typed can become markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

function setAttrs(el, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'class') {
      el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (key === 'value' && 'value' in el) {
      el.value = value;
    } else if (key === 'checked' || key === 'selected' || key === 'disabled') {
      el[key] = Boolean(value);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
}

// h('a', {href: '#/x', class: 'btn'}, 'text', child, [more children])
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs && (attrs instanceof Node || typeof attrs !== 'object' || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

// The same for SVG elements.
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export function mount(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

// ---- formatting -------------------------------------------------------------------------

const TZ = 'Asia/Shanghai';
const dateTimeParts = new Intl.DateTimeFormat('zh-CN', {
  timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});

function parts(date) {
  const out = {};
  for (const p of dateTimeParts.formatToParts(date)) out[p.type] = p.value;
  return out;
}

// "2026-11-26T17:27:20+08:00" → "2026-11-26 17:27" (Beijing time).
export function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const p = parts(d);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

// Value for <input type="datetime-local"> in Beijing time.
export function toLocalInput(iso) {
  const d = iso ? new Date(iso) : new Date();
  const p = parts(d);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

// <input type="datetime-local"> value (Beijing wall time) → ISO 8601 with offset.
export function fromLocalInput(value) {
  if (!value) return '';
  return (value.length === 16 ? `${value}:00` : value) + '+08:00';
}

export function fmtPct(x, digits = 1) {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  return `${(x * 100).toFixed(digits)}%`;
}

export function fmtScore(x) {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  return Number(x).toFixed(2);
}

// Current Beijing month and the last full one, as YYYY-MM.
export function thisMonth() {
  const p = parts(new Date());
  return `${p.year}-${p.month}`;
}

export function shiftMonth(month, delta) {
  const [y, m] = month.split('-').map(Number);
  const total = y * 12 + (m - 1) + delta;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`;
}

export function badge(text, kind, title) {
  return h('span', { class: `badge badge-${kind}`, title }, text);
}

// A labelled value for detail grids.
export function field(label, ...value) {
  return h('div', { class: 'field' }, h('dt', label), h('dd', ...value));
}
