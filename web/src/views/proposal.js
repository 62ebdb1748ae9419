// One proposal of a 楼门院 (GET /api/v1/proposals/{id}): its text, the votes counted (never by
// name), the caller's own vote, the discussion, and the outcome. A resident votes and changes
// its vote while the proposal is open (POST …/votes) and comments (POST …/comments); the
// building's 楼门长 closes it with the agreement (POST …/close), optionally sending it to the
// units as a case; once closed, the agreement and that case's progress — status, unit, reply
// and callback (回访) — are shown so the residents can follow it.

import { h, mount, badge, messageLine, progress } from '../dom.js';
import { proposal, building, vote, comment, closeProposal } from '../api.js';
import { fmtTime, fmtShort } from '../format.js';
import { VOTES, VOTE_LABELS, OUTCOMES, TYPES } from '../labels.js';
import { proposalStatus, votedCount, residentText } from './building.js';

function tallies(p) {
  const v = p.votes || {};
  const voted = votedCount(p);
  const total = p.residents || 0;
  return h('div', { class: 'tallies', id: 'tallies' },
    h('div', { class: 'stats stats-4' },
      VOTES.map(([k, label]) => h('div', { class: ['stat', `stat-${k}`] },
        h('div', { class: 'stat-label' }, label),
        h('div', { class: 'stat-value', id: `tally-${k}` }, String(v[k] || 0)),
        progress(voted ? (v[k] || 0) / voted : 0, k === 'for' ? 'good' : ''))),
      h('div', { class: 'stat' }, h('div', { class: 'stat-label' }, '已表决'),
        h('div', { class: 'stat-value', id: 'tally-voted' }, `${voted}/${total}`),
        progress(total ? voted / total : 0))),
    h('p', { class: 'muted small' }, `本楼门院共 ${total} 户居民，已有 ${voted} 户表决；表决只计数，不公开谁投了什么。`));
}

// The caller's vote, changeable while the proposal is open.
function votePanel(p, { onDone }) {
  const message = messageLine();
  const run = async (choice, button) => {
    message.clear();
    button.disabled = true;
    try {
      const updated = await vote(p.id, choice);
      onDone(updated, p.my_vote ? `已改为“${VOTE_LABELS[choice]}”。` : `已投“${VOTE_LABELS[choice]}”。`);
    } catch (e) {
      message.error(e);
      button.disabled = false;
    }
  };
  return h('div', { class: 'vote-panel', id: 'vote-panel' },
    h('h3', p.my_vote ? `您的表决：${VOTE_LABELS[p.my_vote] || p.my_vote}（协商结束前可以更改）` : '您还没有表决'),
    h('div', { class: 'vote-buttons' }, VOTES.map(([k, label]) => h('button', {
      type: 'button', class: ['btn', 'vote-btn', `vote-btn-${k}`, p.my_vote === k ? 'on' : ''],
      dataset: { choice: k }, 'aria-pressed': String(p.my_vote === k),
      onclick: (ev) => { if (p.my_vote !== k) run(k, ev.currentTarget); },
    }, p.my_vote === k ? `✓ ${label}` : label))),
    message.el);
}

function commentsCard(p, { mayComment, onDone }) {
  const comments = p.comments || [];
  const card = h('section', { class: 'card p-comments', id: 'comments' }, h('h2', `讨论（${comments.length}）`),
    comments.length ? h('ol', { class: 'comment-list' }, comments.map((c) => h('li', { dataset: { id: String(c.id) } },
      h('div', { class: 'comment-head' }, h('strong', residentText(c.resident)), ' ', h('time', { datetime: c.at, class: 'muted small' }, fmtShort(c.at))),
      h('div', { class: 'comment-text' }, c.text))))
      : h('p', { class: 'muted' }, '还没有人发言。'));
  if (!mayComment) return card;
  const message = messageLine();
  const text = h('textarea', { name: 'text', rows: 3, required: true, maxlength: 2000, placeholder: '说说您的看法' });
  const form = h('form', { class: 'comment-form', id: 'comment-form' }, text, message.el,
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, '发言')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    message.clear();
    if (!text.value.trim()) { message.error('请写下您的看法。'); text.focus(); return; }
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      onDone(await comment(p.id, text.value.trim()), '已发言。');
    } catch (e) {
      message.error(e);
      button.disabled = false;
    }
  });
  card.append(form);
  return card;
}

// The 楼门长's form: the outcome, the agreement, and whether a unit must act on it.
function closeForm(p, { onDone }) {
  const message = messageLine();
  const outcomes = OUTCOMES.map(([v, label]) => {
    const input = h('input', { type: 'radio', name: 'outcome', value: v, checked: v === 'agreed' });
    return { v, input, label: h('label', input, h('span', label)) };
  });
  const agreement = h('textarea', { name: 'agreement', rows: 4, required: true, maxlength: 5000, placeholder: '协商形成的结果：做什么、谁来做、什么时候完成、费用怎么分担' });
  const needsUnit = h('input', { type: 'checkbox', name: 'needs_unit' });
  const type = h('select', { name: 'type', 'aria-label': '诉求类型' }, TYPES.map(([v, l]) => h('option', { value: v }, l)));
  type.value = 'help';
  const typeRow = h('label', { class: 'form-row', hidden: true }, h('span', { class: 'form-label' }, '转办的诉求类型'), type);
  const outcome = () => (outcomes.find((o) => o.input.checked) || {}).v;
  const sync = () => {
    needsUnit.disabled = outcome() !== 'agreed';
    if (needsUnit.disabled) needsUnit.checked = false;
    typeRow.hidden = !needsUnit.checked;
  };
  for (const o of outcomes) o.input.addEventListener('change', sync);
  needsUnit.addEventListener('change', sync);
  const form = h('form', { class: 'card p-close', id: 'close-form' },
    h('h2', '记录协商结果（楼门长）'),
    h('div', { class: 'form-row' }, h('span', { class: 'form-label' }, '结果'), h('div', { class: 'segmented', role: 'radiogroup' }, outcomes.map((o) => o.label))),
    h('label', { class: 'form-row' }, h('span', { class: 'form-label' }, '协商结果 *'), agreement),
    h('label', { class: 'check' }, needsUnit, '需要职能部门/街乡办理（转为工单，由系统派至街乡或主管部门）'),
    typeRow,
    h('p', { class: 'muted small' }, '记录后议题结束，不能再表决。'),
    message.el,
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, '结束议题并记录结果')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    message.clear();
    if (!agreement.value.trim()) { message.error('请填写协商结果。'); agreement.focus(); return; }
    const body = { outcome: outcome(), agreement: agreement.value.trim() };
    if (body.outcome === 'agreed' && needsUnit.checked) { body.needs_unit = true; body.type = type.value; }
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const updated = await closeProposal(p.id, body);
      onDone(updated, updated.case ? `已记录协商结果，并转为工单 #${updated.case.id}。` : '已记录协商结果。');
    } catch (e) {
      message.error(e);
      button.disabled = false;
    }
  });
  return form;
}

function yesNo(v, yes, no) {
  if (v === true) return yes;
  if (v === false) return no;
  return '';
}

// The agreement and, when it went to a unit, that case's progress.
function outcomeCard(p, { linkCase }) {
  const a = p.agreement;
  const c = p.case;
  const card = h('section', { class: 'card p-outcome', id: 'agreement' },
    h('h2', '协商结果 ', proposalStatus(p)),
    a ? [h('div', { class: 'agreement-text' }, a.text),
      h('p', { class: 'muted small' }, `${a.by ? `楼门长 ${residentText(a.by)}` : ''} · ${fmtTime(a.at || p.closed_at)}`)]
      : h('p', { class: 'muted' }, '（未记录）'));
  if (!c) {
    if (p.status === 'agreed') card.append(h('p', { class: 'muted small' }, '由居民自行落实，未转交职能部门或街乡。'));
    return card;
  }
  const callback = c.callback;
  card.append(h('div', { class: 'linked-case', id: 'linked-case', dataset: { id: String(c.id) } },
    h('h3', '转办工单 ', linkCase ? h('a', { href: `#/case/${c.id}`, class: 'case-link' }, `#${c.id}`) : h('span', { class: 'case-link' }, `#${c.id}`),
      ' ', h('span', { class: `status status-${c.status}` }, c.status_label || c.status)),
    h('dl', { class: 'facts' },
      h('div', { class: 'field' }, h('dt', '承办单位'), h('dd', { class: 'case-unit' }, c.unit ? c.unit.name : h('span', { class: 'muted' }, '待派单'))),
      h('div', { class: 'field' }, h('dt', '办理情况'), h('dd', { class: 'case-reply' }, c.reply_text || h('span', { class: 'muted' }, '尚未反馈'))),
      h('div', { class: 'field' }, h('dt', '回访'), h('dd', { class: 'case-callback' }, callback
        ? [yesNo(callback.contacted, '承办单位已联系', '承办单位未联系'), yesNo(callback.resolved, '已解决', '未解决'), callback.satisfaction].filter(Boolean).join(' · ')
        : h('span', { class: 'muted' }, '尚未回访'))))));
  return card;
}

export async function render(root, ctx, flash) {
  const id = Number(ctx.parts[1]);
  if (!Number.isInteger(id) || id < 1) { mount(root, h('p', { class: 'error' }, '议题编号无效。')); return; }
  const p = await proposal(id);
  const b = await building(p.building_id);
  if (!ctx.current()) return;
  draw(root, ctx, p, b, flash);
}

function draw(root, ctx, p, b, flash) {
  document.title = `${p.title} · ${b.name}`;
  const resident = ctx.me.role === 'resident' ? ctx.me.resident : null;
  const isLeader = Boolean(resident && b.leader && b.leader.id === resident.id);
  const open = p.status === 'open';
  const onDone = (updated, text) => draw(root, ctx, updated, b, text);
  const buildingHref = resident ? '#/mybuilding' : `#/building/${b.id}`;

  mount(root,
    h('div', { class: 'toolbar' }, h('div',
      h('p', { class: 'crumbs' }, resident ? null : [h('a', { href: '#/buildings' }, '楼门院'), ' / '],
        h('a', { href: buildingHref }, b.name), ' / ', `议题 ${p.id}`),
      h('h1', { id: 'proposal-title' }, p.title, ' ', h('span', { id: 'proposal-status' }, proposalStatus(p))),
      h('p', { class: 'muted small' }, `${residentText(p.author)} 提出 · ${fmtTime(p.created_at)}${p.closed_at ? ` · ${fmtTime(p.closed_at)} 结束` : ''}`))),
    flash ? h('p', { class: 'flash', role: 'status' }, flash) : null,
    h('div', { class: 'grid-2-1 proposal-grid' },
      h('div',
        h('section', { class: 'card p-text' }, h('h2', '议题内容'), h('div', { class: 'proposal-text' }, p.text)),
        open ? null : outcomeCard(p, { linkCase: ctx.me.role !== 'resident' }),
        commentsCard(p, { mayComment: Boolean(resident) && open, onDone })),
      h('div',
        h('section', { class: 'card p-votes' }, h('h2', '表决'), tallies(p),
          open && resident ? votePanel(p, { onDone }) : null,
          !open ? h('p', { class: 'muted small' }, '议题已结束，表决已截止。') : null,
          resident && !open && p.my_vote ? h('p', { class: 'small' }, '您的表决：', badge(VOTE_LABELS[p.my_vote] || p.my_vote, 'info')) : null),
        open && isLeader ? closeForm(p, { onDone }) : null,
        open && !isLeader ? h('p', { class: 'muted small p-close' }, b.leader ? `议题由楼门长 ${residentText(b.leader)} 组织协商、记录结果。` : '本楼门院尚未选定楼门长。') : null)));
}
