/**
 * The companion inspector's platform: no cookie jar, no DevTools, settings in localStorage.
 * Importing this module must never touch extension APIs.
 */
import type { KeyValueStorage, Platform } from './types.js';

const noop = (): void => {};

function localStorageBacked(prefix: string): KeyValueStorage {
  const store = (): Storage | null => (typeof localStorage === 'undefined' ? null : localStorage);
  return {
    async get(key) {
      return store()?.getItem(prefix + key) ?? null;
    },
    async set(key, value) {
      store()?.setItem(prefix + key, value);
    },
    async remove(key) {
      store()?.removeItem(prefix + key);
    },
  };
}

export function createNullPlatform(origin: string | null = globalThis.location?.origin ?? null): Platform {
  return {
    kind: 'standalone',
    inspectedOrigin: async () => origin,
    readCookie: async () => ({ status: 'unavailable' }),
    writeCookie: async () => ({
      ok: false,
      error: 'The inspector page cannot reach the cookie jar; use the DevTools panel.',
    }),
    onCookieChanged: () => noop,
    requestHostAccess: async () => false,
    hasHostAccess: async () => true,
    onRequestFinished: () => noop,
    onNavigated: () => noop,
    storage: localStorageBacked('sessionscope:'),
    theme: () => (globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'),
    onThemeChanged(listener) {
      const query = globalThis.matchMedia?.('(prefers-color-scheme: dark)');
      if (!query?.addEventListener) return noop;
      const changed = (e: MediaQueryListEvent): void => listener(e.matches ? 'dark' : 'light');
      query.addEventListener('change', changed);
      return () => query.removeEventListener('change', changed);
    },
  };
}
