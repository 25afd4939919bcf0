/**
 * After `vite build`: writes the Firefox variant of the unpacked extension (gecko id, background
 * scripts instead of a service worker, no `key`) and one zip per browser.
 *   dist/extension/          Chrome/Chromium, load unpacked
 *   dist/extension-firefox/  Firefox, `npx web-ext lint -s dist/extension-firefox`
 *   dist/sessionscope-chrome.zip, dist/sessionscope-firefox.zip
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { zipDirectory } from './zip.js';

const root = resolve(import.meta.dirname, '..');
const chromeDir = resolve(root, 'dist/extension');
const firefoxDir = resolve(root, 'dist/extension-firefox');

/** Stable id so Firefox keeps storage (pairings) across reinstalls; the origin itself is random per install. */
export const GECKO_ID = 'sessionscope@sessionscope.dev';

interface ChromeManifest {
  key?: string;
  minimum_chrome_version?: string;
  background: { service_worker?: string; scripts?: string[]; type?: string };
  [field: string]: unknown;
}

export function firefoxManifest(chrome: ChromeManifest): Record<string, unknown> {
  const { key: _key, minimum_chrome_version: _min, background, ...rest } = chrome;
  return {
    ...rest,
    background: { scripts: [background.service_worker], type: 'module' },
    browser_specific_settings: {
      gecko: {
        id: GECKO_ID,
        strict_min_version: '142.0',
        data_collection_permissions: { required: ['none'] },
      },
    },
  };
}

rmSync(firefoxDir, { recursive: true, force: true });
cpSync(chromeDir, firefoxDir, { recursive: true });
const manifest = JSON.parse(readFileSync(resolve(chromeDir, 'manifest.json'), 'utf8')) as ChromeManifest;
writeFileSync(
  resolve(firefoxDir, 'manifest.json'),
  `${JSON.stringify(firefoxManifest(manifest), null, 2)}\n`,
);
zipDirectory(chromeDir, resolve(root, 'dist/sessionscope-chrome.zip'));
zipDirectory(firefoxDir, resolve(root, 'dist/sessionscope-firefox.zip'));
process.stdout.write(
  'extension packaged: dist/extension, dist/extension-firefox, dist/sessionscope-{chrome,firefox}.zip\n',
);
