// The single-page shell: sign-in, the header with the signed-in person, and a hash router.
//   #/login  #/dashboard?month=&level=  #/cases?status=&…  #/case/ID  #/intake
// A fragment `#key=KEY` (optionally `&to=/case/12`) signs in and is removed from the address bar.

import { h, mount } from './dom.js';
import { api, getKey, setKey, clearKey, onUnauthorized, ROLE_LABELS, ApiError } from './api.js';
import { renderDashboard } from './views/dashboard.js';
import { renderCases } from './views/cases.js';
import { renderCase } from './views/case.js';
import { renderIntake } from './views/intake.js';

const view = document.getElementById('view');
const nav = document.getElementById('nav');
const who = document.getElementById('who');

let me = null;

const SCREENS = [
  { path: 'dashboard', label: '领导看板', roles: ['supervisor', 'admin', 'operator', 'handler', 'inspector'] },
  { path: 'cases', label: '工单', roles: null },
  { path: 'intake', label: '受理', roles: ['operator', 'admin'] },
];

function allowed(screen, role) {
  return !screen.roles || screen.roles.includes(role);
}

function homeFor(role) {
  if (role === 'operator') return '/intake';
  if (role === 'handler' || role === 'public') return '/cases';
  return '/dashboard';
}

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map((x) => { try { return decodeURIComponent(x); } catch { return x; } });
  return { parts, params: new URLSearchParams(query), raw };
}

// `#key=…` logs in; returns true when the fragment was one.
function takeKeyFragment() {
  const frag = location.hash.replace(/^#/, '');
  if (!frag.startsWith('key=')) return false;
  const p = new URLSearchParams(frag);
  const key = (p.get('key') || '').trim();
  const to = p.get('to') || '';
  if (key) { setKey(key); me = null; }
  history.replaceState(null, '', `${location.pathname}${location.search}${to ? `#${to}` : '#/'}`);
  return true;
}

function renderHeader() {
  mount(nav);
  mount(who);
  if (!me) return;
  const current = parseHash().parts[0] || '';
  for (const screen of SCREENS) {
    if (!allowed(screen, me.role)) continue;
    nav.append(h('a', {
      href: `#/${screen.path}`,
      class: current === screen.path || (screen.path === 'cases' && current === 'case') ? 'active' : '',
    }, screen.label));
  }
  const unit = me.unit ? me.unit.short_name || me.unit.name : '';
  who.append(
    h('span', { class: 'who-name' }, me.name || '（未命名）'),
    h('span', { class: 'who-role' }, [ROLE_LABELS[me.role] || me.role, unit ? ` · ${unit}` : '']),
    h('button', { type: 'button', class: 'btn btn-small btn-ghost', onclick: logout }, '退出'),
  );
}

function logout() {
  clearKey();
  me = null;
  if (location.hash === '#/login') route();
  else location.hash = '#/login';
}

function renderLogin(root, message) {
  document.title = '登录 · 通州区接诉即办';
  const input = h('input', {
    type: 'password', name: 'key', autocomplete: 'off', required: true, placeholder: 'jz_…',
    class: 'key-input', spellcheck: 'false',
  });
  const error = h('p', { class: 'error', role: 'alert' }, message || '');
  const button = h('button', { type: 'submit', class: 'btn btn-primary' }, '登录');
  const form = h('form', { class: 'login card' },
    h('h1', '通州区 12345 接诉即办工作平台'),
    h('p', { class: 'muted' }, '请粘贴管理员为您发放的 API 密钥。密钥只保存在本浏览器中，退出即清除。'),
    h('label', '密钥', input),
    error,
    button);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    const key = input.value.trim();
    if (!key) return;
    button.disabled = true;
    setKey(key);
    try {
      me = await api('/api/v1/me');
      location.hash = `#${homeFor(me.role)}`;
    } catch (e) {
      clearKey();
      error.textContent = e instanceof ApiError && e.status === 401 ? '密钥无效或已停用，请核对后重试。' : e.describe ? e.describe() : String(e);
    } finally {
      button.disabled = false;
    }
  });
  mount(root, form);
  input.focus();
}

let routeSeq = 0;

async function route() {
  const seq = ++routeSeq;
  takeKeyFragment();
  const root = h('div', { class: 'screen' });
  mount(view, root);
  const { parts, params } = parseHash();

  if (!getKey()) {
    me = null;
    renderHeader();
    renderLogin(root);
    return;
  }
  if (!me) {
    root.append(h('p', { class: 'loading' }, '正在验证身份…'));
    try {
      me = await api('/api/v1/me');
    } catch (e) {
      if (seq !== routeSeq) return;
      if (e.status === 401) { clearKey(); me = null; renderHeader(); renderLogin(root, '密钥无效或已停用，请重新登录。'); return; }
      mount(root, h('p', { class: 'error' }, e.describe ? e.describe() : String(e)));
      return;
    }
    if (seq !== routeSeq) return;
    mount(root);
  }
  const name = parts[0] || '';
  if (name === '' || name === 'login') {
    location.replace(`#${homeFor(me.role)}`);
    return;
  }
  renderHeader();
  const ctx = { me, params, parts, navigate: (to) => { location.hash = `#${to}`; } };
  try {
    if (name === 'dashboard' && allowed(SCREENS[0], me.role)) await renderDashboard(root, ctx);
    else if (name === 'cases') await renderCases(root, ctx);
    else if (name === 'case' && parts[1]) await renderCase(root, ctx, parts[1]);
    else if (name === 'intake' && allowed(SCREENS[2], me.role)) await renderIntake(root, ctx);
    else mount(root, h('div', { class: 'card' }, h('h1', '页面不存在或无权访问'), h('p', h('a', { href: `#${homeFor(me.role)}` }, '返回首页'))));
  } catch (e) {
    if (seq !== routeSeq) return;
    console.warn(e);
    root.append(h('p', { class: 'error', role: 'alert' }, e instanceof ApiError ? e.describe() : `页面出错：${e.message}`));
  }
}

onUnauthorized(() => {
  if (!me) return;
  clearKey();
  me = null;
  location.hash = '#/login';
});

// Printing shows folded lists too.
window.addEventListener('beforeprint', () => {
  for (const d of document.querySelectorAll('details:not([open])')) { d.open = true; d.dataset.printOpened = '1'; }
});
window.addEventListener('afterprint', () => {
  for (const d of document.querySelectorAll('details[data-print-opened]')) { d.open = false; delete d.dataset.printOpened; }
});

window.addEventListener('hashchange', route);
route();
