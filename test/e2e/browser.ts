/** Launches Debian's Chromium with the unpacked extension (devtools.md §6.7) and stubs DevTools APIs. */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { removeBrowserProfile } from '../helpers/browser-profile.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const EXTENSION_DIR = resolve(import.meta.dirname, '../../dist/extension');
/** Derived from the manifest `key` (docs/panel.md explains how). */
export const EXTENSION_ID = 'bbbecghifmkhegpglelinmnokfgalggg';

/** Stands in for chrome.devtools and browser.devtools (the polyfill hands back the native `browser`). */
const DEVTOOLS_STUB = `(() => {
  if (location.protocol !== 'chrome-extension:') return;
  const params = new URLSearchParams(location.search);
  const inspected = params.get('inspected');
  const panels = [];
  globalThis.__panels = panels;
  const stub = {
    // location.href of the "inspected tab": the ?inspected= URL until __navigate(url) moves it.
    inspectedWindow: { tabId: 1, eval: (_expr, cb) => cb && cb(globalThis.__inspected || inspected || undefined, undefined) },
    panels: {
      themeName: params.get('theme') || 'default',
      create: (...args) => {
        panels.push(args.filter((a) => typeof a === 'string'));
        const panel = { onShown: { addListener() {} }, onHidden: { addListener() {} } };
        const cb = args.find((a) => typeof a === 'function');
        if (cb) cb(panel);
        return Promise.resolve(panel);
      },
    },
    network: {
      onRequestFinished: { addListener(fn) { globalThis.__emitRequest = fn; }, removeListener() {} },
      // __navigate(url) plays DevTools' onNavigated for the inspected tab.
      onNavigated: {
        addListener(fn) {
          globalThis.__navigate = (url) => { globalThis.__inspected = url; fn(url); };
        },
        removeListener() {},
      },
    },
  };
  globalThis.chrome.devtools = stub;
  if (globalThis.browser) globalThis.browser.devtools = stub;
})();`;

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

export async function launch(): Promise<{
  context: BrowserContext;
  extensionId: string;
  close(): Promise<void>;
}> {
  const profile = mkdtempSync(join(tmpdir(), 'sessionscope-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1000, height: 760 },
    args: [
      `--disable-extensions-except=${EXTENSION_DIR}`,
      `--load-extension=${EXTENSION_DIR}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  // Playwright cannot open a real DevTools window: the panel page is opened as an extension page
  // with chrome.devtools / browser.devtools stubbed. `?inspected=` names the "inspected tab".
  // A string, not a function: the test transpiler would inject helpers the page does not have.
  await context.addInitScript(DEVTOOLS_STUB);
  let [worker] = context.serviceWorkers();
  if (!worker) worker = await context.waitForEvent('serviceworker');
  const extensionId = new URL(worker.url()).host;
  return {
    context,
    extensionId,
    async close() {
      await context.close();
      await removeBrowserProfile(profile);
    },
  };
}
