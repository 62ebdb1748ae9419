// The one place where data meets the page. Every value reaches the DOM as a text node or as an
// attribute set through the DOM API; nothing here (or anywhere in web/src) parses HTML, so
// nothing a citizen typed can become markup. Style attributes are never written (the server's
// Content-Security-Policy has no 'unsafe-inline'); dynamic sizes go through element.style.

const SVG_NS = 'http://www.w3.org/2000/svg';

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false || child === '') continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

function setAttrs(el, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'class') {
      const names = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
      if (el instanceof SVGElement) el.setAttribute('class', names);
      else el.className = names;
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (key === 'style') {
      throw new Error('style attributes are refused by the CSP: use a class or element.style');
    } else if (key === 'checked' && 'defaultChecked' in el) {
      el.defaultChecked = el.checked = Boolean(value); // a form reset comes back to it
    } else if (key === 'selected' && 'defaultSelected' in el) {
      el.defaultSelected = el.selected = Boolean(value);
    } else if ((key === 'value' || key === 'disabled' || key === 'hidden' || key === 'required' || key === 'open') && key in el) {
      el[key] = key === 'value' ? String(value) : Boolean(value);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
}

function isAttrs(x) {
  return x && typeof x === 'object' && !(x instanceof Node) && !Array.isArray(x);
}

// h('a', {href: '#/x', class: 'btn'}, 'text', child, [more children]); attrs may be left out.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (isAttrs(attrs)) setAttrs(el, attrs);
  else children.unshift(attrs);
  append(el, children);
  return el;
}

// The same for SVG elements.
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  if (isAttrs(attrs)) setAttrs(el, attrs);
  else children.unshift(attrs);
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

export function badge(text, kind, title) {
  return h('span', { class: `badge badge-${kind}`, title }, text);
}

// A labelled value for detail lists (<dl class="facts">).
export function field(label, ...value) {
  return h('div', { class: 'field' }, h('dt', label), h('dd', ...value));
}

// A horizontal progress bar; the width is set through the CSSOM, which the CSP allows.
export function progress(fraction, kind = '') {
  const fill = h('span', { class: ['progress-fill', kind] });
  const pct = fraction === null || fraction === undefined ? 0 : Math.max(0, Math.min(1, fraction)) * 100;
  fill.style.width = `${pct}%`;
  return h('span', { class: 'progress', role: 'presentation' }, fill);
}

// Text of a failed call for the user: ApiError.describe() or the message.
export function errorText(e) {
  if (e && typeof e.describe === 'function') return e.describe();
  return `出错了：${e && e.message ? e.message : String(e)}`;
}

// A status line that shows one message at a time (role=alert for errors).
export function messageLine() {
  const el = h('p', { class: 'message', role: 'status', 'aria-live': 'polite' });
  return {
    el,
    ok(text) { el.className = 'message flash'; el.textContent = text; },
    error(e) { el.className = 'message error'; el.textContent = typeof e === 'string' ? e : errorText(e); },
    clear() { el.className = 'message'; el.textContent = ''; },
  };
}
