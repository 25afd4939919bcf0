/**
 * Chromium with real DevTools: the unpacked extension, `--auto-open-devtools-for-tabs`, new headless
 * (DevTools' UI renders there, docked right, so no Xvfb is needed), driven over CDP. Playwright's
 * connectOverCDP lists the `devtools://devtools/…` page as a page; the extension panel is an
 * out-of-process iframe inside it, which Playwright drives as a Frame.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Frame, type Page } from 'playwright-core';
import { CHROMIUM, EXTENSION_DIR, EXTENSION_ID } from '../browser.js';
import { removeBrowserProfile } from '../../helpers/browser-profile.js';

/** The id DevTools gives an extension panel: the extension origin followed by the panel title. */
export const PANEL_ID = `chrome-extension://${EXTENSION_ID}Sessions`;

export interface RealDevTools {
  browser: Browser;
  /** The inspected tab. */
  page: Page;
  /** The DevTools window docked to it. */
  devtools: Page;
  /** Opens "Sessions" through DevTools' own InspectorView and returns the panel's frame. */
  openPanel(): Promise<Frame>;
  /** Runs an expression in the DevTools front-end (its ES modules are importable there). */
  inDevTools<T>(expression: string): Promise<T>;
  close(): Promise<void>;
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 15_000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function launchWithDevTools(): Promise<RealDevTools> {
  const profile = mkdtempSync(join(tmpdir(), 'sessionscope-devtools-'));
  const proc: ChildProcess = spawn(
    CHROMIUM,
    [
      '--headless=new',
      `--user-data-dir=${profile}`,
      '--remote-debugging-port=0',
      `--disable-extensions-except=${EXTENSION_DIR}`,
      `--load-extension=${EXTENSION_DIR}`,
      '--auto-open-devtools-for-tabs',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--window-size=1280,1000',
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const stop = async (): Promise<void> => {
    proc.kill();
    await new Promise((r) => (proc.exitCode === null ? proc.once('exit', r) : r(null)));
    await removeBrowserProfile(profile);
  };
  try {
    return await attach(proc, stop);
  } catch (error) {
    // A start-up that fails (no DevTools window, no panel tab) must not leave Chromium running.
    await stop();
    throw error;
  }
}

async function attach(proc: ChildProcess, stop: () => Promise<void>): Promise<RealDevTools> {
  const wsUrl = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`Chromium did not start:\n${text}`)), 20_000);
    proc.stderr?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    proc.once('exit', (code) => reject(new Error(`Chromium exited (${code}):\n${text}`)));
  });
  // Playwright attaches to the targets that exist when it connects: wait for the DevTools window first.
  const list = `http://${new URL(wsUrl).host}/json/list`;
  // While its front-end loads, the window is a target of type "other", which Playwright leaves out.
  await until('the DevTools window', async () => {
    const targets = (await (await fetch(list)).json()) as { url: string; type: string }[];
    return targets.some((t) => t.url.startsWith('devtools://devtools/') && t.type === 'page')
      ? true
      : undefined;
  });
  const browser = await chromium.connectOverCDP(wsUrl);
  const context = browser.contexts()[0]!;
  const devtools = await until('the DevTools page', () =>
    context.pages().find((p) => p.url().startsWith('devtools://devtools/')),
  );
  const page = await until('the inspected tab', () => context.pages().find((p) => p.url() === 'about:blank'));
  const inDevTools = <T>(expression: string) => devtools.evaluate(expression) as Promise<T>;
  // The extension registers its panel when DevTools loads its devtools page.
  await until('the Sessions tab in DevTools', async () =>
    (
      await inDevTools<string[]>(
        `import('./ui/legacy/legacy.js').then((m) => m.InspectorView.InspectorView.instance().tabbedPane.tabIds())`,
      )
    ).includes(PANEL_ID)
      ? true
      : undefined,
  );
  return {
    browser,
    page,
    devtools,
    inDevTools,
    async openPanel() {
      await inDevTools(
        `import('./ui/legacy/legacy.js').then((m) => m.InspectorView.InspectorView.instance().showPanel(${JSON.stringify(PANEL_ID)}))`,
      );
      const frame = await until('the panel frame', () =>
        devtools
          .frames()
          .find((f) => f.url().startsWith(`chrome-extension://${EXTENSION_ID}/extension/panel.html`)),
      );
      await frame.locator('.app').waitFor();
      return frame;
    },
    async close() {
      await browser.close().catch(() => {});
      await stop();
    },
  };
}
