/**
 * End to end in real Chromium with the unpacked extension: the panel page (DevTools APIs stubbed,
 * since DevTools itself cannot be automated) and the companion inspector, against a real app with
 * the agent attached. Screenshots go to test-results/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, startApp } from './app.js';
import { chromiumAvailable, EXTENSION_ID, launch } from './browser.js';

const root = resolve(import.meta.dirname, '../..');
const shots = resolve(root, 'test-results/e2e');
const available = chromiumAvailable();
if (!available && process.env.CI)
  throw new Error('Chromium is missing at /usr/bin/chromium (apt-get install -y chromium)');

describe.skipIf(!available)('DevTools panel and inspector in Chromium', () => {
  let app: E2eApp;
  let browser: Awaited<ReturnType<typeof launch>>;
  let context: BrowserContext;
  let page: Page;
  let panel: Page;

  const appText = async (id: string) => {
    await page.goto(app.url);
    return page.locator(`#${id}`).textContent();
  };
  const sessionCookie = async () => (await context.cookies(app.url)).find((c) => c.name === 'sessionid');
  const shot = (name: string, target: Page = panel) => target.screenshot({ path: `${shots}/${name}.png` });
  const row = (key: string) => panel.locator(`[data-key="${key}"] > .tree-row`).first();

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    execFileSync('npm', ['run', '-s', 'build:ui'], { cwd: root, stdio: 'ignore' });
    app = await startApp();
    browser = await launch();
    context = browser.context;
    page = await context.newPage();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('loads the extension under the id pinned by the manifest key, and the devtools page registers the panel', async () => {
    expect(browser.extensionId).toBe(EXTENSION_ID);
    const devtools = await context.newPage();
    await devtools.goto(`chrome-extension://${EXTENSION_ID}/extension/devtools.html`);
    await expect
      .poll(() => devtools.evaluate(() => (globalThis as unknown as { __panels: string[][] }).__panels))
      .toEqual([['Sessions', 'extension/icons/icon-16.png', 'extension/panel.html']]);
    await devtools.close();
  });

  it('pairs, then shows the logged-in session with its cookie attributes and expiry', async () => {
    panel = await context.newPage();
    await panel.goto(
      `chrome-extension://${EXTENSION_ID}/extension/panel.html?inspected=${encodeURIComponent(app.url)}`,
    );
    await panel.locator('.doctor').waitFor();
    await expect.poll(() => panel.locator('.doctor').textContent()).toContain('Agent found at');
    expect(await panel.locator('.doctor').textContent()).toContain('Not paired yet');
    await panel
      .getByLabel('Inspector URL or token')
      .fill(`${app.origin}/__sessionscope/#token=${app.agent.token}`);
    await panel.getByRole('button', { name: 'Pair' }).click();
    await expect.poll(() => panel.getByTestId('connection-status').textContent()).toBe('Connected');
    await page.goto(`${app.url}login?user=alice`);
    expect(await page.locator('#user').textContent()).toBe('alice');
    await row('user').waitFor();
    expect(await row('user').textContent()).toContain('"alice"');
    const grid = panel.locator('.cookie-grid');
    await expect.poll(() => grid.locator('tr', { hasText: 'HttpOnly' }).textContent()).toBe('HttpOnly✓✓');
    expect(await grid.locator('tr', { hasText: 'Name' }).first().textContent()).toBe(
      'Namesessionidsessionid',
    );
    expect(await grid.locator('tr', { hasText: 'SameSite' }).textContent()).toBe('SameSiteLaxLax');
    expect(await panel.getByTestId('countdown').textContent()).toMatch(/13d 23h 59m left|14d 0h 0m left/);
    await shot('panel-session');
  });

  it('U10 layout at 480 px (DevTools docked right): no horizontal overflow on any tab', async () => {
    await panel.setViewportSize({ width: 480, height: 700 });
    const overflow = () =>
      panel.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    for (const tab of [/Session/, /Timeline/, /All sessions/]) {
      await panel.getByRole('tab', { name: tab }).click();
      expect(await overflow(), `horizontal overflow on ${tab}`).toBe(0);
    }
    await panel.getByRole('tab', { name: /Session/ }).click();
    await shot('panel-480');
    await panel.setViewportSize({ width: 1000, height: 760 });
  });

  it('U9 focus is visible: every control reached with Tab shows an outline, and link buttons look like links', async () => {
    await panel.getByRole('tab', { name: /Session/ }).click();
    await panel.locator('body').click({ position: { x: 2, y: 2 } });
    const seen: string[] = [];
    for (let i = 0; i < 25; i++) {
      await panel.keyboard.press('Tab');
      const focused = await panel.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return null;
        const style = getComputedStyle(el);
        return {
          tag: el.tagName,
          text: el.textContent?.trim().slice(0, 20) ?? '',
          outline: style.outlineStyle,
        };
      });
      if (!focused || !/^(BUTTON|INPUT|SELECT)$/.test(focused.tag)) continue;
      seen.push(focused.tag);
      expect(focused.outline, `${focused.tag} "${focused.text}" has no focus outline`).toBe('solid');
    }
    expect(seen.length).toBeGreaterThan(3);
    const link = await panel
      .locator('button.link')
      .first()
      .evaluate((el) => {
        const style = getComputedStyle(el);
        return { background: style.backgroundColor, border: style.borderTopWidth };
      });
    expect(link).toEqual({ background: 'rgba(0, 0, 0, 0)', border: '0px' });
    // The row's ✎ and ✕ sit beside the value (not at the far edge) and show without a hover.
    await panel.mouse.move(0, 0);
    const place = await row('user').evaluate((el) => {
      const value = el.querySelector('.value')!.getBoundingClientRect();
      const edit = el.querySelector('button[title="Edit user as JSON"]')!;
      const actions = edit.closest('.row-actions')!;
      return {
        gap: edit.getBoundingClientRect().left - value.right,
        rowRight: el.getBoundingClientRect().right,
        editRight: edit.getBoundingClientRect().right,
        opacity: Number(getComputedStyle(actions).opacity),
      };
    });
    expect(place.gap).toBeGreaterThanOrEqual(0);
    expect(place.gap).toBeLessThan(40);
    expect(place.rowRight - place.editRight).toBeGreaterThan(100);
    expect(place.opacity).toBeGreaterThan(0.3);
    await row('user').focus();
    expect(
      await row('user').evaluate((el) => Number(getComputedStyle(el.querySelector('.row-actions')!).opacity)),
    ).toBe(1);
  });

  it('edits a value in the panel and the app renders it on reload', async () => {
    await row('user').hover();
    await panel.getByTitle('Edit user as JSON').click();
    await panel.getByLabel('JSON value of user').fill('"bob');
    await panel.getByRole('button', { name: 'Save' }).click();
    expect(await panel.locator('.inline-error').textContent()).toMatch(/Invalid JSON/);
    await panel.getByLabel('JSON value of user').fill('"bob"');
    await panel.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => row('user').textContent()).toContain('"bob"');
    expect(await appText('user')).toBe('bob');
    await panel.getByLabel('New key').fill('theme');
    await panel.getByLabel('New value (JSON)').fill('"dark"');
    await panel.getByRole('button', { name: 'Add' }).click();
    await expect.poll(() => appText('theme')).toBe('dark');
    await row('cart').click();
    await row('cart').press('ArrowRight');
    // The README image comes from the real-DevTools run only (test/e2e/devtools, UPDATE_SCREENSHOTS=1).
    await shot('panel-edited');
  });

  it('U11 the agent gone mid-edit: writes disabled with the reason, the typed value kept; back, it resyncs and saves', async () => {
    await row('user').hover();
    await panel.getByTitle('Edit user as JSON').click();
    await panel.getByLabel('JSON value of user').fill('"offline bob"');
    await app.stopAgent();
    await expect.poll(() => panel.getByTestId('connection-status').textContent()).toBe('Reconnecting…');
    await panel.getByTestId('offline-note').waitFor();
    for (const name of ['Save', 'Cycle key', 'Flush…', 'Set expiry', 'Expire now', 'Add'])
      expect(await panel.getByRole('button', { name, exact: true }).isDisabled(), name).toBe(true);
    expect(await panel.getByLabel('Pop user').isDisabled()).toBe(true);
    expect(await panel.getByRole('button', { name: 'Save' }).getAttribute('title')).toMatch(
      /Not connected to the agent: writes are off until it reconnects/,
    );
    await panel.getByLabel('JSON value of user').press('Enter');
    expect(await panel.locator('.editor .inline-error').textContent()).toMatch(/Nothing was sent/);
    await shot('panel-offline');
    // The app edits the session while the agent is away: the panel must resync, not keep its old view.
    const key = (await sessionCookie())!.value;
    const s = app.sessions.open(key);
    await s.set('theme', 'sepia');
    await s.save();
    app.startAgent();
    await expect
      .poll(() => panel.getByTestId('connection-status').textContent(), { timeout: 15_000 })
      .toBe('Connected');
    await panel.getByTestId('offline-note').waitFor({ state: 'detached' });
    await expect.poll(() => row('theme').textContent()).toContain('"sepia"');
    expect(await panel.getByLabel('JSON value of user').inputValue()).toBe('"offline bob"');
    await panel.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => appText('user')).toBe('offline bob');
  });

  it('pops a key, then flushes: the next request is anonymous and the cookie is deleted', async () => {
    await row('theme').hover();
    await panel.getByLabel('Pop theme').click();
    await expect.poll(() => appText('theme')).toBe('none');
    expect(await sessionCookie()).toBeDefined();
    await panel.getByRole('button', { name: 'Flush…' }).click();
    expect(await panel.getByRole('dialog', { name: 'Confirm flush' }).textContent()).toMatch(/user, cart/);
    await panel.getByRole('button', { name: 'Flush now' }).click();
    await panel.getByTestId('session-gone').waitFor();
    expect(await appText('user')).toBe('anonymous');
    expect(await sessionCookie()).toBeUndefined();
  });

  it('sets expiry to 5 s, travels the clock: the panel shows why it expired and the next response deletes the cookie', async () => {
    await page.goto(`${app.url}login?user=erin`);
    await panel.getByRole('tab', { name: /Session/ }).click();
    await expect.poll(() => row('user').textContent()).toContain('"erin"');
    await panel.getByLabel('Seconds', { exact: true }).fill('5');
    await panel.getByRole('button', { name: 'Set expiry' }).click();
    await expect.poll(() => panel.getByTestId('expiry-policy').textContent()).toContain('after idle seconds');
    await panel.getByRole('button', { name: '+1 min' }).click();
    await panel.getByTestId('clock-banner').waitFor();
    await panel.getByTestId('expired-reason').waitFor();
    expect(await panel.getByTestId('expired-reason').textContent()).toMatch(/expir|clock-travel/);
    await shot('panel-expired');
    expect(await sessionCookie()).toBeDefined();
    expect(await appText('user')).toBe('anonymous');
    expect(await sessionCookie()).toBeUndefined();
    await panel.getByRole('tab', { name: /Timeline/ }).click();
    await shot('panel-timeline');
    await panel.getByRole('button', { name: 'Reset to real time' }).click();
    await panel.getByTestId('clock-banner').waitFor({ state: 'detached' });
  });

  it('does the same in the companion inspector, without the extension; U1 its Cycle key keeps the visitor logged in', async () => {
    await page.goto(`${app.url}login?user=carol`);
    const inspector = await context.newPage();
    await inspector.goto(`${app.origin}/__sessionscope/#token=${app.agent.token}`);
    await expect.poll(() => inspector.getByTestId('connection-status').textContent()).toBe('Connected');
    const inspectorRow = (key: string) => inspector.locator(`[data-key="${key}"] > .tree-row`).first();
    await expect.poll(() => inspectorRow('user').textContent()).toContain('"carol"');
    expect(await inspector.locator('.cookie-grid thead').textContent()).toContain('open the DevTools panel');
    await inspectorRow('user').hover();
    await inspector.getByTitle('Edit user as JSON').click();
    await inspector.getByLabel('JSON value of user').fill('"dave"');
    await inspector.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => appText('user')).toBe('dave');
    // U1 from the inspector (no cookies API): the browser still holds the old key; the agent carries
    // it forward once, so the next page is still logged in and its response sets the new key.
    const before = (await sessionCookie())!.value;
    const handle = await inspector.getByTestId('session-handle').textContent();
    await inspector.getByRole('button', { name: 'Cycle key' }).click();
    await expect.poll(() => inspector.getByTestId('session-handle').textContent()).not.toBe(handle);
    expect((await sessionCookie())!.value).toBe(before);
    expect(await appText('user')).toBe('dave');
    const after = (await sessionCookie())!.value;
    expect(after).not.toBe(before);
    expect(await appText('user')).toBe('dave');
    const stale = await fetch(app.url, { headers: { cookie: `sessionid=${before}` } });
    expect(await stale.text()).toContain('anonymous');
    await inspector.getByRole('tab', { name: /All sessions/ }).click();
    await inspector.locator('table.sessions tbody tr').first().waitFor();
    await shot('inspector-sessions', inspector);
    await inspector.close();
  });
});
