// The community screens in a real browser (docs/community.md):
//   楼门院 — the admin creates a building under 梨园镇's 群芳园社区 (110112121013), registers
//   three residents (each key shown once, with a sign-in link) and names the 楼门长; a resident
//   signs in through that link, opens a proposal; two others vote (one changes its vote) and
//   comment; the 楼门长 closes it as agreed with "needs a unit", and the proposal page shows the
//   linked case at 梨园镇 and, once 梨园镇 has replied, its reply;
//   服务包 — the supervisor registers an enterprise with a wrong credit code (the server's message
//   shows beside the form), then with a right one; the operator records a 企业诉求 on its page,
//   which goes to the manager's unit as 企业诉求 and appears in the page's list;
//   征求意见 — the supervisor publishes a draft of two sections, the public key gives opinions on
//   a phone, the supervisor reads them grouped and downloads the workbook; a closed consultation
//   shows 已结束 and no form. No console error anywhere.

import { test, before, after } from 'node:test';
import { readFileSync } from 'node:fs';
import { Session, api, go, navLabels, assert, BASE, PHONE } from './harness.mjs';

const session = new Session();
const state = { keys: {} };
const COMMUNITY = '110112121013';   // 群芳园社区居委会, 梨园镇
const LIYUAN = '110112121';
const RESIDENTS = [['王芳', '302'], ['李建国', '501'], ['张敏', '201']];

// The API with any key (a resident's); {status, data}.
async function call(key, route, body) {
  const res = await fetch(`${BASE}/api/v1${route}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let data = null;
  try { data = JSON.parse(text); } catch { data = text; }
  return { status: res.status, data };
}

const hashId = async (page, name) => {
  const hash = await page.evaluate(() => location.hash);
  const m = hash.match(new RegExp(`^#/${name}/(\\d+)`));
  assert.ok(m, `${hash} is a ${name} page`);
  return Number(m[1]);
};
const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
const text = async (page, selector) => (await page.textContent(selector)).trim();

before(async () => {
  await session.start();
});

after(async () => {
  await session.stop();
});

test('admin creates a building of 群芳园社区, registers three residents and names the 楼门长', async () => {
  const page = await session.signIn('admin');
  assert.ok((await navLabels(page)).includes('楼门院'), 'the admin has the 楼门院 screen');
  await go(page, '#/buildings', '#new-building');
  await page.fill('#new-building input.unit-input', COMMUNITY);
  await page.fill('#new-building input[name=name]', '群芳园小区3号楼2单元');
  await page.fill('#new-building textarea[name=covenant]', '一、爱护楼道环境，不堆放杂物；\n二、文明养犬，及时清理；\n三、邻里互助，遇事协商。');
  await page.click('#new-building button[type=submit]');
  await page.waitForSelector('#building-name');
  const id = await hashId(page, 'building');
  state.building = id;
  assert.equal(await text(page, '#building-name'), '群芳园小区3号楼2单元');
  assert.match(await text(page, '#covenant'), /文明养犬/);
  const created = await api('admin', `/buildings/${id}`);
  assert.equal(created.community.code, COMMUNITY);
  assert.equal(created.township.code, LIYUAN);
  assert.equal(created.leader, null);

  for (const [name, room] of RESIDENTS) {
    await page.fill('#new-resident input[name=name]', name);
    await page.fill('#new-resident input[name=room]', room);
    await page.click('#new-resident button[type=submit]');
    await page.waitForSelector(`#resident-key:has-text("${name}（${room}）")`);
    const key = await text(page, '#resident-key .key-text');
    assert.match(key, /\S{16,}/, `a key for ${name}`);
    const link = await page.getAttribute('#resident-key a.key-link', 'href');
    assert.ok(link.endsWith(`#key=${encodeURIComponent(key)}`), link);
    assert.ok(await page.$(`#resident-list li:has-text("${name}")`), `${name} is listed`);
    state.keys[name] = key;
  }
  assert.equal(new Set(Object.values(state.keys)).size, 3, 'three different keys');
  await session.shot(page, 'building-key');

  // Shown once: not after a reload.
  await page.reload();
  await page.waitForSelector('#resident-list');
  assert.equal(await page.$('#resident-key'), null, 'the key is not shown again');

  await page.selectOption('#leader-form select', { label: '王芳（302）' });
  await page.click('#leader-form button[type=submit]');
  await page.waitForSelector('#building-leader:has-text("王芳")');
  assert.ok(await page.$('#resident-list li:has-text("王芳") .badge:has-text("楼门长")'));
  const b = await api('admin', `/buildings/${id}`);
  assert.equal(b.leader.name, '王芳');
  assert.equal(b.resident_count, 3);
  state.residents = Object.fromEntries(b.residents.map((r) => [r.name, r.id]));

  // The list of the community shows it with its 楼门长.
  await go(page, `#/buildings?community=${COMMUNITY}`, `#buildings-table tr[data-id="${id}"]`);
  assert.match(await text(page, `#buildings-table tr[data-id="${id}"]`), /王芳/);
  await page.context().close();

  // 梨园镇's handler finds it among its unit's buildings and may register residents there.
  const handler = await session.signIn('handler');
  assert.ok((await navLabels(handler)).includes('楼门院'));
  await go(handler, '#/buildings', `#buildings-table tr[data-id="${id}"]`);
  await handler.click(`#buildings-table tr[data-id="${id}"] a`);
  await handler.waitForSelector('#new-resident');
  assert.equal(await text(handler, '#building-name'), '群芳园小区3号楼2单元');
  await handler.context().close();
});

test('a resident signs in with its link, lands on its building and opens a proposal', async () => {
  const page = await session.page('resident 李建国', PHONE);
  await page.goto(`${BASE}/#key=${encodeURIComponent(state.keys['李建国'])}`);
  await page.waitForSelector('#building-name');
  assert.equal(await page.evaluate(() => location.hash), '#/mybuilding');
  assert.equal(await page.evaluate(() => localStorage.getItem('jiesu.key')), state.keys['李建国'], 'the link signed in');
  assert.deepEqual(await navLabels(page), ['我的楼门', '征求意见']);
  assert.equal(await text(page, '#building-name'), '群芳园小区3号楼2单元');
  assert.match(await text(page, '#covenant'), /邻里互助/);
  assert.equal(await page.$('#new-resident'), null, 'a resident registers nobody');
  assert.ok(await overflow(page) <= 1, 'no sideways scrolling on the building page');

  await page.fill('#new-proposal input[name=title]', '楼道加装扶手');
  await page.fill('#new-proposal textarea[name=text]', '楼里老人多，上下楼不方便，建议在一至六层楼道加装不锈钢扶手，费用申请社区协调解决。');
  await page.click('#new-proposal button[type=submit]');
  await page.waitForSelector('#proposal-title');
  state.proposal = await hashId(page, 'proposal');
  assert.match(await text(page, '#proposal-status'), /协商中/);
  assert.ok(await page.$('#vote-panel'), 'the author may vote');
  assert.equal(await page.$('#close-form'), null, 'only the 楼门长 closes');
  await session.shot(page, 'proposal-phone');

  // The case engine stays closed to a resident, in the page as in the API.
  await go(page, '#/cases', '#view h1:has-text("无权访问")');
  assert.equal((await call(state.keys['李建国'], '/cases')).status, 403);
  await page.context().close();
});

test('two residents vote — one changes its vote — and discuss', async () => {
  const zhang = await session.signInWithKey(state.keys['张敏'], 'resident 张敏');
  await go(zhang, `#/proposal/${state.proposal}`, '#vote-panel');
  await zhang.click('#vote-panel button[data-choice=against]');
  await zhang.waitForSelector('#vote-panel button[data-choice=against][aria-pressed=true]');
  assert.equal(await text(zhang, '#tally-against'), '1');
  await zhang.click('#vote-panel button[data-choice=for]');
  await zhang.waitForSelector('#vote-panel button[data-choice=for][aria-pressed=true]');
  assert.equal(await text(zhang, '#tally-for'), '1');
  assert.equal(await text(zhang, '#tally-against'), '0', 'the changed vote replaced the first');
  assert.equal(await zhang.getAttribute('#vote-panel button[data-choice=against]', 'aria-pressed'), 'false');
  await zhang.fill('#comment-form textarea', '同意，扶手最好选带防滑的。');
  await zhang.click('#comment-form button[type=submit]');
  await zhang.waitForSelector('#comments li:has-text("带防滑")');
  assert.match(await text(zhang, '#comments li:has-text("带防滑")'), /张敏/);
  assert.equal(await zhang.$('#close-form'), null, 'only the 楼门长 closes');
  await zhang.context().close();

  const wang = await session.signInWithKey(state.keys['王芳'], 'resident 王芳');
  assert.equal(await wang.evaluate(() => location.hash), '#/mybuilding');
  await wang.waitForSelector(`#proposal-list li[data-id="${state.proposal}"]`);
  assert.match(await text(wang, `#proposal-list li[data-id="${state.proposal}"]`), /赞成 1/);
  await wang.click(`#proposal-list li[data-id="${state.proposal}"] a.proposal-title`);
  await wang.waitForSelector('#vote-panel');
  assert.equal(await wang.getAttribute('#vote-panel button[data-choice=for]', 'aria-pressed'), 'false', 'nothing voted yet');
  await wang.click('#vote-panel button[data-choice=for]');
  await wang.waitForSelector('#vote-panel button[data-choice=for][aria-pressed=true]');
  assert.equal(await text(wang, '#tally-for'), '2');
  assert.equal(await text(wang, '#tally-voted'), '2/3');
  assert.ok(await wang.$('#comments li:has-text("带防滑")'), 'the discussion is shared');
  state.wang = wang;

  const p = await call(state.keys['张敏'], `/proposals/${state.proposal}`);
  assert.equal(p.data.my_vote, 'for');
  assert.deepEqual(p.data.votes, { for: 2, against: 0, abstain: 0 });
});

test('the 楼门长 closes the proposal as agreed; the linked case goes to 梨园镇 and its reply shows', async () => {
  const page = state.wang;
  await page.waitForSelector('#close-form');
  await page.click('#close-form label:has(input[value=agreed])');
  await page.fill('#close-form textarea[name=agreement]', '全体表决同意在一至六层楼道加装不锈钢防滑扶手，请梨园镇协调施工和费用。');
  await page.check('#close-form input[name=needs_unit]');
  await session.shot(page, 'proposal-close');
  await page.click('#close-form button[type=submit]');
  await page.waitForSelector('#linked-case');
  assert.match(await text(page, '#proposal-status'), /已达成共识/);
  assert.equal(await text(page, '#linked-case .case-unit'), '梨园镇');
  assert.match(await text(page, '#agreement'), /防滑扶手/);
  assert.equal(await page.$('#vote-panel'), null, 'no voting once closed');
  assert.equal(await page.$('#close-form'), null);
  assert.equal(await page.$('#comment-form'), null, 'the discussion ends with it');

  const p = await api('admin', `/proposals/${state.proposal}`);
  assert.equal(p.status, 'agreed');
  assert.ok(p.case && p.case.id, 'the proposal carries its case');
  state.proposalCase = p.case.id;
  assert.equal(Number(await page.getAttribute('#linked-case', 'data-id')), p.case.id);
  const c = await api('admin', `/cases/${p.case.id}`);
  assert.equal(c.source, 'proactive');
  assert.equal(c.proposal_id, state.proposal);
  assert.equal(c.unit.code, LIYUAN);
  assert.equal(c.status, 'dispatched');

  // A vote after closing is refused by the API (409).
  assert.equal((await call(state.keys['李建国'], `/proposals/${state.proposal}/votes`, { choice: 'against' })).status, 409);

  // 梨园镇 handles it; the residents follow its progress on the proposal's page.
  await api('handler', `/cases/${c.id}/actions`, { action: 'accept' });
  await api('handler', `/cases/${c.id}/actions`, { action: 'reply', text: '已联系施工单位，一至六层扶手本周安装完毕' });
  await page.reload();
  await page.waitForSelector('#linked-case .case-reply');
  assert.match(await text(page, '#linked-case .case-reply'), /扶手本周安装完毕/);
  assert.match(await text(page, '#linked-case .status'), /已反馈/);
  await session.shot(page, 'proposal');
  await page.context().close();

  // Staff see the same page, with the case linked.
  const admin = await session.signIn('admin');
  await go(admin, `#/proposal/${state.proposal}`, '#linked-case a.case-link');
  assert.equal(await admin.getAttribute('#linked-case a.case-link', 'href'), `#/case/${c.id}`);
  assert.equal(await admin.$('#vote-panel'), null, 'staff do not vote');
  // … and the case links back to the proposal.
  await admin.click('#linked-case a.case-link');
  await admin.waitForSelector('#case-proposal');
  assert.equal(await admin.getAttribute('#case-proposal', 'href'), `#/proposal/${state.proposal}`);
  await admin.context().close();
});

test('supervisor registers an enterprise: a wrong credit code is refused with the reason', async () => {
  const page = await session.signIn('supervisor');
  await go(page, '#/enterprises', '#new-enterprise');
  await page.fill('#new-enterprise input[name=name]', '北京星河物流有限公司');
  await page.fill('#new-enterprise input[name=credit_code]', '91110112MA02KTHF8X');
  await page.selectOption('#new-enterprise select[name=township]', LIYUAN);
  await page.fill('#new-enterprise input[name=address]', '梨园镇云景东路1号');
  await page.fill('#new-enterprise input[name=manager_name]', '赵磊');
  await page.fill('#new-enterprise input.unit-input', '梨园镇');
  session.expectFailedLoad('/api/v1/enterprises');
  await page.click('#new-enterprise button[type=submit]');
  await page.waitForSelector('#new-enterprise .message.error');
  const error = await text(page, '#new-enterprise .message.error');
  assert.match(error, /填写的内容有误/);
  assert.match(error, /（.*(校验|check character).*）/, 'the server\'s message is shown');
  assert.match(error, /give 0\)/, 'naming the expected check character');
  assert.match(await page.evaluate(() => location.hash), /^#\/enterprises/, 'still on the form');
  await session.shot(page, 'enterprise-error');

  await page.fill('#new-enterprise input[name=credit_code]', '91110112MA02KTHF80');
  await page.click('#new-enterprise button[type=submit]');
  await page.waitForSelector('#enterprise-name');
  state.enterprise = await hashId(page, 'enterprise');
  assert.equal(await text(page, '#enterprise-name'), '北京星河物流有限公司');
  const e = await api('supervisor', `/enterprises/${state.enterprise}`);
  assert.equal(e.credit_code, '91110112MA02KTHF80');
  assert.equal(e.township.code, LIYUAN);
  assert.equal(e.manager.name, '赵磊');
  assert.equal(e.manager.unit.code, LIYUAN);

  await go(page, `#/enterprises?q=${encodeURIComponent('星河')}`, `#enterprises-table tr[data-id="${state.enterprise}"]`);
  await go(page, '#/enterprises?township=110112001');
  await page.waitForFunction(() => document.querySelector('#enterprises-filter select[name=township]')?.value === '110112001');
  assert.equal(await page.$(`#enterprises-table tr[data-id="${state.enterprise}"]`), null, 'filtered out by another township');
  await page.context().close();
});

test('operator records a 企业诉求 on the enterprise page; it goes to the manager\'s unit', async () => {
  const page = await session.signIn('operator');
  assert.ok((await navLabels(page)).includes('服务包'));
  await go(page, `#/enterprise/${state.enterprise}`, '#enterprise-request');
  await page.selectOption('#enterprise-request select[name=type]', 'help');
  await page.fill('#enterprise-request input[name=title]', '申请协调办理厂区周边道路临时占道手续');
  await page.fill('#enterprise-request textarea[name=text]', '企业扩建需临时占用云景东路辅路施工，请协助咨询并协调办理临时占道审批手续。');
  await page.click('#enterprise-request button[type=submit]');
  await page.waitForSelector('#enterprise-result a.case-link');
  const id = Number((await text(page, '#enterprise-result a.case-link')).replace('#', ''));
  assert.ok(id > 0);
  await page.waitForSelector(`#enterprise-cases tr[data-id="${id}"]`);
  assert.match(await text(page, '#enterprise-requests'), /共 1 件/);
  await session.shot(page, 'enterprise');
  const c = await api('operator', `/cases/${id}`);
  assert.equal(c.enterprise_id, state.enterprise);
  assert.equal(c.category.code, '1205');
  assert.equal(c.category.name, '企业诉求');
  assert.equal(c.unit.code, LIYUAN);
  await page.click(`#enterprise-cases tr[data-id="${id}"] a`);
  await page.waitForSelector('.timeline');
  assert.equal(await page.evaluate(() => location.hash), `#/case/${id}`);
  assert.equal(await page.getAttribute('#case-enterprise', 'href'), `#/enterprise/${state.enterprise}`);
  await page.context().close();

  // 梨园镇's handler sees the enterprise it manages.
  const handler = await session.signIn('handler');
  await go(handler, '#/enterprises', `#enterprises-table tr[data-id="${state.enterprise}"]`);
  await handler.context().close();
});

test('supervisor publishes a consultation, the public gives opinions, the supervisor reads them grouped', async () => {
  const page = await session.signIn('supervisor');
  await go(page, '#/consultations', '#new-consultation');
  await page.fill('#new-consultation input[name=title]', '《北京市建筑绿色发展条例（草案）》公开征求意见（测试）');
  await page.fill('#new-consultation textarea[name=summary]', '为推动建筑绿色发展，起草了本条例草案，现公开征求意见。');
  await page.fill('#new-consultation input.unit-input', '区住建委');
  const sections = page.locator('#new-consultation fieldset.section-fields');
  await sections.nth(0).locator('input[name=section_title]').fill('第一章 总则');
  await sections.nth(0).locator('textarea[name=section_text]').fill('第一条 为了推动建筑绿色发展，制定本条例。');
  await page.click('#add-section');
  await sections.nth(1).locator('input[name=section_title]').fill('第二章 规划与建设');
  await sections.nth(1).locator('textarea[name=section_text]').fill('第十条 新建民用建筑应当执行绿色建筑标准。');
  await page.click('#new-consultation button[type=submit]');
  await page.waitForSelector('#consultation-title');
  const id = await hashId(page, 'consultation');
  state.consultation = id;
  const c = await api('supervisor', `/consultations/${id}`);
  assert.equal(c.state, 'open');
  assert.equal(c.office.code, '110112D01');
  assert.deepEqual(c.sections.map((s) => s.title), ['第一章 总则', '第二章 规划与建设']);
  const second = c.sections[1].no;
  assert.ok(await page.$('#opinion-summary'), 'the drafting side sees the summary part');

  const pub = await session.signIn('public', PHONE);
  assert.deepEqual(await navLabels(pub), ['我要反映', '征求意见']);
  await go(pub, '#/consultations', `#consultations-table tr[data-id="${id}"]`);
  assert.match(await text(pub, `#consultations-table tr[data-id="${id}"] .state-cell`), /征求中/);
  await pub.click(`#consultations-table tr[data-id="${id}"] a`);
  const form = `.consult-section[data-no="${second}"] form.opinion-form`;
  await pub.waitForSelector(form);
  assert.equal(await pub.$('#opinion-summary'), null, 'the public does not read the opinions');
  const opinion = '建议明确既有建筑绿色改造的财政补贴标准和申请程序';
  await pub.fill(`${form} textarea[name=text]`, `${opinion}。`);
  await pub.fill(`${form} input[name=name]`, '市民张先生');
  await pub.click(`${form} button[type=submit]`);
  await pub.waitForSelector(`${form} .message.flash`);
  assert.match(await text(pub, `${form} .message.flash`), /已收到您的意见/);
  assert.equal(await pub.inputValue(`${form} textarea[name=text]`), '', 'the form is emptied');
  assert.match(await text(pub, `.consult-section[data-no="${second}"] .section-count`), /已有 1 条意见/);
  assert.ok(await overflow(pub) <= 1, 'no sideways scrolling on the consultation page');
  await session.shot(pub, 'consultation-phone');
  await pub.context().close();

  // Two more: one saying the same, one on something else.
  await api('operator', `/consultations/${id}/opinions`, { section: second, text: `${opinion}！` });
  await api('inspector', `/consultations/${id}/opinions`, { section: second, text: '第十条应当写明装配式建筑的比例要求和时间表' });

  await page.reload();
  const part = `#opinion-summary .summary-section[data-no="${second}"]`;
  await page.waitForSelector(`${part} .opinion-group`);
  const groups = await page.$$eval(`${part} .opinion-group`, (els) => els.map((el) => ({
    count: Number(el.querySelector('.group-count').textContent.replace(/\D/g, '')),
    text: el.querySelector('.group-text').textContent,
  })));
  assert.equal(groups.reduce((n, g) => n + g.count, 0), 3, JSON.stringify(groups));
  assert.equal(groups[0].count, 2, `the two alike opinions are one group: ${JSON.stringify(groups)}`);
  assert.match(groups[0].text, /财政补贴/);
  await page.click(`${part} details.all-opinions summary`);
  assert.match(await text(page, `${part} details.all-opinions`), /市民张先生/, 'the signature shows to the drafting side');
  await session.shot(page, 'consultation');

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-opinions')]);
  assert.match(download.suggestedFilename(), /意见汇总\.xlsx$/);
  const bytes = readFileSync(await download.path());
  assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'a zip (xlsx) file');
  await page.context().close();
});

test('a closed consultation shows 已结束 and no form', async () => {
  const day = 86400000;
  const closed = await api('supervisor', '/consultations', {
    title: '《通州区生活垃圾分类管理办法（草案）》征求意见（已结束，测试）',
    summary: '已结束的征求意见。', office: '110112D01',
    opens: new Date(Date.now() - 40 * day).toISOString(), closes: new Date(Date.now() - 10 * day).toISOString(),
    sections: [{ title: '第一章 总则', text: '第一条 为了加强生活垃圾分类管理，制定本办法。' }],
  });
  assert.equal(closed.state, 'closed');
  const refused = await call(process.env.JIESU_KEY_PUBLIC, `/consultations/${closed.id}/opinions`, { section: closed.sections[0].no, text: '这是一条迟到的意见' });
  assert.equal(refused.status, 409);

  const page = await session.signIn('public');
  await go(page, '#/consultations', `#consultations-table tr[data-id="${closed.id}"]`);
  assert.match(await text(page, `#consultations-table tr[data-id="${closed.id}"] .state-cell`), /已结束/);
  await page.click(`#consultations-table tr[data-id="${closed.id}"] a`);
  await page.waitForSelector('#consultation-closed');
  assert.match(await text(page, '#consultation-closed'), /已结束/);
  assert.match(await text(page, '#consultation-state'), /已结束/);
  assert.ok(await page.$('.consult-section .section-text:has-text("加强生活垃圾分类管理")'), 'the text stays readable');
  assert.equal(await page.$$eval('form', (els) => els.length), 0, 'no form at all');
  await page.context().close();

  // A resident reads the consultations too, and may give an opinion on the open one.
  const resident = await session.signInWithKey(state.keys['张敏'], 'resident 张敏');
  await go(resident, `#/consultation/${state.consultation}`, 'form.opinion-form');
  await resident.context().close();
});

test('the admin gives 张敏 a new key and marks 李建国 as moved out', async () => {
  const page = await session.signIn('admin');
  await go(page, `#/building/${state.building}`, '#resident-list');
  await page.click(`#resident-list li[data-id="${state.residents['张敏']}"] button[data-action=reissue]`);
  await page.waitForSelector('#resident-key:has-text("补发")');
  const fresh = await text(page, '#resident-key .key-text');
  assert.notEqual(fresh, state.keys['张敏']);
  assert.equal((await call(state.keys['张敏'], '/me')).status, 401, 'the old key no longer works');
  assert.equal((await call(fresh, '/me')).status, 200);
  state.keys['张敏'] = fresh;

  page.once('dialog', (dialog) => dialog.accept());
  await page.click(`#resident-list li[data-id="${state.residents['李建国']}"] button[data-action=leave]`);
  await page.waitForSelector('.flash:has-text("已迁出")');
  assert.equal(await page.$(`#resident-list li[data-id="${state.residents['李建国']}"]`), null);
  assert.equal((await call(state.keys['李建国'], '/me')).status, 401);
  assert.equal((await api('admin', `/buildings/${state.building}`)).resident_count, 2);
  await page.context().close();
});

test('no console error or uncaught exception on any community page', () => {
  assert.deepEqual(session.problems, []);
});
