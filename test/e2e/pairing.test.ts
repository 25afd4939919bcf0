/**
 * Pairing in real Chromium against a real app and agent: the companion inspector refused with a
 * wrong or changed token shows one prompt and takes the new URL in its pairing form (U11).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, startApp } from './app.js';
import { chromiumAvailable, launch } from './browser.js';

const root = resolve(import.meta.dirname, '../..');
const shots = resolve(root, 'test-results/e2e');
const available = chromiumAvailable();
if (!available && process.env.CI)
  throw new Error('Chromium is missing at /usr/bin/chromium (apt-get install -y chromium)');

describe.skipIf(!available)('pairing in Chromium', () => {
  let app: E2eApp;
  let browser: Awaited<ReturnType<typeof launch>>;
  let context: BrowserContext;

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    execFileSync('npm', ['run', '-s', 'build:ui'], { cwd: root, stdio: 'ignore' });
    app = await startApp();
    browser = await launch();
    context = browser.context;
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  const status = (page: Page) => page.getByTestId('connection-status').textContent();

  it('U11 the inspector: a wrong token gets the pairing form; a restart with a new token gets one "changed" prompt', async () => {
    const inspector = await context.newPage();
    await inspector.goto(`${app.origin}/__sessionscope/#token=wrong-token-0123456789abcdef`);
    await expect.poll(() => inspector.locator('.doctor').textContent()).toContain('Token refused');
    await inspector
      .getByLabel('Inspector URL or token')
      .fill(`${app.origin}/__sessionscope/#token=${app.agent.token}`);
    await inspector.getByRole('button', { name: 'Pair' }).click();
    await expect.poll(() => status(inspector)).toBe('Connected');
    // The fragment now holds the token that works, so a reload stays paired.
    expect(await inspector.evaluate(() => location.hash)).toBe(`#token=${app.agent.token}`);

    const attempts: string[] = [];
    inspector.on('websocket', (ws) => attempts.push(ws.url()));
    await app.restartAgent();
    await expect
      .poll(() => inspector.locator('.doctor').textContent())
      .toContain('The agent’s token changed');
    expect(await status(inspector)).toBe('Not connected');
    const tries = attempts.length;
    await inspector.waitForTimeout(1500);
    expect(attempts.length, 'no reconnect loop once the token is refused').toBe(tries);
    expect(attempts.every((url) => !url.includes('token'))).toBe(true);
    // The prompt leaves the caret in the pairing field, empty (the old URL's token is dead).
    expect(await inspector.getByLabel('Inspector URL or token').inputValue()).toBe('');
    expect(await inspector.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      'Inspector URL or token',
    );
    await inspector.screenshot({ path: `${shots}/inspector-token-changed.png` });
    await inspector.getByLabel('Inspector URL or token').fill(app.agent.token);
    await inspector.getByRole('button', { name: 'Pair again' }).click();
    await expect.poll(() => status(inspector)).toBe('Connected');
    await inspector.reload();
    await expect.poll(() => status(inspector)).toBe('Connected');
    await inspector.close();
  });
});
