/**
 * The DevTools panel's platform. Imported only by panel.tsx and devtools.ts, which run inside the
 * extension, so webextension-polyfill never loads where it would throw.
 */
import browser from 'webextension-polyfill';
import {
  COOKIE_PORT,
  hostPatterns,
  isCookieChangedNotice,
  type ReadCookieRequest,
  type WriteCookieRequest,
  type WriteCookieResponse,
} from './relay.js';
import type { CookieLookup, FinishedRequest, KeyValueStorage, Platform } from './types.js';

const storage: KeyValueStorage = {
  async get(key) {
    const record = await browser.storage.local.get(key);
    const value = record[key];
    return typeof value === 'string' ? value : null;
  },
  async set(key, value) {
    await browser.storage.local.set({ [key]: value });
  },
  async remove(key) {
    await browser.storage.local.remove(key);
  },
};

function evalInInspectedPage(expression: string): Promise<unknown> {
  return new Promise((resolvePromise) => {
    // The promise form is not available in every browser; the callback form is.
    const inspected = browser.devtools.inspectedWindow as unknown as {
      eval(expr: string, callback: (result: unknown, error: unknown) => void): void;
    };
    inspected.eval(expression, (result) => resolvePromise(result));
  });
}

function headerRecord(headers: { name: string; value: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const header of headers) out[header.name.toLowerCase()] = header.value;
  return out;
}

interface HarEntry {
  request: { url: string; method?: string };
  response: { status?: number; headers?: { name: string; value: string }[] };
}

export function createExtensionPlatform(): Platform {
  return {
    kind: 'extension',
    async inspectedOrigin() {
      const href = await evalInInspectedPage('location.href');
      if (typeof href !== 'string') return null;
      try {
        const url = new URL(href);
        return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
      } catch {
        return null;
      }
    },
    async readCookie(url, name): Promise<CookieLookup> {
      const request: ReadCookieRequest = { type: 'sessionscope:readCookie', url, name };
      return (await browser.runtime.sendMessage(request)) as CookieLookup;
    },
    async writeCookie(url, cookie) {
      const request: WriteCookieRequest = { type: 'sessionscope:writeCookie', url, cookie };
      return (await browser.runtime.sendMessage(request)) as WriteCookieResponse;
    },
    onCookieChanged(name, listener) {
      const port = browser.runtime.connect({ name: COOKIE_PORT });
      port.onMessage.addListener((message: unknown) => {
        if (isCookieChangedNotice(message) && message.name === name) listener();
      });
      return () => port.disconnect();
    },
    async requestHostAccess(origin) {
      return browser.permissions.request({ origins: hostPatterns(origin) });
    },
    async hasHostAccess(origin) {
      // The origin's own scheme only (that is what the doctor's request needs); patterns carry no port.
      const { protocol, hostname } = new URL(origin);
      return browser.permissions.contains({ origins: [`${protocol}//${hostname}/*`] }).catch(() => true);
    },
    onRequestFinished(listener) {
      const handler = (entry: HarEntry): void => {
        listener({
          url: entry.request.url,
          method: entry.request.method ?? 'GET',
          status: entry.response.status ?? 0,
          responseHeaders: headerRecord(entry.response.headers ?? []),
        } satisfies FinishedRequest);
      };
      const event = browser.devtools.network.onRequestFinished as unknown as {
        addListener(fn: (entry: HarEntry) => void): void;
        removeListener?(fn: (entry: HarEntry) => void): void;
      };
      event.addListener(handler);
      return () => event.removeListener?.(handler);
    },
    onNavigated(listener) {
      const event = browser.devtools.network.onNavigated;
      event.addListener(listener);
      return () => event.removeListener?.(listener);
    },
    storage,
    theme: () => (browser.devtools.panels.themeName === 'dark' ? 'dark' : 'light'),
    onThemeChanged(listener) {
      const panels = browser.devtools.panels as unknown as {
        /** Chrome: one handler per page, called with the new theme name. */
        setThemeChangeHandler?(handler: ((name: string) => void) | undefined): void;
        /** Firefox. */
        onThemeChanged?: {
          addListener(fn: (name: string) => void): void;
          removeListener(fn: (name: string) => void): void;
        };
      };
      const changed = (name: string): void => listener(name === 'dark' ? 'dark' : 'light');
      if (panels.setThemeChangeHandler) {
        panels.setThemeChangeHandler(changed);
        return () => panels.setThemeChangeHandler?.(undefined);
      }
      panels.onThemeChanged?.addListener(changed);
      return () => panels.onThemeChanged?.removeListener(changed);
    },
  };
}
