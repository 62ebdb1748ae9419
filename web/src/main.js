// The single-page shell: sign-in with a key, the header with the signed-in person and the
// screens of their role, and a hash router that loads each screen on demand.
//   #/login  #/dashboard?month=  #/intake  #/callbacks  #/queue  #/cases?…  #/case/ID
//   #/inspections  #/inspection/ID  #/report
//   #/buildings?community=  #/building/ID  #/mybuilding (a resident's own)  #/proposal/ID
//   #/enterprises?township=&q=  #/enterprise/ID  #/consultations  #/consultation/ID
// A fragment `#key=KEY` (optionally `&to=/case/12`) signs in and is removed from the address bar.

import './css/app.css';
import { h, mount, errorText } from './dom.js';
import * as api from './api.js';
import { ROLE_LABELS } from './labels.js';
import { renderLogin } from './views/login.js';

const STAFF = ['operator', 'handler', 'supervisor', 'inspector', 'admin'];

// The screens in the header, in order, with the roles that see them.
const SCREENS = [
  { path: 'dashboard', label: '领导看板', roles: ['supervisor', 'admin'], load: () => import('./views/dashboard.js') },
  { path: 'intake', label: '受理', roles: ['operator', 'admin'], load: () => import('./views/intake.js') },
  { path: 'callbacks', label: '回访', roles: ['operator', 'admin'], load: () => import('./views/callbacks.js') },
  { path: 'queue', label: '待办', roles: ['handler'], load: () => import('./views/queue.js') },
  { path: 'cases', label: '工单查询', roles: STAFF, load: () => import('./views/cases.js') },
  { path: 'inspections', label: '巡察整改', roles: ['inspector', 'supervisor', 'admin'], load: () => import('./views/inspections.js') },
  { path: 'report', label: '我要反映', roles: ['public'], load: () => import('./views/report.js') },
  { path: 'mybuilding', label: '我的楼门', roles: ['resident'], load: () => import('./views/building.js') },
  { path: 'buildings', label: '楼门院', roles: ['handler', 'supervisor', 'admin'], load: () => import('./views/buildings.js') },
  { path: 'enterprises', label: '服务包', roles: ['operator', 'handler', 'supervisor', 'admin'], load: () => import('./views/enterprises.js') },
  { path: 'consultations', label: '征求意见', roles: null, load: () => import('./views/consultations.js') },
];
// Pages reached from the others; `nav` is the header entry they belong to.
const PAGES = [
  { path: 'case', nav: (role) => ({ handler: 'queue', public: 'report' }[role] || 'cases'), roles: [...STAFF, 'public'], load: () => import('./views/case.js') },
  { path: 'inspection', nav: 'inspections', roles: ['inspector', 'supervisor', 'admin'], load: () => import('./views/inspection.js') },
  { path: 'building', nav: (role) => (role === 'resident' ? 'mybuilding' : 'buildings'), roles: ['handler', 'supervisor', 'admin', 'resident'], load: () => import('./views/building.js') },
  { path: 'proposal', nav: (role) => (role === 'resident' ? 'mybuilding' : 'buildings'), roles: ['handler', 'supervisor', 'admin', 'resident'], load: () => import('./views/proposal.js') },
  { path: 'enterprise', nav: 'enterprises', roles: ['operator', 'handler', 'supervisor', 'admin'], load: () => import('./views/enterprise.js') },
  { path: 'consultation', nav: 'consultations', roles: null, load: () => import('./views/consultation.js') },
];

const HOME = {
  operator: '/intake', handler: '/queue', supervisor: '/dashboard', inspector: '/inspections',
  admin: '/dashboard', public: '/report', resident: '/mybuilding',
};

const view = document.getElementById('view');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
let me = null;

const allowed = (screen, role) => !screen.roles || screen.roles.includes(role);
const homeFor = (role) => HOME[role] || '/cases';

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map((x) => {
    try { return decodeURIComponent(x); } catch { return x; }
  });
  return { parts, params: new URLSearchParams(query) };
}

// `#key=…` signs in; the key leaves the address bar at once.
function takeKeyFragment() {
  const frag = location.hash.replace(/^#/, '');
  if (!frag.startsWith('key=')) return;
  const p = new URLSearchParams(frag);
  const key = (p.get('key') || '').trim();
  const to = p.get('to') || '';
  if (key) { api.setKey(key); me = null; }
  history.replaceState(null, '', `${location.pathname}${location.search}#${to.startsWith('/') ? to : '/'}`);
}

function renderHeader(current) {
  mount(nav);
  mount(who);
  if (!me) return;
  for (const screen of SCREENS.filter((x) => allowed(x, me.role))) {
    nav.append(h('a', {
      href: `#/${screen.path}`, class: current === screen.path ? 'active' : '',
      'aria-current': current === screen.path ? 'page' : undefined,
    }, screen.label));
  }
  const unit = me.unit ? me.unit.short_name || me.unit.name : '';
  who.append(
    h('span', { class: 'who-name', title: me.name || '' }, unit || me.name || '（未命名）'),
    h('span', { class: 'who-role' }, ROLE_LABELS[me.role] || me.role),
    h('button', { type: 'button', class: 'btn btn-small btn-ghost', onclick: logout }, '退出'));
}

function logout() {
  api.clearKey();
  me = null;
  if (location.hash === '#/login') route();
  else location.hash = '#/login';
}

let routeSeq = 0;

async function route() {
  const seq = ++routeSeq;
  takeKeyFragment();
  const { parts, params } = parseHash();
  const root = h('div', { class: 'screen' });
  mount(view, root);

  if (!api.getKey()) {
    me = null;
    renderHeader('');
    renderLogin(root, { onSignedIn: (who_) => { me = who_; location.hash = `#${homeFor(me.role)}`; } });
    return;
  }
  if (!me) {
    root.append(h('p', { class: 'loading' }, '正在核验身份…'));
    try {
      me = await api.me();
    } catch (e) {
      if (seq !== routeSeq) return;
      if (e.status === 401) {
        api.clearKey();
        renderHeader('');
        renderLogin(root, { message: '密钥无效或已停用，请重新登录。', onSignedIn: (x) => { me = x; location.hash = `#${homeFor(x.role)}`; } });
      } else {
        mount(root, h('p', { class: 'error', role: 'alert' }, errorText(e)));
      }
      return;
    }
    if (seq !== routeSeq) return;
  }

  const name = parts[0] || '';
  if (name === '' || name === 'login') {
    location.replace(`#${homeFor(me.role)}`);
    return;
  }
  const screen = SCREENS.find((x) => x.path === name) || PAGES.find((x) => x.path === name);
  const navOf = (x) => (typeof x.nav === 'function' ? x.nav(me.role) : x.nav || x.path);
  renderHeader(screen ? navOf(screen) : '');
  if (!screen || !allowed(screen, me.role)) {
    mount(root, h('section', { class: 'card' }, h('h1', '页面不存在或无权访问'),
      h('p', h('a', { href: `#${homeFor(me.role)}` }, '返回首页'))));
    return;
  }
  mount(root, h('p', { class: 'loading' }, '正在加载…'));
  const ctx = {
    me, params, parts,
    navigate: (to) => { location.hash = `#${to}`; },
    // True while this screen is still the one shown (a slow answer must not draw over the next).
    current: () => seq === routeSeq,
  };
  try {
    const module = await screen.load();
    if (seq !== routeSeq) return;
    await module.render(root, ctx);
  } catch (e) {
    if (seq !== routeSeq) return;
    if (!(e instanceof api.ApiError)) console.warn(e);
    root.append(h('p', { class: 'error', role: 'alert' }, e instanceof api.ApiError ? errorText(e) : `页面出错：${e.message}`));
  }
  if (seq === routeSeq && !document.activeElement?.closest?.('#view')) view.focus({ preventScroll: true });
}

api.onUnauthorized(() => {
  if (!me) return;
  api.clearKey();
  me = null;
  location.hash = '#/login';
});

// Printing shows folded sections too.
window.addEventListener('beforeprint', () => {
  for (const d of document.querySelectorAll('details:not([open])')) { d.open = true; d.dataset.printOpened = '1'; }
});
window.addEventListener('afterprint', () => {
  for (const d of document.querySelectorAll('details[data-print-opened]')) { d.open = false; delete d.dataset.printOpened; }
});

window.addEventListener('hashchange', route);
route();
