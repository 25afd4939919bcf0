/**
 * Pairing and navigation in real Chromium against real apps and agents: the companion inspector
 * refused with a wrong or changed token shows one prompt and takes the new URL in its pairing form
 * (U11); the panel (DevTools APIs stubbed) follows the inspected tab from one site to another, each
 * with its own agent and pairing, and to a site with none (U12).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
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

describe.skipIf(!available)('pairing in Chromium', () => {
  let app: E2eApp;
  /** A second site with its own agent, at 127.0.0.1 so its cookie does not collide with localhost's. */
  let other: E2eApp;
  let otherOrigin: string;
  /** A site without any agent. */
  let bare: Server;
  let bareOrigin: string;
  let browser: Awaited<ReturnType<typeof launch>>;
  let context: BrowserContext;

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    execFileSync('npm', ['run', '-s', 'build:ui'], { cwd: root, stdio: 'ignore' });
    app = await startApp();
    other = await startApp();
    otherOrigin = other.origin.replace('localhost', '127.0.0.1');
    bare = createServer((_req, res) =>
      res.writeHead(404, { 'content-type': 'text/html' }).end('<p>no agent here</p>'),
    );
    await new Promise<void>((done) => bare.listen(0, '127.0.0.1', () => done()));
    bareOrigin = `http://127.0.0.1:${(bare.address() as { port: number }).port}`;
    browser = await launch();
    context = browser.context;
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await other?.close();
    await new Promise((done) => bare?.close(done));
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

  it('U12 the panel follows the inspected tab to another site: its agent, its pairing, or "no agent on this origin"', async () => {
    const page = await context.newPage();
    const panel = await context.newPage();
    const row = (key: string) => panel.locator(`[data-key="${key}"] > .tree-row`).first();
    const doctor = () => panel.locator('.doctor').textContent();
    const navigate = (url: string) =>
      panel.evaluate((to) => (globalThis as unknown as { __navigate(u: string): void }).__navigate(to), url);
    await panel.goto(
      `chrome-extension://${EXTENSION_ID}/extension/panel.html?inspected=${encodeURIComponent(app.url)}`,
    );
    await expect.poll(doctor).toContain('Not paired yet');
    await panel
      .getByLabel('Inspector URL or token')
      .fill(`${app.origin}/__sessionscope/#token=${app.agent.token}`);
    await panel.getByRole('button', { name: 'Pair' }).click();
    await expect.poll(() => status(panel)).toBe('Connected');
    await page.goto(`${app.url}login?user=alice`);
    await expect.poll(() => row('user').textContent()).toContain('"alice"');

    // To the other site: alice's session must go at once; that agent is found but not paired yet.
    await page.goto(`${otherOrigin}/`);
    await navigate(`${otherOrigin}/`);
    await expect.poll(doctor).toContain(`Agent found at ${otherOrigin}`);
    expect(await row('user').count()).toBe(0);
    expect(await panel.locator('.conn-line').textContent()).toContain(otherOrigin);
    await panel.getByLabel('Inspector URL or token').fill(other.agent.token);
    await panel.getByRole('button', { name: 'Pair' }).click();
    await expect.poll(() => status(panel)).toBe('Connected');
    await page.goto(`${otherOrigin}/login?user=bob`);
    await expect.poll(() => row('user').textContent()).toContain('"bob"');
    expect(await panel.locator('.cookie-grid').textContent()).toContain('127.0.0.1');
    await panel.screenshot({ path: `${shots}/panel-other-origin.png` });

    // A site with no agent: said, with the doctor's fix, and nothing of bob's session left.
    await page.goto(`${bareOrigin}/`);
    await navigate(`${bareOrigin}/`);
    await expect.poll(doctor).toContain('No agent on this origin');
    expect(await doctor()).toContain('attachAgent');
    expect(await row('user').count()).toBe(0);
    await panel.screenshot({ path: `${shots}/panel-no-agent.png` });

    // Back to the first site: its remembered pairing connects by itself and alice is back.
    await page.goto(app.url);
    await navigate(app.url);
    await expect.poll(() => status(panel)).toBe('Connected');
    await expect.poll(() => row('user').textContent()).toContain('"alice"');
    await panel.close();
    await page.close();
  });

  it('an origin outside the extension\'s host access (shop.localhost): "grant access" with the button, not "no agent"', async () => {
    const panel = await context.newPage();
    const shop = `http://shop.localhost:${new URL(app.origin).port}`;
    await panel.goto(
      `chrome-extension://${EXTENSION_ID}/extension/panel.html?inspected=${encodeURIComponent(`${shop}/`)}`,
    );
    const doctor = panel.locator('.doctor');
    await expect.poll(() => doctor.textContent()).toContain('No access to this origin yet');
    expect(await doctor.textContent()).not.toContain('No agent on this origin');
    expect(await doctor.getByRole('button', { name: `Grant access to ${shop}` }).count()).toBe(1);
    // Pairing by pasting still works meanwhile: the WebSocket needs no host access.
    expect(await panel.getByLabel('Inspector URL or token').count()).toBe(1);
    await panel.screenshot({ path: `${shots}/panel-no-access.png` });
    await panel.close();
  });

  it('the browser cookie itself: edited and deleted from the cookie pane through the cookies API', async () => {
    const page = await context.newPage();
    const panel = await context.newPage();
    const grid = panel.locator('.cookie-grid');
    const jar = async () => (await context.cookies(app.url)).find((c) => c.name === 'sessionid');
    // The pairing for this origin is remembered from the test above: it connects by itself.
    await panel.goto(
      `chrome-extension://${EXTENSION_ID}/extension/panel.html?inspected=${encodeURIComponent(app.url)}`,
    );
    await expect.poll(() => status(panel)).toBe('Connected');
    await page.goto(`${app.url}login?user=carol`);
    await expect
      .poll(() => panel.locator('[data-key="user"] > .tree-row').first().textContent())
      .toContain('"carol"');
    const key = (await jar())?.value;

    await panel.getByRole('button', { name: 'edit cookie' }).click();
    await panel.getByLabel('Cookie SameSite').selectOption('strict');
    await panel.getByRole('button', { name: 'Save cookie' }).click();
    await expect.poll(async () => (await jar())?.sameSite).toBe('Strict');
    expect((await jar())?.value).toBe(key);
    await expect
      .poll(() => grid.locator('tr', { hasText: 'SameSite' }).textContent())
      .toBe('SameSiteStrictLax');
    await panel.screenshot({ path: `${shots}/panel-cookie-edited.png` });

    await panel.getByRole('button', { name: 'delete cookie' }).click();
    await panel.getByRole('button', { name: 'Delete cookie' }).click();
    await expect.poll(jar).toBeUndefined();
    await expect.poll(() => grid.locator('thead').textContent()).toContain('Browser (no cookie)');
    await page.goto(app.url);
    expect(await page.locator('#user').textContent()).toBe('anonymous');
    // Only the browser forgot it: the server's session is still in the store.
    const listed = await app.sessions.store.list!({ cursor: null, limit: 50 });
    expect(listed.items.some((record) => record.key === key)).toBe(true);
    await panel.close();
    await page.close();
  });
});
