// One 楼门院 (GET /api/v1/buildings/{id}): its community, 楼门公约, 楼门长 and residents, and its
// proposals (GET …/proposals) with their status and votes. A resident (whose home this is:
// #/mybuilding, the building of GET /api/v1/me → resident.building_id) opens a proposal here
// (POST …/proposals). A handler of its unit or an admin registers residents (POST …/residents:
// the key is shown this once, with a sign-in link), chooses the 楼门长 and edits the 公约
// (POST /api/v1/buildings/{id}).

import { h, mount, badge, messageLine } from '../dom.js';
import { building, proposals, createProposal, updateBuilding, addResident, reissueResidentKey, residentLeaves } from '../api.js';
import { fmtDate, fmtShort } from '../format.js';
import { PROPOSAL_STATUS } from '../labels.js';

const MAY_MANAGE = ['handler', 'admin'];
const STATUS_KIND = { open: 'info', agreed: 'good', rejected: 'muted' };

export function proposalStatus(p) {
  return badge(PROPOSAL_STATUS[p.status] || p.status, STATUS_KIND[p.status] || 'info');
}

export function votedCount(p) {
  const v = p.votes || {};
  return (v.for || 0) + (v.against || 0) + (v.abstain || 0);
}

function tallyLine(p) {
  const v = p.votes || {};
  return h('span', { class: 'tally-line' },
    h('span', { class: 'vote-for' }, `赞成 ${v.for || 0}`), ' · ',
    h('span', { class: 'vote-against' }, `反对 ${v.against || 0}`), ' · ',
    h('span', `弃权 ${v.abstain || 0}`), ' · ',
    h('span', { class: 'muted' }, `已表决 ${votedCount(p)}/${p.residents ?? '—'} 户`));
}

export const residentText = (r) => (r ? `${r.name}（${r.room}）` : '');

function proposalsList(list) {
  if (!list.length) return h('p', { class: 'muted' }, '还没有议题。');
  return h('ul', { class: 'proposal-list', id: 'proposal-list' }, list.map((p) => h('li', { dataset: { id: String(p.id), status: p.status } },
    h('div', { class: 'proposal-head' },
      h('a', { href: `#/proposal/${p.id}`, class: 'proposal-title' }, p.title), ' ', proposalStatus(p),
      p.case ? [' ', badge('已转办', 'warn', `工单 #${p.case.id}`)] : null),
    h('div', { class: 'small' }, tallyLine(p), typeof p.comment_count === 'number' ? h('span', { class: 'muted' }, ` · 讨论 ${p.comment_count}`) : null),
    h('div', { class: 'muted small' }, `${residentText(p.author)} 提出 · ${fmtShort(p.created_at)}${p.closed_at ? ` · ${fmtShort(p.closed_at)} 结束` : ''}`))));
}

function proposalForm(b, ctx) {
  const message = messageLine();
  const title = h('input', { type: 'text', name: 'title', required: true, maxlength: 200, placeholder: '如：楼道加装扶手' });
  const text = h('textarea', { name: 'text', rows: 4, required: true, maxlength: 5000, placeholder: '想解决什么问题、怎么做、需要谁出力或出资' });
  const form = h('form', { class: 'card', id: 'new-proposal' },
    h('h2', '提出议题'),
    h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '议题 *'), title),
    h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '内容 *'), text),
    h('p', { class: 'muted small' }, '本楼门院的居民都能看到、讨论和表决；楼门长记录协商结果。'),
    message.el,
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, '提出')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    message.clear();
    if (!title.value.trim() || !text.value.trim()) { message.error('请填写议题和内容。'); return; }
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const p = await createProposal(b.id, { title: title.value.trim(), text: text.value.trim() });
      ctx.navigate(`/proposal/${p.id}`);
    } catch (e) {
      message.error(e);
      button.disabled = false;
    }
  });
  return form;
}

// The key of a resident just registered: shown this once.
function keyBox(shown) {
  const message = messageLine();
  const link = `${location.origin}${location.pathname}#key=${encodeURIComponent(shown.key)}`;
  const copy = (text, what) => {
    const done = () => message.ok(`已复制${what}。`);
    const fail = () => message.error(`无法自动复制，请选中${what}后手动复制。`);
    try {
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(text).then(done, fail);
      else fail();
    } catch { fail(); }
  };
  return h('div', { class: 'key-box', id: 'resident-key', role: 'status' },
    h('p', h('strong', shown.reissued ? `已为 ${residentText(shown.resident)} 补发密钥，原密钥已作废。` : `已登记 ${residentText(shown.resident)}。`),
      '以下登录密钥只显示这一次，请立即复制并交给居民本人（系统只保存其摘要，丢失后可在此补发）：'),
    h('p', h('code', { class: 'key-text' }, shown.key), ' ',
      h('button', { type: 'button', class: 'btn btn-small', onclick: () => copy(shown.key, '密钥') }, '复制密钥')),
    h('p', { class: 'small' }, '登录链接（居民在自己的手机上打开即登录）：',
      h('a', { href: link, class: 'key-link', rel: 'noopener noreferrer' }, link), ' ',
      h('button', { type: 'button', class: 'btn btn-small', onclick: () => copy(link, '登录链接') }, '复制链接')),
    h('p', { class: 'muted small' }, '请勿在本机打开该链接：那会替换您当前的登录。'),
    message.el);
}

function residentsCard(b, { manage, shown, again }) {
  const residents = b.residents || [];
  const leaderId = b.leader ? b.leader.id : null;
  const failed = messageLine();
  // For the staff who manage the building: a new key for a lost one; moving out.
  const actions = (r) => manage ? h('span', { class: 'resident-actions' },
    h('button', { type: 'button', class: 'btn btn-small', dataset: { action: 'reissue' }, onclick: async () => {
      failed.clear();
      try {
        const made = await reissueResidentKey(b.id, r.id);
        again({ key: made.key, resident: made.resident, reissued: true });
      } catch (e) { failed.error(e); }
    } }, '补发密钥'),
    h('button', { type: 'button', class: 'btn btn-small', dataset: { action: 'leave' }, onclick: async () => {
      if (!window.confirm(`确认 ${residentText(r)} 已迁出？其密钥将作废，未结议题上的表决将撤回。`)) return;
      failed.clear();
      try {
        await residentLeaves(b.id, r.id);
        again({ text: `${residentText(r)} 已迁出。` });
      } catch (e) { failed.error(e); }
    } }, '迁出')) : null;
  const list = residents.length
    ? h('ul', { class: 'resident-list', id: 'resident-list' }, residents.map((r) => h('li', { dataset: { id: String(r.id) } },
      h('span', { class: 'resident-name' }, r.name), h('span', { class: 'muted' }, ` ${r.room}`),
      r.id === leaderId ? [' ', badge('楼门长', 'warn')] : null, actions(r))))
    : h('p', { class: 'muted' }, '还没有登记居民。');
  const card = h('section', { class: 'card', id: 'residents' }, h('h2', `居民（${residents.length || b.resident_count || 0}）`), list, failed.el);
  if (!manage) return card;

  // 楼门长: one of the registered residents.
  if (residents.length) {
    const message = messageLine();
    const select = h('select', { name: 'leader_id', 'aria-label': '楼门长' },
      h('option', { value: '' }, '（请选择）'),
      residents.map((r) => h('option', { value: String(r.id) }, residentText(r))));
    select.value = leaderId ? String(leaderId) : '';
    const form = h('form', { class: 'inline-form', id: 'leader-form' }, h('h3', '选定楼门长'),
      h('label', '楼门长', select), h('button', { type: 'submit', class: 'btn' }, '确定'), message.el);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      message.clear();
      if (!select.value) { message.error('请选择一位居民。'); return; }
      try {
        const updated = await updateBuilding(b.id, { leader_id: Number(select.value) });
        again({ text: `楼门长：${residentText(updated.leader) || select.selectedOptions[0].textContent}。` });
      } catch (e) { message.error(e); }
    });
    card.append(form);
  }

  const message = messageLine();
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: 100, autocomplete: 'off', placeholder: '如：王芳' });
  const room = h('input', { type: 'text', name: 'room', required: true, maxlength: 50, autocomplete: 'off', placeholder: '如：302' });
  const form = h('form', { class: 'inline-form', id: 'new-resident' }, h('h3', '登记居民'),
    h('label', '姓名 *', name), h('label', '门牌号 *', room),
    h('button', { type: 'submit', class: 'btn btn-primary' }, '登记并生成密钥'), message.el);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    message.clear();
    if (!name.value.trim() || !room.value.trim()) { message.error('请填写姓名和门牌号。'); return; }
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const r = await addResident(b.id, { name: name.value.trim(), room: room.value.trim() });
      again({ key: r.key, resident: r.resident });
    } catch (e) {
      message.error(e);
      button.disabled = false;
    }
  });
  card.append(form);
  if (shown && shown.key) card.append(keyBox(shown));
  return card;
}

function covenantCard(b, { manage, again }) {
  const text = (b.covenant || '').trim();
  const card = h('section', { class: 'card', id: 'covenant' }, h('h2', '楼门公约'),
    text ? h('div', { class: 'covenant-text' }, text) : h('p', { class: 'muted' }, '尚未订立楼门公约。'));
  if (!manage) return card;
  const message = messageLine();
  const area = h('textarea', { name: 'covenant', rows: 8, maxlength: 5000, value: b.covenant || '' });
  const form = h('form', { id: 'covenant-form' }, area, message.el,
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, '保存公约')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    message.clear();
    try {
      await updateBuilding(b.id, { covenant: area.value.trim() });
      again({ text: '已保存楼门公约。' });
    } catch (e) { message.error(e); }
  });
  card.append(h('details', { class: 'no-print' }, h('summary', text ? '修改公约' : '订立公约'), form));
  return card;
}

export async function render(root, ctx, shown) {
  const resident = ctx.me.resident || null;
  const id = Number(ctx.parts[0] === 'mybuilding' ? resident && resident.building_id : ctx.parts[1]);
  if (!Number.isInteger(id) || id < 1) {
    mount(root, h('p', { class: 'error' }, ctx.parts[0] === 'mybuilding' ? '您的账号没有登记在某个楼门院，请联系社区。' : '楼门院编号无效。'));
    return;
  }
  const [b, list] = await Promise.all([building(id), proposals(id)]);
  if (!ctx.current()) return;
  document.title = `${b.name} · 楼门院`;
  const items = list.proposals || [];
  const manage = MAY_MANAGE.includes(ctx.me.role);
  const mine = ctx.me.role === 'resident';
  const again = (next) => render(root, ctx, next);
  const place = [b.community && b.community.name, b.township && b.township.name].filter(Boolean).join(' · ');
  const open = items.filter((p) => p.status === 'open').length;

  const facts = h('dl', { class: 'facts' },
    h('div', { class: 'field' }, h('dt', '社区/村'), h('dd', b.community ? b.community.name : '—')),
    h('div', { class: 'field' }, h('dt', '街道/乡镇'), h('dd', b.township ? b.township.name : '—')),
    h('div', { class: 'field' }, h('dt', '楼门长'), h('dd', { id: 'building-leader' }, b.leader ? residentText(b.leader) : h('span', { class: 'muted' }, '未选定'))),
    h('div', { class: 'field' }, h('dt', '居民'), h('dd', `${b.resident_count ?? (b.residents || []).length} 户`)),
    h('div', { class: 'field' }, h('dt', '建立日期'), h('dd', fmtDate(b.created_at))));

  mount(root,
    h('div', { class: 'toolbar' }, h('div',
      mine ? null : h('p', { class: 'crumbs' }, h('a', { href: '#/buildings' }, '楼门院'), ' / ',
        b.community ? h('a', { href: `#/buildings?community=${encodeURIComponent(b.community.code)}` }, b.community.name) : '', ' / ', b.name),
      h('h1', { id: 'building-name' }, b.name),
      h('p', { class: 'muted small' }, mine && resident ? `${residentText(resident)} · ${place}` : place))),
    shown && shown.text ? h('p', { class: 'flash', role: 'status' }, shown.text) : null,
    h('div', { class: 'grid-2-1' },
      h('div',
        h('section', { class: 'card', id: 'proposals' },
          h('div', { class: 'card-head' }, h('h2', `议事协商（${items.length}）`), open ? h('span', { class: 'muted small' }, `协商中 ${open} 项`) : null),
          proposalsList(items)),
        mine ? proposalForm(b, ctx) : null),
      h('div',
        h('section', { class: 'card' }, h('h2', '楼门信息'), facts),
        covenantCard(b, { manage, again }),
        residentsCard(b, { manage, shown, again }))));
  if (shown && shown.key) document.getElementById('resident-key')?.scrollIntoView({ block: 'nearest' });
}
