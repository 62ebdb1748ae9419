// Pieces every case screen shares: the status tag, the flags (超期, 督办, 将到期 …), the
// deadline cell and one row of a case table.

import { h, badge } from './dom.js';
import { fmtTime, fmtShort, dueIn } from './format.js';

// The statuses in which the responsible unit still owes something.
export const OPEN_FOR_UNIT = new Set(['dispatched', 'accepted', 'objected']);

export function statusTag(c) {
  return h('span', { class: `status status-${c.status}` }, c.status_label || c.status);
}

// The deadline that matters now: 签收时限 until accepted, then 办结时限.
export function currentDeadline(c) {
  if (c.status === 'dispatched' && c.response_due && !c.accepted_at) {
    return { at: c.response_due, label: '签收时限' };
  }
  return { at: c.due, label: c.source === 'inspection' ? '整改时限' : '办结时限' };
}

export function caseFlags(c) {
  const out = [];
  if (c.overdue) out.push(badge('超期', 'danger', '已超过办结时限'));
  if (c.supervised) out.push(badge('督办', 'warn', '已被督办'));
  if (c.urgency === 'emergency') out.push(badge('特急', 'danger'));
  else if (c.urgency === 'urgent') out.push(badge('紧急', 'warn'));
  if (!c.overdue && OPEN_FOR_UNIT.has(c.status)) {
    const d = dueIn(currentDeadline(c).at);
    if (d.level === 'overdue') out.push(badge('签收超时', 'danger', '已超过签收时限'));
    else if (d.level === 'soon') out.push(badge('将到期', 'soon', '24 小时内到期'));
  }
  if (c.reopen_count > 0) out.push(badge(`重办${c.reopen_count > 1 ? `×${c.reopen_count}` : ''}`, 'info'));
  if (c.source === 'inspection') out.push(badge('巡察', 'info', '巡察发现的问题'));
  if (c.enterprise_id) out.push(badge('企业诉求', 'info', '服务包企业的诉求，由服务管家所在单位办理'));
  if (c.proposal_id) out.push(badge('楼门议事', 'info', '楼门院议事协商议定、需要单位办理的事项'));
  return out;
}

// A deadline with how far it is, for open cases; the date alone otherwise.
export function dueCell(c, deadline = currentDeadline(c)) {
  const { at, label } = deadline;
  if (!at) return h('span', { class: 'muted' }, '—');
  if (!OPEN_FOR_UNIT.has(c.status)) return h('span', { class: c.overdue ? 'overdue-text' : '' }, fmtTime(at));
  const d = dueIn(at);
  return h('div', { class: `due-cell due-${d.level}`, title: `${label} ${fmtTime(at)}` },
    h('strong', d.text), h('div', { class: 'muted small' }, `${label} ${fmtShort(at)}`));
}

export function caseTitle(c) {
  return c.title || (c.text || '').slice(0, 30) || '（无标题）';
}

// One row of a case table; columns as in CASE_COLUMNS.
export const CASE_COLUMNS = ['编号', '诉求', '承办单位', '状态', '时限', '受理时间', '标记'];

export function caseRow(c, { extra } = {}) {
  const href = `#/case/${c.id}`;
  const flags = caseFlags(c);
  return h('tr', { class: c.overdue ? 'row-overdue' : '', dataset: { id: String(c.id) } },
    h('td', { class: 'num', 'data-label': '编号' }, h('a', { href }, `#${c.id}`)),
    h('td', { 'data-label': '诉求', class: 'title-cell' }, h('div',
      h('a', { href }, caseTitle(c)),
      h('div', { class: 'muted small' }, [c.type_label, c.category ? c.category.name : '未分类'].filter(Boolean).join(' · ')))),
    h('td', { 'data-label': '承办单位' }, c.unit ? c.unit.name : h('span', { class: 'muted' }, '未派单')),
    h('td', { 'data-label': '状态' }, statusTag(c)),
    h('td', { 'data-label': '时限', class: 'due' }, dueCell(c)),
    h('td', { 'data-label': '受理时间', class: 'muted' }, fmtShort(c.created_at)),
    h('td', { 'data-label': '标记', class: 'flags' }, flags.length ? h('div', flags) : null),
    extra ? h('td', { 'data-label': '操作', class: 'row-actions' }, extra) : null);
}
