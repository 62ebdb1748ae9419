// One 征求意见 (GET /api/v1/consultations/{id}): the summary and each section of the draft with
// its text and, while the consultation is open, a form for an opinion on that section (POST
// …/opinions {section, text, name?}); before it opens or once it has closed a clear notice and
// no forms. The drafting office (a supervisor, an admin, a handler of that office) also sees
// 意见汇总 — per section, the opinions grouped by similarity with a representative one
// (GET …/opinions) — and downloads them as an Excel workbook (GET …/export).

import { h, mount, messageLine, errorText } from '../dom.js';
import { consultation, giveOpinion, opinions, opinionsWorkbook } from '../api.js';
import { fmtTime, fmtShort } from '../format.js';
import { stateBadge, period } from './consultations.js';

const MIN_TEXT = 5;
const MAX_TEXT = 2000;

function mayRead(me, c) {
  if (me.role === 'supervisor' || me.role === 'admin') return true;
  return me.role === 'handler' && Boolean(me.unit && c.office && me.unit.code === c.office.code);
}

function opinionForm(c, s, { onGiven }) {
  const message = messageLine();
  const text = h('textarea', {
    name: 'text', rows: 3, required: true, minlength: MIN_TEXT, maxlength: MAX_TEXT,
    placeholder: `对“${s.title}”的意见和建议（${MIN_TEXT}–${MAX_TEXT} 字）`, 'aria-label': `对${s.title}的意见`,
  });
  const name = h('input', { type: 'text', name: 'name', maxlength: 100, autocomplete: 'name', 'aria-label': '署名' });
  const form = h('form', { class: 'opinion-form', dataset: { section: String(s.no) } },
    text,
    h('div', { class: 'opinion-row' },
      h('label', '署名（可不填；只有起草单位能看到）', name),
      h('button', { type: 'submit', class: 'btn btn-primary' }, '提交意见')),
    message.el);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    message.clear();
    const body = { section: s.no, text: text.value.trim() };
    if ([...body.text].length < MIN_TEXT) { message.error(`意见至少 ${MIN_TEXT} 个字。`); text.focus(); return; }
    if (name.value.trim()) body.name = name.value.trim();
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const r = await giveOpinion(c.id, body);
      text.value = '';
      message.ok(`已收到您的意见${r && r.opinion ? `（编号 ${r.opinion.id}）` : ''}，感谢参与！`);
      onGiven(s);
    } catch (e) {
      message.error(e);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

// 意见汇总: the groups of each section, and every opinion under them.
function summaryBody(data) {
  const byId = new Map((data.opinions || []).map((o) => [o.id, o]));
  const sections = data.sections || [];
  const total = (data.opinions || []).length || sections.reduce((n, s) => n + (s.opinions || 0), 0);
  return [
    h('p', { class: 'muted small' }, `共 ${total} 条意见；相近的意见归为一类，列出代表性意见和条数。`),
    sections.map((s) => {
      const groups = (s.groups || []).slice().sort((a, b) => b.count - a.count);
      const all = (data.opinions || []).filter((o) => o.section === s.no);
      return h('div', { class: 'summary-section', dataset: { no: String(s.no) } },
        h('h3', s.title, ' ', h('span', { class: 'muted small' }, `${s.opinions ?? all.length} 条意见${groups.length ? `，${groups.length} 类` : ''}`)),
        groups.length ? h('ol', { class: 'opinion-groups' }, groups.map((g) => h('li', { class: 'opinion-group' },
          h('span', { class: 'group-count badge badge-info' }, `${g.count} 条`), ' ',
          h('span', { class: 'group-text' }, g.representative),
          g.count > 1 ? h('details', { class: 'group-members' }, h('summary', '同类意见'),
            h('ul', (g.opinion_ids || []).map((id) => byId.get(id)).filter(Boolean).map((o) => h('li', o.text,
              h('span', { class: 'muted small' }, ` ${o.name ? `${o.name} · ` : ''}${fmtShort(o.at)}`))))) : null)))
          : h('p', { class: 'muted' }, '本节还没有意见。'),
        all.length ? h('details', { class: 'all-opinions' }, h('summary', `逐条查看（${all.length}）`),
          h('ol', all.map((o) => h('li', o.text, h('span', { class: 'muted small' }, ` ${o.name ? `${o.name} · ` : '（未署名）· '}${fmtTime(o.at)}`))))) : null);
    }),
  ];
}

function summaryCard(c) {
  const message = messageLine();
  const body = h('div', { class: 'summary-body' }, h('p', { class: 'loading' }, '正在汇总意见…'));
  const download = h('button', {
    type: 'button', class: 'btn', id: 'export-opinions',
    onclick: async () => {
      message.clear();
      download.disabled = true;
      try {
        const url = URL.createObjectURL(await opinionsWorkbook(c.id));
        h('a', { href: url, download: `${c.title.replace(/[\\/:*?"<>|]/g, '')}-意见汇总.xlsx` }).click();
        setTimeout(() => URL.revokeObjectURL(url), 60000);
      } catch (e) { message.error(e); } finally { download.disabled = false; }
    },
  }, '下载意见汇总（Excel）');
  const card = h('section', { class: 'card', id: 'opinion-summary' },
    h('div', { class: 'card-head' }, h('h2', '意见汇总'), download), message.el, body);
  const load = async () => {
    try {
      const data = await opinions(c.id);
      mount(body, summaryBody(data));
    } catch (e) {
      mount(body, h('p', { class: 'error' }, errorText(e)));
    }
  };
  load();
  return { el: card, reload: load };
}

export async function render(root, ctx) {
  const id = Number(ctx.parts[1]);
  if (!Number.isInteger(id) || id < 1) { mount(root, h('p', { class: 'error' }, '征求意见编号无效。')); return; }
  const c = await consultation(id);
  if (!ctx.current()) return;
  document.title = `${c.title} · 征求意见`;
  const open = c.state === 'open';
  const summary = mayRead(ctx.me, c) ? summaryCard(c) : null;
  const counts = new Map();

  const onGiven = (s) => {
    const el = counts.get(s.no);
    if (el) {
      s.opinions = (s.opinions || 0) + 1;
      el.textContent = `已有 ${s.opinions} 条意见`;
    }
    if (summary) summary.reload();
  };

  const notice = open ? h('p', { class: 'notice notice-open', id: 'consultation-open' },
    `征求期 ${fmtTime(c.opens)} 至 ${fmtTime(c.closes)}。请在各节下方提出意见，每条 ${MIN_TEXT}–${MAX_TEXT} 字。`)
    : c.state === 'upcoming' ? h('p', { class: 'notice notice-upcoming', id: 'consultation-upcoming', role: 'status' },
      `尚未开始：将于 ${fmtTime(c.opens)} 开始征求意见，届时可在各节下方提出意见。`)
      : h('p', { class: 'notice notice-closed', id: 'consultation-closed', role: 'status' },
        h('strong', '已结束'), `：本次征求意见已于 ${fmtTime(c.closes)} 截止，不再接收意见。感谢关注！`);

  const sections = (c.sections || []).map((s) => {
    const count = h('span', { class: 'muted small section-count' }, `已有 ${s.opinions ?? 0} 条意见`);
    counts.set(s.no, count);
    return h('section', { class: 'card consult-section', dataset: { no: String(s.no) } },
      h('div', { class: 'card-head' }, h('h2', s.title), count),
      h('div', { class: 'section-text' }, s.text || ''),
      open ? opinionForm(c, s, { onGiven }) : null);
  });

  mount(root,
    h('div', { class: 'toolbar' }, h('div',
      h('p', { class: 'crumbs' }, h('a', { href: '#/consultations' }, '征求意见'), ' / ', `第 ${c.id} 项`),
      h('h1', { id: 'consultation-title' }, c.title, ' ', h('span', { id: 'consultation-state' }, stateBadge(c))),
      h('p', { class: 'muted small' }, [`征求期 ${period(c)}`, c.office ? `起草单位 ${c.office.name}` : '', `意见 ${c.opinions ?? 0} 条`].filter(Boolean).join(' · ')))),
    notice,
    c.summary ? h('section', { class: 'card' }, h('h2', '说明'), h('div', { class: 'section-text' }, c.summary)) : null,
    summary ? h('div', { class: 'grid-1-1 consult-grid' }, h('div', sections), h('div', summary.el)) : sections,
    sections.length ? null : h('p', { class: 'muted' }, '（草案没有分节。）'));
}
