// 工单详情: GET /api/v1/cases/{id} — the request, the caller (masked or not, as the server
// returned it), the event timeline in Chinese, attachments, and the actions the server lists
// for this key (`actions`). `?do=reply` opens that action's form at once.

import { h, mount, field, badge, messageLine, errorText } from '../dom.js';
import { getCase, loadReference, uploadAttachment, attachmentUrl } from '../api.js';
import { fmtTime, fmtBytes } from '../format.js';
import { ROLE_LABELS, SOURCES, URGENCY_LABELS, TYPE_LABELS, EVENT_LABELS } from '../labels.js';
import { ACTIONS, actionForm, actionDone } from '../actions.js';
import { caseFlags, statusTag, dueCell, caseTitle } from '../casebits.js';

function yesNo(v, yes, no) {
  if (v === true) return yes;
  if (v === false) return no;
  return '';
}

// A few lines of Chinese saying what an event did.
function eventSummary(e, ref) {
  const p = e.payload || {};
  const unit = (code) => (ref ? ref.unitName(code) : code);
  const cat = (code) => (ref ? ref.categoryName(code) : code);
  const lines = [];
  switch (e.kind) {
    case 'created':
      lines.push([TYPE_LABELS[p.type] || p.type, SOURCES[p.source] || p.source,
        p.urgency && p.urgency !== 'normal' ? URGENCY_LABELS[p.urgency] : '', p.anonymous ? '匿名' : '',
        p.category ? `类别 ${cat(p.category)}` : '', p.has_contact ? '留有联系方式' : ''].filter(Boolean).join(' · '));
      break;
    case 'dispatched':
      lines.push(`派至 ${unit(p.unit)}${p.category ? `，类别 ${cat(p.category)}` : ''}`);
      lines.push([p.response_due ? `签收时限 ${fmtTime(p.response_due)}` : '', p.due ? `办结时限 ${fmtTime(p.due)}` : ''].filter(Boolean).join('，'));
      if (p.auto) lines.push(`系统自动派单${typeof p.confidence === 'number' ? `，置信度 ${Math.round(p.confidence * 100)}%` : ''}`);
      break;
    case 'answered': lines.push(`答复：${p.text || ''}`); break;
    case 'accepted': lines.push('承办单位已签收'); break;
    case 'objected': lines.push(`异议理由：${p.reason || ''}`); break;
    case 'objection_reviewed':
      lines.push(p.uphold ? `异议成立，改派至 ${unit(p.unit)}${p.category ? `，类别 ${cat(p.category)}` : ''}` : `异议不成立，仍由 ${unit(p.unit)} 办理`);
      if (p.due) lines.push(`办结时限 ${fmtTime(p.due)}`);
      break;
    case 'extended':
      lines.push(`延期至 ${fmtTime(p.until)}${p.previous ? `（原时限 ${fmtTime(p.previous)}）` : ''}`);
      if (p.reason) lines.push(`原因：${p.reason}`);
      break;
    case 'supervised': lines.push(p.note ? `督办意见：${p.note}` : '已督办'); break;
    case 'replied': lines.push(`${yesNo(p.resolved, '已解决', '未解决')}${p.text ? `：${p.text}` : ''}`); break;
    case 'callback':
      if (p.reachable === false) lines.push('未联系上市民（不计为有效回访）');
      else lines.push([yesNo(p.contacted, '承办单位已联系', '承办单位未联系'), yesNo(p.resolved, '已解决', '未解决'), p.satisfaction].filter(Boolean).join(' · '));
      break;
    case 'closed': lines.push('工单办结'); break;
    case 'reopened':
      lines.push(`重办：${p.reason || ''}`);
      if (p.unit) lines.push(`派至 ${unit(p.unit)}${p.due ? `，办结时限 ${fmtTime(p.due)}` : ''}`);
      break;
    case 'merged':
      return [h('div', '作为重复件并入 ', h('a', { href: `#/case/${p.into}` }, `#${p.into}`))];
    case 'transferred': lines.push(`移交 ${p.to || ''}${p.remote_id ? `（对方编号 ${p.remote_id}）` : ''}`); break;
    case 'verified':
      lines.push(p.rectified ? '验收通过，整改销号' : '验收未通过，退回整改');
      if (p.note) lines.push(`验收意见：${p.note}`);
      break;
    case 'attached': lines.push(`上传附件 ${p.name || ''}${p.size ? `（${fmtBytes(p.size)}）` : ''}`); break;
    case 'remote_updated': lines.push(`对方状态 ${p.status || ''}${p.notes ? `：${p.notes}` : ''}`); break;
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
  if (a.unit && ref) parts.push(ref.unitName(a.unit));
  return [...new Set(parts.filter(Boolean))].join(' · ');
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
      field('联系电话', c.caller.phone || '（未留电话）', ' ',
        c.caller.masked ? badge('已脱敏', 'info', '依《北京市接诉即办工作条例》，承办单位和督查人员只能看到脱敏后的联系方式') : null),
      c.caller.email ? field('电子邮箱', c.caller.email) : null,
    ];
  }
  return [field('来电人', c.anonymous ? '匿名' : h('span', { class: 'muted' }, '未留联系方式或无权查看'))];
}

// Attachments: pictures shown as thumbnails (fetched with the key into blob: URLs), the rest as
// links; an upload field when this key may attach.
function attachmentsCard(c, onUploaded) {
  const list = h('ul', { class: 'attachments' });
  for (const a of c.attachments || []) {
    const link = h('a', { href: '#', class: 'attachment-link' }, a.name || a.hash.slice(0, 12));
    link.addEventListener('click', async (ev) => {
      ev.preventDefault();
      try {
        const url = await attachmentUrl(a.url);
        const tmp = h('a', { href: url, download: a.name || 'attachment' });
        tmp.click();
        setTimeout(() => URL.revokeObjectURL(url), 60000);
      } catch (e) {
        link.after(h('span', { class: 'error' }, ` ${errorText(e)}`));
      }
    });
    const item = h('li', link, h('span', { class: 'muted small' }, ` ${a.type} · ${fmtBytes(a.size)} · ${fmtTime(a.at)}`));
    if (a.type.startsWith('image/')) {
      const img = h('img', { alt: a.name || '图片', class: 'thumb', loading: 'lazy' });
      attachmentUrl(a.url).then((url) => { img.src = url; }, () => img.remove());
      item.prepend(img);
    }
    list.append(item);
  }
  const card = h('section', { class: 'card' }, h('h2', `附件（${(c.attachments || []).length}）`),
    (c.attachments || []).length ? list : h('p', { class: 'muted' }, '无附件。'));
  if ((c.actions || []).includes('attach')) {
    const message = messageLine();
    const input = h('input', { type: 'file', accept: 'image/*,application/pdf,audio/*,video/*', 'aria-label': '选择附件' });
    input.addEventListener('change', async () => {
      const file = input.files && input.files[0];
      if (!file) return;
      message.ok(`正在上传 ${file.name}…`);
      try {
        await uploadAttachment(c.id, file);
        onUploaded(`已上传 ${file.name}。`);
      } catch (e) {
        message.error(e);
      }
    });
    card.append(h('div', { class: 'upload no-print' }, h('label', { class: 'check' }, '上传图片、录音、视频或 PDF：', input),
      h('p', { class: 'muted small' }, '图片和 PDF 不超过 10 MB，录音 20 MB，视频 50 MB；每件最多 20 个。'), message.el));
  }
  return card;
}

export async function render(root, ctx, flash) {
  const idText = ctx.parts[1] || '';
  const id = Number(idText);
  if (!Number.isInteger(id) || id < 1) {
    mount(root, h('p', { class: 'error' }, '工单编号无效。'));
    return;
  }
  document.title = `工单 #${id} · 通州区接诉即办`;
  const [c, ref] = await Promise.all([getCase(id), loadReference().catch(() => null)]);
  if (!ctx.current()) return;
  document.title = `#${c.id} ${caseTitle(c)} · 通州区接诉即办`;
  const refresh = (message) => render(root, { ...ctx, params: new URLSearchParams() }, message);

  const formBox = h('div', { class: 'action-box' });
  const open = (a) => {
    mount(formBox, actionForm(a, c, ref, { onDone: () => refresh(actionDone(a)), onCancel: () => mount(formBox) }));
    const first = formBox.querySelector('textarea, input, select, button[type=submit]');
    if (first) first.focus();
  };
  const available = (c.actions || []).filter((a) => ACTIONS[a]);
  const buttons = available.map((a) => h('button', {
    type: 'button', class: `btn btn-${ACTIONS[a].style === 'plain' ? 'default' : ACTIONS[a].style}`,
    dataset: { action: a }, disabled: !ref, onclick: () => open(a),
  }, ACTIONS[a].label));

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
    field('承办单位', c.unit ? (ctx.me.role === 'public' ? c.unit.name : h('a', { href: `#/cases?unit=${encodeURIComponent(c.unit.code)}` }, c.unit.name)) : h('span', { class: 'muted' }, '未派单')),
    field(c.source === 'inspection' ? '整改时限' : '办结时限', dueCell(c, { at: c.due, label: c.source === 'inspection' ? '整改时限' : '办结时限' })),
    ...times.filter(([, t]) => t).map(([label, t]) => field(label, fmtTime(t))),
    c.rectified_at ? field('整改销号', fmtTime(c.rectified_at)) : null,
    c.reopen_count ? field('重办次数', String(c.reopen_count)) : null,
    c.extension_count ? field('延期次数', String(c.extension_count)) : null,
    c.callback_attempts ? field('回访次数', String(c.callback_attempts)) : null,
    c.merged_into ? field('并入工单', h('a', { href: `#/case/${c.merged_into}` }, `#${c.merged_into}`)) : null,
    c.transferred_to ? field('移交至', c.transferred_to) : null,
    c.inspection_id && ctx.me.role !== 'handler' ? field('巡察轮次', h('a', { href: `#/inspection/${c.inspection_id}` }, `第 ${c.inspection_id} 轮`)) : null,
    c.enterprise_id && ctx.me.role !== 'public' ? field('服务包企业', h('a', { href: `#/enterprise/${c.enterprise_id}`, id: 'case-enterprise' }, '查看企业')) : null,
    c.proposal_id && ctx.me.role !== 'public' ? field('楼门议事', h('a', { href: `#/proposal/${c.proposal_id}`, id: 'case-proposal' }, '查看议题与协商结果')) : null);

  const content = h('section', { class: 'card' },
    h('h2', '诉求内容'),
    c.address ? h('p', { class: 'address' }, h('strong', '地址：'), c.address) : null,
    h('p', { class: 'case-text' }, c.text || ''),
    c.reply ? h('div', { class: 'reply' }, h('h3', `${c.reply.resolved === null ? '答复' : '办结反馈'}${yesNo(c.reply.resolved, '（已解决）', '（未解决）')}`), h('p', c.reply.text)) : null,
    c.callback ? h('div', { class: 'reply' }, h('h3', '回访结果'),
      h('p', [yesNo(c.callback.contacted, '承办单位已联系', '承办单位未联系'), yesNo(c.callback.resolved, '已解决', '未解决'), c.callback.satisfaction, fmtTime(c.callback.at)].filter(Boolean).join(' · '))) : null,
    c.objection_reason ? h('div', { class: 'reply' }, h('h3', '派单异议'), h('p', c.objection_reason)) : null);

  const backHref = ctx.me.role === 'handler' ? '#/queue' : ctx.me.role === 'public' ? '#/report' : '#/cases';
  mount(root,
    h('div', { class: 'toolbar' },
      h('div', h('p', { class: 'crumbs no-print' }, h('a', { href: backHref }, ctx.me.role === 'handler' ? '待办' : ctx.me.role === 'public' ? '我要反映' : '工单查询'), ' / ', `#${c.id}`),
        h('h1', `#${c.id} ${caseTitle(c)}`)),
      h('div', { class: 'flags' }, statusTag(c), ' ', caseFlags(c))),
    flash ? h('p', { class: 'flash', role: 'status' }, flash) : null,
    h('div', { class: 'grid-2-1' },
      h('div', content, ctx.me.role === 'public' ? null : actionsCard,
        h('section', { class: 'card' }, h('h2', `办理过程（${(c.events || []).length}）`), timeline(c, ref))),
      h('div',
        h('section', { class: 'card' }, h('h2', '工单信息'), facts),
        ctx.me.role === 'public' ? null : h('section', { class: 'card' }, h('h2', '来电人'), h('dl', { class: 'facts' }, callerBlock(c))),
        ctx.me.role === 'public' ? null : attachmentsCard(c, (m) => refresh(m)))));

  const wanted = ctx.params.get('do');
  if (wanted && available.includes(wanted) && ref) open(wanted);
}
