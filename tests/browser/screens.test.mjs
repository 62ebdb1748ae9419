// The work screens in a real browser, one case end to end (issue 6):
//   every role signs in and sees its screens; the operator records a call and sees the
//   dispatch proposal; 梨园镇's handler accepts (签收) and replies (办结反馈); the operator records
//   the callback (回访) and closes the case; the leaders' dashboard counts that callback for
//   梨园镇 and links to its cases; the inspector opens a round, records a finding and verifies
//   it; a citizen files a request; a refused action is explained in plain words; the queue and
//   the case page work on a phone. No console error anywhere. Screenshots: build/screenshots/.

import { test, before, after } from 'node:test';
import { Session, api, go, navLabels, beijingMonth, assert, BASE, HANDLER_UNIT, KEYS, PHONE } from './harness.mjs';

const session = new Session();
const state = {};
const month = beijingMonth();

before(async () => {
  await session.start();
  // Is there a live proposal route yet? Without it the intake screen asks once and gets a 404.
  const res = await fetch(`${process.env.JIESU_URL}/api/v1/dispatch/preview`, {
    method: 'POST', headers: { Authorization: `Bearer ${process.env.JIESU_KEY_OPERATOR}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ type: '投诉', text: '路灯坏了' }),
  });
  state.preview = res.status !== 404;
  if (!state.preview) {
    console.log('# note: POST /api/v1/dispatch/preview is missing; intake shows the proposal after submitting');
    session.expectFailedLoad('/api/v1/dispatch/preview');
  }
});

after(async () => {
  await session.stop();
});

const ROLE_SCREENS = {
  operator: ['受理', '回访', '工单查询', '服务包', '征求意见'],
  handler: ['待办', '工单查询', '楼门院', '服务包', '征求意见'],
  supervisor: ['领导看板', '工单查询', '巡察整改', '楼门院', '服务包', '征求意见'],
  inspector: ['工单查询', '巡察整改', '征求意见'],
  admin: ['领导看板', '受理', '回访', '工单查询', '巡察整改', '楼门院', '服务包', '征求意见'],
  public: ['我要反映', '征求意见'],
};

test('sign-in refuses a bad key in plain words, lets every role in to its own screens, and signs out', async () => {
  const page = await session.page('login');
  await page.goto(`${process.env.JIESU_URL}/`);
  await page.waitForSelector('#login-key');
  await session.shot(page, 'login');
  session.expectFailedLoad('/api/v1/me');
  await page.fill('#login-key', 'jz_000000000000_00000000000000000000000000000000');
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('form.login .error:not(:empty)');
  assert.match(await page.textContent('form.login .error'), /密钥无效/);

  for (const [role, screens] of Object.entries(ROLE_SCREENS)) {
    await page.fill('#login-key', KEYS[role]);
    await page.click('form.login button[type=submit]');
    await page.waitForSelector('#who button');
    assert.deepEqual(await navLabels(page), screens, `${role}'s screens`);
    // A screen of another role is refused by the page, not only by the API.
    if (role === 'public') {
      await go(page, '#/dashboard', '#view h1');
      assert.match(await page.textContent('#view h1'), /无权访问/);
    }
    await page.click('#who button');
    await page.waitForSelector('#login-key');
    assert.equal(await page.evaluate(() => localStorage.getItem('jiesu.key')), null, 'the key is forgotten');
  }
  await page.context().close();
});

test('operator records a call and sees the dispatch proposal', async () => {
  const page = await session.signIn('operator');
  assert.equal(await page.evaluate(() => location.hash), '#/intake');
  await page.click('#intake-form .segmented label:has-text("投诉")');
  await page.fill('#intake-form textarea[name=text]', '群芳园社区3号楼前的路灯坏了一周，晚上老人出行不便，请尽快修复');
  await page.fill('#intake-form input[name=address]', '通州区梨园镇群芳园社区3号楼');
  await page.fill('#intake-form input[name=caller_name]', '王芳');
  await page.fill('#intake-form input[name=caller_phone]', '13812345678');
  if (state.preview) {
    await page.waitForSelector('#intake-preview .prop-unit');
    await session.shot(page, 'intake-preview');
  }
  await page.click('#intake-form button[type=submit]');
  await page.waitForSelector('#intake-result .case-link');
  const id = Number((await page.textContent('#intake-result .case-link')).replace('#', ''));
  assert.ok(id > 0);
  state.caseId = id;
  assert.match(await page.textContent('#intake-result .prop-category'), /\S/);
  assert.match(await page.textContent('#intake-result .prop-unit'), /\S/);
  const created = await api('operator', `/cases/${id}`);
  assert.equal(created.caller.phone, '13812345678');

  await session.shot(page, 'intake-proposal');
  if (created.status === 'received') {
    // Not confident enough to dispatch alone: the operator sends it to 梨园镇 by hand.
    await page.fill('#manual-dispatch input.unit-input', '梨园镇');
    await page.click('#manual-dispatch button[type=submit]');
    await page.waitForSelector('#intake-result .verdict.ok');
  }
  assert.match(await page.textContent('#intake-result .verdict'), /派单至/);
  await session.shot(page, 'intake');
  const dispatched = await api('operator', `/cases/${id}`);
  assert.equal(dispatched.status, 'dispatched');
  assert.ok(dispatched.unit.code.startsWith(HANDLER_UNIT), `dispatched to ${dispatched.unit.name}`);

  // A 咨询 answered on the phone is closed at once.
  await page.click('#intake-form .segmented label:has-text("咨询")');
  await page.fill('#intake-form textarea[name=text]', '请问厨余垃圾要不要破袋投放？');
  await page.fill('#intake-form textarea[name=answer]', '厨余垃圾需破袋投放，塑料袋投入其他垃圾桶。');
  assert.equal((await page.textContent('#intake-form button[type=submit]')).trim(), '受理并答复办结');
  await page.keyboard.press('Control+Enter');
  await page.waitForSelector('#intake-result .verdict:has-text("已答复并办结")');
  const answeredId = Number((await page.textContent('#intake-result .case-link')).replace('#', ''));
  assert.equal((await api('operator', `/cases/${answeredId}`)).status, 'closed');
  await page.context().close();
});

test('handler accepts (签收) from the queue and replies (办结反馈) on the case page', async () => {
  const page = await session.signIn('handler');
  assert.equal(await page.evaluate(() => location.hash), '#/queue');
  const row = `#queue-table tr[data-id="${state.caseId}"]`;
  await page.waitForSelector(row);
  await session.shot(page, 'queue');
  await page.click(`${row} button[data-action=accept]`);
  await page.waitForSelector(`${row} a:has-text("办结反馈")`);
  await page.click(`${row} a:has-text("办结反馈")`);
  await page.waitForSelector('.action-form[data-action=reply] textarea');
  // Contact is masked for a handler.
  const phone = await page.textContent('.facts .field:has(dt:text("联系电话")) dd');
  assert.match(phone, /\*/);
  assert.ok(!phone.includes('13812345678'));
  await page.fill('.action-form[data-action=reply] textarea', '已更换路灯灯头，恢复照明，并与来电人电话沟通确认');
  await page.click('.action-form[data-action=reply] label:has-text("已解决")');
  await page.click('.action-form[data-action=reply] button[type=submit]');
  await page.waitForSelector('.flash:has-text("已提交办结反馈")');
  const kinds = await page.$$eval('.timeline .ev-kind', (els) => els.map((e) => e.textContent));
  assert.ok(kinds.includes('签收') && kinds.includes('办结反馈'), kinds.join(','));
  await session.shot(page, 'case');
  assert.equal((await api('handler', `/cases/${state.caseId}`)).status, 'replied');
  await page.context().close();
});

test('operator records the callback (回访) and closes the case', async () => {
  const before_ = await api('supervisor', `/assessments?month=${month}`);
  const unit = before_.units.find((u) => u.code === HANDLER_UNIT);
  state.validBefore = unit ? unit.valid_callbacks : 0;

  const page = await session.signIn('operator');
  await go(page, '#/callbacks', '#callback-list');
  await page.click(`#callback-list li[data-id="${state.caseId}"]`);
  await page.waitForSelector('#callback-form');
  assert.equal((await page.textContent('.callback-pane .phone')).trim(), '13812345678');
  assert.equal((await page.textContent('#callback-form button[data-role=primary]')).trim(), '记录回访并办结');
  await session.shot(page, 'callbacks');
  await page.click('#callback-form button[data-role=primary]');
  await page.waitForSelector('.message.flash:has-text("已记录回访并办结")');
  const closed = await api('operator', `/cases/${state.caseId}`);
  assert.equal(closed.status, 'closed');
  assert.deepEqual({ ...closed.callback, at: undefined }, { contacted: true, resolved: true, satisfaction: '满意', at: undefined });
  await page.context().close();
});

test('the dashboard counts the callback for 梨园镇 and links to its cases', async () => {
  const page = await session.signIn('supervisor');
  assert.match(await page.evaluate(() => location.hash), /^#\/dashboard/);
  // Last month first (the monthly meeting's view), for the screenshot.
  await page.waitForSelector('#ranking-table');
  await page.waitForSelector('#ranking-chart canvas');
  await page.waitForSelector('#district-map .leaflet-interactive');
  await page.waitForSelector('#area-chart canvas');
  // Tooltips: the chart's (drawn in its canvas) and the map's (a DOM element): no CSP complaint.
  const bar = await page.$('#ranking-chart canvas');
  const box = await bar.boundingBox();
  await page.mouse.move(box.x + box.width * 0.5, box.y + 20);
  await page.hover(`#district-map .map-unit-${HANDLER_UNIT}`, { force: true });
  await page.waitForSelector('#district-map .leaflet-tooltip .map-tip');
  await session.shot(page, 'dashboard');
  await session.shot(page, 'dashboard-full', { fullPage: true });
  await page.click(`#ranking-table tr[data-code] button:has-text("点评")`);
  await page.waitForSelector('#ranking-table .review-row:not([hidden]) .review-text');
  await page.$eval('#ranking-card', (el) => el.scrollIntoView());
  await session.shot(page, 'dashboard-ranking');
  await page.$eval('#overdue-card', (el) => el.scrollIntoView());
  await page.waitForSelector('#overdue-card :is(ol, p:not(.loading))');
  await session.shot(page, 'dashboard-lists');
  await page.evaluate(() => window.scrollTo(0, 0));

  await page.selectOption('#month-input', month);
  await page.waitForFunction((m) => location.hash.includes(`month=${m}`), month);
  const cell = `#ranking-table tr[data-code="${HANDLER_UNIT}"] .valid-callbacks`;
  await page.waitForSelector(cell);
  assert.equal(Number(await page.textContent(cell)), state.validBefore + 1);

  await page.click(`#ranking-table tr[data-code="${HANDLER_UNIT}"] td.unit-name a`);
  await page.waitForSelector('table.queue tbody tr');
  const hash = decodeURIComponent(await page.evaluate(() => location.hash));
  assert.match(hash, new RegExp(`unit=${HANDLER_UNIT}`));
  assert.match(hash, new RegExp(`from=${month}-01`));
  assert.ok(await page.$(`table.queue tr[data-id="${state.caseId}"]`), 'the new case is among 梨园镇 cases of the month');
  await session.shot(page, 'cases');
  await page.context().close();
});

test('inspector opens a round, records a finding and verifies its rectification', async () => {
  const page = await session.signIn('inspector');
  assert.equal(await page.evaluate(() => location.hash), '#/inspections');
  await page.waitForSelector('#rounds-table');
  await page.fill('#new-round input[name=name]', '区委第三巡察组对梨园镇党工委的巡察（测试）');
  await page.fill('#new-round input.unit-input', '梨园镇');
  await page.click('#new-round button:has-text("添加")');
  await page.waitForSelector('#new-round .chips.chosen li');
  await page.click('#new-round button[type=submit]');
  await page.waitForSelector('#new-finding');
  await page.fill('#new-finding textarea', '专项资金使用台账不健全，部分支出缺少审批手续');
  await page.click('#new-finding button[type=submit]');
  await page.waitForSelector('.flash:has-text("已记录问题")');
  const finding = Number((await page.textContent('.flash')).match(/#(\d+)/)[1]);

  // 梨园镇 rectifies and reports back (through the API: its screens were tested above).
  await api('handler', `/cases/${finding}/actions`, { action: 'accept' });
  await api('handler', `/cases/${finding}/actions`, { action: 'reply', text: '已建立专项资金台账，补齐审批手续' });

  await page.reload();
  await page.click('a.chip:has-text("待验收")');
  await page.waitForSelector(`#findings-table tr[data-id="${finding}"] button[data-action=verify]`);
  await page.click(`#findings-table tr[data-id="${finding}"] button[data-action=verify]`);
  await page.waitForSelector('.verify-panel button[data-verify=yes]');
  await session.shot(page, 'inspection');
  await page.click('.verify-panel button[data-verify=yes]');
  await page.waitForSelector('.flash:has-text("验收通过")');
  assert.equal((await page.textContent('#round-rate')).trim(), '100.0%');
  const c = await api('inspector', `/cases/${finding}`);
  assert.equal(c.status, 'closed');
  assert.ok(c.rectified_at);
  await go(page, '#/inspections', '#rounds-table');
  await session.shot(page, 'inspections');
  await page.context().close();
});

test('a refused action is explained in plain words', async () => {
  const c = await api('operator', '/cases', { type: '求助', text: '楼道灯不亮，请物业处理', unit: HANDLER_UNIT });
  const page = await session.signIn('handler');
  await go(page, `#/case/${c.id}`, 'button[data-action=accept]');
  await api('handler', `/cases/${c.id}/actions`, { action: 'accept' }); // someone else was quicker
  await page.click('button[data-action=accept]');
  session.expectFailedLoad(`/api/v1/cases/${c.id}/actions`);
  await page.click('.action-form[data-action=accept] button[type=submit]');
  await page.waitForSelector('.action-form .message.error');
  assert.match(await page.textContent('.action-form .message.error'), /当前状态不允许此操作/);
  await page.context().close();
});

test('a citizen files a request with the public key', async () => {
  const page = await session.signIn('public', PHONE);
  await page.fill('#report-form textarea[name=text]', '小区门口的井盖松动，车辆经过响声很大');
  await page.fill('#report-form input[name=address]', '通州区梨园镇云景里社区');
  await page.click('#report-form button[type=submit]');
  await page.waitForSelector('#report-result .case-number');
  const id = Number((await page.textContent('#report-result .case-number')).replace('#', ''));
  assert.equal((await api('operator', `/cases/${id}`)).source, 'web');
  await session.shot(page, 'report-phone');
  await page.context().close();
});

test('the queue, a case and the dashboard fit a phone', async () => {
  const handler = await session.signIn('handler', PHONE);
  await handler.waitForSelector('#queue-table');
  const overflow = () => handler.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(await overflow() <= 1, 'no sideways scrolling on the queue');
  await session.shot(handler, 'queue-phone');
  await go(handler, `#/case/${state.caseId}`, '.timeline');
  assert.ok(await overflow() <= 1, 'no sideways scrolling on the case page');
  await session.shot(handler, 'case-phone');
  await handler.context().close();

  const leader = await session.signIn('supervisor', PHONE);
  await leader.waitForSelector('#ranking-chart canvas');
  assert.ok(await leader.evaluate(() => document.documentElement.scrollWidth - window.innerWidth) <= 1, 'no sideways scrolling on the dashboard');
  await session.shot(leader, 'dashboard-phone');
  await leader.context().close();
});

test('no console error or uncaught exception on any page', () => {
  assert.deepEqual(session.problems, []);
});

test('the map\'s district boundary is served as GeoJSON', async () => {
  const res = await fetch(`${BASE}/geo/tongzhou-boundary.geojson`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/geo+json');
  assert.equal((await res.json()).features[0].properties.name, '通州区');
});
