// What the browser tests share: the server and keys that scripts/browser-test.sh prepared
// (environment), Chromium through playwright-core (installed in web/node_modules), one page per
// role signed in through the sign-in screen, a record of every console error and uncaught
// exception, the API for setting up and checking, and screenshots.

import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '../..');
const require = createRequire(path.join(root, 'web/package.json'));
const { chromium } = require('playwright-core');

function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the tests through scripts/browser-test.sh`);
  return v;
}

export const BASE = env('JIESU_URL');
export const KEYS = {
  operator: env('JIESU_KEY_OPERATOR'),
  handler: env('JIESU_KEY_HANDLER'),
  supervisor: env('JIESU_KEY_SUPERVISOR'),
  inspector: env('JIESU_KEY_INSPECTOR'),
  admin: env('JIESU_KEY_ADMIN'),
  public: env('JIESU_KEY_PUBLIC'),
};
export const HANDLER_UNIT = env('JIESU_HANDLER_UNIT');
const SHOTS = process.env.JIESU_SCREENSHOTS || path.join(root, 'build/screenshots');

export const DESKTOP = { width: 1366, height: 768 };
export const PHONE = { width: 390, height: 844 };

// The API, for setting up and checking what the screens did.
export async function api(role, route, body) {
  const res = await fetch(`${BASE}/api/v1${route}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { Authorization: `Bearer ${KEYS[role]}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json();
  if (!res.ok) throw new Error(`${route}: ${res.status} ${JSON.stringify(data)}`);
  return data;
}

// The current month in Beijing, YYYY-MM.
export function beijingMonth() {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' })
    .formatToParts(new Date()).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}`;
}

export class Session {
  constructor() {
    this.browser = null;
    this.problems = [];  // console errors and page errors nobody expected
    this.expected = [];  // [{path, status}] failed loads a test provokes on purpose
  }

  async start() {
    this.browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      // Root in CI: playwright passes --no-sandbox itself (chromiumSandbox defaults to false).
      args: ['--disable-dev-shm-usage', '--lang=zh-CN'],
    });
    mkdirSync(SHOTS, { recursive: true });
  }

  async stop() {
    if (this.browser) await this.browser.close();
  }

  // Marks one failed load of a URL containing `pathPart` as intended (an error the test provokes).
  expectFailedLoad(pathPart) {
    this.expected.push(pathPart);
  }

  watch(page, label) {
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const url = msg.location()?.url || '';
      const i = this.expected.findIndex((p) => url.includes(p));
      if (msg.text().startsWith('Failed to load resource') && i >= 0) {
        this.expected.splice(i, 1);
        return;
      }
      this.problems.push(`[${label}] console error: ${msg.text()} ${url}`);
    });
    page.on('pageerror', (e) => this.problems.push(`[${label}] uncaught: ${e.message}`));
  }

  // A new browser context (its own localStorage) with one page, not signed in.
  async page(label, viewport = DESKTOP) {
    const context = await this.browser.newContext({
      viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', deviceScaleFactor: 1,
      isMobile: viewport.width < 600, hasTouch: viewport.width < 600,
    });
    const page = await context.newPage();
    page.setDefaultTimeout(45000); // generous: the sanitizer build of jiesu is slow
    this.watch(page, label);
    return page;
  }

  // A page signed in as `role` through the sign-in form; waits for the role's home screen.
  async signIn(role, viewport = DESKTOP) {
    return this.signInWithKey(KEYS[role], role, viewport);
  }

  // The same with any key (e.g. a resident's, created through the API or a screen); `label`
  // names the page in the problems recorded.
  async signInWithKey(key, label, viewport = DESKTOP) {
    const page = await this.page(label, viewport);
    await page.goto(`${BASE}/#/login`);
    await page.fill('#login-key', key);
    await page.click('form.login button[type=submit]');
    await page.waitForSelector('#who button');
    await page.waitForSelector('#view .screen > :not(.loading)');
    return page;
  }

  async shot(page, name, { fullPage = false } = {}) {
    await page.evaluate(() => document.fonts && document.fonts.ready);
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
  }
}

export async function go(page, hash, selector) {
  await page.evaluate((h) => { location.hash = h; }, hash);
  if (selector) await page.waitForSelector(selector);
}

export async function navLabels(page) {
  return page.$$eval('#nav a', (as) => as.map((a) => a.textContent.trim()));
}

export { assert };
