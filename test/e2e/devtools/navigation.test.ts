/**
 * U12 in Chromium's real DevTools: the inspected tab goes from one site to another (its own agent,
 * its own pairing), to a site with no agent, and back; DevTools' own onNavigated drives the panel.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
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

describe.skipIf(!available)('E2E real DevTools: the panel follows the inspected tab across sites', () => {
  let first: E2eApp;
  let second: E2eApp;
  /** The second site at 127.0.0.1, so its cookie does not collide with the first's (localhost). */
  let secondOrigin: string;
  let bare: Server;
  let bareOrigin: string;
  let chrome: RealDevTools;
  let page: Page;
  let panel: Frame;

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    execFileSync('npm', ['run', '-s', 'build:ui'], { cwd: root, stdio: 'ignore' });
    first = await startApp();
    second = await startApp();
    secondOrigin = second.origin.replace('localhost', '127.0.0.1');
    bare = createServer((_req, res) =>
      res.writeHead(404, { 'content-type': 'text/html' }).end('<p>no agent</p>'),
    );
    await new Promise<void>((done) => bare.listen(0, '127.0.0.1', () => done()));
    bareOrigin = `http://127.0.0.1:${(bare.address() as { port: number }).port}`;
    chrome = await launchWithDevTools();
    page = chrome.page;
  }, 120_000);

  afterAll(async () => {
    await chrome?.close();
    await first?.close();
    await second?.close();
    await new Promise((done) => bare?.close(done));
  });

  it('E2E-DT navigation: another site’s agent and pairing, "No agent on this origin", and back', async () => {
    const row = (key: string) => panel.locator(`[data-key="${key}"] > .tree-row`).first();
    const doctor = () => panel.locator('.doctor').textContent();
    const status = () => panel.getByTestId('connection-status').textContent();
    await page.goto(first.url);
    panel = await chrome.openPanel();
    await expect.poll(doctor).toContain('Agent found at');
    await panel
      .getByLabel('Inspector URL or token')
      .fill(`${first.origin}/__sessionscope/#token=${first.agent.token}`);
    await panel.getByRole('button', { name: 'Pair' }).click();
    await expect.poll(status).toBe('Connected');
    await page.goto(`${first.url}login?user=alice`);
    await expect.poll(() => row('user').textContent(), { timeout: 10_000 }).toContain('"alice"');

    await page.goto(`${secondOrigin}/`);
    await expect.poll(doctor, { timeout: 10_000 }).toContain(`Agent found at ${secondOrigin}`);
    expect(await row('user').count()).toBe(0);
    await panel.getByLabel('Inspector URL or token').fill(second.agent.token);
    await panel.getByRole('button', { name: 'Pair' }).click();
    await expect.poll(status).toBe('Connected');
    await page.goto(`${secondOrigin}/login?user=bob`);
    await expect.poll(() => row('user').textContent(), { timeout: 10_000 }).toContain('"bob"');

    await page.goto(`${bareOrigin}/`);
    await expect.poll(doctor, { timeout: 10_000 }).toContain('No agent on this origin');
    expect(await row('user').count()).toBe(0);
    const path = `${shots}/navigation-no-agent.png`;
    await chrome.devtools.screenshot({ path });
    assertNotBlank(path);

    await page.goto(first.url);
    await expect.poll(status, { timeout: 10_000 }).toBe('Connected');
    await expect.poll(() => row('user').textContent(), { timeout: 10_000 }).toContain('"alice"');
  });
});
