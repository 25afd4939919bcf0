/** Plain Chromium (no extension) for the served inspector; devtools.md §6.7 flags. */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { REPO } from './pack.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SHOTS = join(REPO, 'test-results/package');

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
    ],
  });
}

/** Distinct colours in a sample of the screenshot's pixels, counted by the page itself. */
async function distinctColours(page: Page, png: Buffer): Promise<number> {
  return page.evaluate(async (base64) => {
    const image = new Image();
    image.src = `data:image/png;base64,${base64}`;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext('2d');
    if (!context) return 0;
    context.drawImage(image, 0, 0);
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < data.length; i += 4 * 7)
      seen.add(((data[i] ?? 0) << 16) | ((data[i + 1] ?? 0) << 8) | (data[i + 2] ?? 0));
    return seen.size;
  }, png.toString('base64'));
}

/**
 * Opens the agent's inspector URL, waits for the connection and for `user` = the expected value
 * in the session tree, saves a screenshot and asserts it is not blank.
 */
export async function inspectorShowsUser(
  browser: Browser,
  url: string,
  user: string,
  name: string,
): Promise<void> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 760 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  try {
    // Logged in from this browser: the inspector shows the session whose cookie its page carries.
    const login = await context.request.post(new URL(`/login?user=${user}`, url).href, { maxRedirects: 0 });
    expect(login.status()).toBe(302);
    await page.goto(url);
    await expect
      .poll(() => page.getByTestId('connection-status').textContent(), { timeout: 10_000 })
      .toBe('Connected');
    // The session's contents as the page renders them: `user : "<name>"`.
    // "Follow latest": the inspector shows the session of the app's next request.
    expect((await context.request.get(new URL('/', url).href)).status()).toBe(200);
    const expected = `user : "${user}"`;
    await page
      .waitForFunction((text) => document.body.innerText.replace(/\s+/g, ' ').includes(text), expected, {
        timeout: 20_000,
      })
      .catch(async (error: Error) => {
        const shown = await page.evaluate(() => document.body.innerText.replace(/\s+/g, ' '));
        throw new Error(`the inspector never showed ${expected}; it shows: ${shown.slice(0, 1500)}`, {
          cause: error,
        });
      });
    mkdirSync(SHOTS, { recursive: true });
    const png = await page.screenshot({ path: join(SHOTS, `${name}.png`) });
    expect(await distinctColours(page, png)).toBeGreaterThan(8);
  } finally {
    await context.close();
  }
}

/** The "All sessions" tab lists at least one session (the standalone `sessionscope inspect`). */
export async function inspectorListsSessions(browser: Browser, url: string, name: string): Promise<number> {
  const page = await browser.newPage({ viewport: { width: 1000, height: 760 } });
  try {
    await page.goto(url);
    await expect
      .poll(() => page.getByTestId('connection-status').textContent(), { timeout: 10_000 })
      .toBe('Connected');
    await page.getByRole('tab', { name: /All sessions/ }).click();
    await page.locator('table.sessions tbody tr').first().waitFor({ timeout: 10_000 });
    mkdirSync(SHOTS, { recursive: true });
    const png = await page.screenshot({ path: join(SHOTS, `${name}.png`) });
    expect(await distinctColours(page, png)).toBeGreaterThan(8);
    return await page.locator('table.sessions tbody tr').count();
  } finally {
    await page.close();
  }
}
