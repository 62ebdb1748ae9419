// 登录: paste a key; GET /api/v1/me says who it is.

import { h, mount, errorText } from '../dom.js';
import { me, setKey, clearKey } from '../api.js';

export function renderLogin(root, { message = '', onSignedIn }) {
  document.title = '登录 · 通州区接诉即办';
  const input = h('input', {
    type: 'password', name: 'key', autocomplete: 'off', required: true, placeholder: 'jz_…',
    class: 'key-input', spellcheck: 'false', id: 'login-key',
  });
  const error = h('p', { class: 'error', role: 'alert' }, message);
  const button = h('button', { type: 'submit', class: 'btn btn-primary' }, '登录');
  const form = h('form', { class: 'login card' },
    h('h1', '通州区 12345 接诉即办工作平台'),
    h('p', { class: 'muted' }, '请粘贴系统管理员为您发放的密钥。密钥只保存在本浏览器中，点“退出”即清除。'),
    h('label', { for: 'login-key' }, '密钥'), input,
    error,
    button,
    h('p', { class: 'muted small' }, '话务员、承办单位、督查领导、巡察组、系统管理员和公众账号登录后各自看到所需的页面。'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    const key = input.value.trim();
    if (!key) return;
    button.disabled = true;
    setKey(key);
    try {
      onSignedIn(await me());
    } catch (e) {
      clearKey();
      error.textContent = e.status === 401 ? '密钥无效或已停用，请核对后重试。' : errorText(e);
      button.disabled = false;
    }
  });
  mount(root, form);
  input.focus();
}
