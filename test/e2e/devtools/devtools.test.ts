/**
 * The acceptance run: the Sessions panel inside Chromium's real DevTools (not a stubbed extension
 * page), opened through DevTools' own InspectorView, against a real app with the agent attached.
 * Screenshots of the whole DevTools window go to test-results/devtools/ and are checked non-blank;
 * `UPDATE_SCREENSHOTS=1` also refreshes the README image docs/img/panel.png.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, startApp } from '../app.js';
import { chromiumAvailable } from '../browser.js';
import { launchWithDevTools, type RealDevTools } from './real-devtools.js';
import { assertNotBlank } from './screenshot.js';

const root = resolve(import.meta.dirname, '../../..');
const shots = resolve(root, 'test-results/devtools');
const available = chromiumAvailable();
if (!available && process.env.CI)
  throw new Error('Chromium is missing at /usr/bin/chromium (apt-get install -y chromium)');

describe.skipIf(!available)('E2E real DevTools: the Sessions panel inside Chromium DevTools', () => {
  let app: E2eApp;
  let chrome: RealDevTools;
  let page: Page;
  let panel: Frame;

  const row = (key: string) => panel.locator(`[data-key="${key}"] > .tree-row`).first();
  const appText = async (id: string) => {
    await page.goto(app.url);
    return page.locator(`#${id}`).textContent();
  };
  const jarCookie = async () =>
    (await page.context().cookies(app.url)).find((c) => c.name === 'sessionid')?.value;
  const shot = async (name: string) => {
    const path = `${shots}/${name}.png`;
    // The DevTools window is docked right of the (unpainted) page area: keep DevTools only.
    const box = await (await panel.frameElement()).boundingBox();
    const size = await chrome.devtools.evaluate(() => ({ width: innerWidth, height: innerHeight }));
    const clip = box ? { x: box.x, y: 0, width: size.width - box.x, height: size.height } : undefined;
    await chrome.devtools.screenshot({ path, ...(clip ? { clip } : {}) });
    assertNotBlank(path);
    return path;
  };

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    execFileSync('npm', ['run', '-s', 'build:ui'], { cwd: root, stdio: 'ignore' });
    app = await startApp();
    chrome = await launchWithDevTools();
    page = chrome.page;
  }, 120_000);

  afterAll(async () => {
    await chrome?.close();
    await app?.close();
  });

  it('E2E-DT pair: the panel opened from DevTools finds the agent and pairs with the token', async () => {
    await page.goto(app.url);
    panel = await chrome.openPanel();
    await expect.poll(() => panel.locator('.doctor').textContent()).toContain('Agent found at');
    await panel
      .getByLabel('Inspector URL or token')
      .fill(`${app.origin}/__sessionscope/#token=${app.agent.token}`);
    await panel.getByRole('button', { name: 'Pair' }).click();
    await expect.poll(() => panel.getByTestId('connection-status').textContent()).toBe('Connected');
    // U13: the doctor's probe carries the token in a header (no ?token=), which an extension page may send.
    const report = await panel.evaluate(
      async ([url, token]) =>
        (await fetch(url!, { headers: { 'x-sessionscope-protocol': `sessionscope.token.${token}` } })).json(),
      [`${app.origin}/__sessionscope/ws`, app.agent.token],
    );
    expect(report).toMatchObject({ ok: true });
  });

  it('E2E-DT login: logging in on the page shows the session, its cookie and expiry', async () => {
    await page.goto(`${app.url}login?user=alice`);
    expect(await page.locator('#user').textContent()).toBe('alice');
    await expect.poll(() => row('user').textContent(), { timeout: 10_000 }).toContain('"alice"');
    const grid = panel.locator('.cookie-grid');
    await expect.poll(() => grid.locator('tr', { hasText: 'HttpOnly' }).textContent()).toBe('HttpOnly✓✓');
    await shot('session');
  });

  it('E2E-DT edit: a value edited in the panel shows on the page after reload', async () => {
    await row('user').hover();
    await panel.getByTitle('Edit user as JSON').click();
    await panel.getByLabel('JSON value of user').fill('"bob"');
    await panel.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => row('user').textContent()).toContain('"bob"');
    expect(await appText('user')).toBe('bob');
    await row('cart').click();
    await row('cart').press('ArrowRight');
    // U10: only the content scrolls; the connection bar and tabs stay in view.
    expect(await panel.evaluate(() => document.scrollingElement?.scrollTop ?? 0)).toBe(0);
    // The README image: the cookie pane from its top (a hint, when the edit came late enough to
    // give one, whole), the edited contents below it.
    await panel.locator('.cookie-grid').evaluate((grid) => grid.closest('section')?.scrollIntoView());
    const path = await shot('edited');
    if (process.env.UPDATE_SCREENSHOTS) copyFileSync(path, resolve(root, 'docs/img/panel.png'));
  });

  it('E2E-DT cycle key: still logged in, with a new key in the cookie and the panel on the new handle', async () => {
    const before = await jarCookie();
    const handle = await panel.getByTestId('session-handle').textContent();
    await panel.getByRole('button', { name: 'Cycle key' }).click();
    await expect.poll(() => panel.getByTestId('session-handle').textContent()).not.toBe(handle);
    await expect.poll(jarCookie).not.toBe(before);
    expect(await appText('user')).toBe('bob');
    await page.reload();
    expect(await page.locator('#user').textContent()).toBe('bob');
    await expect.poll(() => row('user').textContent()).toContain('"bob"');
    expect(await panel.getByTestId('session-gone').count()).toBe(0);
  });

  it('E2E-DT timeline: POST → 303 → GET stays in the timeline without Preserve log', async () => {
    await page.goto(app.url);
    await panel.getByRole('tab', { name: /Timeline/ }).click();
    await page.locator('#add').click();
    await page.waitForURL(app.url);
    await panel.getByRole('tab', { name: /Timeline/ }).click();
    const groups = panel.locator('.request-head');
    await expect
      .poll(() => groups.allTextContents(), { timeout: 10_000 })
      .toEqual(
        expect.arrayContaining([expect.stringContaining('POST /cart'), expect.stringContaining('GET /')]),
      );
    const texts = await groups.allTextContents();
    expect(texts.findIndex((t) => t.includes('POST /cart'))).toBeLessThan(
      texts.findLastIndex((t) => t.includes('GET /')),
    );
    expect(await panel.getByLabel('Preserve log').isChecked()).toBe(false);
    await shot('timeline');
    await panel.getByRole('tab', { name: /Session/ }).click();
  });

  it('E2E-DT flush: the next request is anonymous and the cookie is gone', async () => {
    await panel.getByRole('button', { name: 'Flush…' }).click();
    await panel.getByRole('button', { name: 'Flush now' }).click();
    await panel.getByTestId('session-gone').waitFor();
    expect(await appText('user')).toBe('anonymous');
    expect(await jarCookie()).toBeUndefined();
  });

  it('E2E-DT expiry: 5 s and a clock jump expire the session with the reason; the cookie goes', async () => {
    await page.goto(`${app.url}login?user=erin`);
    await expect.poll(() => row('user').textContent(), { timeout: 10_000 }).toContain('"erin"');
    await panel.getByLabel('Seconds', { exact: true }).fill('5');
    await panel.getByRole('button', { name: 'Set expiry' }).click();
    await expect.poll(() => panel.getByTestId('expiry-policy').textContent()).toContain('after idle seconds');
    await panel.getByRole('button', { name: '+1 min' }).click();
    await panel.getByTestId('expired-reason').waitFor();
    expect(await panel.getByTestId('expired-reason').textContent()).toMatch(/clock-travel/);
    await shot('expired');
    expect(await appText('user')).toBe('anonymous');
    expect(await jarCookie()).toBeUndefined();
    await panel.getByRole('button', { name: 'Reset to real time' }).click();
    await panel.getByTestId('clock-banner').waitFor({ state: 'detached' });
  });

  it('E2E-DT theme: switching DevTools to dark restyles the panel without a reload', async () => {
    const background = () => panel.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = await background();
    await chrome.inDevTools(
      `import('./core/common/common.js').then((m) => m.Settings.Settings.instance().moduleSetting('ui-theme').set('dark'))`,
    );
    await expect.poll(() => panel.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    expect(await background()).not.toBe(light);
    await shot('dark');
    await chrome.inDevTools(
      `import('./core/common/common.js').then((m) => m.Settings.Settings.instance().moduleSetting('ui-theme').set('default'))`,
    );
  });
});
