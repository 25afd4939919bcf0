/** Messages between extension pages and the background cookie relay (Firefox gives DevTools pages no `cookies`). */
import type { BrowserCookie, CookieLookup, CookieWrite } from './types.js';

export interface ReadCookieRequest {
  type: 'sessionscope:readCookie';
  url: string;
  name: string;
}

/** Writes (or with `value: null`, removes) one cookie in the jar: the panel's cookie edits and cycle key. */
export interface WriteCookieRequest {
  type: 'sessionscope:writeCookie';
  url: string;
  cookie: CookieWrite;
}

export type WriteCookieResponse = { ok: true } | { ok: false; error: string };

export interface CookieChangedNotice {
  type: 'sessionscope:cookieChanged';
  name: string;
  domain: string;
  removed: boolean;
}

/** Name of the long-lived port a panel opens to receive cookie change notices. */
export const COOKIE_PORT = 'sessionscope:cookies';

export type ReadCookieResponse = CookieLookup;

export function isReadCookieRequest(message: unknown): message is ReadCookieRequest {
  const m = message as Partial<ReadCookieRequest> | null;
  return m?.type === 'sessionscope:readCookie' && typeof m.url === 'string' && typeof m.name === 'string';
}

export function isWriteCookieRequest(message: unknown): message is WriteCookieRequest {
  const m = message as Partial<WriteCookieRequest> | null;
  return (
    m?.type === 'sessionscope:writeCookie' &&
    typeof m.url === 'string' &&
    typeof m.cookie?.name === 'string' &&
    (m.cookie.value === null || typeof m.cookie.value === 'string')
  );
}

/** The cookie as it is, with a new value (or removed): keeps every attribute the jar reported. */
export function rewrite(cookie: BrowserCookie, value: string | null): CookieWrite {
  return {
    name: cookie.name,
    value,
    path: cookie.path,
    ...(cookie.hostOnly ? {} : { domain: cookie.domain }),
    secure: cookie.secure,
    httpOnly: cookie.httpOnly,
    sameSite: cookie.sameSite,
    ...(cookie.session || cookie.expirationDate === undefined
      ? {}
      : { expirationDate: cookie.expirationDate }),
    ...(cookie.partitionKey ? { partitionKey: cookie.partitionKey } : {}),
  };
}

export function isCookieChangedNotice(message: unknown): message is CookieChangedNotice {
  return (message as Partial<CookieChangedNotice> | null)?.type === 'sessionscope:cookieChanged';
}

/** The https twin of an origin's host pattern: Secure cookies hide without it (devtools.md §3.3). */
export function hostPatterns(url: string): string[] {
  const { hostname } = new URL(url);
  return [`http://${hostname}/*`, `https://${hostname}/*`];
}

export type { BrowserCookie };
