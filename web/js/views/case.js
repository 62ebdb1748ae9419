// Case page: GET /api/v1/cases/{id} — every field, the caller (masked or not, as the server
// returned it), the event timeline in Chinese, and the actions the server allows this role.

import { h, mount, fmtTime, field, badge } from '../dom.js';
import { api, loadReference, ROLE_LABELS, SOURCES, URGENCY } from '../api.js';
import { ACTIONS, actionForm, actionDone } from '../actions.js';
import { unitName } from '../pickers.js';
import { caseFlags, statusTag } from './cases.js';

const EVENT_LABELS = {
  created: '受理', dispatched: '派单', answered: '直接答复', accepted: '签收', objected: '派单异议',
  objection_reviewed: '异议审核', extended: '延期', supervised: '督办', replied: '办结反馈',
  callback: '回访', closed: '办结', reopened: '重办', merged: '合并', transferred: '移交',
};

const TYPE_LABELS = { consult: '咨询', help: '求助', complaint: '投诉', report: '举报', suggestion: '建议' };
const URGENCY_LABELS = Object.fromEntries(URGENCY);

function yesNo(v, yes, no) {
  if (v === true) return yes;
  if (v === false) return no;
  return '';
}

function categoryName(ref, code) {
  if (!code) return '';
  const c = ref && ref.categoryByCode.get(code);
  return c ? c.name : code;
}

// One line (or a few) of Chinese saying what an event did.
function eventSummary(e, ref) {
  const p = e.payload || {};
  const lines = [];
  const due = () => (p.due ? `办结时限 ${fmtTime(p.due)}` : '');
  switch (e.kind) {
    case 'created':
      lines.push([TYPE_LABELS[p.type] || p.type, SOURCES[p.source] || p.source,
        p.urgency && p.urgency !== 'normal' ? URGENCY_LABELS[p.urgency] : '', p.anonymous ? '匿名' : '',
        p.category ? `类别 ${categoryName(ref, p.category)}` : '',
        p.has_contact ? '留有联系方式' : ''].filter(Boolean).join(' · '));
      if (p.title) lines.push(`标题：${p.title}`);
      break;
    case 'dispatched':
      lines.push(`派至 ${unitName(ref, p.unit)}${p.category ? `，类别 ${categoryName(ref, p.category)}` : ''}`);
      lines.push([p.response_due ? `签收时限 ${fmtTime(p.response_due)}` : '', due()].filter(Boolean).join('，'));
      if (p.auto) lines.push(`系统自动派单${typeof p.confidence === 'number' ? `，置信度 ${(p.confidence * 100).toFixed(0)}%` : ''}`);
      break;
    case 'answered':
      lines.push(`答复：${p.text || ''}`);
      break;
    case 'accepted':
      lines.push('承办单位已签收');
      break;
    case 'objected':
      lines.push(`异议理由：${p.reason || ''}`);
      break;
    case 'objection_reviewed':
      if (p.uphold) {
        lines.push(`异议成立，改派至 ${unitName(ref, p.unit)}${p.category ? `，类别 ${categoryName(ref, p.category)}` : ''}`);
        if (p.due) lines.push(due());
      } else {
        lines.push(`异议不成立，仍由 ${unitName(ref, p.unit)} 办理`);
      }
      break;
    case 'extended':
      lines.push(`延期至 ${fmtTime(p.until)}${p.previous ? `（原时限 ${fmtTime(p.previous)}）` : ''}`);
      if (p.reason) lines.push(`原因：${p.reason}`);
      break;
    case 'supervised':
      lines.push(p.note ? `督办意见：${p.note}` : '已督办');
      break;
    case 'replied':
      lines.push(`${yesNo(p.resolved, '已解决', '未解决')}${p.text ? `：${p.text}` : ''}`);
      break;
    case 'callback':
      if (p.reachable === false) lines.push('未联系上市民（不计为有效回访）');
      else lines.push([yesNo(p.contacted, '承办单位已联系', '承办单位未联系'), yesNo(p.resolved, '已解决', '未解决'), p.satisfaction].filter(Boolean).join(' · '));
      break;
    case 'closed':
      lines.push('工单办结');
      break;
    case 'reopened':
      lines.push(`重办：${p.reason || ''}`);
      if (p.unit) lines.push(`派至 ${unitName(ref, p.unit)}${p.due ? `，${due()}` : ''}`);
      break;
    case 'merged':
      return [h('span', '作为重复件并入 '), h('a', { href: `#/case/${p.into}` }, `#${p.into}`)];
    case 'transferred':
      lines.push(`移交 ${p.to || ''}`);
      break;
    default:
      for (const [k, v] of Object.entries(p)) lines.push(`${k}：${typeof v === 'object' ? JSON.stringify(v) : v}`);
  }
  return lines.filter(Boolean).map((l) => h('div', l));
}

function actorText(a, ref) {
  if (!a) return '';
  const role = ROLE_LABELS[a.role] || a.role;
  const parts = [a.name || role];
  if (a.name && role && !a.name.includes(role)) parts.push(role);
  if (a.unit) parts.push(unitName(ref, a.unit));
  return parts.filter(Boolean).join(' · ');
}

function timeline(c, ref) {
  const events = c.events || [];
  if (!events.length) return h('p', { class: 'muted' }, '无事件记录。');
  return h('ol', { class: 'timeline' }, events.map((e) => h('li', { class: `ev ev-${e.kind}` },
    h('div', { class: 'ev-head' },
      h('span', { class: 'ev-kind' }, EVENT_LABELS[e.kind] || e.kind),
      h('time', { datetime: e.at }, fmtTime(e.at)),
      h('span', { class: 'ev-actor muted' }, actorText(e.actor, ref))),
    h('div', { class: 'ev-body' }, eventSummary(e, ref)))));
}

function callerBlock(c) {
  if (c.caller) {
    return [
      field('来电人', c.caller.name || '（未留姓名）'),
      field('联系电话', c.caller.phone || '（未留电话）',
        c.caller.masked ? badge('已脱敏', 'info', '按条例规定，承办单位和督查人员只能看到脱敏后的联系方式') : null),
    ];
  }
  return [field('来电人', c.anonymous ? '匿名' : h('span', { class: 'muted' }, '无联系方式或无权查看'))];
}

export async function renderCase(root, ctx, idText, flash) {
  const id = Number(idText);
  document.title = `工单 #${idText} · 通州区接诉即办`;
  if (!Number.isInteger(id) || id < 1) {
    mount(root, h('p', { class: 'error' }, '工单编号无效。'));
    return;
  }
  if (!root.firstChild) root.append(h('p', { class: 'loading' }, '正在加载工单…'));
  const [c, ref] = await Promise.all([api(`/api/v1/cases/${id}`), loadReference().catch(() => null)]);
  document.title = `#${c.id} ${c.title || ''} · 通州区接诉即办`;

  const refresh = (message) => renderCase(root, ctx, idText, message);

  const formBox = h('div', { class: 'action-box' });
  const buttons = (c.actions || []).filter((a) => ACTIONS[a]).map((a) => {
    const def = ACTIONS[a];
    return h('button', {
      type: 'button', class: `btn btn-${def.style === 'plain' ? 'default' : def.style}`, dataset: { action: a },
      disabled: !ref,
      onclick: () => {
        mount(formBox, actionForm(a, c, ref, {
          onDone: () => refresh(actionDone(a)),
          onCancel: () => mount(formBox),
        }));
        const first = formBox.querySelector('textarea, input, select, button[type=submit]');
        if (first) first.focus();
      },
    }, def.label);
  });

  const actionsCard = h('section', { class: 'card actions-card no-print' },
    h('h2', '可办理的操作'),
    buttons.length ? h('div', { class: 'action-buttons' }, buttons) : h('p', { class: 'muted' }, '当前状态下您没有可办理的操作。'),
    formBox);

  const times = [
    ['受理时间', c.created_at], ['派单时间', c.dispatched_at], ['签收时间', c.accepted_at],
    ['反馈时间', c.replied_at], ['办结时间', c.closed_at], ['签收时限', c.response_due],
  ];

  const facts = h('dl', { class: 'facts' },
    field('类型', c.type_label || c.type),
    field('来源', SOURCES[c.source] || c.source),
    field('紧急程度', URGENCY_LABELS[c.urgency] || c.urgency),
    field('状态', statusTag(c)),
    field('类别', c.category ? c.category.name : h('span', { class: 'muted' }, '未分类')),
    field('承办单位', c.unit ? h('a', { href: `#/cases?unit=${encodeURIComponent(c.unit.code)}` }, c.unit.name) : h('span', { class: 'muted' }, '未派单')),
    field('办结时限', h('span', { class: c.overdue ? 'overdue-text' : '' }, fmtTime(c.due))),
    ...times.map(([label, t]) => field(label, fmtTime(t))),
    field('重办次数', String(c.reopen_count ?? 0)),
    field('延期次数', String(c.extension_count ?? 0)),
    field('回访次数', String(c.callback_attempts ?? 0)),
    c.lat != null && c.lon != null ? field('坐标', `${c.lat}, ${c.lon}`) : null,
    c.merged_into ? field('并入工单', h('a', { href: `#/case/${c.merged_into}` }, `#${c.merged_into}`)) : null,
    c.transferred_to ? field('移交至', c.transferred_to) : null,
    c.inspection_id ? field('巡察轮次', `#${c.inspection_id}`) : null,
  );

  const content = h('section', { class: 'card' },
    h('h2', '诉求内容'),
    c.address ? h('p', { class: 'address' }, h('strong', '地址：'), c.address) : null,
    h('p', { class: 'case-text' }, c.text || ''),
    c.reply ? h('div', { class: 'reply' }, h('h3', `办结反馈 ${yesNo(c.reply.resolved, '（已解决）', '（未解决）')}`), h('p', c.reply.text)) : null,
    c.callback ? h('div', { class: 'reply' }, h('h3', '回访结果'),
      h('p', [yesNo(c.callback.contacted, '承办单位已联系', '承办单位未联系'), yesNo(c.callback.resolved, '已解决', '未解决'), c.callback.satisfaction, fmtTime(c.callback.at)].filter(Boolean).join(' · '))) : null,
    c.objection_reason ? h('div', { class: 'reply' }, h('h3', '派单异议'), h('p', c.objection_reason)) : null);

  mount(root,
    h('div', { class: 'toolbar' },
      h('div', h('p', { class: 'crumbs no-print' }, h('a', { href: '#/cases' }, '工单'), ' / ', `#${c.id}`),
        h('h1', `#${c.id} ${c.title || '（无标题）'}`)),
      h('div', { class: 'flags' }, statusTag(c), caseFlags(c))),
    flash ? h('p', { class: 'flash', role: 'status' }, flash) : null,
    h('div', { class: 'grid-2-1' },
      h('div', content, actionsCard,
        h('section', { class: 'card' }, h('h2', `办理过程（${(c.events || []).length}）`), timeline(c, ref))),
      h('div',
        h('section', { class: 'card' }, h('h2', '工单信息'), facts),
        h('section', { class: 'card' }, h('h2', '来电人'), h('dl', { class: 'facts' }, callerBlock(c))))));
}
