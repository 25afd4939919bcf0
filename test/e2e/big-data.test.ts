/**
 * Issue 11 item 7 end to end (stubbed panel page in real Chromium, real agent and store): a session
 * holding a 200 KB string and a 3,000-item array. Ranges of 100, search "item 2999" revealing the
 * nested match, the full-value viewer with Copy / Copy as JSON / Copy as sessions.open(…) snippet
 * (the snippet run for real against the app's sessions), Escape, and ✎ after the value was fetched.
 * Screenshots: test-results/e2e/big-*.png.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, startApp } from './app.js';
import { chromiumAvailable, EXTENSION_ID, launch } from './browser.js';

const root = resolve(import.meta.dirname, '../..');
const shots = resolve(root, 'test-results/e2e');
const available = chromiumAvailable();
if (!available && process.env.CI)
  throw new Error('Chromium is missing at /usr/bin/chromium (apt-get install -y chromium)');

const BIG = `${'The quick brown fox jumps over the lazy dog. '.repeat(4551)}END`;
const LIST = Array.from({ length: 3000 }, (_, i) => `item ${i}`);

describe.skipIf(!available)('big values in the panel (Chromium)', () => {
  let app: E2eApp;
  let browser: Awaited<ReturnType<typeof launch>>;
  let page: Page;
  let panel: Page;
  let sessionKey: string;

  const row = (key: string) => panel.locator(`[data-key="${key}"] > .tree-row`).first();
  const shot = (name: string) => panel.screenshot({ path: `${shots}/${name}.png` });
  /** What a user gets on Ctrl+V: pasted into a scratch box outside the panel's UI, then read back. */
  const clipboard = async (): Promise<string> => {
    const focused = await panel.evaluateHandle(() => document.activeElement);
    await panel.evaluate(() => {
      const scratch = document.createElement('textarea');
      scratch.id = 'paste-here';
      document.body.append(scratch);
      scratch.focus();
    });
    await panel.keyboard.press('Control+V');
    const text = await panel.evaluate(() => {
      const scratch = document.getElementById('paste-here') as HTMLTextAreaElement;
      scratch.remove();
      return scratch.value;
    });
    await focused.evaluate((el) => (el as HTMLElement | null)?.focus());
    return text;
  };

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    execFileSync('npm', ['run', '-s', 'build:ui'], { cwd: root, stdio: 'ignore' });
    app = await startApp();
    browser = await launch();
    page = await browser.context.newPage();
    await page.goto(`${app.url}login?user=alice`);
    const cookie = (await browser.context.cookies(app.url)).find((c) => c.name === 'sessionid');
    sessionKey = cookie!.value;
    // The big values go in through the public API, as an app would write them.
    const session = app.sessions.open(sessionKey);
    await session.set('big', BIG);
    await session.set('list', LIST);
    await session.save();
    panel = await browser.context.newPage();
    await panel.goto(
      `chrome-extension://${EXTENSION_ID}/extension/panel.html?inspected=${encodeURIComponent(app.url)}`,
    );
    await panel
      .getByLabel('Inspector URL or token')
      .fill(`${app.origin}/__sessionscope/#token=${app.agent.token}`);
    await panel.getByRole('button', { name: 'Pair' }).click();
    await panel.getByTestId('connection-status').getByText('Connected', { exact: true }).waitFor();
    await page.goto(app.url);
    await row('list').waitFor();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('a 3,000-item array opens to 30 ranges of 100; a range opens to its 100 rows', async () => {
    expect(await row('list').textContent()).toContain('Array(3000)');
    expect(await row('big').textContent()).toMatch(/204798 chars, 200\.0 KB/);
    await row('list').locator('.twisty').click();
    const ranges = panel.locator('[data-key="list"] .range-row');
    await expect.poll(() => ranges.count()).toBe(30);
    expect(await ranges.first().textContent()).toContain('[0…99]');
    expect(await ranges.last().textContent()).toContain('[2900…2999]');
    expect(await panel.locator('[data-key="list"] .tree-row').count()).toBe(31);
    await ranges.nth(1).focus();
    await panel.keyboard.press('Enter');
    await expect.poll(() => panel.locator('[data-key="list"] .tree-row:not(.range-row)').count()).toBe(101);
    expect(await panel.locator('[data-path=\'["list",150]\']').textContent()).toContain('"item 150"');
    await shot('big-ranges');
    await ranges.nth(1).press('ArrowLeft');
    await row('list').locator('.twisty').click();
    await expect.poll(() => ranges.count()).toBe(0);
  });

  it('search "item 2999" finds the nested value and reveals it (node and range opened, on screen)', async () => {
    const search = panel.getByLabel('Search keys and values');
    await search.fill('item 2999');
    const hit = panel.locator('.tree-row.hit');
    await expect.poll(() => hit.count()).toBe(1);
    expect(await hit.textContent()).toContain('2999:"item 2999"');
    expect(await panel.getByTestId('tree-search-count').textContent()).toBe('1 match');
    expect(await panel.locator('.tree-top').count()).toBe(1);
    await expect
      .poll(() =>
        hit.evaluate((el) => {
          const box = el.getBoundingClientRect();
          return box.top >= 0 && box.bottom <= window.innerHeight;
        }),
      )
      .toBe(true);
    await shot('big-search');
    await search.fill('');
  });

  it('the viewer shows the 200 KB string whole; Copy, Copy as JSON and the snippet reach the clipboard; Escape closes', async () => {
    await row('big').hover();
    const viewButton = panel.getByLabel('View big in full');
    await viewButton.click();
    const box = panel.getByLabel('Full value of big');
    await expect.poll(() => box.inputValue().then((v) => v.length)).toBe(BIG.length);
    expect(await panel.getByTestId('viewer-size').textContent()).toMatch(
      /string · 204,798 chars · 200\.0 KB/,
    );
    await expect
      .poll(() => panel.evaluate(() => document.activeElement?.getAttribute('aria-label')))
      .toBe('Full value of big');
    await shot('big-viewer');
    await panel.getByRole('button', { name: 'Copy', exact: true }).click();
    await expect.poll(clipboard).toBe(BIG);
    await panel.getByRole('button', { name: 'Copy as JSON' }).click();
    await expect.poll(async () => JSON.parse(await clipboard()) as string).toBe(BIG);
    await panel.getByRole('button', { name: 'Copy as sessions.open(…) snippet' }).click();
    await expect.poll(clipboard).toContain('sessions.open(');
    const snippet = await clipboard();
    expect(snippet).not.toContain(sessionKey);
    await panel.keyboard.press('Escape');
    await panel.getByRole('dialog').waitFor({ state: 'detached' });
    expect(await viewButton.evaluate((el) => el === document.activeElement)).toBe(true);
    // Pasted into Node where `sessions` is the app's: the handle resolves in the app's process.
    const session = app.sessions.open(sessionKey);
    await session.set('big', 'overwritten');
    await session.save();
    const printed: unknown[] = [];
    const run = new Function(
      'sessions',
      'process',
      'console',
      `return (async () => {\n${snippet}\n})();`,
    ) as (
      sessions: unknown,
      proc: { env: Record<string, string | undefined> },
      out: { log(...args: unknown[]): void },
    ) => Promise<void>;
    await run(app.sessions, { env: {} }, { log: (...args) => printed.push(...args) });
    expect(printed).toEqual([sessionKey]);
    expect(await app.sessions.open(sessionKey).get('big')).toBe(BIG);
  });

  it('once fetched, the string keeps its ✎: the editor holds it whole and a save reaches the app', async () => {
    await expect.poll(() => row('big').textContent()).toMatch(/chars|"The quick/);
    await row('big').hover();
    await panel.getByLabel('View big in full').click();
    const box = panel.getByLabel('Full value of big');
    await expect.poll(() => box.inputValue().then((v) => v.length)).toBe(BIG.length);
    await panel.keyboard.press('Escape');
    await row('big').hover();
    await panel.getByTitle('Edit big as JSON').click();
    const editor = panel.getByLabel('JSON value of big');
    await expect.poll(() => editor.inputValue()).toBe(JSON.stringify(BIG));
    await editor.fill('"short now"');
    await panel.keyboard.press('Enter');
    await expect.poll(() => app.sessions.open(sessionKey).get('big')).toBe('short now');
  });
});
